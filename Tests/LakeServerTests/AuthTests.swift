import Foundation
import Testing

/// `--token-file`: every route but the probes needs the bearer token.
@Suite struct AuthTests {
    @Test func aMissingOrWrongTokenIs401AndTheRightOneIsServed() async throws {
        try await TestServer.with(token: "s3cret-token") { s in
            let none = try await s.send("GET", "/v1/tables")
            #expect(none.status == 401)
            #expect(none.header("Content-Type") == "application/problem+json")
            #expect(none.header("WWW-Authenticate") == "Bearer")
            let wrong = try await s.send("GET", "/v1/tables", headers: ["Authorization": "Bearer s3cret-tokem"])
            #expect(wrong.status == 401)
            let longer = try await s.send("GET", "/v1/tables", headers: ["Authorization": "Bearer s3cret-token-and-more"])
            #expect(longer.status == 401)
            let basic = try await s.send("GET", "/v1/tables", headers: ["Authorization": "Basic czNjcmV0LXRva2Vu"])
            #expect(basic.status == 401)
            let right = try await s.send("GET", "/v1/tables", headers: ["Authorization": "Bearer s3cret-token"])
            #expect(right.status == 200)
            // A refused write commits nothing.
            let create = try await s.send("PUT", "/v1/tables/t", json: #"{"schema": "id long"}"#)
            #expect(create.status == 401)
            #expect(!FileManager.default.fileExists(atPath: s.root + "/t"))
        }
    }

    @Test func probesNeedNoToken() async throws {
        try await TestServer.with(token: "s3cret-token") { s in
            let health = try await s.send("GET", "/healthz")
            let ready = try await s.send("GET", "/readyz")
            #expect(health.status == 200)
            #expect(ready.status == 200)
        }
    }

    @Test func withoutATokenNoAuthorizationIsNeeded() async throws {
        try await TestServer.with { s in
            let list = try await s.send("GET", "/v1/tables")
            #expect(list.status == 200)
        }
    }
}
