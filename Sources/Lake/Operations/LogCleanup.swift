import DeltaLog
import ObjectStore

/// Removes expired files of `_delta_log/`: Delta's metadata cleanup, run after a checkpoint is written.
///
/// With `cutoff = now - delta.logRetentionDuration` (30 days by default), every version committed after the
/// cutoff must stay readable by time travel. The cleanup finds the newest complete checkpoint at or before the
/// oldest such version (classic, every part of a multi-part one, or a v2 manifest) and deletes the commits,
/// checkpoints and `.crc` files of earlier versions whose modification time is not after the cutoff; that
/// checkpoint and everything after it stay, so the state of every version from it on can still be rebuilt.
/// With no such checkpoint nothing is deleted. Then the V2 checkpoint sidecars in `_delta_log/_sidecars/`
/// that no remaining checkpoint references go, when older than both the cutoff and a day (PROTOCOL.md
/// "Metadata Cleanup" steps 4 and 5: the day protects the sidecars of a checkpoint still being written).
/// `_last_checkpoint` and unknown files are never touched. Deletion runs oldest first, so a cleanup that
/// stops midway leaves a log without gaps. `delta.enableExpiredLogCleanup = false` turns it off.
public struct LogCleanup: Sendable {
    /// What the cleanup deleted.
    public struct Metrics: Sendable, Hashable {
        /// Keys of the deleted files, oldest version first.
        public var deleted: [String] = []
        /// The checkpoint version state is rebuilt from after the cleanup; nil when nothing was eligible.
        public var keptCheckpointVersion: Int64?
        /// Keys of the deleted sidecar files (`_delta_log/_sidecars/...`).
        public var deletedSidecars: [String] = []
        /// The retention applied, in milliseconds.
        public var retentionMillis: Int64 = 0

        /// Empty metrics.
        public init() {}
    }

    /// The table cleaned.
    public let table: DeltaTable
    /// Keep log files of this many milliseconds; nil takes the table's `delta.logRetentionDuration`.
    public let retentionMillis: Int64?

    /// A cleanup of `table`'s log.
    public init(table: DeltaTable, retentionMillis: Int64? = nil) {
        self.table = table
        self.retentionMillis = retentionMillis
    }

    /// Deletes the expired log files, judged from the latest version.
    public func execute() async throws(LakeError) -> Metrics {
        try await execute(after: try await table.snapshot())
    }

    /// Deletes the expired log files, judged from `snapshot` (the version just checkpointed).
    func execute(after snapshot: Snapshot) async throws(LakeError) -> Metrics {
        var metrics = Metrics()
        if snapshot.properties["delta.enableExpiredLogCleanup"]?.lowercased() == "false" { return metrics }
        let retention: Int64
        if let retentionMillis { retention = retentionMillis } else { retention = try RetentionDuration.logRetentionMillis(snapshot.properties) }
        guard retention >= 0 else { throw LakeError.invalidRequest("the log retention must be 0 or more, not \(retention) ms") }
        metrics.retentionMillis = retention
        let (cutoff, overflow) = table.context.clock().subtractingReportingOverflow(retention)
        if overflow { return metrics }

        let listed: [ObjectMeta]
        do { listed = try await table.store.list(prefix: "_delta_log/") } catch { throw LakeError(error) }
        var files: [(version: Int64, kind: LogFileKind?, meta: ObjectMeta)] = []
        for meta in listed {
            let name = meta.path.dropFirst("_delta_log/".count)
            if name.contains("/") { continue }
            if let (v, kind) = LogFile.parse(name: String(name)) {
                files.append((v, kind, meta))
            } else if let v = Self.crcVersion(String(name)) {
                files.append((v, nil, meta))
            }
        }
        // The oldest version time travel inside the retention can ask for: the first commit after the cutoff,
        // or the latest version when every commit is older.
        let commits = files.filter { if case .commit? = $0.kind { return true } else { return false } }
        let oldestNeeded = commits.filter { $0.meta.lastModified > cutoff && $0.version <= snapshot.version }.map(\.version).min() ?? snapshot.version
        guard let keep = Self.newestCompleteCheckpoint(files.compactMap { f in f.kind.map { (f.version, $0) } }, atOrBefore: min(oldestNeeded, snapshot.version)) else {
            return metrics
        }
        metrics.keptCheckpointVersion = keep
        let doomed = files.filter { $0.version < keep && $0.meta.lastModified <= cutoff }.sorted { $0.version < $1.version }
        for f in doomed {
            do { try await table.store.delete(f.meta.path) } catch {
                throw LakeError(.storage, "log cleanup of \(table.location) deleted \(metrics.deleted.count) expired log files, then failed on \(f.meta.path): \(error); the log is intact, run it again")
            }
            metrics.deleted.append(f.meta.path)
        }
        let gone = Set(metrics.deleted)
        let kept = files.compactMap { f -> LogFile? in
            guard let kind = f.kind, !gone.contains(f.meta.path) else { return nil }
            let file = LogFile(version: f.version, kind: kind, meta: f.meta)
            return file.isCheckpoint ? file : nil
        }
        let (graceStart, graceOverflow) = table.context.clock().subtractingReportingOverflow(Self.sidecarGraceMillis)
        if graceOverflow { return metrics }
        metrics.deletedSidecars = try await deleteUnreferencedSidecars(keptCheckpoints: kept, cutoff: min(cutoff, graceStart))
        return metrics
    }

