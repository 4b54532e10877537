import DeltaLog

/// The nightly maintenance of one table, as `lake maintain` runs it from cron: compaction or, with Z-order
/// columns or on a liquid-clustered table, an incremental clustering (`Optimize`), a
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
    /// How the optimize step runs (target size, Z-order columns, memory limit).
    public let optimize: Optimize.Options
    /// Where the optimize and vacuum report their files as they are done (nil: nowhere).
    public var progress: ProgressTracker?

    /// Maintenance of `table`, its optimize step run with `optimize`.
    public init(table: DeltaTable, optimize: Optimize.Options = Optimize.Options()) {
        self.table = table
        self.optimize = optimize
    }

    /// Runs the optimize, a due checkpoint with log cleanup, then vacuum; stops at the first step that fails.
    public func execute() async throws(LakeError) -> Metrics {
        var metrics = Metrics()
        var optimizing = Optimize(table: table, options: optimize)
        optimizing.progress = progress
        (_, metrics.optimize) = try await optimizing.execute()
        let snapshot = try await table.snapshot()
        let interval = Int64(snapshot.properties["delta.checkpointInterval"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 10
        let since = snapshot.version - (snapshot.segment.checkpointVersion ?? -1)
        if since >= interval {
            try await TableCheckpoint(table: table).execute(snapshot)
            metrics.checkpointVersion = snapshot.version
            let cleaned = try await LogCleanup(table: table).execute(after: snapshot)
            metrics.logFilesRemoved = cleaned.deleted.count + cleaned.deletedSidecars.count
        }
        var vacuum = Vacuum(table: table)
        vacuum.progress = progress
        metrics.vacuum = try await vacuum.execute()
        return metrics
    }
}
