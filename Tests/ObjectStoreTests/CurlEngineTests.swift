import Synchronization
import Testing
@testable import ObjectStore
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 that keeps connections alive (moto's werkzeug server closes every
/// connection, so it cannot show reuse): answers each request with `ok` and counts the connections it accepted.
final class KeepAliveServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    let accepted = Atomic<Int>(0)

    init() throws {
        let (fd, port) = try Self.listenOnLoopback()
        listener = fd
        self.port = port
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        _ = pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<KeepAliveServer>.fromOpaque(arg).takeRetainedValue().acceptLoop()
            return nil
        }, box)
        pthread_detach(thread)
    }

    /// Stops accepting; connections still open end when their client closes them.
    func stop() {
        _ = shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// A listening socket on 127.0.0.1 with a free port.
    static func listenOnLoopback() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0)
        try #require(listen(fd, 16) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            accepted.add(1, ordering: .relaxed)
            var thread = pthread_t()
            let box = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
            box.pointee = client
            _ = pthread_create(&thread, nil, { arg in
                guard let arg else { return nil }
                let p = arg.assumingMemoryBound(to: Int32.self)
                let fd = p.pointee
                p.deallocate()
                KeepAliveServer.serve(fd)
                return nil
            }, box)
            pthread_detach(thread)
        }
    }

    /// Reads requests (headers only, no bodies) and answers each, until the client closes.
    private static func serve(_ fd: Int32) {
        defer { close(fd) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            pending += chunk[..<n]
            while let r = pending.firstRange(of: end) {
                pending.removeSubrange(..<r.upperBound)
                _ = reply.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            }
        }
    }
}

@Suite struct CurlEngineTests {
    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try KeepAliveServer()
        defer { server.stop() }
        var opened = 0
        for _ in 0 ..< 20 {
            let request = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/x", headers: [("Host", "127.0.0.1:\(server.port)")], body: [])
            let response = try await CurlEngine.shared.perform(request, limits: TransferLimits())
            #expect(response.status == 200 && response.body == Array("ok".utf8))
            opened += response.newConnections
        }
        #expect(opened == 1)
        #expect(server.accepted.load(ordering: .relaxed) == 1)
    }

    @Test func parallelRequestsAllComplete() async throws {
        let server = try KeepAliveServer()
        defer { server.stop() }
        let bodies = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0 ..< 50 {
                group.addTask {
                    let request = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/p", headers: [("Host", "127.0.0.1:\(server.port)")], body: [])
                    return try await CurlEngine.shared.perform(request, limits: TransferLimits()).body
                }
            }
            var all: [[UInt8]] = []
            for try await b in group { all.append(b) }
            return all
        }
        #expect(bodies.count == 50 && bodies.allSatisfy { $0 == Array("ok".utf8) })
    }

    @Test func cancellingATaskStopsItsTransfer() async throws {
        // A socket that accepts connections (the kernel's backlog) but never answers.
        let (silent, port) = try KeepAliveServer.listenOnLoopback()
        defer { close(silent) }
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task {
            try await CurlEngine.shared.perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/", headers: [], body: []), limits: TransferLimits())
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // Without the cancel only the 30 s stall limit would end it; the parallel test run can starve this
        // process for seconds, so the bound separates the two endings rather than timing the cancel.
        #expect(clock.now - start < .seconds(25))
    }
}
