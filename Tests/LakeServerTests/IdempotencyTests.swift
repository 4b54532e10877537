import Foundation
import Testing

/// `Idempotency-Key` on `POST /rows`: a retry is applied once and gets the original answer back.
@Suite struct IdempotencyTests {
    let row = "{\"id\": 1, \"name\": \"a\"}\n"

    @Test func aRetryWithTheSameKeyCommitsOnceAndReplaysTheAnswer() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            let first = try await s.append("t", ndjson: row, headers: ["Idempotency-Key": "batch-0001"])
            #expect(first.header("Idempotent-Replayed") == nil)
            let retry = try await s.append("t", ndjson: row, headers: ["Idempotency-Key": "batch-0001"])
            #expect(retry.header("Idempotent-Replayed") == "true")
            #expect(retry.text == first.text)
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id"]) == ["1"])
            #expect(try await TableOracle.version(root: s.root, "t") == 1)
            // Another key is another write.
            try await s.append("t", ndjson: row, headers: ["Idempotency-Key": "batch-0002"])
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id"]) == ["1", "1"])
        }
    }

    @Test func theKeyIsHonouredAfterARestart() async throws {
        let s = try await TestServer.start()
        try await s.create("t")
        let first = try await s.append("t", ndjson: row, headers: ["Idempotency-Key": "k-restart"])
        await s.stop(keepRoot: true)
        let again = try await TestServer.start(root: s.root)
        do {
            let retry = try await again.append("t", ndjson: row, headers: ["Idempotency-Key": "k-restart"])
            #expect(retry.header("Idempotent-Replayed") == "true")
            #expect(retry.text == first.text)
            #expect(try await TableOracle.rows(root: again.root, "t", columns: ["id"]) == ["1"])
        } catch {
            await again.stop()
            throw error
        }
        await again.stop()
    }

    @Test func aKeyOnARouteThatCannotRecordItIsRefused() async throws {
        try await TestServer.with { s in
            try await s.create("t")
            try await s.append("t", ndjson: row)
            let a = try await s.send("POST", "/v1/tables/t/delete", json: "{}", headers: ["Idempotency-Key": "k"])
            #expect(a.status == 400)
            #expect(try await TableOracle.rows(root: s.root, "t", columns: ["id"]) == ["1"])
            let bad = try await s.send("POST", "/v1/tables/t/rows", body: Array(row.utf8),
                                       headers: ["Content-Type": "application/x-ndjson", "Idempotency-Key": String(repeating: "k", count: 201)])
            #expect(bad.status == 400)
        }
    }
}
