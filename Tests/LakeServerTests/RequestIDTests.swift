import Foundation
import Testing

/// `X-Request-Id` on every answer, problems included.
@Suite struct RequestIDTests {
    @Test func theClientsIdIsEchoedAndOtherwiseOneIsMade() async throws {
        try await TestServer.with { s in
            let given = try await s.send("GET", "/healthz", headers: ["X-Request-Id": "pipeline-42"])
            #expect(given.header("X-Request-Id") == "pipeline-42")
            let made = try await s.send("GET", "/healthz")
            let other = try await s.send("GET", "/healthz")
            #expect((made.header("X-Request-Id") ?? "").count == 36)
            #expect(made.header("X-Request-Id") != other.header("X-Request-Id"))
            let problem = try await s.send("GET", "/v1/tables/nothere", headers: ["X-Request-Id": "p-1"])
            #expect(problem.status == 404)
            #expect(problem.header("X-Request-Id") == "p-1")
        }
    }
}
