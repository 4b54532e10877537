import Foundation
import Testing

/// Delete, update, merge, SCD2, restore, optimize, vacuum, history and changes over HTTP, checked against the
/// table's rows read straight from the root.
@Suite struct OperationRouteTests {
    func seeded(_ s: TestServer) async throws {
        try await s.create("t", schema: "id long not null, name string, amount long")
        try await s.append("t", ndjson: (1...4).map { "{\"id\": \($0), \"name\": \"n\($0)\", \"amount\": \($0 * 10)}" }.joined(separator: "\n") + "\n")
    }

    @Test func deleteRemovesTheMatchingRows() async throws {
        try await TestServer.with { s in
            try await seeded(s)
            let a = try await s.send("POST", "/v1/tables/t/delete", json: #"{"where": "amount >= 30"}"#)
            #expect(a.status == 200)
            #expect(a.object["version"] as? Int == 2)
            #expect(a.object["numDeletedRows"] as? String == "2")
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id"]) == ["1", "2"])
        }
    }

    @Test func updateSetsColumnsOfTheMatchingRows() async throws {
        try await TestServer.with { s in
            try await seeded(s)
            let a = try await s.send("POST", "/v1/tables/t/update", json: #"{"set": {"amount": "amount + 1", "name": "'changed'"}, "where": "id = 2"}"#)
            #expect(a.status == 200)
            #expect(a.object["numUpdatedRows"] as? String == "1")
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id", "name", "amount"]) == ["1|n1|10", "2|changed|21", "3|n3|30", "4|n4|40"])
            let none = try await s.send("POST", "/v1/tables/t/update", json: #"{"where": "id = 2"}"#)
            #expect(none.status == 400)
        }
    }

    @Test func mergeUpsertsTheBodyRowsWithTheClauses() async throws {
        try await TestServer.with { s in
            try await seeded(s)
            let on = "target.id%20%3D%20source.id"
            let clauses = ["WHEN%20MATCHED%20THEN%20UPDATE%20SET%20*", "WHEN%20NOT%20MATCHED%20THEN%20INSERT%20*"].map { "clause=\($0)" }.joined(separator: "&")
            let body = "{\"id\": 2, \"name\": \"m2\", \"amount\": 200}\n{\"id\": 9, \"name\": \"m9\", \"amount\": 900}\n"
            let a = try await s.send("POST", "/v1/tables/t/merge?on=\(on)&\(clauses)", body: Array(body.utf8), headers: ["Content-Type": "application/x-ndjson"])
            #expect(a.status == 200, "\(a.text)")
            #expect(a.object["numTargetRowsUpdated"] as? String == "1")
            #expect(a.object["numTargetRowsInserted"] as? String == "1")
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id", "name"]) == ["1|n1", "2|m2", "3|n3", "4|n4", "9|m9"])
        }
    }

    @Test func scd2ClosesChangedRowsAndInsertsNewVersions() async throws {
        try await TestServer.with { s in
            try await s.create("dim", schema: "id long not null, city string, is_current boolean, valid_from timestamp, valid_to timestamp")
            let first = try await s.send("POST", "/v1/tables/dim/scd2?keys=id&track=city&effectiveAt=2024-01-01T00:00:00Z",
                                         body: Array("{\"id\": 1, \"city\": \"Oslo\"}\n".utf8), headers: ["Content-Type": "application/x-ndjson"])
            #expect(first.status == 200, "\(first.text)")
            let second = try await s.send("POST", "/v1/tables/dim/scd2?keys=id&track=city&effectiveAt=2024-02-01T00:00:00Z",
                                          body: Array("{\"id\": 1, \"city\": \"Bergen\"}\n".utf8), headers: ["Content-Type": "application/x-ndjson"])
            #expect(second.status == 200, "\(second.text)")
            #expect(try await TableOracle.rows(root: s.root, "dim", columns: ["id", "city", "is_current"]) == ["1|Bergen|true", "1|Oslo|false"])
        }
    }

    @Test func restoreGoesBackToAVersion() async throws {
        try await TestServer.with { s in
            try await seeded(s)
            _ = try await s.send("POST", "/v1/tables/t/delete", json: "{}")
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id"]).isEmpty)
            let a = try await s.send("POST", "/v1/tables/t/restore", json: #"{"version": 1}"#)
            #expect(a.status == 200)
            #expect(a.object["version"] as? Int == 3)
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id"]) == ["1", "2", "3", "4"])
            let both = try await s.send("POST", "/v1/tables/t/restore", json: #"{"version": 1, "timestamp": 5}"#)
            #expect(both.status == 400)
        }
    }

    @Test func optimizeCompactsAndZOrders() async throws {
        try await TestServer.with { s in
            try await seeded(s)
            try await s.append("t", ndjson: "{\"id\": 5, \"name\": \"n5\", \"amount\": 50}\n")
            let a = try await s.send("POST", "/v1/tables/t/optimize", json: #"{"zorder": ["id", "amount"]}"#)
            #expect(a.status == 200, "\(a.text)")
            #expect(a.object["numFilesRemoved"] as? String == "2")
            let info = try await s.send("GET", "/v1/tables/t")
            #expect(info.object["numFiles"] as? Int == 1)
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id"]) == ["1", "2", "3", "4", "5"])
        }
    }

    @Test func vacuumDryRunListsNothingYoungAndDeletesNothing() async throws {
        try await TestServer.with { s in
            try await seeded(s)
            _ = try await s.send("POST", "/v1/tables/t/delete", json: "{}")
            let a = try await s.send("POST", "/v1/tables/t/vacuum", json: #"{"dryRun": true}"#)
            #expect(a.status == 200, "\(a.text)")
            #expect(a.object["dryRun"] as? Bool == true)
            #expect((a.object["files"] as? [Any])?.isEmpty == true)
            let forced = try await s.send("POST", "/v1/tables/t/vacuum", json: #"{"dryRun": true, "retainHours": 0, "force": true}"#)
            #expect(forced.status == 200, "\(forced.text)")
            #expect((forced.object["files"] as? [Any])?.count == 1)
        }
    }

    @Test func historyListsCommitsNewestFirst() async throws {
        try await TestServer.with { s in
            try await seeded(s)
            _ = try await s.send("POST", "/v1/tables/t/delete", json: #"{"where": "id = 1"}"#)
            let a = try await s.send("GET", "/v1/tables/t/history")
            let entries = (a.object["history"] as? [[String: Any]]) ?? []
            #expect(entries.compactMap { $0["version"] as? Int } == [2, 1, 0])
            #expect(entries.compactMap { $0["operation"] as? String } == ["DELETE", "WRITE", "CREATE TABLE"])
            let limited = try await s.send("GET", "/v1/tables/t/history?limit=1")
            #expect(((limited.object["history"] as? [[String: Any]]) ?? []).count == 1)
            let bad = try await s.send("GET", "/v1/tables/t/history?limit=-1")
            #expect(bad.status == 400)
        }
    }

    @Test func changesGiveTheChangeDataFeedBetweenVersions() async throws {
        try await TestServer.with { s in
            try await s.create("c", schema: "id long", extra: #", "properties": {"delta.enableChangeDataFeed": "true"}"#)
            try await s.append("c", ndjson: "{\"id\": 1}\n{\"id\": 2}\n")
            _ = try await s.send("POST", "/v1/tables/c/delete", json: #"{"where": "id = 1"}"#)
            let a = try await s.send("GET", "/v1/tables/c/changes?from=2&to=2", headers: ["Accept": "application/json"])
            #expect(a.status == 200, "\(a.text)")
            let rows = (a.json as? [[String: Any]]) ?? []
            #expect(rows.map { "\($0["id"] ?? "")|\($0["_change_type"] ?? "")" } == ["1|delete"])
        }
    }
}
