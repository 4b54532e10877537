import Columnar
import DataFrame
import DeltaLog

/// Compacts a Delta table's small files: Delta's `OPTIMIZE t [WHERE p]` (bin-packing; Z-order and liquid
/// clustering will plan their own rewrites and share the commit path here).
///
/// `BinPacking` picks, in each partition the `WHERE` selects (partition columns only), the files smaller than
/// the target size and packs them into bins of about that size; a partition with fewer than two small files,
/// and every file already at size, is left alone. The bins of one partition are read a row group at a time
/// (deletion vectors applied, so deleted rows stay deleted) and written through one `DataFileWriter`, which
/// cuts files at the target: every file written but a partition's last is at size, so a second run finds at
/// most one small file per partition and does nothing. Partitions are rewritten in parallel over the table
/// context's threads.
///
/// The commit holds only `remove` and `add` actions with `dataChange = false`, so it runs at snapshot
/// isolation (CONFLICTS.md): blind appends that landed meanwhile never conflict and their rows stay, while a
/// compacted file removed by another writer fails the commit with a conflict (exit 3). With
/// `maxCommitBins`, every group of that many bins commits on its own, so a long run that is killed keeps
/// the groups committed before.
public struct Optimize: Sendable {
    /// Optimize options.
    public struct Options: Sendable {
        /// Target size in bytes of the compacted files (nil: the table's `delta.targetFileSize`, else 256 MiB).
        public var targetSize: Int?
        /// Limits the compaction to the partitions where this SQL predicate over partition columns holds.
        public var predicate: String?
        /// Commit every this many bins (Z-order: partitions) on their own (nil: one commit for the whole run).
        public var maxCommitBins: Int?
        /// Z-order by these columns (non-partition columns) instead of bin-packing; empty: compact (or, on a
        /// liquid-clustered table, cluster by the table's clustering columns).
        public var zOrderBy: [String]
        /// Bytes a Z-order may hold at once (nil: `Optimize.defaultMemoryLimit`); larger partitions are
        /// sorted in ranges spilled to local scratch files.
        public var memoryLimit: Int?

        /// Compacts every partition to the table's target size in one commit.
        public init(targetSize: Int? = nil, predicate: String? = nil, maxCommitBins: Int? = nil, zOrderBy: [String] = [], memoryLimit: Int? = nil) {
            self.targetSize = targetSize
            self.predicate = predicate
            self.maxCommitBins = maxCommitBins
            self.zOrderBy = zOrderBy
            self.memoryLimit = memoryLimit
        }
    }

    /// Sizes of a set of files, as Delta's `FileSizeStats` reports them; in `operationMetrics` as the JSON object
    /// text `{"avg":..,"max":..,"min":..,"totalFiles":..,"totalSize":..}` (the commit stores metric values as
    /// strings, as Spark does).
    public struct FileSizeStats: Sendable, Hashable, CustomStringConvertible {
        /// The smallest file's bytes (0 with no files).
        public var min: Int64 = 0
        /// The largest file's bytes (0 with no files).
        public var max: Int64 = 0
        /// Number of files.
        public var totalFiles = 0
        /// Their total bytes.
        public var totalSize: Int64 = 0

        /// No files.
        public init() {}

        /// The stats of files of `sizes` bytes.
        init(_ sizes: [Int64]) {
            min = sizes.min() ?? 0
            max = sizes.max() ?? 0
            totalFiles = sizes.count
            // Sizes come from the log: a sum past Int64.max saturates rather than traps.
            totalSize = sizes.reduce(0) { sum, size in
                let (next, overflow) = sum.addingReportingOverflow(size)
                return overflow ? .max : next
            }
        }

        /// Mean bytes per file (0 with no files).
        public var avg: Double { totalFiles == 0 ? 0 : Double(totalSize) / Double(totalFiles) }

        /// The JSON object text.
        public var description: String {
            JSONValue.object([
                "avg": .double(avg), "max": .int(max), "min": .int(min), "totalFiles": .int(Int64(totalFiles)), "totalSize": .int(totalSize),
            ]).jsonText
        }
    }

