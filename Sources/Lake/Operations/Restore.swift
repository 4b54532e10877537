import Columnar
import DeltaLog
import ObjectStore

/// Restores a Delta table to an earlier version: Delta's `RESTORE TABLE t TO VERSION AS OF n` /
/// `TO TIMESTAMP AS OF ts`.
///
/// The logical files of the old version that the current one lacks are added again, the current files the old
/// version lacks are removed (logical files are keyed by path and deletion vector, as log replay keys them),
/// both with `dataChange = true`, in one `RESTORE` commit; the old version's metadata (schema, partitioning,
/// properties) comes back with them. The protocol is never downgraded: features the current table has stay.
/// Before anything is committed every file to be re-added, and its deletion vector file, must still exist:
/// when vacuum deleted some, the error names them and nothing is committed. A restore to a version that
/// reads as the current one commits nothing.
///
/// The restore reads the whole table: a concurrent change to files it restores or removes makes it fail with a
/// conflict rather than silently undo that change; a concurrent blind append commits beside it under
/// WriteSerializable (its rows stay), as in Delta.
public struct Restore: Sendable {
    /// What the restore did, under the names Spark's RESTORE writes into `operationMetrics`.
    public struct Metrics: OperationMetrics, Hashable {
        /// The version committed, or the current version when nothing differed.
        public var version: Int64 = -1
        /// The version restored to (resolved from the timestamp when one was given).
        public var restoredVersion: Int64 = -1
        /// False when the table already read as the restored version and nothing was committed.
        public var committed = false
        /// Bytes of the table's files after the restore.
        @DeltaMetric public var tableSizeAfterRestore: Int64 = 0
        /// Files of the table after the restore.
        @DeltaMetric public var numOfFilesAfterRestore = 0
        /// Files removed (added after the restored version).
        @DeltaMetric public var numRemovedFiles = 0
        /// Files added again (removed after the restored version).
        @DeltaMetric public var numRestoredFiles = 0
        /// Bytes of the files removed.
        @DeltaMetric public var removedFilesSize: Int64 = 0
        /// Bytes of the files added again.
        @DeltaMetric public var restoredFilesSize: Int64 = 0

        /// Empty metrics.
        public init() {}
    }

    /// The table restored.
    public let table: DeltaTable
    /// The version to restore: `.version(n)` or `.timestamp(ms)` (the latest commit at or before it).
    public let target: VersionSpec

    /// A restore of `table` to `target`.
    public init(table: DeltaTable, to target: VersionSpec) {
        self.table = table
        self.target = target
    }

