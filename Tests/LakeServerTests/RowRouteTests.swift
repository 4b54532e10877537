import Foundation
import Testing

/// Writing rows in each body type and reading them back in each answer type.
@Suite struct RowRouteTests {
    @Test func appendingNDJSONAnswersTheWriteMetricsAndCommitsTheRows() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            let a = try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": null}\n")
            #expect(a.object["version"] as? Int == 1)
            #expect(a.object["numOutputRows"] as? String == "2")
            #expect(a.object["numFiles"] as? String == "1")
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id", "name"]) == ["1|a", "2|null"])
        }
    }

    @Test func appendingAJSONArrayOfObjectsWritesEachObject() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            let a = try await s.send("POST", "/v1/tables/t/rows", json: "[\n  {\"id\": 3, \"name\": \"x, [y]\"},\n  {\"name\": \"z\\\"}\", \"id\": 4}\n]")
            #expect(a.status == 200)
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id", "name"]) == ["3|x, [y]", "4|z\"}"])
        }
    }

    @Test func appendingCSVParsesWithTheTableTypes() async throws {
        try await TestServer.with { s in
            try await s.create("t", schema: "id long not null, name string, amount double")
            let a = try await s.send("POST", "/v1/tables/t/rows", body: Array("id,name,amount\n7,seven,7.5\n8,eight,\n".utf8),
                                     headers: ["Content-Type": "text/csv; charset=utf-8"])
            #expect(a.status == 200)
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id", "name", "amount"]) == ["7|seven|7.5", "8|eight|null"])
        }
    }

    @Test func overwriteReplacesTheRows() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n")
            let a = try await s.send("POST", "/v1/tables/t/rows?mode=overwrite", body: Array("{\"id\": 9, \"name\": \"n\"}\n".utf8),
                                     headers: ["Content-Type": "application/x-ndjson"])
            #expect(a.status == 200)
            #expect(a.object["version"] as? Int == 2)
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id", "name"]) == ["9|n"])
            let bad = try await s.send("POST", "/v1/tables/t/rows?mode=upsert", body: Array("{\"id\": 1}\n".utf8),
                                       headers: ["Content-Type": "application/x-ndjson"])
            #expect(bad.status == 400)
        }
    }

    @Test func readingAnswersEachTypeByAccept() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n")
            let nd = try await s.send("GET", "/v1/tables/t/rows", headers: ["Accept": "application/x-ndjson"])
            #expect(nd.header("Content-Type") == "application/x-ndjson")
            let lines = nd.text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(lines.compactMap { $0?["id"] as? Int }.sorted() == [1, 2])
            let json = try await s.send("GET", "/v1/tables/t/rows", headers: ["Accept": "application/json"])
            #expect(json.header("Content-Type") == "application/json")
            #expect(((json.json as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.sorted() == ["a", "b"])
            let csv = try await s.send("GET", "/v1/tables/t/rows", headers: ["Accept": "text/csv"])
            #expect(csv.header("Content-Type") == "text/csv")
            #expect(csv.text.split(separator: "\n").first == "id,name")
            #expect(csv.text.split(separator: "\n").dropFirst().sorted() == ["1,a", "2,b"])
            let parquet = try await s.send("GET", "/v1/tables/t/rows", headers: ["Accept": "application/vnd.apache.parquet"])
            #expect(parquet.status == 200)
            #expect(Array(parquet.body.prefix(4)) == Array("PAR1".utf8))
            let none = try await s.send("GET", "/v1/tables/t/rows", headers: ["Accept": "image/png"])
            #expect(none.status == 406)
        }
    }

    @Test func readingFiltersProjectsLimitsAndTravelsInTime() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n")
            try await s.append("t", ndjson: "{\"id\": 2, \"name\": \"b\"}\n{\"id\": 3, \"name\": \"c\"}\n")
            let filtered = try await s.send("GET", "/v1/tables/t/rows?where=id%20%3E%3D%202&columns=name", headers: ["Accept": "application/json"])
            #expect(filtered.status == 200)
            let rows = (filtered.json as? [[String: Any]]) ?? []
            #expect(rows.compactMap { $0["name"] as? String }.sorted() == ["b", "c"])
            #expect(rows.allSatisfy { $0["id"] == nil })
            let limited = try await s.send("GET", "/v1/tables/t/rows?limit=1", headers: ["Accept": "application/json"])
            #expect(((limited.json as? [[String: Any]]) ?? []).count == 1)
            let v1 = try await s.send("GET", "/v1/tables/t/rows?version=1", headers: ["Accept": "application/json"])
            #expect(((v1.json as? [[String: Any]]) ?? []).compactMap { $0["id"] as? Int } == [1])
            #expect(v1.header("Lake-Table-Version") == "1")
            let missing = try await s.send("GET", "/v1/tables/t/rows?version=99")
            #expect(missing.status == 404)
            let badWhere = try await s.send("GET", "/v1/tables/t/rows?where=nosuchcolumn%20%3D%201")
            #expect(badWhere.status == 400)
        }
    }

    @Test func readingAtATimestampPicksTheVersionThen() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n")
            let now = Int64(Date().timeIntervalSince1970 * 1000) + 1000
            let latest = try await s.send("GET", "/v1/tables/t/rows?timestamp=\(now)", headers: ["Accept": "application/json"])
            #expect(latest.status == 200, "\(latest.text)")
            #expect(latest.header("Lake-Table-Version") == "1")
            let iso = try await s.send("GET", "/v1/tables/t/rows?timestamp=2999-01-01T00:00:00Z", headers: ["Accept": "application/json"])
            #expect(iso.header("Lake-Table-Version") == "1")
            let before = try await s.send("GET", "/v1/tables/t/rows?timestamp=0")
            #expect(before.status == 404)
            let both = try await s.send("GET", "/v1/tables/t/rows?timestamp=0&version=0")
            #expect(both.status == 400)
            let garbage = try await s.send("GET", "/v1/tables/t/rows?timestamp=yesterday")
            #expect(garbage.status == 400)
        }
    }
}
