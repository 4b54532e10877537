import Columnar
import Foundation
import DataFrame
import DeltaLog
import Testing
@testable import Lake

/// Rows of a small table: an id, a partition-able region and a nullable value.
func dmlRows(_ ids: [Int64], regions: [String], values: [Int64?]) throws -> DataFrame {
    try DataFrame([
        (name: "id", column: try Column(.int64, ids.map { .int($0) })),
        (name: "region", column: try Column(.string, regions.map { .string($0) })),
        (name: "x", column: try Column(.int64, values.map { $0.map { .int($0) } ?? .null })),
    ])
}

/// Writes `rows` into a new table at a fresh temp location (partitioned by `partitionBy`, one file per row
/// when `fileEachRow`), returning the table and its first snapshot.
func dmlTable(_ rows: DataFrame, partitionBy: [String] = [], fileEachRow: Bool = false, name: String = #function) async throws -> (DeltaTable, Snapshot) {
    let t = try tempTable(name)
    var o = Write.Options()
    o.partitionBy = partitionBy
    if fileEachRow { o.targetFileSize = 1 }
    let (s, _) = try await Write(table: t, data: rows, options: o).execute()
    return (t, s)
}

/// (id, region, x) of every row of the latest version, sorted by id.
func dmlContents(_ t: DeltaTable) async throws -> [(Int64, String?, Int64?)] {
    let (_, rows, _) = try await Scan(table: t).execute()
    var out: [(Int64, String?, Int64?)] = []
    for i in 0..<rows.rowCount {
        guard case let .int(id) = try rows.value("id", row: i) else { Issue.record("id is null"); continue }
        var region: String?
        if case let .string(r) = try rows.value("region", row: i) { region = r }
        var x: Int64?
        if case let .int(v) = try rows.value("x", row: i) { x = v }
        out.append((id, region, x))
    }
    return out.sorted { $0.0 < $1.0 }
}

/// Removes a test table's temp directory (`/tmp/lake-tests-<uuid>/`).
func dmlCleanup(_ t: DeltaTable) {
    let parts = t.location.split(separator: "/")
    guard parts.count >= 2, parts[1].hasPrefix("lake-tests-") else { return }
    try? FileManager.default.removeItem(atPath: "/" + parts[0...1].joined(separator: "/"))
}

@Suite struct DeleteTests {
    @Test func partitionDecidedDeleteRemovesFilesWithoutReadingThem() async throws {
        let rows = try dmlRows([1, 2, 3, 4, 5], regions: ["EU", "EU", "US", "US", "EU"], values: [1, 2, 3, 4, 5])
        let (t, before) = try await dmlTable(rows, partitionBy: ["region"], fileEachRow: true)
        defer { dmlCleanup(t) }
        let euFiles = before.files.filter { $0.partitionValues["region"] == .some("EU") }
        #expect(euFiles.count == 3)
        let (s, m) = try await Delete(table: t, options: .init(predicate: "region = 'EU'")).execute()
        #expect(m.numFilesRead == 0)
        #expect(m.numRemovedFiles == 3 && m.numAddedFiles == 0 && m.numCopiedRows == 0)
        #expect(m.numDeletedRows == 3)
        #expect(s.version == 1 && m.version == 1)
        #expect(Set(s.files.map(\.path)) == Set(before.files.map(\.path)).subtracting(euFiles.map(\.path)))
        #expect(try await dmlContents(t).map(\.0) == [3, 4])
    }

    @Test func partitionPredicateOrDataPredicateIsStillDecidedByThePartition() async throws {
        // `region = 'EU' OR x > 100`: every EU row is TRUE whatever x is, so EU files go unread; US files are read.
        let rows = try dmlRows([1, 2, 3], regions: ["EU", "US", "US"], values: [1, 200, nil])
        let (t, _) = try await dmlTable(rows, partitionBy: ["region"])
        defer { dmlCleanup(t) }
        let (_, m) = try await Delete(table: t, options: .init(predicate: "region = 'EU' OR x > 100")).execute()
        #expect(m.numFilesRead == 1)
        #expect(m.numDeletedRows == 2 && m.numCopiedRows == 1)
        #expect(try await dmlContents(t).map(\.0) == [3])
    }

    @Test func filesTheStatsRuleOutAreNotOpenedAndStay() async throws {
        let rows = try dmlRows([1, 2, 3, 4], regions: ["a", "a", "a", "a"], values: [10, 20, 30, 40])
        let (t, before) = try await dmlTable(rows, fileEachRow: true)
        defer { dmlCleanup(t) }
        #expect(before.files.count == 4)
        let (s, m) = try await Delete(table: t, options: .init(predicate: "x = 30")).execute()
        #expect(m.numFilesRead == 1 && m.numFilesSkipped == 3)
        #expect(m.numRemovedFiles == 1 && m.numAddedFiles == 0 && m.numDeletedRows == 1)
        let untouched = Set(before.files.map(\.path)).intersection(s.files.map(\.path))
        #expect(untouched.count == 3)
        #expect(try await dmlContents(t).map(\.0) == [1, 2, 4])
    }

