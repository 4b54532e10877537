import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

/// A table with `delta.enableDeletionVectors=true` holding `rows` (one file unless `fileEachRow`).
func dvTable(_ rows: DataFrame, partitionBy: [String] = [], fileEachRow: Bool = false, name: String = #function) async throws -> (DeltaTable, Snapshot) {
    let t = try tempTable(name)
    var o = Write.Options()
    o.partitionBy = partitionBy
    o.properties = ["delta.enableDeletionVectors": "true"]
    if fileEachRow { o.targetFileSize = 1 }
    let (s, _) = try await Write(table: t, data: rows, options: o).execute()
    return (t, s)
}

/// The actions of commit `version`, one JSON object per line.
func commitActions(_ t: DeltaTable, _ version: Int64) throws -> [[String: Any]] {
    let name = String(format: "%020lld.json", version)
    let text = try String(contentsOfFile: t.location + "/_delta_log/" + name, encoding: .utf8)
    return try text.split(separator: "\n").map { line in
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }
}

/// Files under the table directory whose name has `suffix` (data files, vector files).
func tableFiles(_ t: DeltaTable, suffix: String) -> [String] {
    let walker = FileManager.default.enumerator(atPath: t.location)
    var out: [String] = []
    while let p = walker?.nextObject() as? String { if p.hasSuffix(suffix) && !p.hasPrefix("_delta_log") { out.append(p) } }
    return out.sorted()
}

@Suite struct DeletionVectorWriteTests {
    /// ids 0..<n with x = id * 10, all in region "EU".
    static func rows(_ n: Int) throws -> DataFrame {
        try dmlRows((0..<Int64(n)).map { $0 }, regions: Array(repeating: "EU", count: n), values: (0..<Int64(n)).map { $0 * 10 })
    }

    @Test func enablingThePropertyGivesSparksProtocol() async throws {
        let (t, s) = try await dvTable(try Self.rows(3))
        defer { dmlCleanup(t) }
        let p = s.protocolAction
        #expect(p.minReaderVersion == 3 && p.minWriterVersion == 7)
        #expect(p.readerFeatures == ["deletionVectors"] && p.writerFeatures == ["deletionVectors"])
    }

