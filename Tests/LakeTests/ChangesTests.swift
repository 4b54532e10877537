import Columnar
import DataFrame
import DeltaLog
import Foundation
import Parquet
import Testing
@testable import Lake

/// A change row as (id, region, x, change type, commit version), for comparing multisets.
private struct ChangeRow: Hashable, Comparable, CustomStringConvertible {
    var id: Int64
    var region: String?
    var x: Int64?
    var type: String
    var version: Int64

    static func < (a: ChangeRow, b: ChangeRow) -> Bool {
        (a.version, a.id, a.type) < (b.version, b.id, b.type)
    }

    var description: String { "(\(id), \(region ?? "null"), \(x.map(String.init) ?? "null"), \(type), v\(version))" }
}

private func changeRows(_ frame: DataFrame) throws -> [ChangeRow] {
    var out: [ChangeRow] = []
    for i in 0..<frame.rowCount {
        guard case let .int(id) = try frame.value("id", row: i), case let .string(type) = try frame.value("_change_type", row: i),
              case let .int(version) = try frame.value("_commit_version", row: i) else {
            Issue.record("row \(i) lacks id, _change_type or _commit_version")
            continue
        }
        var region: String?
        if case let .string(r) = try frame.value("region", row: i) { region = r }
        var x: Int64?
        if case let .int(v) = try frame.value("x", row: i) { x = v }
        out.append(ChangeRow(id: id, region: region, x: x, type: type, version: version))
    }
    return out.sorted()
}

/// The rows of `frame` (id, region, x) as change rows of `type` at `version`: the reference the feed must give.
private func expected(_ frame: DataFrame, _ type: String, _ version: Int64) throws -> [ChangeRow] {
    try changeRows(try ChangeFileReader.typed(frame, type).withColumn("_commit_version", Column(.int64, [Scalar](repeating: .int(version), count: frame.rowCount))))
}

private extension DataFrame {
    func withColumn(_ name: String, _ column: Column) throws -> DataFrame {
        try DataFrame(schema: Schema(schema.fields + [Field(name, column.type)]), columns: columns + [column])
    }
}

/// A new table with the change data feed on, holding `rows` at version 0.
private func cdfTable(_ rows: DataFrame, partitionBy: [String] = [], name: String = #function) async throws -> DeltaTable {
    let t = try tempTable(name)
    var o = Write.Options()
    o.properties = [Changes.enableProperty: "true"]
    o.partitionBy = partitionBy
    _ = try await Write(table: t, data: rows, options: o).execute()
    return t
}

/// Writes commit `version` by hand (what another writer would have committed).
private func writeCommit(_ t: DeltaTable, _ version: Int64, _ actions: [Action]) throws {
    let path = t.location + "/" + LogFile.commitPath(version)
    #expect(!FileManager.default.fileExists(atPath: path))
    try Data(CommitFile.serialize(actions)).write(to: URL(fileURLWithPath: path))
}

/// An inline deletion vector deleting `rows`.
private func inlineDV(_ rows: [Int64]) throws -> DeletionVectorDescriptor {
    var bytes = RoaringBitmapArray.encode(rows)
    let size = bytes.count
    while bytes.count % 4 != 0 { bytes.append(0) }
    return DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: try #require(Z85.encode(bytes)), sizeInBytes: Int32(size), cardinality: Int64(rows.count))
}

@Suite struct ChangesTests {
    // MARK: Where a commit's rows come from (pure)

    @Test func aCommitWithChangeFilesReadsOnlyThem() {
        let cdc = AddCDCFile(path: "_change_data/c.parquet", size: 10)
        let add = AddFile(path: "a.parquet", size: 10, modificationTime: 0)
        let sources = ChangeSource.plan([.add(add), .cdc(cdc), .remove(RemoveFile(path: "old.parquet"))])
        #expect(sources == [.changeFile(cdc)])
    }

