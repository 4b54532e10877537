import Columnar
import DataFrame
import DeltaLog

/// Changes rows of a Delta table: Delta's `UPDATE t SET c = expr, ... [WHERE p]`.
///
/// The scan plan gives the candidate files (files that cannot hold a matching row are never opened); in each
/// file read, matching rows get the assigned values (SQL expressions over the row as it was, cast to the
/// column's type with Spark's ANSI cast rules) and are written to new files; `FileRewrite` then rewrites the
/// file with its other rows (copy-on-write) or, on tables with `delta.enableDeletionVectors`, marks the
/// updated rows in the file's deletion vector.
/// Rows go through `DataFileWriter`, which splits them by partition values, so updating a partition column
/// moves the row to its new partition. NOT NULL columns and CHECK constraints (`delta.constraints.*`) hold
/// for every row written. One commit with the partitions and files read (the conflict rules of CONFLICTS.md);
/// nothing matching commits nothing.
public struct Update: Sendable {
    /// Update options.
    public struct Options: Sendable {
        /// The assignments, in order: a column name and a SQL expression over the row (`("amount", "amount * 2")`).
        public var set: [(column: String, expression: String)]
        /// The rows to change: a SQL predicate over the table's columns (nil changes every row).
        public var predicate: String?
        /// Target size in bytes of rewritten files (nil: the table's `delta.targetFileSize`, else 128 MiB).
        public var targetFileSize: Int?

        /// Sets `set`'s columns on the rows where `predicate` holds (every row when nil).
        public init(set: [(column: String, expression: String)], predicate: String? = nil) {
            self.set = set
            self.predicate = predicate
        }
    }

    /// What the update did; the `@DeltaMetric` counters are the commit's `operationMetrics`, under the names
    /// Spark's UPDATE writes.
    public struct Metrics: OperationMetrics, RewriteCounters, Hashable {
        /// The version committed, or the version read when nothing matched (and nothing was committed).
        public var version: Int64 = -1
        /// Rows changed.
        @DeltaMetric public var numUpdatedRows = 0
        /// Rows of rewritten files that did not match, copied unchanged (0 with deletion vectors).
        @DeltaMetric public var numCopiedRows = 0
        /// Files written.
        @DeltaMetric public var numAddedFiles = 0
        /// Files rewritten and removed.
        @DeltaMetric public var numRemovedFiles = 0
        /// Bytes of the files written.
        @DeltaMetric public var numAddedBytes: Int64 = 0
        /// Bytes of the files removed.
        @DeltaMetric public var numRemovedBytes: Int64 = 0
        /// Deletion vectors written (one per file kept under a new vector).
        @DeltaMetric public var numDeletionVectorsAdded = 0
        /// Deletion vectors dropped: replaced by combined ones, or gone with their files.
        @DeltaMetric public var numDeletionVectorsRemoved = 0
        /// Files whose old deletion vector a combined one replaced.
        @DeltaMetric public var numDeletionVectorsUpdated = 0
        /// Change data files written (tables with the change data feed on).
        @DeltaMetric public var numAddedChangeFiles = 0
        /// Wall time of the whole update, in ms.
        @DeltaMetric public var executionTimeMs: Int64 = 0
        /// Time spent finding the rows to change (planning, reading, evaluating), in ms.
        @DeltaMetric public var scanTimeMs: Int64 = 0
        /// Time spent writing the rewritten files, in ms.
        @DeltaMetric public var rewriteTimeMs: Int64 = 0
        /// Files read (not a Delta metric: how much of the table the update opened).
        public var numFilesRead = 0
        /// Candidate files dropped by partition pruning or stats skipping, never opened.
        public var numFilesSkipped = 0

        /// Empty metrics.
        public init() {}
    }

    /// One resolved assignment: the table column and the expression giving its new value, already cast to
    /// the column's type.
    struct Assignment {
        var index: Int
        var field: Field
        var value: Expr
    }

    /// The table to update.
    public let table: DeltaTable
    /// The options.
    public let options: Options

    /// An update of `table`.
    public init(table: DeltaTable, options: Options) {
        self.table = table
        self.options = options
    }