    @Test func rowsWherethePredicateIsNullAreKept() async throws {
        let rows = try dmlRows([1, 2, 3, 4], regions: ["a", "a", "a", "a"], values: [5, nil, 1, 7])
        let (t, _) = try await dmlTable(rows)
        defer { dmlCleanup(t) }
        let (_, m) = try await Delete(table: t, options: .init(predicate: "x > 1")).execute()
        #expect(m.numDeletedRows == 2 && m.numCopiedRows == 2)
        #expect(m.numRemovedFiles == 1 && m.numAddedFiles == 1)
        let left = try await dmlContents(t)
        #expect(left.map(\.0) == [2, 3])
        #expect(left[0].2 == nil && left[1].2 == 1)
    }

    @Test func aFileWithNoMatchingRowIsLeftAndNothingIsCommitted() async throws {
        let rows = try dmlRows([1, 2], regions: ["a", "a"], values: [5, 6])
        let (t, before) = try await dmlTable(rows)
        defer { dmlCleanup(t) }
        // Data skipping does not follow arithmetic, so the file is read; no row matches.
        let (s, m) = try await Delete(table: t, options: .init(predicate: "x + 0 > 100")).execute()
        #expect(m.numFilesRead == 1)
        #expect(m.numDeletedRows == 0 && m.numRemovedFiles == 0 && m.numAddedFiles == 0)
        #expect(s.version == before.version && m.version == before.version)
        let latest = try await t.snapshot()
        #expect(latest.version == before.version)
        #expect(latest.files.map(\.path) == before.files.map(\.path))
    }