    @Test func dataChangingAddsAndRemovesAreInsertsAndDeletesAndRearrangementsNothing() {
        let add = AddFile(path: "a.parquet", size: 10, modificationTime: 0)
        let compacted = AddFile(path: "c.parquet", size: 10, modificationTime: 0, dataChange: false)
        let removed = RemoveFile(path: "r.parquet")
        let rearranged = RemoveFile(path: "s.parquet", dataChange: false)
        let sources = ChangeSource.plan([.add(add), .add(compacted), .remove(removed), .remove(rearranged)])
        #expect(sources == [.removed(removed), .added(add)])
    }

    @Test func aPathRemovedAndAddedInOneCommitIsADeletionVectorChange() throws {
        let before = RemoveFile(path: "f.parquet", deletionVector: try inlineDV([1]))
        let after = AddFile(path: "f.parquet", size: 10, modificationTime: 0, deletionVector: try inlineDV([1, 2]))
        let other = AddFile(path: "g.parquet", size: 10, modificationTime: 0)
        #expect(ChangeSource.plan([.remove(before), .add(after), .add(other)]) == [.deletionVectorChange(removed: before, added: after), .added(other)])
    }

    // MARK: Resolving the range (pure)

    private let commits = [(0, 1000), (1, 2000), (2, 3000), (3, 4000)].map { ChangeRange.Commit(version: $0.0, timestamp: $0.1) }

    @Test func timestampsSelectTheFirstCommitAtOrAfterAndTheLastAtOrBefore() throws {
        let r = try ChangeRange.resolve(from: .timestamp(1500), to: .timestamp(3999), available: commits, location: "t")
        #expect(r.start == 1 && r.end == 2 && r.commits.map(\.timestamp) == [2000, 3000])
        let exact = try ChangeRange.resolve(from: .timestamp(2000), to: .timestamp(2000), available: commits, location: "t")
        #expect(exact.start == 1 && exact.end == 1)
    }

    @Test func anEndPastTheLatestReadsUpToTheLatest() throws {
        let r = try ChangeRange.resolve(from: .version(2), to: .version(99), available: commits, location: "t")
        #expect(r.start == 2 && r.end == 3)
    }

    @Test func aStartPastTheLatestOrAfterTheEndIsRefused() {
        #expect(throws: LakeError.self) { try ChangeRange.resolve(from: .version(4), to: .latest, available: commits, location: "t") }
        do {
            _ = try ChangeRange.resolve(from: .version(4), to: .latest, available: commits, location: "t")
        } catch {
            #expect(error.kind == .notFound && error.message.contains("latest version is 3"))
        }
        do {
            _ = try ChangeRange.resolve(from: .version(3), to: .version(1), available: commits, location: "t")
            Issue.record("a start after the end must fail")
        } catch {
            #expect(error.kind == .invalidRequest && error.message.contains("starts at version 3"))
        }
        do {
            _ = try ChangeRange.resolve(from: .timestamp(4001), to: .latest, available: commits, location: "t")
            Issue.record("a start after the last commit must fail")
        } catch {
            #expect(error.kind == .notFound)
        }
        #expect(throws: LakeError.self) { try ChangeRange.resolve(from: .version(-1), to: .latest, available: commits, location: "t") }
    }

    @Test func aRangeWhoseCommitsWereCleanedUpIsNotFoundNamingTheVersion() {
        let cleaned = Array(commits.dropFirst(2))
        do {
            _ = try ChangeRange.resolve(from: .version(1), to: .latest, available: cleaned, location: "t")
            Issue.record("reading cleaned-up commits must fail")
        } catch {
            #expect(error.kind == .notFound && error.message.contains("version 1") && error.message.contains("earliest commit still in the log is version 2"))
        }
    }

    @Test func commitTimesWithoutInCommitTimestampsAreMadeStrictlyIncreasing() {
        let times = ChangeRange.modificationTimes([(0, 5), (1, 5), (2, 3), (3, 9)])
        #expect(times.map(\.timestamp) == [5, 6, 7, 9])
        #expect(Snapshot.commitTimestamp(inCommit: 2, modified: 100, previous: 50) == 2)
        #expect(Snapshot.commitTimestamp(inCommit: nil, modified: 10, previous: .max) == .max)
    }