    /// What the optimize did; the `@DeltaMetric` counters are each commit's `operationMetrics` under the names
    /// of Delta's `OptimizeMetrics` (as delta-rs writes them too), with the file sizes also as the flat
    /// `numAddedBytes` / `numRemovedBytes` / `minFileSize` / `maxFileSize` Spark's history shows. With several
    /// commits (`maxCommitBins`), each commit records its own part and the returned metrics are the totals.
    public struct Metrics: OperationMetrics, Hashable {
        /// The last version committed, or the version read when there was nothing to compact.
        public var version: Int64 = -1
        /// Commits made (0 when there was nothing to compact).
        public var commits = 0
        /// Files written.
        @DeltaMetric public var numFilesAdded = 0
        /// Files compacted away.
        @DeltaMetric public var numFilesRemoved = 0
        /// Sizes of the files written.
        @DeltaMetric public var filesAdded = FileSizeStats()
        /// Sizes of the files compacted away.
        @DeltaMetric public var filesRemoved = FileSizeStats()
        /// Partitions with files compacted.
        @DeltaMetric public var partitionsOptimized = 0
        /// Bins rewritten.
        @DeltaMetric public var numBatches = 0
        /// Files of the selected partitions.
        @DeltaMetric public var totalConsideredFiles = 0
        /// Of those, files left alone.
        @DeltaMetric public var totalFilesSkipped = 0
        /// Rows keep the order they were added in (within a partition).
        @DeltaMetric public var preserveInsertionOrder = true
        /// Bytes of the files written (Spark's history name).
        @DeltaMetric public var numAddedBytes: Int64 = 0
        /// Bytes of the files compacted away (Spark's history name).
        @DeltaMetric public var numRemovedBytes: Int64 = 0
        /// The smallest file written (Spark's history name).
        @DeltaMetric public var minFileSize: Int64 = 0
        /// The largest file written (Spark's history name).
        @DeltaMetric public var maxFileSize: Int64 = 0
        /// Wall time, in ms.
        @DeltaMetric public var executionTimeMs: Int64 = 0

        /// Empty metrics.
        public init() {}

        /// Sets the size counters from the files added and removed.
        mutating func record(added: [AddFile], removed: [AddFile]) {
            numFilesAdded = added.count
            numFilesRemoved = removed.count
            filesAdded = FileSizeStats(added.map(\.size))
            filesRemoved = FileSizeStats(removed.map(\.size))
            numAddedBytes = filesAdded.totalSize
            numRemovedBytes = filesRemoved.totalSize
            minFileSize = filesAdded.min
            maxFileSize = filesAdded.max
        }
    }

    /// The default target size when the table sets no `delta.targetFileSize`: 256 MiB, as Delta's OPTIMIZE.
    public static let defaultTargetSize = 256 << 20

    /// The table compacted.
    public let table: DeltaTable
    /// The options.
    public let options: Options
    /// Where files rewritten are reported as they are done (nil: nowhere).
    public var progress: ProgressTracker?

    /// An optimize of `table`.
    public init(table: DeltaTable, options: Options = Options()) {
        self.table = table
        self.options = options
    }

