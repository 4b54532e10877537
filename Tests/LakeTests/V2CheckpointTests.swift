import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

/// Tables with the `v2Checkpoint` feature: how they get it, the V2 checkpoints lake's operations write for
/// them, and log cleanup of their sidecars.
@Suite struct V2CheckpointTests {
    static let t0: Int64 = 1_700_000_000_000
    static let day: Int64 = 24 * 3_600_000

    func logName(_ v: Int64, _ suffix: String = "json") -> String {
        "_delta_log/" + String(format: "%020lld", v) + "." + suffix
    }

    /// The prefix of every log file of version `v`: `_delta_log/<20 digits>.`.
    func versionPrefix(_ v: Int64) -> String { "_delta_log/" + String(format: "%020lld", v) + "." }

    func listing(_ t: DeltaTable, _ prefix: String) async throws -> [String] {
        try await t.store.list(prefix: prefix).map(\.path)
    }

    /// A table with `commits` one-row commits, created with `delta.checkpointPolicy=v2` and `properties`.
    func v2Table(_ name: String = #function, commits: Int, properties: [String: String] = [:]) async throws -> DeltaTable {
        let t0 = try tempTable(name)
        let t = DeltaTable(store: t0.store, location: t0.location, root: t0.root, context: .pinned(start: Self.t0))
        var o = Write.Options()
        o.properties = properties.merging(["delta.checkpointPolicy": "v2"]) { a, _ in a }
        for i in 0..<commits {
            _ = try await Write(table: t, data: try dmlRows([Int64(i)], regions: ["a"], values: [Int64(i)]), options: i == 0 ? o : Write.Options()).execute()
        }
        return t
    }