    // MARK: Reading tables

    /// v0 write, v1 append, v2 overwrite: inserts of v0 and v1, then v2 deletes every earlier row and inserts its own.
    @Test func appendsAndAnOverwriteAreWholeFileInsertsAndDeletes() async throws {
        let r0 = try dmlRows([1, 2], regions: ["a", "b"], values: [10, nil])
        let r1 = try dmlRows([3], regions: ["a"], values: [30])
        let r2 = try dmlRows([7, 8], regions: ["c", "c"], values: [70, 80])
        let t = try await cdfTable(r0)
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: r1).execute()
        var o = Write.Options()
        o.mode = .overwrite
        _ = try await Write(table: t, data: r2, options: o).execute()
        let (frame, m) = try await Changes(table: t, options: .init(from: .version(0))).execute()
        let want = (try expected(r0, "insert", 0) + expected(r1, "insert", 1) + expected(r0, "delete", 2) + expected(r1, "delete", 2) + expected(r2, "insert", 2)).sorted()
        #expect(try changeRows(frame) == want)
        #expect(frame.schema.names == ["id", "region", "x", "_change_type", "_commit_version", "_commit_timestamp"])
        #expect(frame.schema.fields.last?.type == DataType.timestampMicros)
        #expect(m.startVersion == 0 && m.endVersion == 2 && m.commitsRead == 3 && m.rowsReturned == 8)
        // Commit order.
        let versions = try frame.column("_commit_version").scalars
        #expect(versions == versions.sorted { if case let .int(a) = $0, case let .int(b) = $1 { a < b } else { false } })
    }

    /// Partition values come from the actions: a partitioned table's change rows carry them (here the remove of
    /// a whole partition's file, as a partition delete commits it).
    @Test func partitionValuesAreFilledInFromTheActions() async throws {
        let r0 = try dmlRows([1, 2, 3], regions: ["EU", "US", "EU"], values: [1, 2, 3])
        let t = try await cdfTable(r0, partitionBy: ["region"])
        defer { dmlCleanup(t) }
        let us = try #require(try await t.snapshot().files.first { $0.partitionValues["region"] == .some("US") })
        try writeCommit(t, 1, [.remove(us.removal(deletionTimestamp: 1))])
        let (frame, _) = try await Changes(table: t, options: .init(from: .version(1))).execute()
        #expect(try changeRows(frame) == [ChangeRow(id: 2, region: "US", x: 2, type: "delete", version: 1)])
    }

    /// Each commit is handed over on its own, in order, stamped with the commit time time travel uses.
    @Test func eachCommitArrivesInOrderWithTheTimeTravelCommitTime() async throws {
        let t = try await cdfTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([2], regions: ["a"], values: [2])).execute()
        _ = try await Write(table: t, data: try dmlRows([3], regions: ["a"], values: [3])).execute()
        var seen: [(Int64, Int64, Int)] = []
        let m = try await Changes(table: t, options: .init(from: .version(1), to: .version(2))).execute { (c: Changes.CommitChanges) throws(LakeError) in
            seen.append((c.version, c.timestamp, c.frame.rowCount))
        }
        #expect(seen.map(\.0) == [1, 2] && seen.map(\.2) == [1, 1] && m.commitsRead == 2)
        for (v, ts, _) in seen {
            let snapshot = try await t.snapshot(at: .version(v))
            #expect(ts == snapshot.timestamp, "version \(v)")
        }
        let (frame, _) = try await Changes(table: t, options: .init(from: .version(2))).execute()
        #expect(try frame.value("_commit_timestamp", row: 0) == .int(seen[1].1 * 1000))
        // Timestamp bounds read the times from every commit's commitInfo; they must agree with the version path.
        let (byTime, _) = try await Changes(table: t, options: .init(from: .timestamp(seen[1].1), to: .timestamp(seen[1].1))).execute()
        #expect(try byTime.value("_commit_version", row: 0) == .int(2) && byTime.rowCount == 1)
        #expect(try byTime.value("_commit_timestamp", row: 0) == .int(seen[1].1 * 1000))
    }

    /// A commit another writer made with `cdc` actions: its rows come from the change file (with its
    /// `_change_type`), not from its add.
    @Test func changeFilesWrittenByAnotherWriterAreRead() async throws {
        let t = try await cdfTable(try dmlRows([1, 2], regions: ["a", "a"], values: [1, 2]))
        defer { dmlCleanup(t) }
        let changes = try DataFrame([
            (name: "id", column: try Column(.int64, [.int(2), .int(2)])),
            (name: "region", column: try Column(.string, [.string("a"), .string("a")])),
            (name: "x", column: try Column(.int64, [.int(2), .int(20)])),
            (name: "_change_type", column: try Column(.string, [.string("update_preimage"), .string("update_postimage")])),
        ])
        let bytes = try ParquetWriter.write([changes.batch], schema: changes.schema)
        try FileManager.default.createDirectory(atPath: t.location + "/_change_data", withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: t.location + "/_change_data/cdc-1.parquet"))
        let v0 = try await t.snapshot()
        // The add names the unchanged file again: if it were read, its rows would show up as inserts.
        try writeCommit(t, 1, [.cdc(AddCDCFile(path: "_change_data/cdc-1.parquet", size: Int64(bytes.count))), .add(v0.files[0])])
        let (frame, _) = try await Changes(table: t, options: .init(from: .version(1))).execute()
        #expect(try changeRows(frame) == [
            ChangeRow(id: 2, region: "a", x: 2, type: "update_preimage", version: 1),
            ChangeRow(id: 2, region: "a", x: 20, type: "update_postimage", version: 1),
        ].sorted())
    }

    /// Deletes through deletion vectors: the same file removed and added back with a larger vector yields only
    /// the newly deleted rows; removing the file at last deletes the rows still visible.
    @Test func deletionVectorDeletesYieldOnlyTheNewlyDeletedRows() async throws {
        let rows = try dmlRows([0, 1, 2, 3, 4], regions: ["a", "b", "c", "d", "e"], values: [0, 10, 20, 30, 40])
        let t = try await cdfTable(rows)
        defer { dmlCleanup(t) }
        let file = try await t.snapshot().files[0]
        var first = file
        first.deletionVector = try inlineDV([1, 3])
        try writeCommit(t, 1, [.remove(file.removal(deletionTimestamp: 1)), .add(first)])
        var second = file
        second.deletionVector = try inlineDV([1, 3, 4])
        try writeCommit(t, 2, [.remove(first.removal(deletionTimestamp: 2)), .add(second)])
        try writeCommit(t, 3, [.remove(second.removal(deletionTimestamp: 3))])
        let (frame, _) = try await Changes(table: t, options: .init(from: .version(1))).execute()
        func row(_ i: Int64, _ type: String, _ v: Int64) -> ChangeRow {
            ChangeRow(id: i, region: ["a", "b", "c", "d", "e"][Int(i)], x: i * 10, type: type, version: v)
        }
        #expect(try changeRows(frame) == [row(1, "delete", 1), row(3, "delete", 1), row(4, "delete", 2), row(0, "delete", 3), row(2, "delete", 3)])
    }

    @Test func aTableWithoutTheFeedFailsNamingTheVersion() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([2], regions: ["a"], values: [2])).execute()
        do {
            _ = try await Changes(table: t, options: .init(from: .version(1))).execute()
            Issue.record("reading changes of a table without the feed must fail")
        } catch {
            #expect(error.kind == .invalidRequest)
            #expect(error.message.contains("change data was not recorded for version 1"))
        }
    }

    /// A commit inside the range whose metadata turns the feed off makes the range unreadable, naming it, before
    /// any commit's rows are handed over.
    @Test func aCommitTurningTheFeedOffIsNamedBeforeAnyRowIsHandedOver() async throws {
        let t = try await cdfTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        var metadata = try await t.snapshot().metadata
        metadata.configuration[Changes.enableProperty] = "false"
        try writeCommit(t, 1, [.metadata(metadata)])
        var handed = 0
        do {
            _ = try await Changes(table: t, options: .init(from: .version(0))).execute { (_: Changes.CommitChanges) throws(LakeError) in handed += 1 }
            Issue.record("a range over a commit that turned the feed off must fail")
        } catch {
            #expect(error.kind == .invalidRequest && error.message.contains("version 1"))
        }
        #expect(handed == 0)
        let (frame, _) = try await Changes(table: t, options: .init(from: .version(0), to: .version(0))).execute()
        #expect(frame.rowCount == 1)
    }

    /// Column mapping: removed data files and change data files are read by physical column names (a copy of
    /// the golden `table-with-columnmapping-mode-name`, with the feed turned on by hand).
    @Test func columnMappedFilesAreReadByPhysicalNames() async throws {
        let golden = ColumnMappingScanTests.golden + "/table-with-columnmapping-mode-name"
        let dir = "/tmp/lake-tests-\(RandomUUID.make())/cm"
        try FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: golden, toPath: dir)
        let t = try DeltaTable(location: dir)
        defer { dmlCleanup(t) }
        let v0 = try await t.snapshot()
        let (_, before, _) = try await Scan(table: t).execute()
        var metadata = v0.metadata
        metadata.configuration[Changes.enableProperty] = "true"
        try writeCommit(t, 1, [.metadata(metadata)])
        try writeCommit(t, 2, v0.files.map { .remove($0.removal(deletionTimestamp: 2)) })
        let byte = try #require(v0.schema.fields.first { $0.name == "ByteType" })
        let physical = DeltaSchema.physicalName(byte)
        #expect(physical != "ByteType")
        let cdc = try DataFrame([
            (name: physical, column: try Column(.int8, [.int(7)])),
            (name: "_change_type", column: try Column(.string, [.string("insert")])),
        ])
        let bytes = try ParquetWriter.write([cdc.batch], schema: cdc.schema)
        try FileManager.default.createDirectory(atPath: dir + "/_change_data", withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/_change_data/c.parquet"))
        try writeCommit(t, 3, [.cdc(AddCDCFile(path: "_change_data/c.parquet", size: Int64(bytes.count)))])

        let (deletes, _) = try await Changes(table: t, options: .init(from: .version(1), to: .version(2))).execute()
        #expect(deletes.rowCount == before.rowCount && deletes.rowCount > 0)
        for name in before.schema.names {
            let want = try before.column(name).scalars.map { "\($0)" }.sorted()
            let got = try deletes.column(name).scalars.map { "\($0)" }.sorted()
            #expect(got == want, "column \(name)")
        }
        let (inserted, _) = try await Changes(table: t, options: .init(from: .version(3), columns: ["ByteType"])).execute()
        #expect(try inserted.value("ByteType", row: 0) == .int(7) && inserted.rowCount == 1)
    }

    @Test func columnsSelectTableColumnsAndUnknownOnesAreRefused() async throws {
        let t = try await cdfTable(try dmlRows([1], regions: ["a"], values: [5]))
        defer { dmlCleanup(t) }
        let (frame, _) = try await Changes(table: t, options: .init(from: .version(0), columns: ["x"])).execute()
        #expect(frame.schema.names == ["x", "_change_type", "_commit_version", "_commit_timestamp"])
        #expect(try frame.value("x", row: 0) == .int(5))
        do {
            _ = try await Changes(table: t, options: .init(from: .version(0), columns: ["nope"])).execute()
            Issue.record("an unknown column must be refused")
        } catch {
            #expect(error.kind == .invalidRequest && error.message.contains("nope"))
        }
    }
}
