import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

@Suite struct UpdateTests {
    @Test func updatingAPartitionColumnMovesTheRow() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1, 2, 3], regions: ["EU", "EU", "US"], values: [1, 2, 3]), partitionBy: ["region"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Update(table: t, options: .init(set: [("region", "'US'")], predicate: "id = 1")).execute()
        #expect(m.numUpdatedRows == 1 && m.numCopiedRows == 1)
        #expect(m.numRemovedFiles == 1 && m.numAddedFiles == 2)
        // The EU file was rewritten into one EU file (id 2) and one US file (id 1); the old US file stays.
        let regions = s.files.compactMap { $0.partitionValues["region"] ?? nil }.sorted()
        #expect(regions == ["EU", "US", "US"])
        var scan = Scan.Options()
        scan.predicate = "region = 'US'"
        let (_, us, sm) = try await Scan(table: t, options: scan).execute()
        #expect(us.rowCount == 2 && sm.filesPrunedByPartition == 1)
        #expect(try await dmlContents(t).map { $0.1 } == ["US", "EU", "US"])
    }

    @Test func matchedRowsChangeAndTheOthersAreCopied() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1, 2, 3, 4], regions: ["a", "a", "a", "a"], values: [5, nil, 1, 7]))
        defer { dmlCleanup(t) }
        let (_, m) = try await Update(table: t, options: .init(set: [("x", "x * 10")], predicate: "x > 1")).execute()
        // x IS NULL is not > 1: that row keeps its null.
        #expect(m.numUpdatedRows == 2 && m.numCopiedRows == 2)
        #expect(try await dmlContents(t).map(\.2) == [50, nil, 1, 70])
    }

    @Test func everyValueIsComputedFromTheRowAsItWas() async throws {
        let rows = try DataFrame([
            (name: "a", column: try Column(.int64, [.int(1), .int(2)])),
            (name: "b", column: try Column(.int64, [.int(10), .int(20)])),
        ])
        let t = try tempTable()
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: rows).execute()
        _ = try await Update(table: t, options: .init(set: [("a", "b"), ("B", "a")])).execute()
        let (_, out, _) = try await Scan(table: t).execute()
        let sorted = try out.sort("a")
        #expect(try sorted.value("a", row: 0) == .int(10) && sorted.value("b", row: 0) == .int(1))
        #expect(try sorted.value("a", row: 1) == .int(20) && sorted.value("b", row: 1) == .int(2))
    }

    @Test func valuesAreCastToTheColumnTypeAndOnlyMatchedRowsAreEvaluated() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1, 2, 3], regions: ["a", "a", "a"], values: [0, 4, 8]))
        defer { dmlCleanup(t) }
        // 100 / x is a double (and divides by zero on the first row, which does not match); '7' is a string.
        _ = try await Update(table: t, options: .init(set: [("x", "100 / x"), ("region", "x")], predicate: "x <> 0")).execute()
        let rows = try await dmlContents(t)
        #expect(rows.map(\.2) == [0, 25, 12])
        #expect(rows.map(\.1) == ["a", "4", "8"])
        _ = try await Update(table: t, options: .init(set: [("x", "'7'")], predicate: "id = 1")).execute()
        #expect(try await dmlContents(t).first?.2 == 7)
    }

    @Test func anAssignmentWithNoCastToTheColumnTypeNamesTheColumn() async throws {
        let (t, before) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        do {
            _ = try await Update(table: t, options: .init(set: [("x", "DATE '2024-01-01'")])).execute()
            Issue.record("expected a refusal")
        } catch {
            #expect(error.kind == .invalidRequest && error.message.contains("column x"))
        }
        for bad: [(column: String, expression: String)] in [[("nosuch", "1")], [("x", "1"), ("X", "2")], [("x", "nosuch + 1")], []] {
            await #expect(throws: LakeError.self) { _ = try await Update(table: t, options: .init(set: bad)).execute() }
        }
        #expect(try await t.snapshot().version == before.version)
    }

    @Test func notNullColumnsStayEnforced() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let schema = Schema([Field("id", .int64, nullable: false), Field("x", .int64)])
        _ = try await CreateTable(table: t, options: .init(schema: schema)).execute()
        let rows = try DataFrame([(name: "id", column: try Column(.int64, [.int(1), .int(2)])), (name: "x", column: try Column(.int64, [.int(1), .null]))])
        _ = try await Write(table: t, data: rows).execute()
        do {
            _ = try await Update(table: t, options: .init(set: [("id", "x")])).execute()
            Issue.record("expected a NOT NULL violation")
        } catch {
            #expect(error.kind == .constraintViolation && error.message.contains("id"))
        }
        #expect(try await t.snapshot().version == 1)
        // Setting NOT NULL column from non-null values is fine.
        let (_, m) = try await Update(table: t, options: .init(set: [("id", "id + 10")], predicate: "x IS NOT NULL")).execute()
        #expect(m.numUpdatedRows == 1)
    }

    @Test func checkConstraintsHoldForRowsWritten() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.properties = ["delta.constraints.positive": "x > 0"]
        _ = try await Write(table: t, data: try dmlRows([1, 2], regions: ["a", "a"], values: [1, 2]), options: o).execute()
        await #expect(throws: LakeError.self) { _ = try await Update(table: t, options: .init(set: [("x", "x - 2")])).execute() }
        #expect(try await dmlContents(t).map(\.2) == [1, 2])
    }

    @Test func noMatchingRowCommitsNothing() async throws {
        let (t, before) = try await dmlTable(try dmlRows([1, 2], regions: ["a", "a"], values: [1, 2]))
        defer { dmlCleanup(t) }
        let (s, m) = try await Update(table: t, options: .init(set: [("x", "0")], predicate: "id * 1 = 99")).execute()
        #expect(m.numFilesRead == 1 && m.numUpdatedRows == 0 && m.numRemovedFiles == 0)
        #expect(s.version == before.version && m.version == before.version)
        #expect(try await t.snapshot().version == before.version)
    }

    @Test func commitInfoIsUpdateWithPredicateAndDeltaMetrics() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1, 2, 3], regions: ["a", "b", "b"], values: [1, 2, 3]), partitionBy: ["region"])
        defer { dmlCleanup(t) }
        _ = try await Update(table: t, options: .init(set: [("x", "x + 1")], predicate: "region = 'b'")).execute()
        let (entries, _) = try await History(table: t).execute()
        let info = try #require(entries.first?.commitInfo)
        #expect(info.operation == "UPDATE")
        #expect(info.operationParameters?["predicate"] == .string("[\"region = 'b'\"]"))
        let metrics = try #require(info.operationMetrics)
        #expect(metrics["numUpdatedRows"] == .string("2") && metrics["numCopiedRows"] == .string("0"))
        #expect(metrics["numRemovedFiles"] == .string("1") && metrics["numAddedFiles"] == .string("1"))
        for key in ["executionTimeMs", "scanTimeMs", "rewriteTimeMs", "numDeletionVectorsAdded"] { #expect(metrics[key] != nil) }
        #expect(try await dmlContents(t).map(\.2) == [1, 3, 4])
    }

    @Test func updateRacingAnAppendToAnotherPartitionCommitsBoth() async throws {
        let (t, start) = try await dmlTable(try dmlRows([1, 2], regions: ["EU", "US"], values: [1, 2]), partitionBy: ["region"])
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        _ = try await Write(table: t, data: try dmlRows([3], regions: ["US"], values: [3]), options: o).execute()
        let (_, m) = try await Update(table: t, options: .init(set: [("x", "100")], predicate: "region = 'EU'")).execute(on: start)
        #expect(m.version == 2)
        #expect(try await dmlContents(t).map(\.2) == [100, 2, 3])
    }

    /// Under Serializable isolation an append to the partition the update read conflicts (under the default
    /// WriteSerializable a blind append never does).
    @Test func updateRacingAnAppendToItsPartitionConflictsUnderSerializable() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        o.properties = ["delta.isolationLevel": "Serializable"]
        let (start, _) = try await Write(table: t, data: try dmlRows([1, 2], regions: ["EU", "US"], values: [1, 2]), options: o).execute()
        _ = try await Write(table: t, data: try dmlRows([3], regions: ["EU"], values: [3]), options: o).execute()
        do {
            _ = try await Update(table: t, options: .init(set: [("x", "100")], predicate: "region = 'EU'")).execute(on: start)
            Issue.record("expected a concurrent append conflict")
        } catch {
            #expect(error.kind == .conflict && error.message.contains("concurrent append"))
        }
        #expect(try await dmlContents(t).map(\.2) == [1, 2, 3])
    }
}
