import Columnar
import DataFrame

/// Compiles an `Expr` into a `SkippingPredicate`: resolves columns into slots and types each constant against
/// its column exactly as the engine's type checker does (`long_col = 1.5` compares in decimal, `date_col =
/// '2024-01-01'` reads the string as a date). Anything it cannot follow exactly becomes `.constant(.any)`.
struct PredicateCompiler {
    let table: SkippingTable
    /// The referenced columns, indexed by slot.
    private(set) var columns: [SkippingColumn] = []

    init(table: SkippingTable) {
        self.table = table
    }

    /// The compiled form of `e`.
    mutating func compile(_ e: Expr) -> SkippingPredicate {
        switch e {
        case let .binary(.and, a, b): return .and(compile(a), compile(b))
        case let .binary(.or, a, b): return .or(compile(a), compile(b))
        case let .not(x): return .not(compile(x))
        case let .binary(op, a, b) where op.isComparison:
            guard let cmp = Self.comparison(op) else { return .constant(.any) }
            if let (slot, type) = column(a), let c = Self.constant(b) { return compare(slot, type, cmp, c) }
            if let (slot, type) = column(b), let c = Self.constant(a) { return compare(slot, type, cmp.flipped, c) }
            return .constant(.any)
        case let .isNull(x, negated):
            guard let (slot, _) = column(x) else { return .constant(.any) }
            return negated ? .not(.isNull(slot: slot)) : .isNull(slot: slot)
        case let .isDistinctFrom(a, b, negated):
            var leaf: SkippingPredicate = .constant(.any)
            if let (slot, type) = column(a), let c = Self.constant(b) { leaf = notDistinct(slot, type, c) }
            else if let (slot, type) = column(b), let c = Self.constant(a) { leaf = notDistinct(slot, type, c) }
            // `<=>` is `IS NOT DISTINCT FROM` (negated); `IS DISTINCT FROM` is its negation, never NULL either.
            return negated ? leaf : .not(leaf)
        case let .inList(x, items, negated):
            guard let (slot, type) = column(x) else { return .constant(.any) }
            var constants: [TypedConstant] = []
            for item in items {
                guard let c = Self.constant(item) else { return .constant(.any) }
                constants.append(c)
            }
            let leaf = inList(slot, type, constants)
            return negated ? .not(leaf) : leaf
        case let .between(x, low, high, negated):
            // The engine's own rewrite: x >= low AND x <= high.
            let range = compile(.binary(.and, .binary(.greaterOrEqual, x, low), .binary(.lessOrEqual, x, high)))
            return negated ? .not(range) : range
        case let .literal(l):
            switch l {
            case .null: return .constant(.isNull)
            case let .boolean(b): return .constant(.known(b))
            default: return .constant(.any)
            }
        case .column:
            // A boolean column used as a condition is `column = TRUE`.
            guard let (slot, type) = column(e), type == .boolean else { return .constant(.any) }
            return .compare(slot: slot, .equal, .boolean(true), .identity)
        default:
            return .constant(.any)
        }
    }

    // MARK: Leaves

    /// A constant with the type the engine gives it.
    struct TypedConstant {
        var type: DataType
        var value: Scalar
    }

    /// A literal or a cast of one, folded as the engine folds it; nil for anything else.
    static func constant(_ e: Expr) -> TypedConstant? {
        switch e {
        case let .literal(l):
            let (type, value) = l.typedValue
            return TypedConstant(type: type, value: value)
        case let .cast(x, type):
            guard let inner = constant(x) else { return nil }
            guard let v = try? TypeChecker.castConstant(inner.value, from: inner.type, to: type) else { return nil }
            return TypedConstant(type: type, value: v)
        default:
            return nil
        }
    }

    /// `c` in the comparison type `target` as a skipping value.
    static func value(_ c: TypedConstant, in target: DataType) -> SkippingValue? {
        guard let v = try? TypeChecker.castConstant(c.value, from: c.type, to: target) else { return nil }
        return SkippingTypes.value(v, type: target)
    }

    mutating func compare(_ slot: Int, _ type: DataType, _ op: SkippingComparison, _ c: TypedConstant) -> SkippingPredicate {
        // A comparison with NULL is NULL on every row.
        if c.value == .null { return .constant(.isNull) }
        guard let target = TypeChecker.comparedType(type, c.type), let conversion = BoundConversion.make(from: type, to: target),
              let v = Self.value(c, in: target) else { return .constant(.any) }
        return .compare(slot: slot, op, v, conversion)
    }

    mutating func notDistinct(_ slot: Int, _ type: DataType, _ c: TypedConstant) -> SkippingPredicate {
        if c.value == .null { return .isNull(slot: slot) }
        guard let target = TypeChecker.comparedType(type, c.type), let conversion = BoundConversion.make(from: type, to: target),
              let v = Self.value(c, in: target) else { return .constant(.any) }
        return .notDistinct(slot: slot, v, conversion)
    }

    mutating func inList(_ slot: Int, _ type: DataType, _ items: [TypedConstant]) -> SkippingPredicate {
        // The engine compares the value and every item in one common type, widened item by item.
        var common = type
        for item in items where item.value != .null {
            guard let next = TypeChecker.comparedType(common, item.type) else { return .constant(.any) }
            common = next
        }
        guard let conversion = BoundConversion.make(from: type, to: common) else { return .constant(.any) }
        var values: [SkippingValue] = []
        var hasNull = false
        for item in items {
            if item.value == .null { hasNull = true; continue }
            guard let v = Self.value(item, in: common) else { return .constant(.any) }
            values.append(v)
        }
        return .inList(slot: slot, values, hasNull: hasNull, conversion)
    }

    /// The slot and table type of a plain column reference.
    mutating func column(_ e: Expr) -> (Int, DataType)? {
        guard case let .column(parts) = e, let field = table.field(parts) else { return nil }
        let physical = table.physicalName(field)
        if let i = columns.firstIndex(where: { $0.field.name == field.name }) { return (i, field.type) }
        columns.append(SkippingColumn(field: field, isPartition: table.isPartition(field), physicalName: physical))
        return (columns.count - 1, field.type)
    }

    static func comparison(_ op: BinaryOperator) -> SkippingComparison? {
        switch op {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        default: nil
        }
    }
}
