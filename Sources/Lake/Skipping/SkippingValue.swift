/// A value in the exact form data skipping orders it, in the type a predicate compares a column in.
///
/// Nothing goes through `Double` unless the comparison itself is in floating point (ARCHITECTURE.md
/// invariant 7): 64-bit integers stay integers, decimals stay unscaled at one scale, strings are UTF-8 bytes.
enum SkippingValue: Sendable, Hashable {
    /// Integers of every width, dates (days since the epoch) and timestamps (microseconds since the epoch).
    case integer(Int64)
    /// A decimal's unscaled value at the scale of the type it is compared in.
    case decimal(Int128)
    /// A float or double. NaN only appears as a literal; bounds track NaN apart (`ColumnBounds.mayHaveNaN`).
    case floating(Double)
    /// The UTF-8 bytes of a string; byte order is code point order, the order the engine compares in.
    case bytes([UInt8])
    /// `false` sorts before `true`.
    case boolean(Bool)

    /// Whether this is a floating-point NaN.
    var isNaN: Bool {
        if case let .floating(d) = self { return d.isNaN }
        return false
    }

    /// -1, 0 or 1 as `self` is below, equal to or above `other` (IEEE order: -0.0 equals 0.0, as the engine
    /// compares); nil when the two are of different kinds or either is NaN.
    func compare(_ other: SkippingValue) -> Int? {
        switch (self, other) {
        case let (.integer(a), .integer(b)): return a < b ? -1 : (a == b ? 0 : 1)
        case let (.decimal(a), .decimal(b)): return a < b ? -1 : (a == b ? 0 : 1)
        case let (.floating(a), .floating(b)):
            if a.isNaN || b.isNaN { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        case let (.bytes(a), .bytes(b)):
            if a == b { return 0 }
            return a.lexicographicallyPrecedes(b) ? -1 : 1
        case let (.boolean(a), .boolean(b)): return a == b ? 0 : (!a ? -1 : 1)
        default: return nil
        }
    }

    /// Equality as the engine's `=` sees it (NaN equals NaN, Spark's rule).
    func sqlEquals(_ other: SkippingValue) -> Bool {
        if isNaN || other.isNaN { return isNaN && other.isNaN }
        return compare(other) == 0
    }

    /// Whether these bytes start with `prefix` (strings only).
    func hasPrefix(_ prefix: SkippingValue) -> Bool {
        guard case let .bytes(a) = self, case let .bytes(p) = prefix, p.count <= a.count else { return false }
        return a.starts(with: p)
    }
}
