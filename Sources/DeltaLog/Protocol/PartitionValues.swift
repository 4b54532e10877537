import Columnar

/// Delta's string forms of partition values (PROTOCOL.md "Partition Value Serialization") and the Hive-style
/// directory names (`col=value/`) writers use for partitioned data files.
public enum PartitionValues {
    /// Directory name Hive and Spark use for a null partition value.
    public static let hiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__"

    /// Serializes a typed value for `partitionValues`; nil for `.null` (written as JSON null).
    ///
    /// Dates are days since the epoch, timestamps microseconds (as `Scalar.int`), decimals unscaled.
    public static func serialize(_ value: Scalar, type: DataType) throws(DeltaError) -> String? {
        func bad() -> DeltaError { .invalidArgument("partition value \(value) does not fit type \(type.name)") }
        if value == .null { return nil }
        switch (type, value) {
        case (.string, let .string(s)): return s
        case (.boolean, let .boolean(b)): return b ? "true" : "false"
        case (.int8, let .int(i)), (.int16, let .int(i)), (.int32, let .int(i)), (.int64, let .int(i)): return String(i)
        case (.float32, let .float(f)): return formatFloating(Double(f), isFloat: true)
        case (.float64, let .double(d)): return formatFloating(d, isFloat: false)
        case (.float32, let .double(d)): return formatFloating(d, isFloat: true)
        case let (.decimal(_, scale), .decimal(unscaled)): return formatDecimal(unscaled, scale: scale)
        case (.date, let .int(days)):
            var out: [UInt8] = []
            CivilTime.appendDate(days: days, to: &out)
            return String(decoding: out, as: UTF8.self)
        case let (.timestamp(unit, _), .int(v)):
            return formatTimestamp(v, unit: unit)
        case (.binary, let .bytes(b)):
            // Spark reads binary partition values as the UTF-8 bytes of the string; bytes that are not
            // UTF-8 are written one character per byte so nothing is lost.
            if let s = String(validating: b, as: UTF8.self) { return s }
            return String(String.UnicodeScalarView(b.map { Unicode.Scalar($0) }))
        default:
            throw bad()
        }
    }

