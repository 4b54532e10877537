import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

/// Vacuum's decisions, checked against the files on disk. Every table runs on a pinned clock starting at `t0`;
/// files' modification times are set explicitly (never slept for), and vacuum runs on a handle whose clock is
/// `days` later.
@Suite struct VacuumTests {
    static let t0: Int64 = 1_700_000_000_000
    static let day: Int64 = 24 * 3_600_000

    /// A fresh table on the pinned clock.
    func table(_ name: String = #function) throws -> DeltaTable {
        let t = try tempTable(name)
        return DeltaTable(store: t.store, location: t.location, root: t.root, context: .pinned(start: Self.t0))
    }

    /// The same table seen at `t0 + days`.
    func later(_ t: DeltaTable, days: Double) -> DeltaTable {
        DeltaTable(store: t.store, location: t.location, root: t.root, context: .pinned(start: Self.t0 + Int64(days * Double(Self.day))))
    }

    /// Every file under the table, relative to its root.
    func keys(_ t: DeltaTable) -> Set<String> {
        var out: Set<String> = []
        let walker = FileManager.default.enumerator(atPath: t.location)
        while let p = walker?.nextObject() as? String {
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: t.location + "/" + p, isDirectory: &dir), !dir.boolValue { out.insert(p) }
        }
        return out
    }

    /// Sets the modification time of `key` to `ms`.
    func touch(_ t: DeltaTable, _ key: String, _ ms: Int64) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(ms) / 1000)], ofItemAtPath: t.location + "/" + key)
    }

    /// Ages every file outside `_delta_log/` to `ms`.
    func ageAll(_ t: DeltaTable, _ ms: Int64) throws {
        for k in keys(t) where !k.hasPrefix("_delta_log/") { try touch(t, k, ms) }
    }

    /// Writes an untracked file (as a failed writer leaves), modified at `ms`.
    func plant(_ t: DeltaTable, _ key: String, _ ms: Int64, bytes: Int = 10) throws {
        let path = t.location + "/" + key
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: bytes)))
        try touch(t, key, ms)
    }

    /// A table with v0 = rows 1,2 and v1 = an overwrite with rows 3,4: v0's file is a tombstone from `t0`.
    func overwritten(_ name: String = #function, properties: [String: String] = [:]) async throws -> (DeltaTable, removed: String, current: String) {
        let t = try table(name)
        var o = Write.Options()
        o.properties = properties
        let (v0, _) = try await Write(table: t, data: try dmlRows([1, 2], regions: ["a", "a"], values: [1, 2]), options: o).execute()
        var w = Write.Options()
        w.mode = .overwrite
        let (v1, _) = try await Write(table: t, data: try dmlRows([3, 4], regions: ["b", "b"], values: [3, 4]), options: w).execute()
        try ageAll(t, Self.t0)
        return (t, v0.files[0].path, v1.files[0].path)
    }

    @Test func removedFilesPastTheRetentionAreDeletedAndTheTableStillReads() async throws {
        let (t, removed, current) = try await overwritten()
        defer { dmlCleanup(t) }
        let m = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(m.files == [removed] && m.numDeletedFiles == 1 && m.numFilesToDelete == 1)
        #expect(m.retentionMillis == 7 * Self.day)
        let left = keys(t)
        #expect(!left.contains(removed) && left.contains(current))
        #expect(try await dmlContents(t).map(\.0) == [3, 4])
    }

    /// The removal is 6 days old under a 7-day retention: its file stays although the file itself is old.
    @Test func unexpiredTombstonesAreKept() async throws {
        let (t, removed, _) = try await overwritten()
        defer { dmlCleanup(t) }
        try touch(t, removed, Self.t0 - 30 * Self.day)
        let m = try await Vacuum(table: later(t, days: 6)).execute()
        #expect(m.files.isEmpty && m.startVersion == nil && m.endVersion == nil)
        #expect(keys(t).contains(removed))
        #expect(try await t.snapshot().version == 1)
    }

    /// Files the current version references stay however old they are.
    @Test func referencedFilesAreKeptWhateverTheirAge() async throws {
        let (t, _, current) = try await overwritten()
        defer { dmlCleanup(t) }
        try touch(t, current, Self.t0 - 400 * Self.day)
        _ = try await Vacuum(table: later(t, days: 30)).execute()
        #expect(keys(t).contains(current))
        #expect(try await dmlContents(t).map(\.0) == [3, 4])
    }

    /// Files no commit names (a failed writer's) go once older than the retention; fresh ones stay, since a
    /// writer may be about to commit them.
    @Test func uncommittedFilesGoOnlyOnceOlderThanTheRetention() async throws {
        let (t, _, _) = try await overwritten()
        defer { dmlCleanup(t) }
        try plant(t, "part-orphan-old.parquet", Self.t0 - Self.day, bytes: 100)
        try plant(t, "region=z/part-orphan-old.parquet", Self.t0 - Self.day, bytes: 23)
        try plant(t, "part-orphan-fresh.parquet", Self.t0 + 7 * Self.day)
        let m = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(m.files.contains("part-orphan-old.parquet") && m.files.contains("region=z/part-orphan-old.parquet"))
        #expect(!m.files.contains("part-orphan-fresh.parquet"))
        let left = keys(t)
        #expect(!left.contains("part-orphan-old.parquet") && !left.contains("region=z/part-orphan-old.parquet"))
        #expect(left.contains("part-orphan-fresh.parquet"))
        #expect(m.files.count == 3)
    }

    /// `_delta_log/` and names starting with `_` or `.` (at any depth) are never touched, however old.
    @Test func hiddenFilesAndTheLogAreUntouched() async throws {
        let (t, _, _) = try await overwritten()
        defer { dmlCleanup(t) }
        let hidden = [".hidden.parquet", "_tmp/x.parquet", ".staging/x.parquet", "region=a/.part.crc", "region=a/_SUCCESS", "_delta_log/junk.tmp"]
        for h in hidden { try plant(t, h, Self.t0 - 100 * Self.day) }
        for k in keys(t) where k.hasPrefix("_delta_log/") { try touch(t, k, Self.t0 - 100 * Self.day) }
        let logBefore = keys(t).filter { $0.hasPrefix("_delta_log/") }
        let m = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(m.numDeletedFiles == 1)
        let left = keys(t)
        for h in hidden { #expect(left.contains(h), "\(h) must survive vacuum") }
        #expect(logBefore.isSubset(of: left))
    }

    /// A partition column whose name starts with `_` makes `_p=1/` an ordinary data directory.
    @Test func partitionDirectoriesOfUnderscoreColumnsAreVacuumed() {
        #expect(!Vacuum.isHidden("_p=1/part-0.parquet", partitionColumns: ["_p"]))
        #expect(Vacuum.isHidden("_p=1/part-0.parquet", partitionColumns: []))
        #expect(Vacuum.isHidden("_p=1/.x.crc", partitionColumns: ["_p"]))
        #expect(!Vacuum.isHidden("_change_data/cdc-0.parquet", partitionColumns: []))
        #expect(Vacuum.isHidden("_delta_log/00000000000000000000.json", partitionColumns: []))
    }

    /// Log paths map to listed keys: decoded, `.` and empty segments dropped, absolute paths inside the root
    /// made relative, paths outside it ignored, `..` refused.
    @Test func logPathsMapToListedKeys() throws {
        let t = try table()
        defer { dmlCleanup(t) }
        let v = Vacuum(table: t)
        #expect(try v.tableKey("a/b.parquet") == "a/b.parquet")
        #expect(try v.tableKey("p=a%20b/x.parquet") == "p=a b/x.parquet")
        #expect(try v.tableKey("p=a%2520b/x.parquet") == "p=a%20b/x.parquet")
        #expect(try v.tableKey("./a//b.parquet") == "a/b.parquet")
        #expect(try v.tableKey("ts=2024-01-01 10:00:00/x.parquet") == "ts=2024-01-01 10:00:00/x.parquet")
        #expect(try v.tableKey("...x/y") == "...x/y")
        #expect(try v.tableKey("file://" + t.location + "/p/x.parquet") == "p/x.parquet")
        #expect(try v.tableKey(t.location + "/x.parquet") == "x.parquet")
        #expect(try v.tableKey("file:///elsewhere/x.parquet") == nil)
        #expect(try v.tableKey("s3://bucket/x.parquet") == nil)
        #expect(throws: LakeError.self) { try v.tableKey("../x.parquet") }
        #expect(throws: LakeError.self) { try v.tableKey("a/%zz.parquet") }
    }

    /// Change data files (`_change_data/`) are named by no snapshot: they age out by modification time.
    @Test func changeDataFilesAgeOutByModificationTime() async throws {
        let t = try table()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.properties = ["delta.enableChangeDataFeed": "true"]
        _ = try await Write(table: t, data: try dmlRows([1, 2, 3], regions: ["a", "a", "a"], values: [1, 2, 3]), options: o).execute()
        _ = try await Delete(table: t, options: .init(predicate: "id = 2")).execute()
        let cdc = keys(t).filter { $0.hasPrefix("_change_data/") }
        #expect(cdc.count == 1)
        try ageAll(t, Self.t0)
        for c in cdc { try touch(t, c, Self.t0 + 7 * Self.day) }
        let first = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(cdc.isSubset(of: keys(t)) && !first.files.contains { $0.hasPrefix("_change_data/") })
        for c in cdc { try touch(t, c, Self.t0) }
        let second = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(Set(second.files) == cdc)
        #expect(keys(t).isDisjoint(with: cdc))
        #expect(try await dmlContents(t).map(\.0) == [1, 3])
    }

    /// Two deletes through deletion vectors (each marks 250 scattered rows, too many to inline, so each writes
    /// a `.bin` file): the second replaces the first vector; past the retention the replaced vector file goes
    /// and the current one stays (the table still reads without the deleted rows).
    @Test func deletionVectorFilesOfTheCurrentVersionStayAndReplacedOnesGo() async throws {
        let t = try table()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.properties = ["delta.enableDeletionVectors": "true"]
        let ids = Array(Int64(0)..<1000)
        _ = try await Write(table: t, data: try dmlRows(ids, regions: ids.map { _ in "a" }, values: ids.map { $0 % 4 }), options: o).execute()
        _ = try await Delete(table: t, options: .init(predicate: "x = 0")).execute()
        let firstDV = keys(t).filter { $0.hasSuffix(".bin") }
        _ = try await Delete(table: t, options: .init(predicate: "x = 1")).execute()
        let secondDV = keys(t).filter { $0.hasSuffix(".bin") }.subtracting(firstDV)
        #expect(firstDV.count == 1 && secondDV.count == 1)
        try ageAll(t, Self.t0)
        // Inside the retention the replaced vector stays (a reader of version 1 needs it).
        _ = try await Vacuum(table: later(t, days: 6)).execute()
        #expect(firstDV.isSubset(of: keys(t)))
        let m = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(Set(m.files) == firstDV)
        let left = keys(t)
        #expect(left.isDisjoint(with: firstDV) && secondDV.isSubset(of: left))
        #expect(try await dmlContents(t).map(\.0) == ids.filter { $0 % 4 >= 2 })
    }

    @Test func aRetentionBelowTheTablesIsRefusedWithoutForce() async throws {
        let (t, removed, _) = try await overwritten()
        defer { dmlCleanup(t) }
        do {
            _ = try await Vacuum(table: later(t, days: 1), options: .init(retentionMillis: 0)).execute()
            Issue.record("a 0-hour retention must be refused without force")
        } catch {
            #expect(error.kind == .invalidRequest && error.message.contains("--force") && error.message.contains("168 hours"))
        }
        #expect(keys(t).contains(removed))
        let m = try await Vacuum(table: later(t, days: 1), options: .init(retentionMillis: 0, force: true)).execute()
        #expect(m.files == [removed] && !keys(t).contains(removed))
        let (history, _) = try await History(table: t).execute()
        let start = try #require(history.first { $0.commitInfo?.operation == "VACUUM START" })
        #expect(start.commitInfo?.operationParameters?["retentionCheckEnabled"] == .string("false"))
        #expect(start.commitInfo?.operationParameters?["specifiedRetentionMillis"] == .string("0"))
    }

    /// The table's `delta.deletedFileRetentionDuration` is the default and the floor of the check.
    @Test func theTablesRetentionPropertyIsTheDefault() async throws {
        let (t, removed, _) = try await overwritten(properties: ["delta.deletedFileRetentionDuration": "interval 1 days"])
        defer { dmlCleanup(t) }
        let m = try await Vacuum(table: later(t, days: 2)).execute()
        #expect(m.retentionMillis == Self.day && m.files == [removed])
        // Two days is longer than the table's one: no force needed.
        _ = try await Vacuum(table: later(t, days: 3), options: .init(retentionMillis: 2 * Self.day)).execute()
    }

    @Test func aDryRunListsButDeletesAndCommitsNothing() async throws {
        let (t, removed, _) = try await overwritten()
        defer { dmlCleanup(t) }
        try plant(t, "orphan.parquet", Self.t0 - Self.day, bytes: 50)
        let before = keys(t)
        let m = try await Vacuum(table: later(t, days: 8), options: .init(dryRun: true)).execute()
        #expect(m.dryRun && m.files == [removed, "orphan.parquet"].sorted() && m.numDeletedFiles == 0)
        let removedSize = try FileManager.default.attributesOfItem(atPath: t.location + "/" + removed)[.size] as? Int ?? -1
        #expect(m.sizeOfDataToDelete == Int64(removedSize + 50))
        #expect(keys(t) == before)
        #expect(try await t.snapshot().version == 1)
    }

    @Test func historyShowsVacuumStartAndEnd() async throws {
        let (t, _, _) = try await overwritten()
        defer { dmlCleanup(t) }
        let m = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(m.startVersion == 2 && m.endVersion == 3)
        let (history, _) = try await History(table: t).execute()
        let start = try #require(history.first { $0.version == 2 }?.commitInfo)
        let end = try #require(history.first { $0.version == 3 }?.commitInfo)
        #expect(start.operation == "VACUUM START" && end.operation == "VACUUM END")
        #expect(start.operationParameters?["retentionCheckEnabled"] == .string("true"))
        #expect(start.operationParameters?["defaultRetentionMillis"] == .string(String(7 * Self.day)))
        #expect(start.operationMetrics?["numFilesToDelete"] == .string("1"))
        #expect(end.operationParameters?["status"] == .string("COMPLETED"))
        #expect(end.operationMetrics?["numDeletedFiles"] == .string("1"))
        #expect(end.operationMetrics?["numVacuumedDirectories"] == .string("0"))
        #expect(end.operationMetrics?["numRetries"] == nil)
        // Only commitInfo: the snapshot's files are unchanged.
        #expect(try commitActions(t, 2).count == 1)
        #expect(try commitActions(t, 3).count == 1)
        // A second run finds nothing and commits nothing.
        let again = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(again.files.isEmpty && again.endVersion == nil)
        #expect(try await t.snapshot().version == 3)
    }

    /// Partition values with spaces and other escaped characters: the log's percent-encoded paths protect the
    /// decoded keys on disk.
    @Test func percentEncodedPathsProtectTheirFiles() async throws {
        let t = try table()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        let (s, _) = try await Write(table: t, data: try dmlRows([1, 2, 3], regions: ["a b", "c%d", "é/f"], values: [1, 2, 3]), options: o).execute()
        #expect(s.files.contains { $0.path.contains("%") })
        try ageAll(t, Self.t0 - 100 * Self.day)
        let m = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(m.files.isEmpty)
        #expect(try await dmlContents(t).map(\.0) == [1, 2, 3])
    }

    /// A table whose protocol names a writer feature lake does not know is not vacuumed (the
    /// `vacuumProtocolCheck` feature requires the writer check before any vacuum).
    @Test func vacuumChecksTheWriterProtocol() async throws {
        let (t, removed, _) = try await overwritten()
        defer { dmlCleanup(t) }
        let proto = #"{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["vacuumProtocolCheck"],"writerFeatures":["vacuumProtocolCheck","someFutureFeature"]}}"#
        try Data((proto + "\n").utf8).write(to: URL(fileURLWithPath: t.location + "/_delta_log/00000000000000000002.json"))
        do {
            _ = try await Vacuum(table: later(t, days: 8)).execute()
            Issue.record("vacuum must refuse a table with an unknown writer feature")
        } catch {
            #expect(error.message.contains("someFutureFeature"))
        }
        #expect(keys(t).contains(removed))
    }

    @Test func retentionIntervalsParseAsDeltaWritesThem() throws {
        #expect(try RetentionDuration.parseInterval("interval 7 days", property: "p") == 7 * Self.day)
        #expect(try RetentionDuration.parseInterval("168 hours", property: "p") == 7 * Self.day)
        #expect(try RetentionDuration.parseInterval("INTERVAL 1 WEEK 12 hours", property: "p") == 7 * Self.day + Self.day / 2)
        #expect(try RetentionDuration.parseInterval("interval 30 minutes 5 seconds", property: "p") == 1_805_000)
        #expect(try RetentionDuration.parseInterval("interval 1 day", property: "p") == Self.day)
        #expect(throws: LakeError.self) { try RetentionDuration.parseInterval("interval 1 month", property: "p") }
        #expect(throws: LakeError.self) { try RetentionDuration.parseInterval("interval", property: "p") }
        #expect(throws: LakeError.self) { try RetentionDuration.parseInterval("interval -1 days", property: "p") }
        #expect(throws: LakeError.self) { try RetentionDuration.parseInterval("interval 99999999999999999 weeks", property: "p") }
        #expect(try RetentionDuration.parseShort("168h") == 7 * Self.day)
        #expect(try RetentionDuration.parseShort("7d") == 7 * Self.day)
        #expect(try RetentionDuration.parseShort("30m") == 1_800_000)
        #expect(try RetentionDuration.parseShort("0h") == 0)
        #expect(try RetentionDuration.parseShort("1w") == 7 * Self.day)
        #expect(try RetentionDuration.parseShort("500ms") == 500)
        for bad in ["h", "7", "7y", "-1h", "1.5h", "9999999999999999999h"] {
            #expect(throws: LakeError.self, "\(bad)") { try RetentionDuration.parseShort(bad) }
        }
    }

    /// 100,000 referenced files, 1,000 removed and 1,000 orphans: one listing and set lookups decide in seconds.
    @Test func aHundredThousandFilesAreListedAndDecided() async throws {
        let t = try table()
        defer { dmlCleanup(t) }
        try FileManager.default.createDirectory(atPath: t.location + "/_delta_log", withIntermediateDirectories: true)
        var actions: [Action] = [
            .protocol(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2)),
            .metadata(Metadata(id: "00000000-0000-4000-8000-000000000000", schemaString: #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}"#, partitionColumns: [], configuration: [:], createdTime: Self.t0)),
        ]
        let old = Self.t0 - 30 * Self.day
        for i in 0..<100_000 {
            actions.append(.add(AddFile(path: "d\(i % 100)/part-\(i).parquet", partitionValues: [:], size: 1, modificationTime: old, dataChange: true)))
        }
        for i in 0..<1000 { actions.append(.remove(RemoveFile(path: "d\(i % 100)/gone-\(i).parquet", deletionTimestamp: old))) }
        try Data(CommitFile.serialize(actions)).write(to: URL(fileURLWithPath: t.location + "/_delta_log/00000000000000000000.json"))
        for d in 0..<100 { try FileManager.default.createDirectory(atPath: t.location + "/d\(d)", withIntermediateDirectories: true) }
        for i in 0..<100_000 { _ = FileManager.default.createFile(atPath: t.location + "/d\(i % 100)/part-\(i).parquet", contents: nil) }
        for i in 0..<1000 { _ = FileManager.default.createFile(atPath: t.location + "/d\(i % 100)/gone-\(i).parquet", contents: nil) }
        for i in 0..<1000 { _ = FileManager.default.createFile(atPath: t.location + "/d\(i % 100)/orphan-\(i).parquet", contents: nil) }
        // Files written now are fresh; vacuum "a year later" sees them all as old enough.
        let clock = ContinuousClock()
        let began = clock.now
        let m = try await Vacuum(table: later(t, days: 3650), options: .init(dryRun: true)).execute()
        let took = clock.now - began
        #expect(m.files.count == 2000)
        #expect(m.files.allSatisfy { $0.contains("/gone-") || $0.contains("/orphan-") })
        // How long it takes is a benchmark's question (a timed assertion fails on a busy machine); printed for the log.
        print("vacuum dry run over 102,000 files: \(took)")
    }

    @Test func foldersTheDeletesEmptyAreRemovedAndOthersKept() async throws {
        let t = try table()
        defer { dmlCleanup(t) }
        // Orphans in a folder of their own (it empties), one beside a kept file, and one in a nested folder.
        try plant(t, "gone/a.parquet", Self.t0)
        try plant(t, "gone/b.parquet", Self.t0)
        try plant(t, "deep/er/c.parquet", Self.t0)
        try plant(t, "mixed/d.parquet", Self.t0)
        try plant(t, "mixed/e.parquet", Self.t0 + 30 * Self.day)
        _ = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        let m = try await Vacuum(table: later(t, days: 8)).execute()
        #expect(m.numDeletedFiles == 4)
        let fm = FileManager.default
        #expect(!fm.fileExists(atPath: t.location + "/gone") && !fm.fileExists(atPath: t.location + "/deep"))
        #expect(fm.fileExists(atPath: t.location + "/mixed/e.parquet"))
        #expect(m.numVacuumedDirectories == 3, "gone, deep/er and deep")
        let (history, _) = try await History(table: t).execute()
        let end = try #require(history.first { $0.version == m.endVersion }?.commitInfo)
        #expect(end.operationMetrics?["numVacuumedDirectories"] == .string("3"))
    }
}
