import Columnar
import DataFrame
import DeltaLog
import Parquet

/// File skipping for scans: partition predicates evaluated on the files' partition values, and simple
/// comparisons (`col op literal`) checked against the files' min/max stats. Both only ever drop files that
/// cannot hold a matching row; the full predicate is applied to the rows afterwards.
enum FilePruning {
    /// The top-level AND terms of a predicate.
    static func conjuncts(_ e: Expr) -> [Expr] {
        if case let .binary(.and, a, b) = e { return conjuncts(a) + conjuncts(b) }
        return [e]
    }

    /// Lowercased names of the columns an expression references.
    static func columns(_ e: Expr) -> Set<String> {
        var out = Set<String>()
        func visit(_ e: Expr) {
            switch e {
            case let .column(parts): if let last = parts.last { out.insert(last.lowercased()) }
            case .literal: break
            case let .negate(x), let .not(x), let .isNull(x, _), let .cast(x, _): visit(x)
            case let .binary(_, a, b), let .isDistinctFrom(a, b, _): visit(a); visit(b)
            case let .inList(x, items, _): visit(x); items.forEach(visit)
            case let .between(x, lo, hi, _): visit(x); visit(lo); visit(hi)
            case let .like(x, p, _, _, _): visit(x); visit(p)
            case let .caseWhen(op, branches, otherwise):
                if let op { visit(op) }
                for b in branches { visit(b.when); visit(b.then) }
                if let otherwise { visit(otherwise) }
            case let .function(_, args): args.forEach(visit)
            }
        }
        visit(e)
        return out
    }

    /// Files whose partition values can satisfy the partition-only terms of `predicate`.
    static func byPartition(_ files: [AddFile], predicate: Expr, snapshot: Snapshot) throws -> [AddFile] {
        let partitionNames = Set(snapshot.partitionColumns.map { $0.lowercased() })
        let terms = conjuncts(predicate).filter { let c = columns($0); return !c.isEmpty && c.isSubset(of: partitionNames) }
        guard !terms.isEmpty, !files.isEmpty else { return files }
        var named: [(name: String, column: Column)] = []
        for name in snapshot.partitionColumns {
            guard let field = snapshot.schema.field(named: name) else { continue }
            let values = try files.map { f throws -> Scalar in
                try PartitionValues.parse(snapshot.rawPartitionValue(f, field), type: field.type, column: name)
            }
            named.append((name, try Column(field.type, values)))
        }
        let frame = try DataFrame(named)
        let condition = terms.dropFirst().reduce(terms[0]) { $0.and($1) }
        let mask = try frame.evaluate(condition)
        guard case let .boolean(bits) = mask.values else { return files }
        return files.indices.filter { !mask.isNull($0) && bits[$0] }.map { files[$0] }
    }

    /// A `column op literal` term of a predicate on a data column.
    typealias Check = (field: Field, op: BinaryOperator, literal: Literal)

    /// The `col op literal` terms of `predicate` on data (non-partition) columns.
    static func simpleChecks(_ predicate: Expr, snapshot: Snapshot) -> [Check] {
        let partitions = Set(snapshot.partitionColumns)
        var checks: [Check] = []
        for term in conjuncts(predicate) {
            guard case let .binary(op, a, b) = term else { continue }
            switch (a, b) {
            case let (.column(parts), .literal(lit)):
                if let f = parts.last.flatMap({ snapshot.schema.field(named: $0) }), !partitions.contains(f.name) { checks.append((f, op, lit)) }
            case let (.literal(lit), .column(parts)):
                if let f = parts.last.flatMap({ snapshot.schema.field(named: $0) }), !partitions.contains(f.name), let flipped = flip(op) { checks.append((f, flipped, lit)) }
            default: continue
            }
        }
        return checks
    }

    /// Row groups of a Parquet file whose statistics do not rule out every `col op literal` term.
    static func rowGroups(_ reader: ParquetReader, checks: [Check], physicalName: (Field) -> String) -> [Int]? {
        guard !checks.isEmpty, reader.rowGroupCount > 1 else { return nil }
        return (0..<reader.rowGroupCount).filter { group in
            for check in checks {
                guard let literal = comparable(check.literal),
                      let stats = try? reader.statistics(rowGroup: group, column: physicalName(check.field)),
                      let lo = stats.min.flatMap({ comparable($0, check.field.type) }),
                      let hi = stats.max.flatMap({ comparable($0, check.field.type) }) else { continue }
                if !mayMatch(op: check.op, literal: literal, min: lo, max: hi) { return false }
            }
            return true
        }
    }