    /// Parses a serialized partition value (nil or "" is null, per the protocol) into a typed value.
    public static func parse(_ text: String?, type: DataType, column: String) throws(DeltaError) -> Scalar {
        guard let text, !text.isEmpty else { return .null }
        func bad() -> DeltaError { .invalidPartitionValue(column: column, value: text, type: type.name) }
        switch type {
        case .string: return .string(text)
        case .boolean:
            switch text.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw bad()
            }
        case .int8: guard let v = Int8(text) else { throw bad() }; return .int(Int64(v))
        case .int16: guard let v = Int16(text) else { throw bad() }; return .int(Int64(v))
        case .int32: guard let v = Int32(text) else { throw bad() }; return .int(Int64(v))
        case .int64: guard let v = Int64(text) else { throw bad() }; return .int(v)
        case .float32: guard let v = parseFloating(text) else { throw bad() }; return .float(Float(v))
        case .float64: guard let v = parseFloating(text) else { throw bad() }; return .double(v)
        case let .decimal(precision, scale):
            guard let v = parseDecimal(text, precision: precision, scale: scale) else { throw bad() }
            return .decimal(v)
        case .date:
            // Dates are 32-bit day counts: every one of them (years about ±5.8 million) round-trips, no more.
            guard let d = parseDate(Array(text.utf8)[...]), Int32(exactly: d) != nil else { throw bad() }
            return .int(d)
        case let .timestamp(unit, _):
            guard let micros = parseTimestampMicros(text) else { throw bad() }
            switch unit {
            case .microsecond: return .int(micros)
            case .millisecond: return .int(CivilTime.floorDivMod(micros, 1000).0)
            case .nanosecond:
                let (r, o) = micros.multipliedReportingOverflow(by: 1000)
                if o { throw bad() }
                return .int(r)
            }
        case .binary: return .bytes(Array(text.utf8))
        default: throw bad()
        }
    }

    // MARK: Hive directory names

    /// `column=value` with both sides escaped; nil (and "") become `__HIVE_DEFAULT_PARTITION__`.
    public static func hivePathSegment(column: String, value: String?) -> String {
        let v: String
        if let value, !value.isEmpty { v = escapePathName(value) } else { v = hiveDefaultPartition }
        return escapePathName(column) + "=" + v
    }

    /// The relative directory for a file's partition values, in `columns` order, ending in '/' ("" if none).
    public static func hiveDirectory(columns: [String], values: [String: String?]) -> String {
        var out = ""
        for c in columns {
            let v: String? = values[c] ?? nil
            out += hivePathSegment(column: c, value: v) + "/"
        }
        return out
    }

    /// Escapes as Spark does for partition directories: `%XX` for control characters and
    /// `" # % ' * / : = ? \ DEL { [ ] ^`. Spaces and non-ASCII stay as they are on disk; they are
    /// percent-encoded later, when the path becomes the `add.path` URI (`DeltaPath.encode`).
    public static func escapePathName(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            if needsEscape(b) {
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reverses `escapePathName`: `%XX` becomes the byte; malformed escapes are kept literally (as Hive does).
    public static func unescapePathName(_ s: String) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func needsEscape(_ b: UInt8) -> Bool {
        if b >= 0x01 && b <= 0x1F { return true }
        switch b {
        case 0x22, 0x23, 0x25, 0x27, 0x2A, 0x2F, 0x3A, 0x3D, 0x3F, 0x5C, 0x7F, 0x7B, 0x5B, 0x5D, 0x5E: return true
        default: return false
        }
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Formatting helpers

    static func formatFloating(_ d: Double, isFloat: Bool) -> String {
        // Spark's Float/Double toString spellings, so partition directories match what Spark writes.
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        return isFloat ? "\(Float(d))" : "\(d)"
    }

    static func parseFloating(_ s: String) -> Double? {
        switch s {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(s)
        }
    }

    /// Unscaled decimal to plain notation (`-12.30` for -1230 at scale 2).
    public static func formatDecimal(_ unscaled: Int128, scale: Int) -> String {
        let neg = unscaled < 0
        var digits = String(unscaled.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return neg ? "-" + digits : digits
    }

    /// Plain or exponent notation to an unscaled value; nil if it has more significant fraction digits than
    /// `scale` or more digits than `precision`.
    ///
    /// Work is bounded by the text's length whatever the exponent (`1e999999999` fails at once instead of
    /// appending a billion zeros), and the exponent arithmetic is checked.
    public static func parseDecimal(_ s: String, precision: Int, scale: Int) -> Int128? {
        var text = Substring(s)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(text[text.index(after: e)...]) else { return nil }
            exponent = x
            text = text[..<e]
        }
        var neg = false
        if text.first == "-" { neg = true; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        var intPart = text
        var fracPart = Substring("")
        if let dot = text.firstIndex(of: ".") {
            intPart = text[..<dot]
            fracPart = text[text.index(after: dot)...]
        }
        guard !(intPart.isEmpty && fracPart.isEmpty), (intPart + fracPart).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let precision = min(precision, 38)  // Int128 holds 38 digits; wider types are refused by the schema
        // The value is digits × 10^power: strip leading zeros, and trailing zeros into the power.
        var digits = Array((intPart + fracPart).utf8)[...]
        while digits.first == UInt8(ascii: "0") { digits = digits.dropFirst() }
        if digits.isEmpty { return 0 }
        var trailingZeros = 0
        while digits.last == UInt8(ascii: "0") { digits = digits.dropLast(); trailingZeros += 1 }
        let (p1, o1) = exponent.subtractingReportingOverflow(fracPart.count)
        let (power, o2) = p1.addingReportingOverflow(trailingZeros)
        let (shift, o3) = power.addingReportingOverflow(scale)
        // shift < 0: non-zero digits beyond the scale; more digits than the precision: does not fit.
        guard !o1, !o2, !o3, shift >= 0, shift <= precision, digits.count <= precision - shift else { return nil }
        var v: Int128 = 0
        for d in digits { v = v * 10 + Int128(d - UInt8(ascii: "0")) }
        for _ in 0..<shift { v *= 10 }
        return neg ? -v : v
    }

    static func formatTimestamp(_ v: Int64, unit: TimeUnit) -> String {
        let perDay = 86_400 * unit.perSecond
        let (days, inDay) = CivilTime.floorDivMod(v, perDay)
        var out: [UInt8] = []
        CivilTime.appendDate(days: days, to: &out)
        out.append(UInt8(ascii: " "))
        CivilTime.appendTimeOfDay(inDay, unit: unit, to: &out)
        // appendTimeOfDay always writes a fraction; Delta omits it when zero.
        if let dot = out.lastIndex(of: UInt8(ascii: ".")), out[(dot + 1)...].allSatisfy({ $0 == UInt8(ascii: "0") }) {
            out.removeSubrange(dot...)
        } else if unit == .nanosecond, out.count >= 3, out.suffix(3).allSatisfy({ $0 == UInt8(ascii: "0") }) {
            out.removeLast(3)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func parseDate(_ b: ArraySlice<UInt8>) -> Int64? {
        // [-]Y+-MM-DD
        var i = b.startIndex
        var neg = false
        if i < b.endIndex, b[i] == UInt8(ascii: "-") { neg = true; i += 1 }
        var year: Int64 = 0
        let ys = i
        while i < b.endIndex, b[i] &- UInt8(ascii: "0") <= 9 {
            year = year * 10 + Int64(b[i] - UInt8(ascii: "0"))
            if year > 10_000_000 { return nil }  // past every 32-bit date; bounds the loop's arithmetic
            i += 1
        }
        guard i - ys >= 4, i < b.endIndex, b[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let m = twoDigits(b, i), i + 2 < b.endIndex, b[i + 2] == UInt8(ascii: "-"), let d = twoDigits(b, i + 3), i + 5 == b.endIndex else { return nil }
        return CivilTime.days(year: neg ? -year : year, month: m, day: d)
    }

    static func twoDigits(_ b: ArraySlice<UInt8>, _ i: Int) -> Int? {
        guard i + 1 < b.endIndex else { return nil }
        let h = b[i] &- UInt8(ascii: "0"), l = b[i + 1] &- UInt8(ascii: "0")
        guard h <= 9, l <= 9 else { return nil }
        return Int(h) * 10 + Int(l)
    }

    /// `YYYY-MM-DD[ |T]HH:MM[:SS[.f{1,9}]][Z|±HH:MM]` to microseconds since the epoch (offsets applied).
    static func parseTimestampMicros(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard let sep = b.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "T") }) else {
            // A bare date: its midnight must still fit 64-bit microseconds (years up to about ±292,000).
            guard let days = parseDate(b[...]) else { return nil }
            let (r, o) = days.multipliedReportingOverflow(by: 86_400_000_000)
            return o ? nil : r
        }
        guard let days = parseDate(b[..<sep]) else { return nil }
        var t = b[(sep + 1)...]
        var offsetSeconds: Int64 = 0
        if t.last == UInt8(ascii: "Z") {
            t = t.dropLast()
        } else if t.count > 6, let signIdx = t.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) {
            let zone = t[(signIdx + 1)...]
            guard zone.count == 5, zone[zone.startIndex + 2] == UInt8(ascii: ":"),
                  let zh = twoDigits(zone, zone.startIndex), let zm = twoDigits(zone, zone.startIndex + 3) else { return nil }
            offsetSeconds = Int64(zh * 3600 + zm * 60) * (t[signIdx] == UInt8(ascii: "+") ? 1 : -1)
            t = t[..<signIdx]
        }
        let i = t.startIndex
        guard let hh = twoDigits(t, i), hh < 24, i + 2 < t.endIndex, t[i + 2] == UInt8(ascii: ":"), let mm = twoDigits(t, i + 3), mm < 60 else { return nil }
        var ss = 0
        var micros: Int64 = 0
        var j = i + 5
        if j < t.endIndex {
            guard t[j] == UInt8(ascii: ":"), let sec = twoDigits(t, j + 1), sec < 60 else { return nil }
            ss = sec
            j += 3
            if j < t.endIndex {
                guard t[j] == UInt8(ascii: ".") else { return nil }
                j += 1
                var digits = 0
                while j < t.endIndex {
                    let d = t[j] &- UInt8(ascii: "0")
                    guard d <= 9 else { return nil }
                    if digits < 6 { micros = micros * 10 + Int64(d) }
                    digits += 1
                    j += 1
                }
                guard digits > 0, digits <= 9 else { return nil }
                if digits < 6 { for _ in digits..<6 { micros *= 10 } }
            }
        }
        let secs = days * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - offsetSeconds
        let (r, o) = secs.multipliedReportingOverflow(by: 1_000_000)
        let (withFraction, o2) = r.addingReportingOverflow(micros)
        return o || o2 ? nil : withFraction
    }
}

/// `add.path` and similar fields are RFC 2396 URIs: relative paths percent-encode what a URI cannot hold.
public enum DeltaPath {
    /// Percent-encodes a relative file path for an action's `path` (space → `%20`, `%` → `%25`, non-ASCII as UTF-8).
    public static func encode(_ path: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in path.utf8 {
            let keep: Bool
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                keep = true
            default:
                keep = "-._~/!$&'()*+,;=:@".utf8.contains(b)
            }
            if keep { out.append(b) } else { out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the result is not UTF-8.
    public static func decode(_ uri: String) -> String? {
        guard uri.utf8.contains(UInt8(ascii: "%")) else { return uri }
        var out: [UInt8] = []
        out.reserveCapacity(uri.utf8.count)
        var it = Array(uri.utf8)[...]
        while let b = it.popFirst() {
            if b != UInt8(ascii: "%") { out.append(b); continue }
            guard let h = it.popFirst(), let l = it.popFirst(),
                  let hv = PartitionValues.hexValue(h), let lv = PartitionValues.hexValue(l) else { return nil }
            out.append(hv << 4 | lv)
        }
        return String(validating: out, as: UTF8.self)
    }

    /// True for paths with a scheme (`s3://...`, `file:/...`): absolute rather than relative to the table root.
    public static func isAbsolute(_ path: String) -> Bool {
        if path.hasPrefix("/") { return true }
        guard let colon = path.firstIndex(of: ":") else { return false }
        let scheme = path[..<colon]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
            && !scheme.contains("/")
    }
}