    @Test func withoutPredicateEveryFileGoesUnreadAndRowsComeFromStats() async throws {
        let rows = try dmlRows([1, 2, 3], regions: ["a", "b", "b"], values: [1, 2, 3])
        let (t, _) = try await dmlTable(rows, partitionBy: ["region"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Delete(table: t).execute()
        #expect(m.numFilesRead == 0 && m.numRemovedFiles == 2 && m.numDeletedRows == 3)
        #expect(s.files.isEmpty)
        #expect(try await dmlContents(t).isEmpty)
    }

    @Test func removesCarryTheFileMetadataAndTheClock() async throws {
        let t0 = try tempTable()
        defer { dmlCleanup(t0) }
        let t = try DeltaTable(location: t0.location, context: .pinned(start: 1_700_000_000_000))
        var o = Write.Options()
        o.partitionBy = ["region"]
        let (before, _) = try await Write(table: t, data: try dmlRows([1, 2], regions: ["EU", "US"], values: [1, 2]), options: o).execute()
        _ = try await Delete(table: t, options: .init(predicate: "x = 1")).execute()
        let actions = try await LogListing.readCommit(t, path: "_delta_log/00000000000000000001.json")
        let removes = actions.compactMap { a -> RemoveFile? in if case let .remove(r) = a { return r } else { return nil } }
        let original = try #require(before.files.first { $0.partitionValues["region"] == .some("EU") })
        #expect(removes.count == 1)
        let r = try #require(removes.first)
        #expect(r.path == original.path && r.dataChange && r.deletionTimestamp == 1_700_000_000_000)
        #expect(r.size == original.size && r.stats == original.stats && r.partitionValues == original.partitionValues)
    }

    @Test func commitInfoIsDeleteWithPredicateAndDeltaMetrics() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1, 2, 3], regions: ["a", "a", "a"], values: [1, 2, 3]))
        defer { dmlCleanup(t) }
        let (_, m) = try await Delete(table: t, options: .init(predicate: "x >= 2")).execute()
        let (entries, _) = try await History(table: t).execute()
        let info = try #require(entries.first?.commitInfo)
        #expect(info.operation == "DELETE")
        #expect(info.operationParameters?["predicate"] == .string("[\"x >= 2\"]"))
        let metrics = try #require(info.operationMetrics)
        #expect(metrics["numDeletedRows"] == .string("2"))
        #expect(metrics["numCopiedRows"] == .string("1"))
        #expect(metrics["numRemovedFiles"] == .string("1") && metrics["numAddedFiles"] == .string("1"))
        #expect(metrics["numDeletionVectorsAdded"] == .string("0"))
        #expect(metrics["numAddedBytes"] == .string(String(m.numAddedBytes)))
        for key in ["executionTimeMs", "scanTimeMs", "rewriteTimeMs"] { #expect(metrics[key] != nil) }
        #expect(info.isBlindAppend == false)
    }

    @Test func badPredicatesAreRequestErrorsAndCommitNothing() async throws {
        let (t, before) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        for p in ["nosuch > 1", "x >", "x + 1"] {
            do {
                _ = try await Delete(table: t, options: .init(predicate: p)).execute()
                Issue.record("expected \(p) to be refused")
            } catch {
                #expect(error.kind == .invalidRequest && error.exitCode == 2)
            }
        }
        #expect(try await t.snapshot().version == before.version)
    }

    @Test func appendOnlyTablesRefuseDeletes() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.properties = ["delta.appendOnly": "true"]
        _ = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1]), options: o).execute()
        await #expect(throws: LakeError.self) { _ = try await Delete(table: t, options: .init(predicate: "x = 1")).execute() }
        #expect(try await dmlContents(t).count == 1)
    }

    /// Under the default WriteSerializable isolation, a delete limited to partition EU commits on top of an
    /// append to US that won the race.
    @Test func deleteRacingAnAppendToAnotherPartitionCommitsBoth() async throws {
        let (t, start) = try await dmlTable(try dmlRows([1, 2], regions: ["EU", "US"], values: [1, 2]), partitionBy: ["region"])
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        _ = try await Write(table: t, data: try dmlRows([3], regions: ["US"], values: [3]), options: o).execute()
        let (s, m) = try await Delete(table: t, options: .init(predicate: "region = 'EU' AND x >= 1")).execute(on: start)
        #expect(m.version == 2 && s.version == 2)
        #expect(try await dmlContents(t).map(\.0) == [2, 3])
    }

    /// Under Serializable isolation even blind appends count, so the delete's read predicate must be exactly
    /// its partition: an append to US commits beside a delete of EU rows, an append to EU conflicts.
    @Test func underSerializableTheReadPredicateIsThePartitionDeletedFrom() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        o.properties = ["delta.isolationLevel": "Serializable"]
        let (start, _) = try await Write(table: t, data: try dmlRows([1, 2], regions: ["EU", "US"], values: [1, 2]), options: o).execute()
        _ = try await Write(table: t, data: try dmlRows([3], regions: ["US"], values: [3]), options: o).execute()
        let (s, _) = try await Delete(table: t, options: .init(predicate: "region = 'EU' AND x = 1")).execute(on: start)
        #expect(s.version == 2)
        #expect(try await dmlContents(t).map(\.0) == [2, 3])

        _ = try await Write(table: t, data: try dmlRows([4, 5], regions: ["EU", "EU"], values: [4, 5]), options: o).execute()
        let now = try await t.snapshot()
        _ = try await Write(table: t, data: try dmlRows([6], regions: ["EU"], values: [6]), options: o).execute()
        do {
            _ = try await Delete(table: t, options: .init(predicate: "region = 'EU' AND x = 4")).execute(on: now)
            Issue.record("expected a concurrent append conflict")
        } catch {
            #expect(error.kind == .conflict && error.message.contains("concurrent append"))
        }
        #expect(try await dmlContents(t).map(\.0) == [2, 3, 4, 5, 6])
    }

    /// A compaction that removed the file the delete rewrites makes the delete fail ("concurrent delete read"):
    /// committing would resurrect the compacted rows.
    @Test func deleteRacingACompactionOfItsFileConflicts() async throws {
        let (t, start) = try await dmlTable(try dmlRows([1, 2], regions: ["EU", "EU"], values: [1, 2]))
        defer { dmlCleanup(t) }
        let file = try #require(start.files.first)
        // The compaction: the same rows in a new file, dataChange = false.
        let rows = try await DataFileReader(table: t, snapshot: start).read(file, schema: start.schema)
        let writer = try DataFileWriter(table: t, metadata: start.metadata, schema: start.schema, targetFileSize: 1 << 20, dataChange: false)
        try await writer.write(rows.frame)
        let compacted = try await writer.finish()
        let optimize = OperationCommit(table: t, snapshot: start, operation: .optimize(predicate: nil, zOrderBy: []), read: ReadSet(files: [file.path]))
        struct NoMetrics: OperationMetrics {}
        _ = try await optimize.commit([.remove(file.removal(deletionTimestamp: 1, dataChange: false))] + compacted.map { .add($0) }, metrics: NoMetrics())
        do {
            _ = try await Delete(table: t, options: .init(predicate: "x = 1")).execute(on: start)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.kind == .conflict && error.exitCode == 3)
            #expect(error.message.contains("concurrent delete"))
        }
        #expect(try await dmlContents(t).map(\.0) == [1, 2])
    }
}
