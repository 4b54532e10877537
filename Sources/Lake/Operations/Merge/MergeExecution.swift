import Columnar
import DataFrame
import DeltaLog

/// Runs a planned MERGE: each candidate target file is read (through `FileRewrite`) and hash-joined with the
/// source; matched pairs and unmatched target rows take their clauses; the rows a clause acts on leave the file
/// (`FileRewrite` rewrites it with the copied rows, or marks them in its deletion vector) and the updated rows
/// go to new files; then unmatched source rows take the NOT MATCHED clauses and are inserted.
struct MergeExecution {
    let table: DeltaTable
    let snapshot: Snapshot
    let plan: MergePlan
    let options: Merge.Options
    /// Log paths of the target files read.
    private(set) var readPaths: [String] = []

    init(table: DeltaTable, snapshot: Snapshot, plan: MergePlan, options: Merge.Options) {
        self.table = table
        self.snapshot = snapshot
        self.plan = plan
        self.options = options
    }

    /// The file actions to commit and the metrics.
    mutating func run() async throws(LakeError) -> ([Action], Merge.Metrics) {
        var metrics = Merge.Metrics()
        var sourceMatched = [Bool](repeating: false, count: plan.source.rowCount)
        // Read and write with the merged schema: with schema evolution, columns the files lack read as NULL.
        let rewrite = try FileRewrite(table: table, snapshot: snapshot, targetFileSize: options.targetFileSize, schema: plan.schema, metadata: plan.metadata)
        let onlyUnconditionalDelete = plan.matched.count == 1 && plan.matched[0].condition == nil && plan.matched[0].clause.action == .delete

        try await rewrite.rewrite(plan.candidates) { (_, rows) throws(LakeError) -> FileRewrite.FileChange? in
            let target = try targetFrame(rows)
            let n = target.rowCount
            let pairs = try run("join") { () throws -> DataFrame in
                try target.join(plan.source, on: plan.keys.indices.map { (MergePlan.targetKey($0), MergePlan.sourceKey($0)) }, how: .inner, condition: plan.residual)
            }
            let tids = try Self.ints(try run("join") { try pairs.column(MergePlan.targetRowId) })
            let sids = try Self.ints(try run("join") { try pairs.column(MergePlan.sourceRowId) })
            var hasPair = [Bool](repeating: false, count: n)
            for t in tids where t >= 0 && t < n { hasPair[t] = true }
            for s in sids where s >= 0 && s < sourceMatched.count { sourceMatched[s] = true }

            // The matched clause of each pair; a target row some clause acts on must have one such pair.
            let pairClause = try clauseIndex(plan.matched, over: pairs)
            var acted = [Int](repeating: -1, count: n)
            for (p, k) in pairClause.enumerated() where k >= 0 {
                let t = tids[p]
                guard t >= 0 && t < n else { continue }
                if acted[t] >= 0 && !onlyUnconditionalDelete {
                    throw LakeError(.invalidRequest, "merge: several source rows match the target row with \(keyText(target, row: t)) and a MATCHED clause acts on it; a target row may be changed by one source row only, so make the source's keys unique (nothing was committed)")
                }
                acted[t] = k
            }
            // Unmatched target rows take the first NOT MATCHED BY SOURCE clause that holds.
            var bySource = [Int](repeating: -1, count: n)
            if !plan.bySource.isEmpty {
                let k = try clauseIndex(plan.bySource, over: target)
                for t in 0..<n where !hasPair[t] { bySource[t] = k[t] }
            }
            // The rows some clause acts on leave the file; the others (copied rows) stay.
            var removed = Bitmap(count: n, value: false)
            for t in 0..<n where acted[t] >= 0 || bySource[t] >= 0 { removed[t] = true }
            guard removed.setCount > 0 else { return nil }

            var added: [DataFrame] = []
            // Rows an update clause acts on (their new versions are in `added`), for the change data feed.
            var updated = Bitmap(count: n, value: false)
            for t in 0..<n {
                if acted[t] >= 0, plan.matched[acted[t]].values != nil { updated[t] = true }
                if bySource[t] >= 0, plan.bySource[bySource[t]].values != nil { updated[t] = true }
            }
            for (k, clause) in plan.matched.enumerated() {
                let mask = pairClause.map { $0 == k }
                let count = mask.reduce(0) { $1 ? $0 + 1 : $0 }
                guard count > 0 else { continue }
                if let values = clause.values {
                    added.append(try output(try Self.rows(pairs, where: mask), values: values))
                    metrics.numTargetRowsMatchedUpdated += count
                } else {
                    // An unconditional delete-only merge may pair a target row with several source rows: count rows.
                    let deleted = Set(zip(mask, tids).filter(\.0).map(\.1)).count
                    metrics.numTargetRowsMatchedDeleted += deleted
                }
            }
            for (k, clause) in plan.bySource.enumerated() {
                let mask = bySource.map { $0 == k }
                let count = mask.reduce(0) { $1 ? $0 + 1 : $0 }
                guard count > 0 else { continue }
                if let values = clause.values {
                    added.append(try output(try Self.rows(target, where: mask), values: values))
                    metrics.numTargetRowsNotMatchedBySourceUpdated += count
                } else {
                    metrics.numTargetRowsNotMatchedBySourceDeleted += count
                }
            }
            return FileRewrite.FileChange(removed: removed, added: added, updated: updated)
        }

        // Inserts: source rows no target row matched, by the first NOT MATCHED clause that holds.
        if !plan.notMatched.isEmpty {
            let unmatched = try Self.rows(plan.source, where: sourceMatched.map { !$0 })
            let k = try clauseIndex(plan.notMatched, over: unmatched)
            for (c, clause) in plan.notMatched.enumerated() {
                guard let values = clause.values else { continue }
                let mask = k.map { $0 == c }
                let rows = try Self.rows(unmatched, where: mask)
                guard rows.rowCount > 0 else { continue }
                try await rewrite.insert(try output(rows, values: values))
                metrics.numTargetRowsInserted += rows.rowCount
            }
        }
        let result = try await rewrite.finish()
        readPaths = result.read

        metrics.numTargetFilesRead = result.read.count
        metrics.numTargetRowsCopied = result.copiedRows
        metrics.numTargetRowsUpdated = metrics.numTargetRowsMatchedUpdated + metrics.numTargetRowsNotMatchedBySourceUpdated
        metrics.numTargetRowsDeleted = metrics.numTargetRowsMatchedDeleted + metrics.numTargetRowsNotMatchedBySourceDeleted
        metrics.numTargetFilesAdded = result.added.count
        // As Spark counts with deletion vectors: a file kept under a new vector is not a removed file.
        metrics.numTargetFilesRemoved = result.removed.count
        metrics.numTargetBytesAdded = result.addedBytes
        metrics.numTargetBytesRemoved = result.removedBytes
        metrics.numTargetChangeFilesAdded = result.changeFiles.count
        metrics.numTargetDeletionVectorsAdded = result.deletionVectorsAdded
        metrics.numTargetDeletionVectorsRemoved = result.deletionVectorsRemoved
        metrics.numTargetDeletionVectorsUpdated = result.deletionVectorsUpdated
        metrics.scanTimeMs = result.scanTime.milliseconds
        metrics.rewriteTimeMs = result.rewriteTime.milliseconds
        return (result.actions, metrics)
    }

