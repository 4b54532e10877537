import Columnar
import DataFrame
import DeltaLog

/// MERGE INTO a Delta table with Delta's semantics: target rows the ON condition pairs with a source row take
/// the first `WHEN MATCHED` clause whose condition holds, unmatched source rows the first `WHEN NOT MATCHED`
/// clause, unmatched target rows the first `WHEN NOT MATCHED BY SOURCE` clause.
///
/// Copy-on-write: only target files that partition values and stats allow to match (or that a by-source clause
/// may act on) are read, one at a time; a file where some row is updated or deleted is rewritten whole through
/// `DataFileWriter`, the others stay untouched. Memory follows the source and the file in flight. One commit,
/// none when nothing changed; a target row matched by several source rows that a MATCHED clause acts on fails
/// the merge before anything is written to the log. With `Options.schemaEvolution` the table's schema grows by
/// the source columns the clauses bring (`SchemaEvolution`), recorded by a `metaData` action in the same commit.
public struct Merge: Sendable {
    /// Where the source rows come from.
    public enum Source: Sendable {
        /// Rows in memory.
        case frame(DataFrame)
        /// A stream of batches.
        case data(WriteData)
        /// A .parquet, .csv or .ndjson/.jsonl file; text parses with the target's column types.
        case file(String)
        /// Another Delta table, at a version (nil: the latest).
        case table(DeltaTable, version: Int64?)
    }

    /// Merge options.
    public struct Options: Sendable {
        /// The name that qualifies target columns.
        public var targetAlias = "target"
        /// The name that qualifies source columns.
        public var sourceAlias = "source"
        /// Target size of rewritten and inserted data files, in bytes.
        public var targetFileSize: Int = 128 * 1024 * 1024
        /// Most distinct source values of an ON key listed as `key IN (...)` for pruning (more: `BETWEEN` their
        /// minimum and maximum).
        public var keyListLimit = 1024
        /// Schema evolution: `UPDATE SET *` and `INSERT *` add the source columns the target lacks (nullable, at
        /// the end) and new fields of struct columns, and an assignment may name a source column the target
        /// lacks; the commit carries the grown schema. Off: those clauses use the target's columns only and an
        /// assignment to an unknown column fails (Delta's rules).
        public var schemaEvolution = false

        /// Default options.
        public init() {}
    }

    /// What the merge did, under Delta's metric names.
    public struct Metrics: OperationMetrics, Hashable {
        /// The version committed, or the version read when nothing changed.
        public var version: Int64 = -1
        /// False when nothing changed and nothing was committed.
        public var committed = false
        /// Target files that were candidates (after pruning) and were read.
        public var numTargetFilesRead = 0
        /// Source rows.
        @DeltaMetric public var numSourceRows = 0
        /// Rows inserted by NOT MATCHED clauses.
        @DeltaMetric public var numTargetRowsInserted = 0
        /// Rows updated by MATCHED or NOT MATCHED BY SOURCE clauses.
        @DeltaMetric public var numTargetRowsUpdated = 0
        /// Rows updated by MATCHED clauses.
        @DeltaMetric public var numTargetRowsMatchedUpdated = 0
        /// Rows updated by NOT MATCHED BY SOURCE clauses.
        @DeltaMetric public var numTargetRowsNotMatchedBySourceUpdated = 0
        /// Rows deleted by MATCHED or NOT MATCHED BY SOURCE clauses.
        @DeltaMetric public var numTargetRowsDeleted = 0
        /// Rows deleted by MATCHED clauses.
        @DeltaMetric public var numTargetRowsMatchedDeleted = 0
        /// Rows deleted by NOT MATCHED BY SOURCE clauses.
        @DeltaMetric public var numTargetRowsNotMatchedBySourceDeleted = 0
        /// Unchanged rows of rewritten files, written again.
        @DeltaMetric public var numTargetRowsCopied = 0
        /// Data files written.
        @DeltaMetric public var numTargetFilesAdded = 0
        /// Data files removed (rewritten).
        @DeltaMetric public var numTargetFilesRemoved = 0
        /// Bytes of data files written.
        @DeltaMetric public var numTargetBytesAdded: Int64 = 0
        /// Bytes of data files removed.
        @DeltaMetric public var numTargetBytesRemoved: Int64 = 0
        /// Change data files written (tables with the change data feed on).
        @DeltaMetric public var numTargetChangeFilesAdded = 0
        /// Deletion vectors written (one per target file kept under a new vector).
        @DeltaMetric public var numTargetDeletionVectorsAdded = 0
        /// Deletion vectors dropped: replaced by combined ones, or gone with their target files.
        @DeltaMetric public var numTargetDeletionVectorsRemoved = 0
        /// Target files whose old deletion vector a combined one replaced.
        @DeltaMetric public var numTargetDeletionVectorsUpdated = 0
        /// Wall time of the whole merge, ms.
        @DeltaMetric public var executionTimeMs: Int64 = 0
        /// Time reading and joining target files, ms.
        @DeltaMetric public var scanTimeMs: Int64 = 0
        /// Time writing new files, ms.
        @DeltaMetric public var rewriteTimeMs: Int64 = 0

