import Foundation
import Testing

/// Files, scan plans and CHECK constraints over HTTP.
@Suite struct InspectionRouteTests {
    @Test func filesListTheDataFilesOfAVersion() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n")
            try await s.append("t", ndjson: "{\"id\": 2, \"name\": \"b\"}\n")
            let a = try await s.send("GET", "/v1/tables/t/files")
            #expect(a.status == 200)
            #expect(a.object["version"] as? Int == 2)
            let files = (a.object["files"] as? [[String: Any]]) ?? []
            #expect(files.count == 2)
            for f in files {
                let path = f["path"] as? String ?? ""
                #expect(FileManager.default.fileExists(atPath: s.root + "/t/" + path), "\(path)")
            }
            let v1 = try await s.send("GET", "/v1/tables/t/files?version=1")
            #expect(((v1.object["files"] as? [Any]) ?? []).count == 1)
        }
    }

    @Test func thePlanSaysWhichFilesAReadWouldOpen() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: "{\"id\": 1, \"name\": \"a\"}\n")
            try await s.append("t", ndjson: "{\"id\": 100, \"name\": \"b\"}\n")
            let a = try await s.send("GET", "/v1/tables/t/plan?where=id%20%3E%2050&columns=name")
            #expect(a.status == 200, "\(a.text)")
            #expect(a.object["filesTotal"] as? Int == 2)
            #expect(a.object["filesToRead"] as? Int == 1)
            #expect(a.object["columns"] as? [String] == ["name"])
        }
    }

    @Test func aCheckConstraintRefusesViolatingRowsUntilDropped() async throws {
        try await TestServer.with { s in
            try await s.create("t", schema: "id long, amount long")
            let add = try await s.send("POST", "/v1/tables/t/constraints", json: #"{"name": "positive", "check": "amount > 0"}"#)
            #expect(add.status == 200, "\(add.text)")
            let bad = try await s.send("POST", "/v1/tables/t/rows", body: Array("{\"id\": 1, \"amount\": -5}\n".utf8),
                                       headers: ["Content-Type": "application/x-ndjson"])
            #expect(bad.status == 422)
            #expect(bad.object["type"] as? String == "urn:lake:problem:constraintViolation")
            let drop = try await s.send("DELETE", "/v1/tables/t/constraints/positive")
            #expect(drop.status == 200, "\(drop.text)")
            try await s.append("t", ndjson: "{\"id\": 1, \"amount\": -5}\n")
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id", "amount"]) == ["1|-5"])
        }
    }
}