    /// Sidecars younger than this are kept even when unreferenced: their checkpoint may still be being written.
    static let sidecarGraceMillis: Int64 = 24 * 3_600_000

    /// Deletes the sidecars modified at or before `cutoff` that none of `keptCheckpoints` references. The
    /// checkpoints are read only when some sidecar is old enough to go; one that cannot be read stops the
    /// sidecar cleanup before anything is deleted, since what it references is unknown.
    func deleteUnreferencedSidecars(keptCheckpoints: [LogFile], cutoff: Int64) async throws(LakeError) -> [String] {
        let listed: [ObjectMeta]
        do { listed = try await table.store.list(prefix: V2CheckpointWriter.sidecarDirectory) } catch { throw LakeError(error) }
        let old = listed.filter { $0.lastModified <= cutoff }
        if old.isEmpty { return [] }
        var referenced: Set<String> = []
        for file in keptCheckpoints {
            let sidecars: [Sidecar]
            do { sidecars = try await CheckpointReader.sidecars(store: table.store, file: file) } catch {
                throw LakeError(.storage, "log cleanup of \(table.location) cannot read checkpoint \(file.meta.path) to find the sidecars it references, so no sidecar was deleted: \(error)")
            }
            for s in sidecars { referenced.insert(s.relativePath) }
        }
        var deleted: [String] = []
        for meta in old.sorted(by: { $0.path < $1.path }) where !referenced.contains(meta.path) {
            do { try await table.store.delete(meta.path) } catch {
                throw LakeError(.storage, "log cleanup of \(table.location) deleted \(deleted.count) unreferenced sidecars, then failed on \(meta.path): \(error); run it again")
            }
            deleted.append(meta.path)
        }
        return deleted
    }

    /// The newest version at or before `limit` with a complete checkpoint.
    static func newestCompleteCheckpoint(_ files: [(Int64, LogFileKind)], atOrBefore limit: Int64) -> Int64? {
        var parts: [Int64: [Int: Set<Int>]] = [:]
        var complete: Set<Int64> = []
        for (v, kind) in files where v <= limit {
            switch kind {
            case .commit: break
            case .classicCheckpoint, .v2Checkpoint: complete.insert(v)
            case let .multiPartCheckpoint(part, total):
                parts[v, default: [:]][total, default: []].insert(part)
                if parts[v]?[total]?.count == total { complete.insert(v) }
            }
        }
        return complete.max()
    }

    /// The version of a `<20 digits>.crc` file name.
    static func crcVersion(_ name: String) -> Int64? {
        let b = Array(name.utf8)
        guard b.count == 24, name.hasSuffix(".crc"), b[0..<20].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(String(decoding: b[0..<20], as: UTF8.self))
    }
}
