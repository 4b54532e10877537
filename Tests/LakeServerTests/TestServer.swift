import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LakeServer
import Logging
import ServiceLifecycle

/// A real `LakeServer` on 127.0.0.1 and a free port, over a fresh temporary root, talked to over real HTTP.
final class TestServer: @unchecked Sendable {
    /// An HTTP answer.
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body parsed as JSON (Foundation's parser: an oracle independent of lake's documents).
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    let root: String
    let base: String
    private let task: Task<Void, any Error>
    private let group: ServiceGroup
    private let session: URLSession

    private init(root: String, base: String, task: Task<Void, any Error>, group: ServiceGroup) {
        self.root = root
        self.base = base
        self.task = task
        self.group = group
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 60
        session = URLSession(configuration: config)
    }

    /// Starts a server; `root` reuses a directory (a restart), else a new temporary one is made.
    static func start(root: String? = nil, token: String? = nil, maxBody: Int = 1 << 20, logger given: Logger? = nil) async throws -> TestServer {
        let dir = root ?? (NSTemporaryDirectory() + "/lake-server-test-" + UUID().uuidString)
        var logger = given ?? Logger(label: "lake.test")
        if given == nil { logger.logLevel = .warning }
        let (addresses, continuation) = AsyncStream.makeStream(of: String.self)
        let server = LakeServer(configuration: .init(root: dir, host: "127.0.0.1", port: 0, token: token, maxBodyBytes: maxBody),
                                logger: logger) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = addresses.makeAsyncIterator()
        guard let address = await iterator.next() else {
            try await task.value
            throw TestServerError("the server stopped before listening")
        }
        return TestServer(root: dir, base: address, task: task, group: group)
    }

    /// Stops the server gracefully (as SIGTERM does `lake serve`) and, unless `keepRoot`, removes its root.
    func stop(keepRoot: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        if !keepRoot { try? FileManager.default.removeItem(atPath: root) }
    }

    /// Sends `method path` with `body` and `headers`.
    func send(_ method: String, _ path: String, body: [UInt8]? = nil, headers: [String: String] = [:]) async throws -> Answer {
        guard let url = URL(string: base + path) else { throw TestServerError("bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        if let body { request.httpBody = Data(body) }
        let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { c in
            session.dataTask(with: request) { data, response, error in
                if let error { c.resume(throwing: error) } else if let response { c.resume(returning: (data ?? Data(), response)) } else {
                    c.resume(throwing: TestServerError("no response"))
                }
            }.resume()
        }
        guard let http = response as? HTTPURLResponse else { throw TestServerError("not HTTP") }
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields[String(describing: k)] = String(describing: v) }
        return Answer(status: http.statusCode, headers: fields, body: Array(data))
    }

    /// `send` with a JSON text body.
    func send(_ method: String, _ path: String, json: String, headers: [String: String] = [:]) async throws -> Answer {
        try await send(method, path, body: Array(json.utf8), headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a })
    }

    /// Creates table `name` with `schema`; throws unless 201.
    func create(_ name: String, schema: String = "id long not null, name string", extra: String = "") async throws {
        let a = try await send("PUT", "/v1/tables/\(name)", json: "{\"schema\": \"\(schema)\"\(extra)}")
        guard a.status == 201 else { throw TestServerError("create \(name): \(a.status) \(a.text)") }
    }

    /// Appends NDJSON `rows`; throws unless 200.
    @discardableResult
    func append(_ name: String, ndjson rows: String, headers: [String: String] = [:]) async throws -> Answer {
        let a = try await send("POST", "/v1/tables/\(name)/rows", body: Array(rows.utf8),
                               headers: ["Content-Type": "application/x-ndjson"].merging(headers) { $1 })
        guard a.status == 200 else { throw TestServerError("append \(name): \(a.status) \(a.text)") }
        return a
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

extension TestServer {
    /// Runs `body` against a fresh server, stopping it (and removing its root) however `body` ends.
    static func with(token: String? = nil, maxBody: Int = 1 << 20, _ body: (TestServer) async throws -> Void) async throws {
        let s = try await start(token: token, maxBody: maxBody)
        do { try await body(s) } catch { await s.stop(); throw error }
        await s.stop()
    }
}
