import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

/// Expired log cleanup: which commits and checkpoints go, decided from modification times set explicitly.
@Suite struct LogCleanupTests {
    static let t0: Int64 = 1_700_000_000_000
    static let day: Int64 = 24 * 3_600_000

    func logName(_ v: Int64, _ suffix: String = "json") -> String {
        "_delta_log/" + String(format: "%020lld", v) + "." + suffix
    }

    /// A table with versions 0...11 (one row each) and a checkpoint at 10 (checkpointInterval 10).
    func tableWithCheckpoint(_ name: String = #function, properties: [String: String] = [:]) async throws -> DeltaTable {
        let t0 = try tempTable(name)
        let t = DeltaTable(store: t0.store, location: t0.location, root: t0.root, context: .pinned(start: Self.t0))
        var o = Write.Options()
        o.properties = properties
        for i in 0..<12 {
            _ = try await Write(table: t, data: try dmlRows([Int64(i)], regions: ["a"], values: [Int64(i)]), options: i == 0 ? o : Write.Options()).execute()
        }
        #expect(FileManager.default.fileExists(atPath: t.location + "/" + logName(10, "checkpoint.parquet")))
        return t
    }

    /// Sets the modification time of log versions `versions` (commits and checkpoints) to `ms`.
    func age(_ t: DeltaTable, _ versions: ClosedRange<Int64>, to ms: Int64) throws {
        for v in versions {
            for suffix in ["json", "checkpoint.parquet"] {
                let path = t.location + "/" + logName(v, suffix)
                guard FileManager.default.fileExists(atPath: path) else { continue }
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(ms) / 1000)], ofItemAtPath: path)
            }
        }
    }

    func exists(_ t: DeltaTable, _ key: String) -> Bool { FileManager.default.fileExists(atPath: t.location + "/" + key) }

    /// Versions 0...10 expired, 11 fresh: commits 0...9 go, the checkpoint at 10 and what follows stay; the
    /// latest version and time travel to 10 still read, time travel to 5 fails clearly.
    @Test func expiredCommitsBeforeTheCheckpointGo() async throws {
        let t = try await tableWithCheckpoint()
        defer { dmlCleanup(t) }
        try age(t, 0...10, to: Self.t0 - 40 * Self.day)
        try age(t, 11...11, to: Self.t0)
        let m = try await LogCleanup(table: t).execute()
        #expect(m.keptCheckpointVersion == 10 && m.retentionMillis == 30 * Self.day)
        #expect(Set(m.deleted) == Set((0...9).map { logName($0) }))
        #expect(exists(t, logName(10)) && exists(t, logName(10, "checkpoint.parquet")) && exists(t, logName(11)))
        #expect(exists(t, "_delta_log/_last_checkpoint"))
        #expect(try await dmlContents(t).map(\.0) == Array(0...11))
        #expect(try await t.snapshot(at: .version(10)).files.count == 11)
        await #expect(throws: LakeError.self) { _ = try await t.snapshot(at: .version(5)) }
    }

    /// Versions 8...11 are inside the retention; rebuilding 8 needs the commits from 0, since the only
    /// checkpoint (10) comes after it: nothing goes.
    @Test func nothingNeededToRebuildARetainedVersionGoes() async throws {
        let t = try await tableWithCheckpoint()
        defer { dmlCleanup(t) }
        try age(t, 0...7, to: Self.t0 - 40 * Self.day)
        try age(t, 8...11, to: Self.t0)
        let m = try await LogCleanup(table: t).execute()
        #expect(m.deleted.isEmpty && m.keptCheckpointVersion == nil)
        #expect(try await t.snapshot(at: .version(0)).files.count == 1)
    }

    @Test func withoutACheckpointNothingGoes() async throws {
        let t0 = try tempTable()
        let t = DeltaTable(store: t0.store, location: t0.location, root: t0.root, context: .pinned(start: Self.t0))
        defer { dmlCleanup(t) }
        for i in 0..<3 { _ = try await Write(table: t, data: try dmlRows([Int64(i)], regions: ["a"], values: [1])).execute() }
        try age(t, 0...2, to: Self.t0 - 40 * Self.day)
        let m = try await LogCleanup(table: t).execute()
        #expect(m.deleted.isEmpty)
        #expect(exists(t, logName(0)))
    }

    @Test func theTablePropertiesSetTheRetentionOrTurnItOff() async throws {
        let off = try await tableWithCheckpoint(properties: ["delta.enableExpiredLogCleanup": "false"])
        defer { dmlCleanup(off) }
        try age(off, 0...11, to: Self.t0 - 400 * Self.day)
        #expect(try await LogCleanup(table: off).execute().deleted.isEmpty)

        let short = try await tableWithCheckpoint("short", properties: ["delta.logRetentionDuration": "interval 2 days"])
        defer { dmlCleanup(short) }
        try age(short, 0...11, to: Self.t0 - 3 * Self.day)
        let m = try await LogCleanup(table: short).execute()
        #expect(m.retentionMillis == 2 * Self.day && m.keptCheckpointVersion == 10 && m.deleted.count == 10)
        #expect(try await dmlContents(short).map(\.0) == Array(0...11))
    }

    /// Commits that write a checkpoint clean the log after it (here the table's clock runs 40 days ahead of
    /// the files' real modification times, and checkpoints come every 2 commits).
    @Test func aCheckpointingCommitCleansTheLog() async throws {
        let t0 = try tempTable()
        let ahead = Int64(Date().timeIntervalSince1970 * 1000) + 40 * Self.day
        let t = DeltaTable(store: t0.store, location: t0.location, root: t0.root, context: .pinned(start: ahead))
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.properties = ["delta.checkpointInterval": "2"]
        _ = try await Write(table: t, data: try dmlRows([0], regions: ["a"], values: [0]), options: o).execute()
        _ = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        #expect(exists(t, logName(0)))
        _ = try await Write(table: t, data: try dmlRows([2], regions: ["a"], values: [2])).execute()
        #expect(exists(t, logName(2, "checkpoint.parquet")))
        #expect(!exists(t, logName(0)) && !exists(t, logName(1)) && exists(t, logName(2)))
        #expect(try await dmlContents(t).map(\.0) == [0, 1, 2])
    }
}