        /// Empty metrics.
        public init() {}
    }

    /// The target table.
    public let table: DeltaTable
    /// The source rows.
    public let source: Source
    /// The ON condition, SQL.
    public let on: String
    /// The clauses, in order (empty: upsert, `UPDATE SET *` and `INSERT *`).
    public let clauses: [Clause]
    /// The options.
    public let options: Options

    /// A merge of `source` into `table` on `on`.
    public init(table: DeltaTable, source: Source, on: String, clauses: [Clause] = [], options: Options = Options()) {
        self.table = table
        self.source = source
        self.on = on
        self.clauses = clauses
        self.options = options
    }

    /// Runs the merge and commits; returns the snapshot after it (the one read when nothing changed).
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        try await execute(on: try await table.snapshot())
    }

    /// Merges into `snapshot` and commits on top of it (SCD Type 2 runs its merge on the snapshot it read).
    func execute(on snapshot: Snapshot) async throws(LakeError) -> (Snapshot, Metrics) {
        let started = ContinuousClock.now
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        guard options.targetAlias.lowercased() != options.sourceAlias.lowercased() else {
            throw LakeError.invalidRequest("the target and source aliases are both \(options.targetAlias); give them different names")
        }
        let sourceFrame = try await Self.loadSource(source, targetSchema: snapshot.schema)
        let effective = clauses.isEmpty ? [Clause.updateAll, Clause.insertAll] : clauses
        let plan = try MergePlan(snapshot: snapshot, source: sourceFrame, on: on, clauses: effective, options: options, uuid: table.context.uuid)
        var execution = MergeExecution(table: table, snapshot: snapshot, plan: plan, options: options)
        var (actions, metrics) = try await execution.run()
        metrics.numSourceRows = sourceFrame.rowCount
        metrics.executionTimeMs = (ContinuousClock.now - started).milliseconds
        // A grown schema is committed even when no row changed: the clauses asked for the columns.
        actions = plan.schemaActions + actions
        guard !actions.isEmpty else {
            metrics.version = snapshot.version
            return (snapshot, metrics)
        }
        let operation = DeltaOperation.merge(
            predicate: on,
            matched: effective.filter { $0.kind == .matched }.map(\.description),
            notMatched: effective.filter { $0.kind == .notMatched }.map(\.description),
            notMatchedBySource: effective.filter { $0.kind == .notMatchedBySource }.map(\.description))
        let read = ReadSet(predicates: [plan.readPredicate], files: execution.readPaths)
        let result = try await OperationCommit(table: table, snapshot: snapshot, operation: operation, read: read).commit(actions, metrics: metrics)
        metrics.version = result.version
        metrics.committed = true
        return (try await table.snapshot(at: .version(result.version)), metrics)
    }

    /// The source rows as one frame (a merge needs every source row to decide matches and inserts); text files
    /// parse with `targetSchema`'s column types where they name its columns.
    static func loadSource(_ source: Source, targetSchema: Schema?) async throws(LakeError) -> DataFrame {
        func drain(_ next: () throws -> DataFrame?, schema: Schema) throws(LakeError) -> DataFrame {
            var batches: [DataFrame] = []
            do {
                while let b = try next() { batches.append(b) }
                return batches.isEmpty ? DataFrame(emptyOf: schema) : try DataFrame.concat(batches)
            } catch {
                throw LakeError.invalidRequest("merge source: \(error)")
            }
        }
        switch source {
        case let .frame(f):
            return f
        case let .data(d):
            return try drain({ try d.next() }, schema: d.schema)
        case let .file(path):
            let reader: any BatchReader
            do { reader = try BatchReaders.open(path: path, table: targetSchema) } catch { throw LakeError.invalidRequest("merge source \(path): \(error)") }
            return try drain({ try reader.next() }, schema: reader.schema)
        case let .table(t, version):
            var o = Scan.Options()
            if let version { o.version = .version(version) }
            return try await Scan(table: t, options: o).execute().1
        }
    }
}
