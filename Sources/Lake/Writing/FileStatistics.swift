import Columnar
import DeltaLog
import Parquet

/// Per-file statistics as Delta writes them in `add.stats` (PROTOCOL.md "Per-file Statistics"): `numRecords`,
/// and `minValues` / `maxValues` / `nullCount` for the first `delta.dataSkippingNumIndexedCols` leaf columns, or
/// for the columns `delta.dataSkippingStatsColumns` lists when the table sets it (`StatsColumns`).
///
/// They come from the statistics the Parquet writer gathered while encoding each column chunk (combined over
/// the file's row groups), not from a second pass over the data.
enum FileStatistics {
    /// Delta's default number of indexed leaf columns.
    static let defaultIndexedColumns = 32
    /// Delta's `delta.dataSkippingStringPrefixLength` default: string stats keep 32 characters.
    static let stringPrefixLength = 32
    /// The Parquet writer's byte limit for string statistics in data files: long enough that a truncated
    /// Parquet bound always has more than 32 characters, so the Delta bound is cut from it correctly.
    static let parquetTruncateLength = 4 * stringPrefixLength + 64

    /// The stats JSON text of a finished data file, read from its footer. `fields` are the file's top-level
    /// fields (physical names); `listed`, the lowercased physical paths of `delta.dataSkippingStatsColumns`,
    /// replaces the `indexedColumns` budget when given.
    static func json(footer reader: FooterStatistics, fields: [Field], indexedColumns: Int, listed: Set<[String]>? = nil) -> String {
        var budget = indexedColumns < 0 || listed != nil ? Int.max : indexedColumns
        var mins: [(String, [UInt8])] = []
        var maxs: [(String, [UInt8])] = []
        var nulls: [(String, [UInt8])] = []
        collect(reader, fields: fields, prefix: "", parts: [], listed: listed, inherited: false, budget: &budget, mins: &mins, maxs: &maxs, nulls: &nulls)
        var out: [UInt8] = Array("{\"numRecords\":\(reader.rowCount),\"minValues\":".utf8)
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
        _ reader: FooterStatistics, fields: [Field], prefix: String, parts: [String], listed: Set<[String]>?, inherited: Bool, budget: inout Int,
        mins: inout [(String, [UInt8])], maxs: inout [(String, [UInt8])], nulls: inout [(String, [UInt8])]
    ) {
        for field in fields {
            guard budget > 0 else { return }
            let path = prefix + field.name
            let fieldParts = parts + [field.name.lowercased()]
            // With a stats column list: a listed column, or any leaf of a listed struct.
            let chosen = inherited || (listed?.contains(fieldParts) ?? true)
            if case let .structure(children) = field.type {
                var cmin: [(String, [UInt8])] = [], cmax: [(String, [UInt8])] = [], cnull: [(String, [UInt8])] = []
                collect(reader, fields: children, prefix: path + ".", parts: fieldParts, listed: listed, inherited: listed != nil && chosen,
                        budget: &budget, mins: &cmin, maxs: &cmax, nulls: &cnull)
                var o: [UInt8] = []
                if !cmin.isEmpty { appendObject(cmin, to: &o); mins.append((field.name, o)); o = [] }
                if !cmax.isEmpty { appendObject(cmax, to: &o); maxs.append((field.name, o)); o = [] }
                if !cnull.isEmpty { appendObject(cnull, to: &o); nulls.append((field.name, o)) }
                continue
            }
            guard chosen else { continue }
            budget -= 1
            // Lists and maps have no per-value stats in Delta; their leaf null counts count elements, not rows.
            if field.type.isNested { continue }
            guard let combined = combine(reader, path: path, type: field.type) else { continue }
            nulls.append((field.name, Array(String(combined.nullCount).utf8)))
            if let lo = combined.min, let hi = combined.max, let a = render(lo, field.type, isMax: false), let b = render(hi, field.type, isMax: true) {
                mins.append((field.name, a))
                maxs.append((field.name, b))
            }
        }
    }

    /// One leaf's statistics over every row group: nil when some row group has no null count (then Delta must
    /// not claim one); min/max nil when some row group lacks them.
    private static func combine(_ reader: FooterStatistics, path: String, type: DataType) -> (nullCount: Int, min: Scalar?, max: Scalar?)? {
        var nulls = 0
        var lo: Scalar?, hi: Scalar?
        var bounded = true
        for g in 0..<reader.rowGroupCount {
            guard let s = (try? reader.statistics(rowGroup: g, column: path)) ?? nil, let n = s.nullCount else { return nil }
            nulls += n
            let rows = Int(clamping: reader.metadata.rowGroups[g].numRows)
            if n == rows { continue }  // an all-null group has no bounds and needs none
            // Min and max skip NaN, which SQL orders above every number: a file holding NaN gets no bounds.
            if type == .float32 || type == .float64, s.nanCount != 0 { bounded = false; continue }
            guard let a = s.min, let b = s.max else { bounded = false; continue }
            lo = lo.map { less(a, $0) ? a : $0 } ?? a
            hi = hi.map { less($0, b) ? b : $0 } ?? b
        }
        return (nulls, bounded ? lo : nil, bounded ? hi : nil)
    }

    /// Order of two statistics of one column.
    private static func less(_ a: Scalar, _ b: Scalar) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): x < y
        case let (.uint(x), .uint(y)): x < y
        case let (.float(x), .float(y)): x < y
        case let (.double(x), .double(y)): x < y
        case let (.decimal(x), .decimal(y)): x < y
        case let (.string(x), .string(y)): x.utf8.lexicographicallyPrecedes(y.utf8)
        default: false
        }
    }

    /// A bound as Delta's stats JSON writes it, or nil for types without min/max stats (boolean, binary).
    static func render(_ v: Scalar, _ type: DataType, isMax: Bool) -> [UInt8]? {
        switch (type, v) {
        case (.int8, .int(let i)), (.int16, .int(let i)), (.int32, .int(let i)), (.int64, .int(let i)):
            return Array(String(i).utf8)
        case (.date, .int(let days)):
            var out: [UInt8] = [UInt8(ascii: "\"")]
            CivilTime.appendDate(days: days, to: &out)
            out.append(UInt8(ascii: "\""))
            return out
        case let (.timestamp(unit, utc), .int(t)):
            return timestampText(t, unit: unit, utc: utc)
        case (.float32, .float(let f)):
            return f.isFinite ? Array(f.description.utf8) : nil
        case (.float64, .double(let d)):
            return d.isFinite ? Array(d.description.utf8) : nil
        case let (.decimal(_, scale), .decimal(u)):
            return Array(PartitionValues.formatDecimal(u, scale: scale).utf8)
        case (.string, .string(let s)):
            var out: [UInt8] = []
            ValueText.appendJSONString(Array((isMax ? truncatedMax(s) : truncatedMin(s)).utf8), to: &out)
            return out
        default:
            return nil
        }
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
