import Foundation
import Testing

/// Hostile and malformed requests: each gets its 4xx problem details and the server keeps serving.
@Suite struct ProblemTests {
    @Test func aBodyOfAnUnsupportedTypeIs415() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            let a = try await s.send("POST", "/v1/tables/t/rows", body: Array("<rows/>".utf8), headers: ["Content-Type": "application/xml"])
            #expect(a.status == 415)
            #expect(a.object["type"] as? String == "urn:lake:problem:unsupportedMediaType")
            let none = try await s.send("POST", "/v1/tables/t/rows", body: Array("{}".utf8))
            #expect(none.status == 415)
        }
    }

    @Test func aBodyOverTheLimitIs413AndNothingIsCommitted() async throws {
        try await TestServer.with(maxBody: 1000) { s in
            try await s.create("t")
            let row = "{\"id\": 1, \"name\": \"\(String(repeating: "x", count: 100))\"}\n"
            let a = try await s.send("POST", "/v1/tables/t/rows", body: Array(String(repeating: row, count: 20).utf8),
                                     headers: ["Content-Type": "application/x-ndjson"])
            #expect(a.status == 413)
            #expect(a.object["status"] as? Int == 413)
            #expect(try await TableOracle.version(root: s.root, "t") == 0)
            #expect(try await s.send("GET", "/healthz").status == 200)
        }
    }

    @Test func rowsThatDoNotFitTheSchemaAre422() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            let a = try await s.send("POST", "/v1/tables/t/rows", body: Array("{\"id\": \"not a number\", \"name\": \"a\"}\n".utf8),
                                     headers: ["Content-Type": "application/x-ndjson"])
            #expect(a.status == 422)
            let nulls = try await s.send("POST", "/v1/tables/t/rows", body: Array("{\"id\": null, \"name\": \"a\"}\n".utf8),
                                         headers: ["Content-Type": "application/x-ndjson"])
            #expect(nulls.status == 422)
            #expect(try await TableOracle.version(root: s.root, "t") == 0)
        }
    }

    @Test func bodiesThatAreNotWhatTheirTypeSaysAre4xx() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            for (type, body) in [("application/json", "{\"id\": 1}"), ("application/json", "[{\"id\": 1}"), ("application/json", "[1, 2]"),
                                 ("application/vnd.apache.parquet", "PAR1 not really"), ("application/x-ndjson", "{\"id\": 1,")] {
                let a = try await s.send("POST", "/v1/tables/t/rows", body: Array(body.utf8), headers: ["Content-Type": type])
                #expect((400..<500).contains(a.status), "\(type) \(body): \(a.status) \(a.text)")
                #expect(a.header("Content-Type") == "application/problem+json")
            }
            let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
            let a = try await s.send("POST", "/v1/tables/t/rows", body: Array("[{\"id\": \(deep)}]".utf8), headers: ["Content-Type": "application/json"])
            #expect(a.status == 400)
            let empty = try await s.send("POST", "/v1/tables/t/rows", body: [], headers: ["Content-Type": "application/x-ndjson"])
            #expect(empty.status == 400)
            #expect(try await TableOracle.version(root: s.root, "t") == 0)
            #expect(try await s.send("GET", "/healthz").status == 200)
        }
    }

    @Test func tableNamesThatLeaveTheRootAreRefused() async throws {
        try await TestServer.with { s in
            let outside = s.root + "-outside"
            defer { try? FileManager.default.removeItem(atPath: outside) }
            for name in ["..%2Foutside", ".hidden", "a%2Fb", "%2Ftmp%2Fx", "a%00b", "a%0Ab", "%2E%2E", "a..b", "caf%C3%A9", String(repeating: "n", count: 129)] {
                let a = try await s.send("PUT", "/v1/tables/\(name)", json: #"{"schema": "id long"}"#)
                #expect(a.status == 400, "\(name): \(a.status)")
                #expect(a.object["type"] as? String == "urn:lake:problem:invalidRequest")
            }
            #expect(!FileManager.default.fileExists(atPath: outside))
            #expect(try FileManager.default.contentsOfDirectory(atPath: s.root).isEmpty)
            try await s.create("ok_name-1.v2")
        }
    }

    @Test func aMalformedJSONBodyIs400() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            let a = try await s.send("POST", "/v1/tables/t/delete", json: "{\"where\": ")
            #expect(a.status == 400)
            let wrongType = try await s.send("POST", "/v1/tables/t/delete", json: "{\"where\": 5}")
            #expect(wrongType.status == 400)
            let notJSON = try await s.send("POST", "/v1/tables/t/delete", body: Array("where=x".utf8), headers: ["Content-Type": "text/plain"])
            #expect(notJSON.status == 415)
        }
    }
}
