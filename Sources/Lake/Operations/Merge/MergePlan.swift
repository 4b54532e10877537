import Columnar
import DataFrame
import DeltaLog

/// A MERGE resolved against its target and source before any target file is read: the ON condition split
/// into equality keys and a residual, each clause's condition and values over internal column names, the
/// source with its internal names and key columns, the table's schema after the merge (grown by schema
/// evolution), and the candidate target files.
struct MergePlan: Sendable {
    /// One ON equality `target-side = source-side`.
    struct Key: Sendable {
        /// The target side over internal names.
        var target: Expr
        /// The target column when the target side is a plain column (for pruning and error messages).
        var targetColumn: Int?
        /// The source side over internal names.
        var source: Expr
    }

    /// A clause with resolved condition and output expressions (one per column of `schema`, internal names).
    struct ResolvedClause: Sendable {
        var clause: Merge.Clause
        var condition: Expr?
        var values: [Expr]?
    }

    let names: MergeNames
    /// The table's schema after the merge: the target's, grown by source columns when schema evolution is on.
    /// Rows read from target files and every row written have it; internal target names `__lake_t<i>` index it.
    let schema: Schema
    /// The table's metadata after the merge (the snapshot's unless the schema grew).
    let metadata: Metadata
    /// The `metaData` (and `protocol`) actions recording a grown schema; empty when it did not grow.
    let schemaActions: [Action]
    let keys: [Key]
    let residual: Expr?
    let matched: [ResolvedClause]
    let notMatched: [ResolvedClause]
    let bySource: [ResolvedClause]
    /// The source with internal column names, `__lake_sid` and the key columns `__lake_sk<k>`.
    let source: DataFrame
    /// Target files that may hold a row some clause acts on or some source row matches.
    let candidates: [AddFile]
    /// What the merge read, for the conflict checker.
    let readPredicate: ReadPredicate

    static let targetRowId = "__lake_tid"
    static let sourceRowId = "__lake_sid"
    static func targetKey(_ k: Int) -> String { "__lake_tk\(k)" }
    static func sourceKey(_ k: Int) -> String { "__lake_sk\(k)" }

