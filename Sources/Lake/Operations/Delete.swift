import Columnar
import DataFrame
import DeltaLog
import Parquet

/// Deletes rows of a Delta table: Delta's `DELETE FROM t [WHERE p]`, copy-on-write or, on tables with
/// `delta.enableDeletionVectors`, through deletion vectors (`FileRewrite` decides).
///
/// Without a predicate every file is removed without being read. With one, the scan plan gives the candidate
/// files (partition pruning and stats skipping: files that cannot hold a matching row are never opened);
/// candidates whose partition values alone make the predicate TRUE for every row are removed unread (a
/// metadata-only delete); every other candidate is read and, when some row matches, rewritten with the rows
/// where the predicate is not TRUE (FALSE or NULL, as SQL's WHERE has it) and removed. A file where no row
/// matches stays. With deletion vectors, a file where some but not all rows match keeps its data and gets a
/// new vector instead of being rewritten. One commit, with the partitions and files read, so a concurrent append elsewhere commits
/// too while a concurrent change to the same files conflicts (CONFLICTS.md). Nothing matching commits nothing.
public struct Delete: Sendable {
    /// Delete options.
    public struct Options: Sendable {
        /// The rows to delete: a SQL predicate over the table's columns (nil deletes every row).
        public var predicate: String?
        /// Target size in bytes of rewritten files (nil: the table's `delta.targetFileSize`, else 128 MiB).
        public var targetFileSize: Int?

        /// Deletes the rows where `predicate` holds (every row when nil).
        public init(predicate: String? = nil) {
            self.predicate = predicate
        }
    }

    /// What the delete did; the `@DeltaMetric` counters are the commit's `operationMetrics`, under the names
    /// Spark's DELETE writes.
    public struct Metrics: OperationMetrics, RewriteCounters, Hashable {
        /// The version committed, or the version read when nothing matched (and nothing was committed).
        public var version: Int64 = -1
        /// Rows deleted.
        @DeltaMetric public var numDeletedRows = 0
        /// Files removed (rewritten or dropped whole).
        @DeltaMetric public var numRemovedFiles = 0
        /// Files written with the rows kept from rewritten files.
        @DeltaMetric public var numAddedFiles = 0
        /// Rows of rewritten files that were kept (copied to new files; 0 with deletion vectors).
        @DeltaMetric public var numCopiedRows = 0
        /// Bytes of the files removed.
        @DeltaMetric public var numRemovedBytes: Int64 = 0
        /// Bytes of the files written.
        @DeltaMetric public var numAddedBytes: Int64 = 0
        /// Deletion vectors written (one per file kept under a new vector).
        @DeltaMetric public var numDeletionVectorsAdded = 0
        /// Deletion vectors dropped: replaced by combined ones, or gone with their files.
        @DeltaMetric public var numDeletionVectorsRemoved = 0
        /// Files whose old deletion vector a combined one replaced.
        @DeltaMetric public var numDeletionVectorsUpdated = 0
        /// Change data files written (tables with the change data feed on).
        @DeltaMetric public var numAddedChangeFiles = 0
        /// Wall time of the whole delete, in ms.
        @DeltaMetric public var executionTimeMs: Int64 = 0
        /// Time spent finding the rows to delete (planning, reading, evaluating the predicate), in ms.
        @DeltaMetric public var scanTimeMs: Int64 = 0
        /// Time spent writing the kept rows, in ms.
        @DeltaMetric public var rewriteTimeMs: Int64 = 0
        /// Files read (not a Delta metric: how much of the table the delete opened).
        public var numFilesRead = 0
        /// Candidate files dropped by partition pruning or stats skipping, never opened.
        public var numFilesSkipped = 0

        /// Empty metrics.
        public init() {}
    }

    /// The table to delete from.
    public let table: DeltaTable
    /// The options.
    public let options: Options

    /// A delete from `table`.
    public init(table: DeltaTable, options: Options = Options()) {
        self.table = table
        self.options = options
    }

