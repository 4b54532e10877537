import Columnar
import DeltaLog

/// Per-file statistics as Delta writes them in `add.stats` (PROTOCOL.md "Per-file Statistics"): numRecords, and
/// minValues / maxValues / nullCount for the first `delta.dataSkippingNumIndexedCols` leaf columns, computed
/// straight from the column buffers that go into the file.
enum FileStatistics {
    /// Delta's default number of indexed leaf columns.
    static let defaultIndexedColumns = 32
    /// Delta's `delta.dataSkippingStringPrefixLength` default: string stats keep 32 characters.
    static let stringPrefixLength = 32

    /// The stats JSON text for a data file holding `columns` (named by `fields`, physical names).
    static func json(fields: [Field], columns: [Column], rowCount: Int, indexedColumns: Int) -> String {
        var budget = indexedColumns < 0 ? Int.max : indexedColumns
        var mins: [(String, [UInt8])] = []
        var maxs: [(String, [UInt8])] = []
        var nulls: [(String, [UInt8])] = []
        collect(fields: fields, columns: columns, budget: &budget, mins: &mins, maxs: &maxs, nulls: &nulls)
        var out: [UInt8] = Array("{\"numRecords\":\(rowCount),\"minValues\":".utf8)
        appendObject(mins, to: &out)
        out += Array(",\"maxValues\":".utf8)
        appendObject(maxs, to: &out)
        out += Array(",\"nullCount\":".utf8)
        appendObject(nulls, to: &out)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendObject(_ pairs: [(String, [UInt8])], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, (k, v)) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            ValueText.appendJSONString(Array(k.utf8), to: &out)
            out.append(UInt8(ascii: ":"))
            out += v
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func collect(
        fields: [Field], columns: [Column], budget: inout Int,
        mins: inout [(String, [UInt8])], maxs: inout [(String, [UInt8])], nulls: inout [(String, [UInt8])]
    ) {
        for (field, column) in zip(fields, columns) {
            guard budget > 0 else { return }
            if case let .structure(children) = column.values, case let .structure(childFields) = field.type {
                var cmin: [(String, [UInt8])] = [], cmax: [(String, [UInt8])] = [], cnull: [(String, [UInt8])] = []
                // A null struct makes its children null too: fold the parent's validity into theirs.
                let folded = children.map { child in withParentNulls(child, parent: column.validity) }
                collect(fields: childFields, columns: folded, budget: &budget, mins: &cmin, maxs: &cmax, nulls: &cnull)
                var o: [UInt8] = []
                if !cmin.isEmpty { appendObject(cmin, to: &o); mins.append((field.name, o)); o = [] }
                if !cmax.isEmpty { appendObject(cmax, to: &o); maxs.append((field.name, o)); o = [] }
                appendObject(cnull, to: &o)
                nulls.append((field.name, o))
                continue
            }
            budget -= 1
            nulls.append((field.name, Array(String(column.nullCount).utf8)))
            if let (lo, hi) = minMax(column) {
                mins.append((field.name, lo))
                maxs.append((field.name, hi))
            }
        }
    }

    private static func withParentNulls(_ child: Column, parent: Bitmap?) -> Column {
        guard let parent else { return child }
        var v = child.validity ?? Bitmap(count: child.count, value: true)
        for i in 0..<child.count where !parent[i] { v[i] = false }
        return Column(unchecked: child.type, count: child.count, validity: v, values: child.values)
    }

    /// JSON texts of the smallest and largest non-null values, or nil when the type has no min/max stats
    /// in Delta (boolean, binary, nested) or every value is null (or NaN).
    static func minMax(_ c: Column) -> ([UInt8], [UInt8])? {
        func ints<T: BinaryInteger>(_ a: [T]) -> ([UInt8], [UInt8])? {
            var lo: T?, hi: T?
            for i in 0..<a.count where !c.isNull(i) {
                let x = a[i]
                if lo.map({ x < $0 }) ?? true { lo = x }
                if hi.map({ x > $0 }) ?? true { hi = x }
            }
            guard let lo, let hi else { return nil }
            return (Array(String(lo).utf8), Array(String(hi).utf8))
        }
        func floats<T: BinaryFloatingPoint & CustomStringConvertible>(_ a: [T]) -> ([UInt8], [UInt8])? {
            var lo: T?, hi: T?
            for i in 0..<a.count where !c.isNull(i) && !a[i].isNaN {
                let x = a[i]
                if lo.map({ x < $0 }) ?? true { lo = x }
                if hi.map({ x > $0 }) ?? true { hi = x }
            }
            guard let lo, let hi, lo.isFinite, hi.isFinite else { return nil }
            return (Array(number(lo.description).utf8), Array(number(hi.description).utf8))
        }
        switch c.values {
        case let .int8(a): return ints(a)
        case let .int16(a): return ints(a)
        case let .int32(a):
            if case .date = c.type {
                guard let (lo, hi) = extremes(a, c) else { return nil }
                return (quotedDate(Int64(lo)), quotedDate(Int64(hi)))
            }
            return ints(a)
        case let .int64(a):
            if case let .timestamp(unit, utc) = c.type {
                guard let (lo, hi) = extremes(a, c) else { return nil }
                return (timestampText(lo, unit: unit, utc: utc), timestampText(hi, unit: unit, utc: utc))
            }
            if case .time = c.type { return nil }
            return ints(a)
        case let .float32(a): return floats(a)
        case let .float64(a): return floats(a)
        case let .decimal(a):
            guard case let .decimal(_, scale) = c.type, let (lo, hi) = extremes(a, c) else { return nil }
            return (Array(PartitionValues.formatDecimal(lo, scale: scale).utf8), Array(PartitionValues.formatDecimal(hi, scale: scale).utf8))
        case let .bytes(o, d):
            guard case .string = c.type else { return nil }
            var lo: Range<Int>?, hi: Range<Int>?
            for i in 0..<c.count where !c.isNull(i) {
                let r = Int(o[i])..<Int(o[i + 1])
                if lo.map({ d[r].lexicographicallyPrecedes(d[$0]) }) ?? true { lo = r }
                if hi.map({ d[$0].lexicographicallyPrecedes(d[r]) }) ?? true { hi = r }
            }
            guard let lo, let hi else { return nil }
            let minText = truncatedMin(String(decoding: d[lo], as: UTF8.self))
            let maxText = truncatedMax(String(decoding: d[hi], as: UTF8.self))
            var a: [UInt8] = [], b: [UInt8] = []
            ValueText.appendJSONString(Array(minText.utf8), to: &a)
            ValueText.appendJSONString(Array(maxText.utf8), to: &b)
            return (a, b)
        default:
            return nil
        }
    }

    private static func extremes<T: Comparable>(_ a: [T], _ c: Column) -> (T, T)? {
        var lo: T?, hi: T?
        for i in 0..<a.count where !c.isNull(i) {
            let x = a[i]
            if lo.map({ x < $0 }) ?? true { lo = x }
            if hi.map({ x > $0 }) ?? true { hi = x }
        }
        guard let lo, let hi else { return nil }
        return (lo, hi)
    }

    /// Swift prints `1e-05` and `5.0`; both are valid JSON numbers, so only `inf`/`nan` (excluded) would not be.
    private static func number(_ s: String) -> String { s }

    private static func quotedDate(_ days: Int64) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        CivilTime.appendDate(days: days, to: &out)
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// Delta writes timestamp stats with millisecond precision, `Z` for UTC-adjusted values
    /// (`2024-01-01T10:00:00.000Z`); the value is truncated toward the past, so readers widen maxima by 1 ms.
    static func timestampText(_ v: Int64, unit: TimeUnit, utc: Bool) -> [UInt8] {
        let millis = CivilTime.floorDivMod(v, unit.perSecond / 1000).0
        let (secs, ms) = CivilTime.floorDivMod(millis, 1000)
        let (days, secOfDay) = CivilTime.floorDivMod(secs, 86_400)
        var out: [UInt8] = [UInt8(ascii: "\"")]
        CivilTime.appendDate(days: days, to: &out)
        out.append(UInt8(ascii: "T"))
        func two(_ x: Int64) { out.append(UInt8(48 + x / 10)); out.append(UInt8(48 + x % 10)) }
        two(secOfDay / 3600); out.append(UInt8(ascii: ":"))
        two(secOfDay / 60 % 60); out.append(UInt8(ascii: ":"))
        two(secOfDay % 60); out.append(UInt8(ascii: "."))
        out.append(UInt8(48 + ms / 100)); out.append(UInt8(48 + ms / 10 % 10)); out.append(UInt8(48 + ms % 10))
        if utc { out.append(UInt8(ascii: "Z")) }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// The first 32 characters: still a lower bound.
    static func truncatedMin(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard scalars.count > stringPrefixLength else { return s }
        return String(String.UnicodeScalarView(scalars.prefix(stringPrefixLength)))
    }

    /// Delta's upper bound for long strings: a prefix of at least 32 characters followed by U+FFFD, extended until
    /// the first cut character is below U+FFFD so the result still sorts after the original.
    static func truncatedMax(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count > stringPrefixLength else { return s }
        var i = stringPrefixLength
        while i < scalars.count {
            if scalars[i].value < 0xFFFD {
                var view = String.UnicodeScalarView(scalars[..<i])
                view.append("\u{FFFD}")
                return String(view)
            }
            i += 1
        }
        return s
    }
}
