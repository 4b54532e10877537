/// The truth values a predicate can take on the rows of one file or row group, under SQL's three-valued
/// logic. A file can be skipped exactly when `.isTrue` is not among them: a filter keeps only TRUE rows.
///
/// Sets compose soundly through AND, OR and NOT because each row's value is one element of each operand's
/// set; the result is a superset of the values rows can really take, never a subset.
struct Outcomes: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    /// Some row may make the predicate TRUE.
    static let isTrue = Outcomes(rawValue: 1)
    /// Some row may make it FALSE.
    static let isFalse = Outcomes(rawValue: 2)
    /// Some row may make it NULL.
    static let isNull = Outcomes(rawValue: 4)
    /// Nothing known.
    static let any: Outcomes = [.isTrue, .isFalse, .isNull]

    /// TRUE or FALSE: exactly one of them.
    static func known(_ value: Bool) -> Outcomes { value ? .isTrue : .isFalse }

    /// Whether some row may be selected by a filter with this predicate.
    var mayMatch: Bool { contains(.isTrue) }

    /// `a AND b` over every pair of row values: FALSE wins, then NULL, else TRUE.
    func and(_ b: Outcomes) -> Outcomes {
        var out: Outcomes = []
        if contains(.isTrue) && b.contains(.isTrue) { out.insert(.isTrue) }
        if contains(.isFalse) || b.contains(.isFalse) { out.insert(.isFalse) }
        if (contains(.isNull) && !b.subtracting(.isFalse).isEmpty) || (b.contains(.isNull) && !subtracting(.isFalse).isEmpty) {
            out.insert(.isNull)
        }
        return out
    }

    /// `a OR b`: TRUE wins, then NULL, else FALSE.
    func or(_ b: Outcomes) -> Outcomes {
        var out: Outcomes = []
        if contains(.isTrue) || b.contains(.isTrue) { out.insert(.isTrue) }
        if contains(.isFalse) && b.contains(.isFalse) { out.insert(.isFalse) }
        if (contains(.isNull) && !b.subtracting(.isTrue).isEmpty) || (b.contains(.isNull) && !subtracting(.isTrue).isEmpty) {
            out.insert(.isNull)
        }
        return out
    }

    /// `NOT a`: TRUE and FALSE swap, NULL stays.
    var not: Outcomes {
        var out: Outcomes = []
        if contains(.isTrue) { out.insert(.isFalse) }
        if contains(.isFalse) { out.insert(.isTrue) }
        if contains(.isNull) { out.insert(.isNull) }
        return out
    }
}
