import Columnar
import DataFrame
import DeltaLog

/// Reads a table version into a DataFrame: plans the scan (`ScanPlanner`: partition pruning, stats
/// skipping), reads the planned files through `DataFileReader` (as many at once as the context's thread
/// budget), applies the predicate to each file's rows, then projects and limits.
public struct Scan: Sendable {
    /// Scan options.
    public struct Options: Sendable {
        /// Which version to read.
        public var version: VersionSpec = .latest
        /// Columns to return (default: all, in table order).
        public var columns: [String]?
        /// A SQL predicate (`amount > 10 AND region = 'EU'`).
        public var predicate: String?
        /// Return at most this many rows.
        public var limit: Int?

        /// Default options: the latest version, every column and row.
        public init() {}
    }

    /// What the scan did.
    public struct Metrics: OperationMetrics, Hashable {
        /// Active files in the snapshot.
        public var filesTotal: Int
        /// Files skipped by partition values.
        public var filesPrunedByPartition: Int
        /// Files skipped by min/max stats.
        public var filesSkippedByStats: Int
        /// Files read.
        public var filesRead: Int
        /// Bytes fetched from the store (footers and column chunks).
        public var bytesRead: Int
        /// Rows returned.
        public var rowsReturned: Int
    }

    /// The table to read.
    public let table: DeltaTable
    /// The options.
    public let options: Options

    /// Creates the operation.
    public init(table: DeltaTable, options: Options = Options()) {
        self.table = table
        self.options = options
    }

    /// The plan the scan would run, without reading any data file (`lake read --explain`).
    public func plan() async throws(LakeError) -> ScanPlan {
        let snapshot = try await table.snapshot(at: options.version)
        let predicate: Expr?
        do { predicate = try options.predicate.map { try Expr.parse($0) } } catch { throw LakeError.request(error) }
        return try ScanPlanner.plan(snapshot, ScanRequest(columns: options.columns, predicate: predicate))
    }

    /// Runs the scan.
    public func execute() async throws(LakeError) -> (Snapshot, DataFrame, Metrics) {
        if let limit = options.limit, limit < 0 { throw LakeError.invalidRequest("the row limit must be zero or more, not \(limit)") }
        let plan = try await plan()
        let (frames, bytes) = try await Self.read(plan, table: table, limit: options.limit)
        var frame: DataFrame
        do {
            frame = frames.isEmpty ? DataFrame(emptyOf: plan.readSchema) : try DataFrame.concat(frames)
            frame = try frame.select(plan.outputSchema.names)
        } catch {
            throw LakeError(error)
        }
        if let limit = options.limit { frame = frame.limit(limit) }
        let metrics = Metrics(
            filesTotal: plan.filesTotal, filesPrunedByPartition: plan.filesPrunedByPartition, filesSkippedByStats: plan.filesSkippedByStats,
            filesRead: frames.count, bytesRead: bytes, rowsReturned: frame.rowCount)
        return (plan.snapshot, frame, metrics)
    }

    /// Reads the plan's files, `table.context.threads` at a time, each filtered by the residual predicate as it
    /// arrives; keeps file order. With a limit, stops starting files once the files read so far (in order) hold
    /// enough rows.
    static func read(_ plan: ScanPlan, table: DeltaTable, limit: Int?) async throws(LakeError) -> ([DataFrame], Int) {
        let files = plan.files
        let reader = DataFileReader(table: table, snapshot: plan.snapshot)
        let schema = plan.readSchema
        let residual = plan.residual
        var results = [DataFrame?](repeating: nil, count: files.count)
        var bytes = 0
        do {
            try await withThrowingTaskGroup(of: (Int, DataFrame, Int).self) { group in
                var next = 0
                var prefixDone = 0, prefixRows = 0
                func enough() -> Bool { limit.map { prefixRows >= $0 } ?? false }
                func launch() {
                    let i = next
                    next += 1
                    group.addTask {
                        try Task.checkCancellation()
                        let rows = try await reader.read(files[i], schema: schema, predicate: residual)
                        let kept = try residual.map { try rows.frame.filter($0) } ?? rows.frame
                        return (i, kept, rows.bytesRead)
                    }
                }
                while next < min(table.context.threads, files.count), !enough() { launch() }
                while let (i, frame, n) = try await group.next() {
                    results[i] = frame
                    bytes += n
                    while prefixDone < files.count, let f = results[prefixDone] { prefixRows += f.rowCount; prefixDone += 1 }
                    if next < files.count, !enough() { launch() }
                }
            }
        } catch {
            throw LakeError(error)
        }
        return (results.compactMap { $0 }, bytes)
    }
}