    /// Runs a DataFrame step, turning its error into a LakeError that says which step failed.
    private func run<T>(_ step: String, _ body: () throws -> T) throws(LakeError) -> T {
        do { return try body() } catch let e as LakeError { throw e } catch { throw LakeError.invalidRequest("merge \(step): \(error)") }
    }

    /// A target file's rows under internal names, with row ids and the ON key columns.
    private func targetFrame(_ rows: DataFrame) throws(LakeError) -> DataFrame {
        try run("reading the target") { () throws -> DataFrame in
            var columns: [(name: String, column: Column)] = rows.columns.enumerated().map { (MergeNames.targetName($0.offset), $0.element) }
            let ids = (0..<Int64(rows.rowCount)).map { $0 }
            columns.append((MergePlan.targetRowId, Column(unchecked: .int64, count: rows.rowCount, validity: nil, values: .int64(ids))))
            var frame = try DataFrame(columns)
            for (k, key) in plan.keys.enumerated() {
                columns.append((MergePlan.targetKey(k), try frame.evaluate(key.target)))
            }
            frame = try DataFrame(columns)
            return frame
        }
    }

    /// For each row of `frame`, the index of the first clause whose condition holds, or -1.
    private func clauseIndex(_ clauses: [MergePlan.ResolvedClause], over frame: DataFrame) throws(LakeError) -> [Int] {
        guard !clauses.isEmpty else { return [Int](repeating: -1, count: frame.rowCount) }
        if clauses[0].condition == nil { return [Int](repeating: 0, count: frame.rowCount) }
        let branches = clauses.enumerated().map { CaseBranch(when: $0.element.condition ?? .lit(true), then: .lit($0.offset)) }
        let column = try run("clause condition") { try frame.evaluate(Expr.caseWhen(operand: nil, branches: branches, otherwise: .lit(-1))) }
        return try Self.ints(column)
    }

