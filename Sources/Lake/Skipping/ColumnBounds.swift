/// What is known about the values of one column in one file, row group or partition, in the representation
/// of the type it is compared in: the range of its ordinary values and whether nulls and NaNs can occur.
///
/// Every field errs towards "may": a missing statistic widens the bounds, it never narrows them.
struct ColumnBounds: Sendable, Hashable {
    /// Every non-null, non-NaN value is at least this (nil: no lower bound known).
    var lower: SkippingValue?
    /// Every non-null, non-NaN value is at most this (nil: no upper bound known).
    var upper: SkippingValue?
    /// `upper` is only a prefix (a truncated string max): every value is below it or starts with it.
    var upperIsPrefix = false
    /// Whether non-null, non-NaN values can occur.
    var mayHaveOrdinary = true
    /// Whether NaN can occur (float and double columns: writers such as Arrow and lake leave NaN out of min/max).
    var mayHaveNaN = true
    /// Whether nulls can occur.
    var mayHaveNull = true

    /// Nothing known.
    static let unknown = ColumnBounds()

    /// Only nulls (a null partition value, a column whose null count is its row count).
    static let allNull = ColumnBounds(mayHaveOrdinary: false, mayHaveNaN: false, mayHaveNull: true)

    /// Exactly one value and no nulls (a partition value).
    static func exactly(_ value: SkippingValue) -> ColumnBounds {
        if value.isNaN { return ColumnBounds(mayHaveOrdinary: false, mayHaveNaN: true, mayHaveNull: false) }
        return ColumnBounds(lower: value, upper: value, mayHaveOrdinary: true, mayHaveNaN: false, mayHaveNull: false)
    }

    /// Whether any non-null value can occur.
    var mayHaveValue: Bool { mayHaveOrdinary || mayHaveNaN }

    /// The single value every non-null row holds, when the bounds pin one down.
    var singleValue: SkippingValue? {
        if mayHaveNaN && !mayHaveOrdinary { return .floating(.nan) }
        guard mayHaveOrdinary, !mayHaveNaN, !upperIsPrefix, let lower, let upper, lower.compare(upper) == 0 else { return nil }
        return lower
    }

    /// The single ordinary value, when lower and upper bound meet (NaN and nulls aside).
    var ordinarySingle: SkippingValue? {
        guard mayHaveOrdinary, !upperIsPrefix, let lower, let upper, lower.compare(upper) == 0 else { return nil }
        return lower
    }

    // MARK: Existence of ordinary values relative to a constant

    /// Some ordinary value may be below `c` (or equal to it when not `strict`).
    func mayBeBelow(_ c: SkippingValue, strict: Bool) -> Bool {
        guard let lower, let r = lower.compare(c) else { return true }
        return strict ? r < 0 : r <= 0
    }

    /// Some ordinary value may be above `c` (or equal to it when not `strict`).
    func mayBeAbove(_ c: SkippingValue, strict: Bool) -> Bool {
        guard let upper, let r = upper.compare(c) else { return true }
        if upperIsPrefix {
            // Values run up to "upper followed by anything": above c unless c is past every such string.
            return r > 0 || c.hasPrefix(upper)
        }
        return strict ? r > 0 : r >= 0
    }
}

/// The comparison operators of a predicate, with the column on the left.
enum SkippingComparison: Sendable, Hashable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual

    /// The operator with its operands swapped (`5 < x` is `x > 5`).
    var flipped: SkippingComparison {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }

    /// The truth of `NaN op c` under Spark's order, where NaN equals NaN and is above every other value.
    func nanRow(literalIsNaN: Bool) -> Bool {
        if literalIsNaN {
            switch self {
            case .equal, .lessOrEqual, .greaterOrEqual: return true
            case .notEqual, .less, .greater: return false
            }
        }
        switch self {
        case .greater, .greaterOrEqual, .notEqual: return true
        case .equal, .less, .lessOrEqual: return false
        }
    }

    /// The truth of `v op NaN` for an ordinary (non-NaN) value `v`.
    var ordinaryAgainstNaN: Bool {
        switch self {
        case .less, .lessOrEqual, .notEqual: true
        case .equal, .greater, .greaterOrEqual: false
        }
    }
}

extension ColumnBounds {
    /// The outcomes of `column op c` for a non-null constant `c` over the values these bounds allow.
    func outcomes(_ op: SkippingComparison, _ c: SkippingValue) -> Outcomes {
        var out: Outcomes = mayHaveNull ? .isNull : []
        if mayHaveNaN { out.insert(.known(op.nanRow(literalIsNaN: c.isNaN))) }
        guard mayHaveOrdinary else { return out }
        if c.isNaN {
            out.insert(.known(op.ordinaryAgainstNaN))
            return out
        }
        let single = ordinarySingle.map { $0.compare(c) == 0 } ?? false
        let mayEqual = mayBeBelow(c, strict: false) && mayBeAbove(c, strict: false)
        let mayDiffer = !single
        let (t, f): (Bool, Bool)
        switch op {
        case .equal: (t, f) = (mayEqual, mayDiffer)
        case .notEqual: (t, f) = (mayDiffer, mayEqual)
        case .less: (t, f) = (mayBeBelow(c, strict: true), mayBeAbove(c, strict: false))
        case .lessOrEqual: (t, f) = (mayBeBelow(c, strict: false), mayBeAbove(c, strict: true))
        case .greater: (t, f) = (mayBeAbove(c, strict: true), mayBeBelow(c, strict: false))
        case .greaterOrEqual: (t, f) = (mayBeAbove(c, strict: false), mayBeBelow(c, strict: true))
        }
        if t { out.insert(.isTrue) }
        if f { out.insert(.isFalse) }
        return out
    }

    /// The outcomes of `column IN (items)`; `hasNull` when the list holds a NULL (which turns every
    /// non-match into NULL).
    func inListOutcomes(_ items: [SkippingValue], hasNull: Bool) -> Outcomes {
        var out: Outcomes = mayHaveNull ? .isNull : []
        guard mayHaveValue else { return out }
        if items.contains(where: { outcomes(.equal, $0).contains(.isTrue) }) { out.insert(.isTrue) }
        let allInList = singleValue.map { v in items.contains { $0.sqlEquals(v) } } ?? false
        if !allInList { out.insert(hasNull ? .isNull : .isFalse) }
        return out
    }

    /// The outcomes of `column IS NULL`.
    var isNullOutcomes: Outcomes {
        var out: Outcomes = []
        if mayHaveNull { out.insert(.isTrue) }
        if mayHaveValue { out.insert(.isFalse) }
        return out
    }

    /// The outcomes of `column <=> c` for a non-null `c`: like `=`, with NULL rows FALSE.
    func notDistinctOutcomes(_ c: SkippingValue) -> Outcomes {
        var eq = outcomes(.equal, c)
        if eq.contains(.isNull) {
            eq.remove(.isNull)
            eq.insert(.isFalse)
        }
        return eq
    }
}
