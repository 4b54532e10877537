import Foundation
import Logging
import Synchronization
import Testing

/// Request logs: one structured line per request with its id, method, route and status, and never the
/// token or the body.
@Suite struct RequestLogTests {
    /// Keeps every log line (message and metadata rendered) in memory.
    final class Capture: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    struct Handler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = metadata.merging(explicit ?? [:]) { $1 }
            let text = "\(message) " + all.keys.sorted().map { "\($0)=\(all[$0].map { "\($0)" } ?? "")" }.joined(separator: " ")
            capture.lines.withLock { $0.append(text) }
        }
    }

    @Test func eachRequestIsLoggedWithItsIdButNeverItsTokenOrBody() async throws {
        let capture = Capture()
        let logger = Logger(label: "lake.test") { _ in Handler(capture: capture) }
        let s = try await TestServer.start(token: "tok-XYZ-never-logged", logger: logger)
        do {
            let auth = ["Authorization": "Bearer tok-XYZ-never-logged"]
            let create = try await s.send("PUT", "/v1/tables/t", json: #"{"schema": "id long, secret string"}"#, headers: auth)
            #expect(create.status == 201)
            let write = try await s.send("POST", "/v1/tables/t/rows", body: Array("{\"id\": 1, \"secret\": \"BODY-MARKER-42\"}\n".utf8),
                                         headers: auth.merging(["Content-Type": "application/x-ndjson", "X-Request-Id": "req-abc"]) { $1 })
            #expect(write.status == 200)
            let denied = try await s.send("GET", "/v1/tables", headers: ["Authorization": "Bearer wrong-token-also-secret"])
            #expect(denied.status == 401)
        } catch {
            await s.stop()
            throw error
        }
        await s.stop()
        let lines = capture.all
        let requests = lines.filter { $0.hasPrefix("request ") }
        #expect(requests.count == 3)
        #expect(requests.contains { $0.contains("request_id=req-abc") && $0.contains("method=POST") && $0.contains("path=/v1/tables/t/rows") && $0.contains("status=200") })
        #expect(requests.contains { $0.contains("status=401") })
        for line in lines {
            #expect(!line.contains("tok-XYZ"), "\(line)")
            #expect(!line.contains("wrong-token"), "\(line)")
            #expect(!line.contains("BODY-MARKER"), "\(line)")
        }
    }
}