    /// A Parquet statistic as a comparable value (integers, floats and strings; exact, not truncated).
    static func comparable(_ v: Scalar, _ type: DataType) -> Comparable? {
        switch (type, v) {
        case (.int8, .int(let i)), (.int16, .int(let i)), (.int32, .int(let i)), (.int64, .int(let i)): return .number(Double(i))
        case (.float32, .float(let f)): return f.isNaN ? nil : .number(Double(f))
        case (.float64, .double(let d)): return d.isNaN ? nil : .number(d)
        case (.string, .string(let s)): return .text(s)
        default: return nil
        }
    }

    /// Files whose stats do not rule out every `col op literal` term of `predicate`.
    static func byStats(_ files: [AddFile], predicate: Expr, snapshot: Snapshot) -> [AddFile] {
        let checks = simpleChecks(predicate, snapshot: snapshot)
        guard !checks.isEmpty else { return files }
        let mapping = snapshot.columnMappingMode != "none"
        return files.filter { file in
            guard let text = file.stats, let stats = try? JSONValue.parse(text) else { return true }
            for check in checks {
                let name = mapping ? DeltaSchema.physicalName(check.field) : check.field.name
                guard let lo = stats["minValues"]?[name], let hi = stats["maxValues"]?[name],
                      let literal = comparable(check.literal), let min = comparable(lo, check.field.type, isMax: false),
                      let max = comparable(hi, check.field.type, isMax: true) else { continue }
                if !mayMatch(op: check.op, literal: literal, min: min, max: max) { return false }
            }
            return true
        }
    }

    static func flip(_ op: BinaryOperator) -> BinaryOperator? {
        switch op {
        case .equal: .equal
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        default: nil
        }
    }

    /// A value in a form that compares like the column: numbers as doubles, text as strings.
    enum Comparable: Sendable {
        case number(Double)
        case text(String)
    }

    static func comparable(_ lit: Literal) -> Comparable? {
        switch lit {
        case let .integer(i), let .typedInteger(i, _): .number(Double(i))
        case let .double(d): .number(d)
        case let .float(f): .number(Double(f))
        case let .decimal(u, _, s): .number(Double(u) / pow10(s))
        case let .string(s): .text(s)
        default: nil
        }
    }

    static func comparable(_ v: JSONValue, _ type: DataType, isMax: Bool) -> Comparable? {
        switch (type, v) {
        case (.int8, .int(let i)), (.int16, .int(let i)), (.int32, .int(let i)), (.int64, .int(let i)): return .number(Double(i))
        case (.float32, .int(let i)), (.float64, .int(let i)), (.decimal, .int(let i)): return .number(Double(i))
        case (.float32, .double(let d)), (.float64, .double(let d)), (.decimal, .double(let d)):
            // Doubles in JSON may round; widen the bound by one ulp so rounding never skips a matching file.
            return .number(isMax ? d.nextUp : d.nextDown)
        case (.string, .string(let s)):
            // A truncated max string ends in U+FFFD and is still an upper bound; a truncated min is a prefix.
            return .text(s)
        default: return nil
        }
    }

    static func pow10(_ s: Int) -> Double {
        var r = 1.0
        for _ in 0..<max(0, s) { r *= 10 }
        return r
    }

    static func mayMatch(op: BinaryOperator, literal: Comparable, min: Comparable, max: Comparable) -> Bool {
        func cmp(_ a: Comparable, _ b: Comparable) -> Int? {
            switch (a, b) {
            case let (.number(x), .number(y)): return x < y ? -1 : (x > y ? 1 : 0)
            case let (.text(x), .text(y)):
                if x.utf8.elementsEqual(y.utf8) { return 0 }
                return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
            default: return nil
            }
        }
        guard let lMin = cmp(literal, min), let lMax = cmp(literal, max) else { return true }
        switch op {
        case .equal: return lMin >= 0 && lMax <= 0
        case .less: return lMin > 0            // some value < literal needs min < literal
        case .lessOrEqual: return lMin >= 0
        case .greater: return lMax < 0          // some value > literal needs max > literal
        case .greaterOrEqual: return lMax <= 0
        default: return true
        }
    }
}
