/// A predicate compiled for data skipping: each leaf compares one referenced column (a slot) with constants
/// already typed the way the engine compares them, so evaluating it on a file is pure arithmetic on bounds.
indirect enum SkippingPredicate: Sendable, Hashable {
    /// A fixed set of outcomes (`.any` for anything data skipping does not understand).
    case constant(Outcomes)
    /// `column op value`, the column's bounds converted to the comparison type first.
    case compare(slot: Int, SkippingComparison, SkippingValue, BoundConversion)
    /// `column IN (values)` (plus NULL when `hasNull`).
    case inList(slot: Int, [SkippingValue], hasNull: Bool, BoundConversion)
    /// `column <=> value` for a non-null value.
    case notDistinct(slot: Int, SkippingValue, BoundConversion)
    /// `column IS NULL`.
    case isNull(slot: Int)
    case and(SkippingPredicate, SkippingPredicate)
    case or(SkippingPredicate, SkippingPredicate)
    case not(SkippingPredicate)

    /// The truth values the predicate can take on rows whose columns lie within `bounds` (indexed by slot).
    func outcomes(_ bounds: [ColumnBounds]) -> Outcomes {
        func column(_ slot: Int, _ conversion: BoundConversion) -> ColumnBounds {
            slot < bounds.count ? conversion.apply(bounds[slot]) : .unknown
        }
        switch self {
        case let .constant(o): return o
        case let .compare(slot, op, value, conversion): return column(slot, conversion).outcomes(op, value)
        case let .inList(slot, values, hasNull, conversion): return column(slot, conversion).inListOutcomes(values, hasNull: hasNull)
        case let .notDistinct(slot, value, conversion): return column(slot, conversion).notDistinctOutcomes(value)
        case let .isNull(slot): return column(slot, .identity).isNullOutcomes
        case let .and(a, b): return a.outcomes(bounds).and(b.outcomes(bounds))
        case let .or(a, b): return a.outcomes(bounds).or(b.outcomes(bounds))
        case let .not(a): return a.outcomes(bounds).not
        }
    }

    /// The slots the predicate reads.
    var slots: Set<Int> {
        switch self {
        case .constant: return []
        case let .compare(slot, _, _, _), let .inList(slot, _, _, _), let .notDistinct(slot, _, _), let .isNull(slot): return [slot]
        case let .and(a, b), let .or(a, b): return a.slots.union(b.slots)
        case let .not(a): return a.slots
        }
    }
}
