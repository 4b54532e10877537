import Foundation
import Testing

/// Probes, listing, creating and describing tables over real HTTP.
@Suite struct TableRouteTests {
    @Test func healthAndReadinessAnswerOk() async throws {
        try await TestServer.with { s in
            let h = try await s.send("GET", "/healthz")
            #expect(h.status == 200)
            #expect(h.object["status"] as? String == "ok")
            let r = try await s.send("GET", "/readyz")
            #expect(r.status == 200)
            #expect(r.object["status"] as? String == "ready")
        }
    }

    @Test func createAnswers201WithTheTableAndListsIt() async throws {
        try await TestServer.with { s in
            let a = try await s.send("PUT", "/v1/tables/events",
                                     json: #"{"schema": "id long not null, region string, amount double", "partitionBy": ["region"], "properties": {"delta.appendOnly": "false"}}"#)
            #expect(a.status == 201)
            #expect(a.header("Location") == "/v1/tables/events")
            #expect(a.object["version"] as? Int == 0)
            #expect(a.object["partitionColumns"] as? [String] == ["region"])
            #expect((a.object["properties"] as? [String: String])?["delta.appendOnly"] == "false")
            let fields = ((a.object["schema"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []
            #expect(fields.map { $0["name"] as? String } == ["id", "region", "amount"])
            #expect(fields.first?["nullable"] as? Bool == false)
            // The table is a real Delta table at ROOT/NAME.
            #expect(FileManager.default.fileExists(atPath: s.root + "/events/_delta_log/00000000000000000000.json"))

            try await s.create("accounts")
            let list = try await s.send("GET", "/v1/tables")
            #expect(list.status == 200)
            let tables = (list.object["tables"] as? [[String: Any]]) ?? []
            #expect(tables.map { $0["name"] as? String } == ["accounts", "events"])
            #expect(tables.map { $0["version"] as? Int } == [0, 0])
        }
    }

    @Test func describeGivesSchemaVersionAndSize() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n")
            let a = try await s.send("GET", "/v1/tables/t")
            #expect(a.status == 200)
            #expect(a.object["version"] as? Int == 1)
            #expect(a.object["numFiles"] as? Int == 1)
            #expect(a.object["numRows"] as? Int == 2)
            #expect((a.object["sizeInBytes"] as? Int ?? 0) > 0)
            let v0 = try await s.send("GET", "/v1/tables/t?version=0")
            #expect(v0.object["version"] as? Int == 0)
            #expect(v0.object["numFiles"] as? Int == 0)
        }
    }

    @Test func creatingAnExistingTableIsA409Problem() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            let a = try await s.send("PUT", "/v1/tables/t", json: #"{"schema": "id long"}"#)
            #expect(a.status == 409)
            #expect(a.header("Content-Type") == "application/problem+json")
            #expect(a.object["status"] as? Int == 409)
            #expect(a.object["type"] as? String == "urn:lake:problem:alreadyExists")
            #expect(a.object["title"] as? String == "Conflict")
            #expect((a.object["detail"] as? String ?? "").isEmpty == false)
        }
    }

    @Test func aBadSchemaIsA400Problem() async throws {
        try await TestServer.with { s in
            let a = try await s.send("PUT", "/v1/tables/t", json: #"{"schema": "id notatype"}"#)
            #expect(a.status == 400)
            #expect(a.object["status"] as? Int == 400)
            let missing = try await s.send("PUT", "/v1/tables/t", json: #"{"partitionBy": []}"#)
            #expect(missing.status == 400)
            let unknown = try await s.send("PUT", "/v1/tables/t", json: #"{"schema": "id long", "colour": "red"}"#)
            #expect(unknown.status == 400)
            #expect(!FileManager.default.fileExists(atPath: s.root + "/t/_delta_log"))
        }
    }

    @Test func anUnknownTableIsA404Problem() async throws {
        try await TestServer.with { s in
            let a = try await s.send("GET", "/v1/tables/nothere")
            #expect(a.status == 404)
            #expect(a.header("Content-Type") == "application/problem+json")
            #expect(a.object["type"] as? String == "urn:lake:problem:notFound")
            let rows = try await s.send("GET", "/v1/tables/nothere/rows")
            #expect(rows.status == 404)
            let route = try await s.send("GET", "/v1/nothing")
            #expect(route.status == 404)
            #expect(route.header("Content-Type") == "application/problem+json")
        }
    }
}