    @Test func deleteMarksRowsInAVectorInsteadOfRewriting() async throws {
        let (t, before) = try await dvTable(try Self.rows(6))
        defer { dmlCleanup(t) }
        let file = try #require(before.files.first)
        let (s, m) = try await Delete(table: t, options: .init(predicate: "id = 1 OR id = 4")).execute()
        #expect(m.numDeletedRows == 2 && m.numCopiedRows == 0)
        #expect(m.numRemovedFiles == 0 && m.numAddedFiles == 0 && m.numAddedBytes == 0)
        #expect(m.numDeletionVectorsAdded == 1 && m.numDeletionVectorsUpdated == 0 && m.numDeletionVectorsRemoved == 0)
        // The same data file stays, with the rows at positions 1 and 4 (as written) marked.
        #expect(s.files.map(\.path) == [file.path])
        let after = try #require(s.files.first)
        #expect(after.deletionVector?.cardinality == 2)
        #expect(try await s.deletedRows(for: after) == [1, 4])
        #expect(tableFiles(t, suffix: ".parquet").count == 1)
        #expect(try await dmlContents(t).map(\.0) == [0, 2, 3, 5])

        // The commit: a remove of the old logical file and an add of the same path with the vector and the
        // physical row count, bounds no longer tight.
        let actions = try commitActions(t, 1)
        let remove = try #require(actions.compactMap { $0["remove"] as? [String: Any] }.first)
        let add = try #require(actions.compactMap { $0["add"] as? [String: Any] }.first)
        #expect(remove["path"] as? String == file.path && remove["deletionVector"] == nil)
        #expect(add["path"] as? String == file.path && add["dataChange"] as? Bool == true)
        let dv = try #require(add["deletionVector"] as? [String: Any])
        #expect(dv["cardinality"] as? Int == 2 && dv["storageType"] as? String == "i")
        let statsText = try #require(add["stats"] as? String)
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(statsText.utf8)) as? [String: Any])
        #expect(stats["numRecords"] as? Int == 6 && stats["tightBounds"] as? Bool == false)
        #expect(stats["minValues"] != nil)
    }

    @Test func aSecondDeleteCombinesWithTheExistingVector() async throws {
        let (t, _) = try await dvTable(try Self.rows(8))
        defer { dmlCleanup(t) }
        let (s1, _) = try await Delete(table: t, options: .init(predicate: "id = 2")).execute()
        let first = try #require(s1.files.first?.deletionVector)
        let (s2, m) = try await Delete(table: t, options: .init(predicate: "id >= 6 OR id = 0")).execute()
        #expect(m.numDeletedRows == 3)
        // As Spark counts (golden dv-with-columnmapping, version 6): the new vector is added, the old one
        // removed, and the pair is an update.
        #expect(m.numDeletionVectorsAdded == 1 && m.numDeletionVectorsUpdated == 1 && m.numDeletionVectorsRemoved == 1)
        let file = try #require(s2.files.first)
        #expect(try await s2.deletedRows(for: file) == [0, 2, 6, 7])
        #expect(try await dmlContents(t).map(\.0) == [1, 3, 4, 5])
        // The remove names the logical file it replaces: the path with its first vector.
        let remove = try #require(try commitActions(t, 2).compactMap { $0["remove"] as? [String: Any] }.first)
        let removedDV = try #require(remove["deletionVector"] as? [String: Any])
        #expect(removedDV["pathOrInlineDv"] as? String == first.pathOrInlineDv)
    }

    @Test func largeVectorsGoToADeletionVectorFile() async throws {
        let (t, _) = try await dvTable(try Self.rows(2000))
        defer { dmlCleanup(t) }
        // 1,000 scattered rows serialize to about 2 KB: above the inline limit.
        let (s, m) = try await Delete(table: t, options: .init(predicate: "x % 20 = 0")).execute()
        #expect(m.numDeletedRows == 1000 && m.numDeletionVectorsAdded == 1)
        let dv = try #require(s.files.first?.deletionVector)
        #expect(dv.storageType == .uuidRelative && dv.offset == 1 && dv.cardinality == 1000)
        let bins = tableFiles(t, suffix: ".bin")
        #expect(bins.count == 1 && bins.first?.hasPrefix("deletion_vector_") == true)
        let rows = try await s.deletedRows(for: try #require(s.files.first))
        #expect(rows == (0..<1000).map { Int64($0 * 2) })
        #expect(try await dmlContents(t).count == 1000)
    }

    @Test func aDeletedRangeIsARunAndStaysInline() async throws {
        let (t, _) = try await dvTable(try Self.rows(3000))
        defer { dmlCleanup(t) }
        let (s, m) = try await Delete(table: t, options: .init(predicate: "id >= 500 AND id < 2500")).execute()
        #expect(m.numDeletedRows == 2000)
        let file = try #require(s.files.first)
        #expect(file.deletionVector?.storageType == .inline)
        #expect(try await s.deletedRows(for: file) == (500..<2500).map { Int64($0) })
        #expect(tableFiles(t, suffix: ".bin").isEmpty)
    }

    @Test func vectorTablesReadOnlyTheColumnsADeleteLooksAt() async throws {
        let (t, s) = try await dvTable(try Self.rows(4))
        defer { dmlCleanup(t) }
        var seen: [[String]] = []
        let rewrite = try FileRewrite(table: t, snapshot: s, targetFileSize: 1 << 20)
        try await rewrite.rewrite(s.files, reading: ["x"]) { (_, rows) throws(LakeError) -> FileRewrite.FileChange? in
            seen.append(rows.schema.names)
            return nil
        }
        #expect(seen == [["x"]])

        // Copy-on-write needs every column to copy the kept rows.
        let (c, cs) = try await dmlTable(try Self.rows(4), name: "cow")
        defer { dmlCleanup(c) }
        seen = []
        let copy = try FileRewrite(table: c, snapshot: cs, targetFileSize: 1 << 20)
        try await copy.rewrite(cs.files, reading: ["x"]) { (_, rows) throws(LakeError) -> FileRewrite.FileChange? in
            seen.append(rows.schema.names)
            return nil
        }
        #expect(seen == [["id", "region", "x"]])
    }

    @Test func aFileWhoseEveryRowGoesIsRemoved() async throws {
        let rows = try dmlRows([1, 2, 3, 4], regions: ["a", "a", "b", "b"], values: [1, 2, 3, 4])
        let (t, _) = try await dvTable(rows, partitionBy: ["region"])
        defer { dmlCleanup(t) }
        // First a vector on region b's file, then every remaining row of it goes.
        _ = try await Delete(table: t, options: .init(predicate: "id = 3")).execute()
        let (s, m) = try await Delete(table: t, options: .init(predicate: "x >= 4 OR id = 1")).execute()
        #expect(m.numDeletedRows == 2)
        #expect(m.numRemovedFiles == 1 && m.numDeletionVectorsRemoved == 1 && m.numDeletionVectorsAdded == 1)
        #expect(s.files.count == 1 && s.files.first?.partitionValues["region"] == .some("a"))
        #expect(try await dmlContents(t).map(\.0) == [2])
        let actions = try commitActions(t, 2)
        #expect(actions.compactMap { $0["add"] as? [String: Any] }.count == 1, "only region a's file is added back")
    }

    @Test func updateMarksOldRowsAndWritesTheNewOnes() async throws {
        let (t, before) = try await dvTable(try Self.rows(5))
        defer { dmlCleanup(t) }
        let (s, m) = try await Update(table: t, options: .init(set: [("x", "x + 1")], predicate: "id = 1 OR id = 3")).execute()
        #expect(m.numUpdatedRows == 2 && m.numCopiedRows == 0)
        #expect(m.numAddedFiles == 1 && m.numDeletionVectorsAdded == 1)
        #expect(s.files.count == 2)
        let old = try #require(s.files.first { $0.path == before.files.first?.path })
        #expect(try await s.deletedRows(for: old) == [1, 3])
        let contents = try await dmlContents(t)
        #expect(contents.map(\.0) == [0, 1, 2, 3, 4])
        #expect(contents.map(\.2) == [0, 11, 20, 31, 40])
    }

    @Test func mergeMarksMatchedRowsAndCountsVectors() async throws {
        let (t, before) = try await dvTable(try Self.rows(4))
        defer { dmlCleanup(t) }
        let source = try dmlRows([2, 9], regions: ["EU", "EU"], values: [200, 900])
        let (s, m) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id").execute()
        #expect(m.numTargetRowsUpdated == 1 && m.numTargetRowsInserted == 1 && m.numTargetRowsCopied == 0)
        #expect(m.numTargetFilesRemoved == 0 && m.numTargetBytesRemoved == 0)
        #expect(m.numTargetDeletionVectorsAdded == 1 && m.numTargetDeletionVectorsUpdated == 0 && m.numTargetDeletionVectorsRemoved == 0)
        let old = try #require(s.files.first { $0.path == before.files.first?.path })
        #expect(try await s.deletedRows(for: old) == [2])
        let contents = try await dmlContents(t)
        #expect(contents.map(\.0) == [0, 1, 2, 3, 9])
        #expect(contents.map(\.2) == [0, 10, 200, 30, 900])
        let info = try #require(try commitActions(t, 1).compactMap { $0["commitInfo"] as? [String: Any] }.first)
        let metrics = try #require(info["operationMetrics"] as? [String: String])
        #expect(metrics["numTargetDeletionVectorsAdded"] == "1")
    }

    @Test func appendsKeepVectorsAndLaterDeletesStillCombine() async throws {
        let (t, _) = try await dvTable(try Self.rows(4))
        defer { dmlCleanup(t) }
        _ = try await Delete(table: t, options: .init(predicate: "id = 0")).execute()
        _ = try await Write(table: t, data: try dmlRows([10], regions: ["EU"], values: [100])).execute()
        _ = try await Delete(table: t, options: .init(predicate: "id = 3 OR id = 10")).execute()
        #expect(try await dmlContents(t).map(\.0) == [1, 2])
    }

    @Test func tablesWithoutThePropertyStillRewriteFiles() async throws {
        let (t, _) = try await dmlTable(try Self.rows(4))
        defer { dmlCleanup(t) }
        let (s, m) = try await Delete(table: t, options: .init(predicate: "id = 1")).execute()
        #expect(m.numCopiedRows == 3 && m.numRemovedFiles == 1 && m.numAddedFiles == 1 && m.numDeletionVectorsAdded == 0)
        #expect(s.files.allSatisfy { $0.deletionVector == nil })
    }

    /// Two deletes marking the same file from the same snapshot: the second would drop the first's rows from
    /// the vector it replaces, so it must conflict, and the table keeps the first's result.
    @Test func racingDeletesOfOneFileConflict() async throws {
        let (t, start) = try await dvTable(try Self.rows(6))
        defer { dmlCleanup(t) }
        _ = try await Delete(table: t, options: .init(predicate: "id = 1")).execute(on: start)
        do {
            _ = try await Delete(table: t, options: .init(predicate: "id = 2")).execute(on: start)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.kind == .conflict)
        }
        #expect(try await dmlContents(t).map(\.0) == [0, 2, 3, 4, 5])
    }

    /// A delete racing an append to another partition commits, and both changes are in the table.
    @Test func aDeleteRacingAnAppendElsewhereCommits() async throws {
        let rows = try dmlRows([1, 2, 3], regions: ["a", "a", "b"], values: [1, 2, 3])
        let (t, start) = try await dvTable(rows, partitionBy: ["region"])
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([9], regions: ["c"], values: [9])).execute()
        let (_, m) = try await Delete(table: t, options: .init(predicate: "region = 'a' AND x = 1")).execute(on: start)
        #expect(m.numDeletionVectorsAdded == 1)
        #expect(try await dmlContents(t).map(\.0) == [2, 3, 9])
    }

    /// With the property turned off the feature stays: files are rewritten again, and the rows an old vector
    /// deleted stay deleted in the rewritten file.
    @Test func rewritingAFileWithAVectorKeepsItsDeletedRowsDeleted() async throws {
        let (t, _) = try await dvTable(try Self.rows(6))
        defer { dmlCleanup(t) }
        let (s1, _) = try await Delete(table: t, options: .init(predicate: "id = 1")).execute()
        var metadata = s1.metadata
        metadata.configuration["delta.enableDeletionVectors"] = "false"
        struct NoMetrics: OperationMetrics {}
        _ = try await OperationCommit(table: t, snapshot: s1, operation: .setProperties(["delta.enableDeletionVectors": "false"]), read: .wholeTable)
            .commit([.metadata(metadata)], metrics: NoMetrics())
        let (s, m) = try await Delete(table: t, options: .init(predicate: "id = 2")).execute()
        #expect(m.numCopiedRows == 4 && m.numRemovedFiles == 1 && m.numAddedFiles == 1)
        #expect(m.numDeletionVectorsRemoved == 1 && m.numDeletionVectorsAdded == 0)
        #expect(s.files.allSatisfy { $0.deletionVector == nil })
        #expect(try await dmlContents(t).map(\.0) == [0, 3, 4, 5])
    }

    /// A file logged without stats gets `numRecords` (from its footer) when it gets a vector, as the protocol
    /// requires of files with vectors.
    @Test func aMarkedFileWithoutStatsGetsItsRowCount() async throws {
        let (t, s0) = try await dvTable(try Self.rows(5))
        defer { dmlCleanup(t) }
        var bare = try #require(s0.files.first)
        bare.stats = nil
        bare.dataChange = false
        struct NoMetrics: OperationMetrics {}
        _ = try await OperationCommit(table: t, snapshot: s0, operation: .optimize(predicate: nil, zOrderBy: []), read: .wholeTable)
            .commit([.remove(bare.removal(deletionTimestamp: 1, dataChange: false)), .add(bare)], metrics: NoMetrics())
        let (s, m) = try await Delete(table: t, options: .init(predicate: "id = 4")).execute()
        #expect(m.numDeletedRows == 1 && m.numDeletionVectorsAdded == 1)
        let file = try #require(s.files.first)
        #expect(file.stats == #"{"numRecords":5}"#)
        #expect(try await dmlContents(t).map(\.0) == [0, 1, 2, 3])
    }

    /// Spark's table with a vector, one more row deleted by lake: the metrics are those Spark recorded for
    /// its own combining deletes of that table (versions 2 and 3), the new vector holds the old rows too.
    @Test func deletingMoreOfSparksTableCountsVectorsAsSparkDoes() async throws {
        let dir = "/tmp/lake-tests-\(RandomUUID.make())/dvkeys"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ColumnMappingScanTests.golden + "/log-replay-dv-key-cases", toPath: dir)
        let t = try DeltaTable(location: dir)
        let before = try await t.snapshot()
        let file = try #require(before.files.first)
        let old = try await before.deletedRows(for: file)
        let live = try await dmlIds(t)
        let victim = try #require(live.first)
        let (s, m) = try await Delete(table: t, options: .init(predicate: "id = \(victim)")).execute()
        #expect(m.numDeletedRows == 1 && m.numCopiedRows == 0 && m.numRemovedFiles == 0 && m.numAddedFiles == 0)
        #expect(m.numDeletionVectorsAdded == 1 && m.numDeletionVectorsRemoved == 1 && m.numDeletionVectorsUpdated == 1)
        let after = try await s.deletedRows(for: try #require(s.files.first))
        #expect(after.count == old.count + 1 && Set(old).isSubset(of: Set(after)))
        #expect(try await dmlIds(t) == Array(live.dropFirst()))
    }

    /// The sorted `id` values of a table whose only column is `id`.
    func dmlIds(_ t: DeltaTable) async throws -> [Int64] {
        let (_, rows, _) = try await Scan(table: t).execute()
        var out: [Int64] = []
        for i in 0..<rows.rowCount { if case let .int(v) = try rows.value("id", row: i) { out.append(v) } }
        return out.sorted()
    }

    @Test func statsOfMarkedFilesSayTheirBoundsAreLoose() {
        func file(_ stats: String?) -> AddFile { AddFile(path: "f", partitionValues: [:], size: 1, modificationTime: 0, dataChange: true, stats: stats) }
        #expect(file(#"{"numRecords":3,"minValues":{"a":1},"tightBounds":true}"#).statsWithLooseBounds
            == #"{"numRecords":3,"minValues":{"a":1},"tightBounds":false}"#)
        #expect(file(#"{"numRecords":3,"maxValues":{"tightBounds":true}}"#).statsWithLooseBounds
            == #"{"numRecords":3,"maxValues":{"tightBounds":true},"tightBounds":false}"#)
        // Numbers keep their text (no round trip through Double).
        #expect(file(#"{"numRecords":3,"minValues":{"d":12345678901234567890.123}}"#).statsWithLooseBounds
            == #"{"numRecords":3,"minValues":{"d":12345678901234567890.123},"tightBounds":false}"#)
        #expect(file(#"{"numRecords":3}"#).statsWithLooseBounds == #"{"numRecords":3}"#)
        #expect(file("not json").statsWithLooseBounds == "not json")
        #expect(file(nil).statsWithNumRecords(7) == #"{"numRecords":7}"#)
        #expect(file(#"{}"#).statsWithNumRecords(7) == #"{"numRecords":7}"#)
        #expect(file(#" {"minValues":{}}"#).statsWithNumRecords(7) == #" {"numRecords":7,"minValues":{}}"#)
    }
}
