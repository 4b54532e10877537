import Columnar
import DataFrame
import DeltaLog

extension ReadPredicate {
    /// What a transaction that scanned with `filter` read, as the conflict checker evaluates it on a winning
    /// commit's partition values (CONFLICTS.md rule 5).
    ///
    /// `=`, `IN`, `IS NULL`, `<=>`, `AND` and `OR` over partition columns map exactly, with constants typed as
    /// the engine types them and serialized canonically (`PartitionValues.serialize`). Everything else widens,
    /// never narrows, since a missed conflict loses an update: an inexpressible conjunct of an AND is dropped,
    /// an OR with an inexpressible branch, or a filter with nothing expressible, is the whole table. Only
    /// types whose serialized form is unique are matched by value (strings, integers, booleans, dates);
    /// timestamps, decimals and floats have several spellings across writers, so they widen too.
    init(partitionFilter filter: Expr, table: SkippingTable) {
        self = PartitionReadPredicate(table: table).convert(filter) ?? .wholeTable
    }

    /// The read predicate of `filter` over the snapshot's table.
    init(partitionFilter filter: Expr, snapshot: Snapshot) {
        self.init(partitionFilter: filter, table: SkippingTable(snapshot: snapshot))
    }
}

/// The conversion behind `ReadPredicate(partitionFilter:table:)`; nil means "not expressible".
struct PartitionReadPredicate {
    let table: SkippingTable

    func convert(_ e: Expr) -> ReadPredicate? {
        switch e {
        case let .binary(.and, a, b):
            let parts = [convert(a), convert(b)].compactMap { $0 }
            if parts.isEmpty { return nil }
            return parts.count == 1 ? parts[0] : .and(parts)
        case let .binary(.or, a, b):
            guard let l = convert(a), let r = convert(b) else { return nil }
            return .or([l, r])
        case let .binary(.equal, a, b):
            if let p = equals(a, b) { return p }
            return equals(b, a)
        case let .isDistinctFrom(a, b, negated: true):
            if let p = notDistinct(a, b) { return p }
            return notDistinct(b, a)
        case let .isNull(x, negated: false):
            guard let key = partitionKey(x)?.key else { return nil }
            return Self.isNull(key)
        case let .inList(x, items, negated: false):
            guard let (key, field) = partitionKey(x) else { return nil }
            var values: [String?] = []
            for item in items {
                guard let c = PredicateCompiler.constant(item) else { return nil }
                if c.value == .null { continue }  // never TRUE
                guard let text = serialized(c, field) else { return nil }
                values.append(text)
            }
            return .isIn(column: key, values: values)
        case .literal(.boolean(false)), .literal(.null):
            return .or([])  // selects nothing
        default:
            return nil
        }
    }

    /// `column = constant`; NULL selects nothing.
    func equals(_ column: Expr, _ constant: Expr) -> ReadPredicate? {
        guard let (key, field) = partitionKey(column), let c = PredicateCompiler.constant(constant) else { return nil }
        if c.value == .null { return .or([]) }
        guard let text = serialized(c, field) else { return nil }
        return .equals(column: key, value: text)
    }

    /// `column <=> constant`: NULL means IS NULL.
    func notDistinct(_ column: Expr, _ constant: Expr) -> ReadPredicate? {
        guard let (key, field) = partitionKey(column), let c = PredicateCompiler.constant(constant) else { return nil }
        if c.value == .null { return Self.isNull(key) }
        guard let text = serialized(c, field) else { return nil }
        return .equals(column: key, value: text)
    }

    /// A null partition value is JSON null or the empty string (PROTOCOL.md "Partition Value Serialization").
    static func isNull(_ key: String) -> ReadPredicate {
        .isIn(column: key, values: [nil, ""])
    }

    /// The partitionValues key and field of a partition column reference.
    func partitionKey(_ e: Expr) -> (key: String, field: Field)? {
        guard case let .column(parts) = e, let field = table.field(parts), table.isPartition(field) else { return nil }
        return (table.physicalName(field), field)
    }

    /// The canonical serialization of `c` as a value of `field`, when equality with it is exactly equality of
    /// the column's own values (the engine compares in the column's type) and the type's text is unique.
    func serialized(_ c: PredicateCompiler.TypedConstant, _ field: Field) -> String? {
        switch field.type {
        case .string, .boolean, .int8, .int16, .int32, .int64, .date: break
        default: return nil
        }
        // The engine compares in the column's type, or in a wider integer type (an int column with a long
        // constant), where equality is still equality of the column's values.
        guard let compared = TypeChecker.comparedType(field.type, c.type),
              compared == field.type || (Self.isInteger(compared) && Self.isInteger(field.type)),
              let v = try? TypeChecker.castConstant(c.value, from: c.type, to: field.type),
              let text = try? PartitionValues.serialize(v, type: field.type) else { return nil }
        return text
    }

    static func isInteger(_ t: DataType) -> Bool {
        t == .int8 || t == .int16 || t == .int32 || t == .int64
    }
}