    init(snapshot: Snapshot, source raw: DataFrame, on: String, clauses: [Merge.Clause], options: Merge.Options, uuid: () -> String = RandomUUID.make) throws(LakeError) {
        let target = snapshot.schema
        let names = MergeNames(targetAlias: options.targetAlias, sourceAlias: options.sourceAlias, target: target, source: raw.schema)
        self.names = names
        let condition = try names.resolve(on, scope: .both, role: "ON condition")

        // ON: equalities between a target-only and a source-only side are hash-join keys, the rest filters pairs.
        var keys: [Key] = []
        var rest: [Expr] = []
        for c in Self.conjuncts(condition) {
            if case let .binary(.equal, a, b) = c {
                let sa = Self.sides(a), sb = Self.sides(b)
                if sa == .targetOnly && sb == .sourceOnly { keys.append(Key(target: a, targetColumn: Self.targetColumn(a), source: b)); continue }
                if sa == .sourceOnly && sb == .targetOnly { keys.append(Key(target: b, targetColumn: Self.targetColumn(b), source: a)); continue }
            }
            rest.append(c)
        }
        guard !keys.isEmpty else {
            throw LakeError.invalidRequest("the merge ON condition \"\(on)\" needs at least one equality between a target column and a source column (e.g. \(options.targetAlias).id = \(options.sourceAlias).id)")
        }
        self.keys = keys
        residual = rest.isEmpty ? nil : rest.dropFirst().reduce(rest[0]) { $0.and($1) }

        // The output schema: `*` clauses bring every source column, assignments the columns they name.
        var output = target
        if options.schemaEvolution {
            do {
                if clauses.contains(where: { $0.action == .updateAll || $0.action == .insertAll }) {
                    output = try SchemaEvolution.widened(output, by: raw.schema)
                }
                for clause in clauses {
                    switch clause.action {
                    case let .update(assignments), let .insert(assignments):
                        output = try Self.addingAssigned(assignments, to: output, names: names)
                    case .updateAll, .insertAll, .delete:
                        break
                    }
                }
                (metadata, schemaActions) = try SchemaEvolution.commit(output, on: snapshot, uuid: uuid)
            } catch let e as LakeError {
                throw e
            } catch {
                throw LakeError.invalidRequest("merge schema evolution: \(error)")
            }
        } else {
            metadata = snapshot.metadata
            schemaActions = []
        }
        schema = output

        // Clauses: conditions and one value per output column.
        var matched: [ResolvedClause] = [], notMatched: [ResolvedClause] = [], bySource: [ResolvedClause] = []
        for clause in clauses {
            let scope: MergeNames.Scope = switch clause.kind {
            case .matched: .both
            case .notMatched: .sourceOnly
            case .notMatchedBySource: .targetOnly
            }
            let cond = try clause.condition.map { (c) throws(LakeError) in try names.resolve(c, scope: scope, role: "clause condition") }
            var values: [Expr]?
            switch clause.action {
            case .delete:
                values = nil
            case .updateAll:
                // Without evolution only the target's columns are set; with it, `output` has the source's too.
                values = output.fields.indices.map { i in
                    names.sourceIndex(output.fields[i].name).map { .col(MergeNames.sourceName($0)) } ?? .col(MergeNames.targetName(i))
                }
            case .insertAll:
                values = output.fields.indices.map { i in
                    names.sourceIndex(output.fields[i].name).map { .col(MergeNames.sourceName($0)) } ?? .lit(.null)
                }
            case let .update(assignments), let .insert(assignments):
                let insert = clause.kind == .notMatched
                var v: [Expr] = output.fields.indices.map { insert ? .lit(.null) : .col(MergeNames.targetName($0)) }
                var set = Set<Int>()
                for a in assignments {
                    let i = try names.assignedColumn(a.column, in: output)
                    guard set.insert(i).inserted else { throw LakeError.invalidRequest("merge clause sets column \(output.fields[i].name) twice") }
                    v[i] = try names.resolve(a.value, scope: scope, role: "value of \(a.column)")
                }
                values = v
            }
            let r = ResolvedClause(clause: clause, condition: cond, values: values)
            switch clause.kind {
            case .matched: matched.append(r)
            case .notMatched: notMatched.append(r)
            case .notMatchedBySource: bySource.append(r)
            }
        }
        self.matched = matched
        self.notMatched = notMatched
        self.bySource = bySource

        // The source under internal names, with row ids and evaluated key columns.
        var columns: [(name: String, column: Column)] = []
        for (i, c) in raw.columns.enumerated() { columns.append((MergeNames.sourceName(i), c)) }
        let ids = (0..<Int64(raw.rowCount)).map { $0 }
        columns.append((Self.sourceRowId, Column(unchecked: .int64, count: raw.rowCount, validity: nil, values: .int64(ids))))
        var frame: DataFrame
        do { frame = try DataFrame(columns) } catch { throw LakeError.invalidRequest("merge source: \(error)") }
        var keyColumns: [Column] = []
        for (k, key) in keys.enumerated() {
            do {
                let c = try frame.evaluate(key.source)
                keyColumns.append(c)
                frame = try DataFrame(frame.schema.fields.map(\.name).enumerated().map { ($1, frame.columns[$0]) } + [(Self.sourceKey(k), c)])
            } catch {
                throw LakeError.invalidRequest("merge ON key \(key.source): \(error)")
            }
        }
        source = frame

        // Pruning: conjuncts of ON over the target only (as table names), the source's keys (a list, or their range), or'ed with what by-source clauses may touch.
        var plain = names
        plain.tableNames = true
        var match: [Expr] = []
        let plainConjuncts = Self.conjuncts(try plain.resolve(on, scope: .both, role: "ON condition"))
        for (c, p) in zip(Self.conjuncts(condition), plainConjuncts) where Self.sides(c) == .targetOnly { match.append(p) }
        var nothingMatches = false
        for (k, key) in keys.enumerated() {
            guard let t = key.targetColumn else { continue }
            let name = Expr.col(target.fields[t].name)
            let c = keyColumns[k]
            if c.nullCount == c.count { nothingMatches = true; continue }
            // A short list of the source's keys skips files falling between them (a few scattered keys into a
            // big table); a long one would make planning cost files × keys, so the range stands in for it.
            if let list = KeyValues.distinct(c, limit: options.keyListLimit) {
                match.append(.inList(name, list.map(Expr.lit), negated: false))
            } else if let (lo, hi) = KeyValues.range(c) {
                match.append(.between(name, low: .lit(lo), high: .lit(hi), negated: false))
            }
        }
        var predicate: Expr? = nothingMatches ? nil : (match.isEmpty ? nil : match.dropFirst().reduce(match[0]) { $0.and($1) })
        var everyFile = !nothingMatches && match.isEmpty
        var onlyBySource = nothingMatches
        for c in bySource {
            guard let text = c.clause.condition else { everyFile = true; break }
            let e = try plain.resolve(text, scope: .targetOnly, role: "clause condition")
            if onlyBySource { predicate = e; onlyBySource = false } else { predicate = predicate.map { $0.or(e) } ?? e }
        }
        if everyFile {
            candidates = snapshot.files
            readPredicate = .wholeTable
        } else if let predicate, !onlyBySource {
            candidates = try ScanPlanner.plan(snapshot, ScanRequest(predicate: predicate)).files
            readPredicate = ReadPredicate(partitionFilter: predicate, snapshot: snapshot)
        } else {
            // Every source key is null and no by-source clause: no target row can be involved.
            candidates = []
            readPredicate = .wholeTable
        }
    }