    func setModified(_ t: DeltaTable, _ keys: [String], to ms: Int64) throws {
        for key in keys {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(ms) / 1000)], ofItemAtPath: t.location + "/" + key)
        }
    }

    @Test func checkpointPolicyV2GivesTheFeatureInTheProtocol() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let (s, _) = try await CreateTable(table: t, options: .init(schema: Schema([Field("id", .int64)]), properties: ["delta.checkpointPolicy": "v2"])).execute()
        #expect(s.protocolAction.minReaderVersion == 3 && s.protocolAction.minWriterVersion == 7)
        #expect(s.protocolAction.readerFeatures == ["v2Checkpoint"] && s.protocolAction.writerFeatures == ["v2Checkpoint"])
        #expect(TableCheckpoint.writesV2(s))
    }

    /// The checkpoint after every tenth commit is a UUID-named V2 one with sidecars, never a classic one, and
    /// the table reads the same from it alone.
    @Test func theCheckpointAfterCommitsIsV2() async throws {
        let t = try await v2Table(commits: 11, properties: ["delta.checkpointInterval": "10"])
        defer { dmlCleanup(t) }
        let log = try await listing(t, "_delta_log/")
        #expect(!log.contains(logName(10, "checkpoint.parquet")))
        let v2 = log.filter { $0.hasPrefix(logName(10, "checkpoint.")) }
        #expect(v2.count == 1 && v2.first?.hasSuffix(".parquet") == true)
        #expect(try await listing(t, "_delta_log/_sidecars/").count == 1)
        let hint = try await LastCheckpoint.read(store: t.store)
        #expect(hint?.version == 10 && hint.map { "_delta_log/" + ($0.v2Checkpoint?.path ?? "") } == v2.first)
        let before = try await dmlContents(t)
        for v in 0...10 { try await t.store.delete(logName(Int64(v))) }
        #expect(try await t.snapshot().segment.checkpointVersion == 10)
        #expect(try await dmlContents(t).map(\.0) == before.map(\.0))
        #expect(before.map(\.0) == Array(0...10))
    }

    @Test func checkpointPolicyClassicWritesClassicCheckpointsEvenWithTheFeature() async throws {
        let t = try await v2Table(commits: 2)
        defer { dmlCleanup(t) }
        let s = try await t.snapshot()
        // Same protocol (with the feature), only the policy set back to classic.
        var state = TableState()
        state.protocolAction = s.protocolAction
        state.metadata = s.metadata
        state.metadata?.configuration["delta.checkpointPolicy"] = "classic"
        let reconfigured = try Snapshot(store: s.store, segment: s.segment, state: state, timestamp: s.timestamp)
        #expect(TableCheckpoint.writesV2(s))
        #expect(!TableCheckpoint.writesV2(reconfigured))
        let written = try await TableCheckpoint(table: t).execute(reconfigured)
        #expect(written.path == logName(1, "checkpoint.parquet") && written.lastCheckpoint.v2Checkpoint == nil)
    }

    @Test func aJsonCheckpointNeedsTheFeature() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let (s, _) = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        await #expect(throws: LakeError.self) { try await TableCheckpoint(table: t, format: .json).execute(s) }
        let written = try await TableCheckpoint(table: t).execute(s)
        #expect(written.path == logName(0, "checkpoint.parquet") && written.sidecars.isEmpty)
    }

    /// Checkpoints at 10 (automatic) and 11 (explicit); everything before 11 expired. Cleanup removes the
    /// checkpoint at 10 and its sidecar, and an old sidecar no checkpoint references; it keeps 11's sidecars
    /// although they are as old (11 references them) and an unreferenced sidecar younger than a day.
    @Test func logCleanupKeepsReferencedSidecarsAndRemovesTheRest() async throws {
        let t = try await v2Table(commits: 12, properties: ["delta.checkpointInterval": "10"])
        defer { dmlCleanup(t) }
        let sidecarsOf10 = try await listing(t, "_delta_log/_sidecars/")
        #expect(sidecarsOf10.count == 1)
        let written = try await TableCheckpoint(table: t, maxActionsPerSidecar: 5).execute(try await t.snapshot())
        #expect(written.sidecars.count == 3)  // 12 adds at 5 per sidecar
        let orphanOld = "_delta_log/_sidecars/orphan-old.parquet", orphanNew = "_delta_log/_sidecars/orphan-new.parquet"
        for k in [orphanOld, orphanNew] { try await t.store.put(k, try await t.store.get(written.sidecars[0])) }

        let old = Self.t0 - 40 * Self.day
        let log = try await listing(t, "_delta_log/")
        try setModified(t, log.filter { !$0.hasPrefix(versionPrefix(11)) && $0.hasPrefix("_delta_log/0") }, to: old)
        try setModified(t, sidecarsOf10 + written.sidecars + [orphanOld], to: old)
        try setModified(t, [orphanNew], to: Self.t0 - 3_600_000)
        try setModified(t, log.filter { $0.hasPrefix(versionPrefix(11)) }, to: Self.t0 + 60_000)

        let before = try await dmlContents(t)
        let m = try await LogCleanup(table: t, retentionMillis: 0).execute()
        #expect(m.keptCheckpointVersion == 11)
        #expect(Set(m.deletedSidecars) == Set(sidecarsOf10 + [orphanOld]))
        let left = Set(try await listing(t, "_delta_log/_sidecars/"))
        #expect(left == Set(written.sidecars + [orphanNew]))
        #expect(!(try await listing(t, "_delta_log/")).contains { $0.hasPrefix(logName(10, "checkpoint.")) })
        #expect(try await dmlContents(t).map(\.0) == before.map(\.0))
    }

    /// A checkpoint that cannot be read stops the sidecar cleanup before anything goes: what it references is
    /// unknown.
    @Test func anUnreadableCheckpointStopsSidecarCleanup() async throws {
        let t = try await v2Table(commits: 2)
        defer { dmlCleanup(t) }
        let written = try await TableCheckpoint(table: t).execute(try await t.snapshot())
        let orphan = "_delta_log/_sidecars/orphan.parquet"
        try await t.store.put(orphan, try await t.store.get(written.sidecars[0]))
        try await t.store.put(logName(0, "checkpoint.00000000-0000-0000-0000-000000000000.json"), Array("{broken".utf8))
        try setModified(t, [orphan] + written.sidecars, to: Self.t0 - 40 * Self.day)
        await #expect(throws: LakeError.self) { _ = try await LogCleanup(table: t, retentionMillis: 0).execute() }
        #expect(try await listing(t, "_delta_log/_sidecars/").contains(orphan))
    }
}