    /// The table's columns (after schema evolution) computed from `values` over `frame`, cast to their types.
    private func output(_ frame: DataFrame, values: [Expr]) throws(LakeError) -> DataFrame {
        let schema = plan.schema
        return try run("computing new rows") { () throws -> DataFrame in
            let exprs = zip(schema.fields, values).enumerated().map { (i, pair) -> NamedExpr in
                let (field, value) = pair
                if case let .column(p) = value, p == [MergeNames.targetName(i)] { return NamedExpr(value, as: field.name) }
                // A struct, array or map value is matched to the table's type field by field below (the source's
                // may lack fields or order them otherwise); casts cover flat types.
                if field.type.isNested, case .column = value { return NamedExpr(value, as: field.name) }
                return NamedExpr(.cast(value, field.type), as: field.name)
            }
            var out = try frame.select(exprs)
            if schema.fields.contains(where: \.type.isNested) {
                let columns = try zip(out.columns, schema.fields).map { try ColumnReconcile.conform($0, to: $1, mapping: false) }
                out = try DataFrame(schema: Schema(schema.fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) }), columns: columns)
            }
            return try SchemaConformance.conform(out, to: schema, allowExtra: false).0
        }
    }

    /// A description of a target row's ON keys for error messages.
    private func keyText(_ frame: DataFrame, row: Int) -> String {
        let parts = plan.keys.compactMap { key -> String? in
            guard let t = key.targetColumn else { return nil }
            guard let c = try? frame.column(MergeNames.targetName(t)) else { return nil }
            let v = c.isNull(row) ? "NULL" : ValueText.string(c, row: row, style: .json)
            return "\(snapshot.schema.fields[t].name) = \(v)"
        }
        return parts.isEmpty ? "row \(row)" : parts.joined(separator: ", ")
    }

    /// The rows of `frame` where `mask` is true.
    static func rows(_ frame: DataFrame, where mask: [Bool]) throws(LakeError) -> DataFrame {
        do { return try frame.rows(where: Bitmap(mask)) } catch {
            throw LakeError(.failed, "merge: selecting rows: \(error)")
        }
    }

    /// The values of an integer column (nulls as -1).
    static func ints(_ c: Column) throws(LakeError) -> [Int] {
        switch c.values {
        case let .int64(a): return (0..<min(a.count, c.count)).map { c.isNull($0) ? -1 : Int(a[$0]) }
        case let .int32(a): return (0..<min(a.count, c.count)).map { c.isNull($0) ? -1 : Int(a[$0]) }
        default: throw LakeError(.failed, "merge: expected an integer column, got \(c.type.name)")
        }
    }
}