    /// Compacts and commits; returns the snapshot after the last commit (the one read when nothing was compacted).
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        try await execute(on: try await table.snapshot())
    }

    /// Compacts starting from `snapshot` (tests race it against other commits).
    func execute(on snapshot: Snapshot) async throws(LakeError) -> (Snapshot, Metrics) {
        let clock = ContinuousClock()
        let start = clock.now
        // Only lake's ability to write the table matters: `delta.appendOnly` forbids removing data, which
        // a dataChange=false rearrangement does not (PROTOCOL.md "Append-only Tables"), so Delta allows it.
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        let target = try targetSize(snapshot)
        if let n = options.maxCommitBins, n < 1 { throw LakeError.invalidRequest("the bins per commit must be at least 1, not \(n)") }
        let files = try selectedFiles(snapshot)
        let clustering = try clusteringColumns(snapshot)
        if !clustering.columns.isEmpty {
            return try await zOrder(files, by: clustering.columns, liquid: clustering.liquid, snapshot: snapshot, target: target, started: start)
        }
        let plan = BinPacking(files: files, targetSize: Int64(target)) { Self.partitionKey($0, snapshot) }

        var total = Metrics()
        total.version = snapshot.version
        total.totalConsideredFiles = plan.consideredFiles
        total.totalFilesSkipped = plan.consideredFiles
        guard !plan.bins.isEmpty else {
            total.executionTimeMs = (clock.now - start).milliseconds
            return (snapshot, total)
        }
        let groupSize = options.maxCommitBins ?? plan.bins.count
        var totals = Totals()
        var groupStart = 0
        while groupStart < plan.bins.count {
            let groupStarted = clock.now
            let bins = Array(plan.bins[groupStart..<min(plan.bins.count, groupStart + groupSize)])
            groupStart += bins.count
            let added = try await rewrite(bins, snapshot: snapshot, target: target)
            try await commitRewrite(removed: bins.flatMap(\.files), added: added, partitions: bins.map(\.partition), batches: bins.count,
                                    considered: plan.consideredFiles, zOrderBy: [], snapshot: snapshot, started: groupStarted, into: &totals)
        }
        return try await finish(totals, batches: plan.bins.count, considered: plan.consideredFiles, started: start)
    }

    /// What the commits of one run added up to.
    struct Totals {
        var metrics = Metrics()
        var added: [AddFile] = []
        var removed: [AddFile] = []
        var partitions = Set<[String?]>()
    }

    /// Commits one group of rewritten bins or partitions: `remove` (dataChange=false) of `removed`, `add` of
    /// `added`, the group's metrics; adds it to `totals`.
    func commitRewrite(removed: [AddFile], added: [AddFile], partitions: [[String?]], batches: Int, considered: Int, zOrderBy: [String],
                       liquid: Bool = false, snapshot: Snapshot, started: ContinuousClock.Instant, into totals: inout Totals) async throws(LakeError) {
        let timestamp = table.context.clock()
        let actions = removed.map { Action.remove($0.removal(deletionTimestamp: timestamp, dataChange: false)) } + added.map { Action.add($0) }
        var metrics = Metrics()
        metrics.record(added: added, removed: removed)
        metrics.partitionsOptimized = Set(partitions).count
        metrics.numBatches = batches
        metrics.totalConsideredFiles = considered
        metrics.totalFilesSkipped = considered - removed.count
        metrics.preserveInsertionOrder = zOrderBy.isEmpty
        metrics.executionTimeMs = (ContinuousClock.now - started).milliseconds
        let operation = DeltaOperation.optimize(predicate: options.predicate, zOrderBy: liquid ? [] : zOrderBy, clusterBy: liquid ? zOrderBy : nil)
        let commit = OperationCommit(table: table, snapshot: snapshot, operation: operation,
                                     read: ReadSet(files: removed.map(\.path)))
        let done = try await commit.commit(actions, metrics: metrics)
        totals.metrics.version = done.version
        totals.metrics.commits += 1
        totals.added += added
        totals.removed += removed
        totals.partitions.formUnion(partitions)
    }

    /// The run's metrics from its commits' totals, and the snapshot after the last commit.
    func finish(_ totals: Totals, batches: Int, considered: Int, started: ContinuousClock.Instant) async throws(LakeError) -> (Snapshot, Metrics) {
        var total = totals.metrics
        total.record(added: totals.added, removed: totals.removed)
        total.partitionsOptimized = totals.partitions.count
        total.numBatches = batches
        total.totalConsideredFiles = considered
        total.totalFilesSkipped = considered - totals.removed.count
        total.executionTimeMs = (ContinuousClock.now - started).milliseconds
        return (try await table.snapshot(at: .version(total.version)), total)
    }

    /// The target size: the option, else the table's `delta.targetFileSize`, else 256 MiB.
    func targetSize(_ snapshot: Snapshot) throws(LakeError) -> Int {
        if let size = options.targetSize {
            guard size >= 1 else { throw LakeError.invalidRequest("the target size must be at least 1 byte, not \(size)") }
            return size
        }
        if let text = snapshot.properties["delta.targetFileSize"], let n = Int(text), n > 0 { return n }
        return Self.defaultTargetSize
    }

    /// The files of the partitions the predicate selects (every file without one). The predicate may read only
    /// partition columns, and is evaluated exactly on each partition's values (SQL's WHERE: TRUE selects).
    func selectedFiles(_ snapshot: Snapshot) throws(LakeError) -> [AddFile] {
        guard let text = options.predicate else { return snapshot.files }
        let predicate = try RowCondition.parse(text, schema: snapshot.schema)
        let partitionFields = snapshot.schema.fields.filter { snapshot.partitionColumns.contains($0.name) }
        let partitionNames = Set(partitionFields.map { $0.name.lowercased() })
        let others = PredicateColumns.names(predicate).subtracting(partitionNames).sorted()
        guard others.isEmpty else {
            let allowed = partitionFields.isEmpty ? "the table has none" : "here: " + partitionFields.map(\.name).joined(separator: ", ")
            throw LakeError.invalidRequest("optimize --where may use only partition columns (\(allowed)); \(others.joined(separator: ", ")) \(others.count == 1 ? "is" : "are") not")
        }
        // One row per distinct partition, holding its values, through the same evaluator as row predicates.
        var index: [[String?]: Int] = [:]
        var keys: [[String?]] = []
        var representative: [AddFile] = []
        for add in snapshot.files {
            let key = Self.partitionKey(add, snapshot)
            if index[key] == nil {
                index[key] = keys.count
                keys.append(key)
                representative.append(add)
            }
        }
        guard !keys.isEmpty else { return [] }
        var columns: [(name: String, column: Column)] = []
        do {
            for field in partitionFields {
                let values = try representative.map { add throws -> Scalar in
                    try PartitionValues.parse(snapshot.rawPartitionValue(add, field), type: field.type, column: field.name)
                }
                columns.append((name: field.name, column: try Column(field.type, values)))
            }
        } catch {
            throw LakeError(error)
        }
        let frame: DataFrame
        do { frame = try DataFrame(columns) } catch { throw LakeError(error) }
        let selected = try RowCondition.trueRows(predicate, in: frame)
        return snapshot.files.filter { add in
            let key = Self.partitionKey(add, snapshot)
            guard let i = index[key] else { return false }
            return selected[i]
        }
    }

    /// `add`'s raw partition values in the table's partition column order (by physical name under column
    /// mapping, as the log keys them); nil for a null value.
    static func partitionKey(_ add: AddFile, _ snapshot: Snapshot) -> [String?] {
        snapshot.partitionColumns.map { name in
            guard let field = snapshot.schema.fields.first(where: { $0.name == name }) else { return add.partitionValues[name] ?? nil }
            return snapshot.rawPartitionValue(add, field)
        }
    }

    /// Rewrites `bins` (one writer per partition, partitions in parallel over the context's threads); returns
    /// the files written, in partition order.
    func rewrite(_ bins: [BinPacking.Bin], snapshot: Snapshot, target: Int) async throws(LakeError) -> [AddFile] {
        // The bins of a partition are consecutive in the plan.
        var jobs: [[AddFile]] = []
        var last: [String?]?
        for bin in bins {
            if let last, last == bin.partition { jobs[jobs.count - 1] += bin.files } else { jobs.append(bin.files) }
            last = bin.partition
        }
        let table = self.table, progress = self.progress
        progress?.expect(files: bins.reduce(0) { $0 + $1.files.count }, bytes: bins.reduce(0) { BinPacking.adding($0, $1.bytes) })
        let written = try await BoundedParallel.map(jobs, limit: table.context.threads) { files in
            try await Self.compact(files, table: table, snapshot: snapshot, target: target, progress: progress)
        }
        return written.flatMap { $0 }
    }

    /// Reads `files` (one partition's) a row group at a time, deletion vectors applied, into new files of about
    /// `target` bytes with `dataChange = false`.
    static func compact(_ files: [AddFile], table: DeltaTable, snapshot: Snapshot, target: Int, progress: ProgressTracker?) async throws(LakeError) -> [AddFile] {
        let reader = DataFileReader(table: table, snapshot: snapshot)
        let writer = try DataFileWriter(table: table, metadata: snapshot.metadata, schema: snapshot.schema, targetFileSize: target, dataChange: false)
        for add in files {
            try Task.checkCancellation(or: LakeError(.cancelled, "the optimize was cancelled"))
            let file = try await reader.open(add)
            for g in 0..<file.rowGroupCount {
                let rows = try await file.read(schema: snapshot.schema, rowGroups: [g])
                try await writer.write(rows.frame)
            }
            progress?.done(files: 1, bytes: add.size)
        }
        return try await writer.finish()
    }
}