    /// Deletes and commits; returns the snapshot at the new version (the one read when nothing matched).
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        try await execute(on: try await table.snapshot())
    }

    /// Deletes starting from `snapshot` (tests race it against other commits).
    func execute(on snapshot: Snapshot) async throws(LakeError) -> (Snapshot, Metrics) {
        let clock = ContinuousClock()
        let start = clock.now
        try ChangeChecks.checkChangeable(snapshot, operation: "DELETE")
        let predicate = try options.predicate.map { text throws(LakeError) in try RowCondition.parse(text, schema: snapshot.schema) }
        if let size = options.targetFileSize, size < 1 { throw LakeError.invalidRequest("the target file size must be at least 1 byte, not \(size)") }

        var metrics = Metrics()
        let rewrite = try FileRewrite(table: table, snapshot: snapshot, targetFileSize: options.targetFileSize ?? FileRewrite.targetFileSize(snapshot))
        let read: ReadSet
        if let predicate {
            let plan = try ScanPlanner.plan(snapshot, ScanRequest(predicate: predicate))
            metrics.numFilesSkipped = plan.filesPrunedByPartition + plan.filesSkippedByStats
            let skipping = DataSkipping(predicate: predicate, snapshot: snapshot)
            var toRead: [AddFile] = []
            for add in plan.files {
                // With the change feed on, the rows of a file deleted whole are the change: it is read too.
                if skipping.partitionDecidesTrue(add) && !rewrite.recordsChanges {
                    rewrite.remove(add)
                    metrics.numDeletedRows += try await Self.logicalRows(add, table: table)
                } else {
                    toRead.append(add)
                }
            }
            try await rewrite.rewrite(toRead, reading: PredicateColumns.names(predicate)) { (_, rows) throws(LakeError) -> FileRewrite.FileChange? in
                let matched = try RowCondition.trueRows(predicate, in: rows)
                let deleted = matched.setCount
                guard deleted > 0 else { return nil }
                metrics.numDeletedRows += deleted
                return FileRewrite.FileChange(removed: matched)
            }
            read = ReadSet(predicates: [ReadPredicate(partitionFilter: predicate, snapshot: snapshot)], files: plan.files.map(\.path))
        } else if rewrite.recordsChanges {
            try await rewrite.rewrite(snapshot.files) { (_, rows) throws(LakeError) -> FileRewrite.FileChange? in
                metrics.numDeletedRows += rows.rowCount
                return FileRewrite.FileChange(removed: Bitmap(count: rows.rowCount, value: true))
            }
            read = .wholeTable
        } else {
            for add in snapshot.files {
                rewrite.remove(add)
                metrics.numDeletedRows += try await Self.logicalRows(add, table: table)
            }
            read = .wholeTable
        }
        let result = try await rewrite.finish()
        // As Spark counts: a file kept under a new deletion vector is neither removed nor added.
        metrics.record(result, markedAreRemoved: false)
        guard !result.removed.isEmpty || !result.marked.isEmpty else {
            metrics.version = snapshot.version
            metrics.executionTimeMs = (clock.now - start).milliseconds
            return (snapshot, metrics)
        }
        metrics.executionTimeMs = (clock.now - start).milliseconds

        let actions = result.actions
        let commit = OperationCommit(table: table, snapshot: snapshot, operation: .delete(predicate: options.predicate), read: read)
        let done = try await commit.commit(actions, metrics: metrics)
        metrics.version = done.version
        return (try await table.snapshot(at: .version(done.version)), metrics)
    }

    /// The rows a file contributes to the table: `numRecords` from its stats less its deletion vector's
    /// cardinality; without stats, the Parquet footer's row count (only the footer is fetched).
    static func logicalRows(_ add: AddFile, table: DeltaTable) async throws(LakeError) -> Int {
        var physical = add.statsNumRecords
        if physical == nil {
            let location = try FileResolution.resolve(add.path, table: table)
            do {
                let (reader, _) = try await FetchedRanges.openParquet(store: location.store, key: location.key, expectedSize: add.size)
                physical = reader.metadata.numRows
            } catch {
                throw LakeError(error)
            }
        }
        let deleted = add.deletionVector?.cardinality ?? 0
        guard let physical, physical >= 0, deleted >= 0, deleted <= physical, let rows = Int(exactly: physical - deleted) else {
            throw LakeError(.corruptTable, "\(add.path): the log gives \(physical.map(String.init) ?? "no") records with \(deleted) deleted; the row counts cannot both be right")
        }
        return rows
    }
}