    /// Restores and commits; returns the snapshot after it (the current one when nothing differed).
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        try await execute(on: try await table.snapshot())
    }

    /// Restores starting from `current` (tests race it against other commits).
    func execute(on current: Snapshot) async throws(LakeError) -> (Snapshot, Metrics) {
        do { try TableFeatures.checkWritable(current.protocolAction, metadata: current.metadata) } catch { throw LakeError(error) }
        let parameters: DeltaOperation
        switch target {
        case .latest:
            throw LakeError.invalidRequest("restore needs a version or a timestamp to restore to")
        case let .version(v):
            guard v >= 0 else { throw LakeError.invalidRequest("cannot restore to version \(v): versions start at 0") }
            guard v <= current.version else {
                throw LakeError(.notFound, "cannot restore \(table.location) to version \(v): the latest version is \(current.version)")
            }
            parameters = .restore(version: v, timestamp: nil)
        case let .timestamp(ms):
            parameters = .restore(version: nil, timestamp: Self.timestampText(ms))
        }
        let old = try await table.snapshot(at: target)
        guard old.version <= current.version else {
            throw LakeError(.notFound, "cannot restore \(table.location) to version \(old.version): the latest version is \(current.version)")
        }

        let currentKeys = Set(current.files.map(\.logicalKey))
        let oldKeys = Set(old.files.map(\.logicalKey))
        let now = table.context.clock()
        let restored = old.files.filter { !currentKeys.contains($0.logicalKey) }.map { add -> AddFile in
            var a = add
            a.dataChange = true
            return a
        }
        let removed = current.files.filter { !oldKeys.contains($0.logicalKey) }.map { $0.removal(deletionTimestamp: now) }
        try await checkAvailable(restored)

        var metrics = Metrics()
        metrics.restoredVersion = old.version
        metrics.numRestoredFiles = restored.count
        metrics.restoredFilesSize = restored.reduce(0) { $0 &+ $1.size }
        metrics.numRemovedFiles = removed.count
        metrics.removedFilesSize = removed.reduce(0) { $0 &+ ($1.size ?? 0) }
        metrics.numOfFilesAfterRestore = old.files.count
        metrics.tableSizeAfterRestore = old.files.reduce(0) { $0 &+ $1.size }

        var actions: [Action] = []
        if let upgraded = TableFeatures.upgrade(current.protocolAction, toSupport: old.protocolAction) { actions.append(.protocol(upgraded)) }
        if old.metadata != current.metadata { actions.append(.metadata(old.metadata)) }
        if let domain = ClusteringColumns.restoredDomain(current: current, old: old) { actions.append(.domainMetadata(domain)) }
        guard !actions.isEmpty || !restored.isEmpty || !removed.isEmpty else {
            metrics.version = current.version
            return (current, metrics)
        }
        actions += removed.map { .remove($0) } + restored.map { .add($0) }
        let commit = OperationCommit(table: table, snapshot: current, operation: parameters, read: .wholeTable)
        let done = try await commit.commit(actions, metrics: metrics)
        metrics.version = done.version
        metrics.committed = true
        return (try await table.snapshot(at: .version(done.version)), metrics)
    }

    /// Fails, naming them, when data files or deletion vector files of `files` are gone (vacuumed).
    private func checkAvailable(_ files: [AddFile]) async throws(LakeError) {
        var keys: [(FileResolution, String)] = []
        for add in files {
            keys.append((try FileResolution.resolve(add.path, table: table), add.path))
            guard let dv = add.deletionVector else { continue }
            let location: DeletionVectorDescriptor.Location
            do { location = try dv.location() } catch { throw LakeError(.corruptTable, "\(add.path): \(error)") }
            switch location {
            case .inline: break
            case let .relative(key): keys.append((FileResolution(store: table.store, key: key), key))
            case let .absolute(uri): keys.append((try FileResolution.resolve(uri, table: table), uri))
            }
        }
        let width = max(4, table.context.threads * 4)
        var missing: [String] = []
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + width, keys.count)]
            start += chunk.count
            let found = await withTaskGroup(of: (String, Bool).self) { group -> [(String, Bool)] in
                for (resolved, name) in chunk {
                    group.addTask {
                        do {
                            _ = try await resolved.store.head(resolved.key)
                            return (name, true)
                        } catch {
                            return (name, false)
                        }
                    }
                }
                var out: [(String, Bool)] = []
                for await r in group { out.append(r) }
                return out
            }
            missing += found.filter { !$0.1 }.map(\.0)
        }
        guard missing.isEmpty else {
            missing.sort()
            let shown = missing.prefix(10).joined(separator: ", ")
            let more = missing.count > 10 ? " and \(missing.count - 10) more" : ""
            throw LakeError(.notFound, "cannot restore \(table.location): \(missing.count) file(s) of that version are gone (removed by vacuum?): \(shown)\(more); restore a later version, or nothing was committed")
        }
    }

    /// A timestamp parameter as ISO 8601 UTC text (`2024-01-01T10:00:00.000000Z`).
    static func timestampText(_ ms: Int64) -> String {
        var out: [UInt8] = []
        CivilTime.appendTimestamp(ms, unit: .millisecond, utc: true, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
