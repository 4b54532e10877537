import DeltaLog

/// The nightly maintenance of one table, as `lake maintain` runs it from cron: compaction (`Optimize`), a
/// checkpoint when commits piled up since the last one (at least `delta.checkpointInterval`, default 10; the log
/// cleanup of `LogCleanup` follows it), and `Vacuum` with the table's own retention. Each step is the operation
/// itself, so each is safe beside writers (optimize commits beside appends, vacuum keeps unexpired tombstones)
/// and safe to run twice (a second run finds nothing to do and commits nothing).
public struct Maintain: Sendable {
    /// What the run did.
    public struct Metrics: Sendable {
        /// The compaction's metrics.
        public var optimize = Optimize.Metrics()
        /// The version a checkpoint was written at, if one was due.
        public var checkpointVersion: Int64?
        /// Log files the cleanup after that checkpoint removed.
        public var logFilesRemoved = 0
        /// The vacuum's metrics.
        public var vacuum = Vacuum.Metrics()
    }

    /// The table maintained.
    public let table: DeltaTable

    /// Maintenance of `table`.
    public init(table: DeltaTable) {
        self.table = table
    }

    /// Runs compaction, a due checkpoint with log cleanup, then vacuum; stops at the first step that fails.
    public func execute() async throws(LakeError) -> Metrics {
        var metrics = Metrics()
        (_, metrics.optimize) = try await Optimize(table: table).execute()
        let snapshot = try await table.snapshot()
        let interval = Int64(snapshot.properties["delta.checkpointInterval"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 10
        let since = snapshot.version - (snapshot.segment.checkpointVersion ?? -1)
        if since >= interval {
            try await TableCheckpoint(table: table).execute(snapshot)
            metrics.checkpointVersion = snapshot.version
            let cleaned = try await LogCleanup(table: table).execute(after: snapshot)
            metrics.logFilesRemoved = cleaned.deleted.count + cleaned.deletedSidecars.count
        }
        metrics.vacuum = try await Vacuum(table: table).execute()
        return metrics
    }
}