    /// Updates and commits; returns the snapshot at the new version (the one read when nothing matched).
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        try await execute(on: try await table.snapshot())
    }

    /// Updates starting from `snapshot` (tests race it against other commits).
    func execute(on snapshot: Snapshot) async throws(LakeError) -> (Snapshot, Metrics) {
        let clock = ContinuousClock()
        let start = clock.now
        try ChangeChecks.checkChangeable(snapshot, operation: "UPDATE")
        let schema = snapshot.schema
        let predicate = try options.predicate.map { text throws(LakeError) in try RowCondition.parse(text, schema: schema) }
        let assignments = try Self.resolve(options.set, schema: schema)
        if let size = options.targetFileSize, size < 1 { throw LakeError.invalidRequest("the target file size must be at least 1 byte, not \(size)") }

        var metrics = Metrics()
        let plan = try ScanPlanner.plan(snapshot, ScanRequest(predicate: predicate))
        metrics.numFilesSkipped = plan.filesPrunedByPartition + plan.filesSkippedByStats
        let rewrite = try FileRewrite(table: table, snapshot: snapshot, targetFileSize: options.targetFileSize ?? FileRewrite.targetFileSize(snapshot))
        try await rewrite.rewrite(plan.files) { (add, rows) throws(LakeError) -> FileRewrite.FileChange? in
            let matched = try predicate.map { p throws(LakeError) in try RowCondition.trueRows(p, in: rows) } ?? Bitmap(count: rows.rowCount, value: true)
            let updated = matched.setCount
            guard updated > 0 else { return nil }
            let changed = try Self.apply(assignments, to: try FileRewrite.rows(rows, where: matched), file: add.path)
            metrics.numUpdatedRows += updated
            return FileRewrite.FileChange(removed: matched, added: [changed], updated: matched)
        }
        let result = try await rewrite.finish()
        // As Spark's UPDATE counts: every remove is a removed file, but only files removed whole free bytes.
        metrics.record(result, markedAreRemoved: true)
        guard !result.removed.isEmpty || !result.marked.isEmpty else {
            metrics.version = snapshot.version
            metrics.executionTimeMs = (clock.now - start).milliseconds
            return (snapshot, metrics)
        }
        metrics.executionTimeMs = (clock.now - start).milliseconds

        let read = predicate.map { ReadSet(predicates: [ReadPredicate(partitionFilter: $0, snapshot: snapshot)], files: plan.files.map(\.path)) } ?? .wholeTable
        let actions = result.actions
        let commit = OperationCommit(table: table, snapshot: snapshot, operation: .update(predicate: options.predicate), read: read)
        let done = try await commit.commit(actions, metrics: metrics)
        metrics.version = done.version
        return (try await table.snapshot(at: .version(done.version)), metrics)
    }

    /// Resolves the SET list against the table: each column once (names case-insensitively, as Delta
    /// resolves them), each expression parsed and type-checked over the row, then cast to the column's type
    /// when it differs; a type with no cast to the column's is a malformed request naming the column.
    static func resolve(_ set: [(column: String, expression: String)], schema: Schema) throws(LakeError) -> [Assignment] {
        guard !set.isEmpty else { throw LakeError.invalidRequest("an update needs at least one assignment (column = expression)") }
        let checker = TypeChecker(schema: RowCondition.readable(schema))
        var out: [Assignment] = []
        var seen = Set<Int>()
        for (name, text) in set {
            let matches = schema.fields.indices.filter { schema.fields[$0].name == name }
            let folded = schema.fields.indices.filter { schema.fields[$0].name.lowercased() == name.lowercased() }
            guard let index = matches.first ?? (folded.count == 1 ? folded.first : nil) else {
                let hint = name.contains(".") ? " (nested fields cannot be assigned one by one; assign the whole column)" : ""
                throw LakeError.invalidRequest("cannot update column \(name): the table has no such column\(hint) (columns: \(schema.names.joined(separator: ", ")))")
            }
            guard seen.insert(index).inserted else {
                throw LakeError.invalidRequest("column \(schema.fields[index].name) is assigned more than once in the update")
            }
            let field = schema.fields[index]
            let expr: Expr
            let typed: TypedExpr
            do {
                expr = try Expr.parse(text)
                typed = try checker.check(expr)
            } catch {
                throw LakeError.invalidRequest("the value for column \(field.name), \(text), is not usable on this table: \(error)")
            }
            var value = expr
            if typed.type != field.type {
                value = .cast(expr, field.type)
                do { _ = try checker.check(value) } catch {
                    throw LakeError.invalidRequest("cannot update column \(field.name) (\(field.type.name)) with \(text), which is \(typed.type.name): there is no cast from \(typed.type.name) to \(field.type.name)")
                }
            }
            out.append(Assignment(index: index, field: field, value: value))
        }
        return out
    }

    /// The matched `rows` with the assigned columns replaced by their new values: every value is computed from
    /// the row as it was (so `SET a = b, b = a` swaps); only matched rows are passed in, so an expression that
    /// would fail elsewhere (a cast of an unrelated row's value) never runs there.
    static func apply(_ assignments: [Assignment], to rows: DataFrame, file: String) throws(LakeError) -> DataFrame {
        var columns = rows.columns
        do {
            for a in assignments { columns[a.index] = try rows.evaluate(a.value) }
            return try DataFrame(schema: rows.schema, columns: columns)
        } catch {
            throw LakeError(LakeError(error).kind, "updating rows of \(file): \(error)")
        }
    }
}