    /// `schema` with the columns `assignments` set that it lacks, each as the source column of that name
    /// (Delta's rule: schema evolution adds a column an assignment names only when the source has it).
    private static func addingAssigned(_ assignments: [Merge.Clause.Assignment], to schema: Schema, names: MergeNames) throws -> Schema {
        var out = schema
        for a in assignments {
            guard let name = names.assignedName(a.column), !out.fields.contains(where: { $0.name.lowercased() == name.lowercased() }) else { continue }
            guard let s = names.sourceIndex(name) else {
                throw LakeError.invalidRequest("merge assignment to \(a.column): neither the target nor the source has such a column (schema evolution adds only source columns)")
            }
            out = try SchemaEvolution.adding(names.source.fields[s], to: out)
        }
        return out
    }

    enum Sides { case none, targetOnly, sourceOnly, both }

    static func sides(_ e: Expr) -> Sides {
        var t = false, s = false
        for n in PredicateColumns.names(e) {
            if n.hasPrefix("__lake_t") { t = true } else if n.hasPrefix("__lake_s") { s = true }
        }
        switch (t, s) {
        case (false, false): return .none
        case (true, false): return .targetOnly
        case (false, true): return .sourceOnly
        case (true, true): return .both
        }
    }

    static func targetColumn(_ e: Expr) -> Int? {
        guard case let .column(parts) = e, parts.count == 1, parts[0].hasPrefix("__lake_t") else { return nil }
        return Int(parts[0].dropFirst("__lake_t".count))
    }

    static func conjuncts(_ e: Expr) -> [Expr] {
        if case let .binary(.and, a, b) = e { return conjuncts(a) + conjuncts(b) }
        return [e]
    }
}

/// Typed summaries of a source key column for pruning, without boxing each value.
enum KeyValues {
    /// The smallest and largest non-null value, for integer, date and string keys.
    static func range(_ c: Column) -> (Literal, Literal)? {
        func ints<T: FixedWidthInteger>(_ a: [T]) -> (Int64, Int64)? {
            var lo: Int64?, hi: Int64?
            for i in 0..<min(a.count, c.count) where !c.isNull(i) {
                let v = Int64(a[i])
                lo = min(lo ?? v, v)
                hi = max(hi ?? v, v)
            }
            guard let lo, let hi else { return nil }
            return (lo, hi)
        }
        switch (c.type, c.values) {
        case let (.int8, .int8(a)): return ints(a).map { (.integer($0.0), .integer($0.1)) }
        case let (.int16, .int16(a)): return ints(a).map { (.integer($0.0), .integer($0.1)) }
        case let (.int32, .int32(a)): return ints(a).map { (.integer($0.0), .integer($0.1)) }
        case let (.int64, .int64(a)): return ints(a).map { (.integer($0.0), .integer($0.1)) }
        case let (.date, .int32(a)): return ints(a).map { (.date(days: Int32($0.0)), .date(days: Int32($0.1))) }
        case let (.string, .bytes(offsets, data)):
            var lo: ArraySlice<UInt8>?, hi: ArraySlice<UInt8>?
            for i in 0..<c.count where !c.isNull(i) && i + 1 < offsets.count {
                let s = data[Int(offsets[i])..<Int(offsets[i + 1])]
                if let l = lo, !s.lexicographicallyPrecedes(l) {} else { lo = s }
                if let h = hi, !h.lexicographicallyPrecedes(s) {} else { hi = s }
            }
            guard let lo, let hi else { return nil }
            return (.string(String(decoding: lo, as: UTF8.self)), .string(String(decoding: hi, as: UTF8.self)))
        default: return nil
        }
    }

    /// The distinct non-null values when there are at most `limit` (integers, dates, strings, booleans).
    static func distinct(_ c: Column, limit: Int) -> [Literal]? {
        var seen = Set<Literal>()
        for i in 0..<c.count where !c.isNull(i) {
            let l: Literal
            switch (c.type, c.values) {
            case let (.int8, .int8(a)): l = .integer(Int64(a[i]))
            case let (.int16, .int16(a)): l = .integer(Int64(a[i]))
            case let (.int32, .int32(a)): l = .integer(Int64(a[i]))
            case let (.int64, .int64(a)): l = .integer(a[i])
            case let (.date, .int32(a)): l = .date(days: a[i])
            case let (.boolean, .boolean(b)): l = .boolean(b[i])
            case let (.string, .bytes(o, d)) where i + 1 < o.count: l = .string(String(decoding: d[Int(o[i])..<Int(o[i + 1])], as: UTF8.self))
            default: return nil
            }
            seen.insert(l)
            if seen.count > limit { return nil }
        }
        return Array(seen)
    }
}
