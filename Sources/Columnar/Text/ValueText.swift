/// How `ValueText` renders one value.
public enum ValueTextStyle: Sendable {
    /// A JSON value following lake's NDJSON conventions (strings quoted, NaN as "NaN", ...).
    case json
    /// The same text without JSON quoting for top-level strings, dates and decimals (CSV cells, tables).
    /// Nested values are still rendered as JSON.
    case plain
}

/// Renders column values as text into byte buffers, following lake's NDJSON conventions everywhere:
/// numbers in shortest round-trip form, NaN/Infinity as strings, decimals as strings with their exact
/// scale, binary as base64, dates `YYYY-MM-DD`, timestamps ISO 8601 with microseconds (`Z` when
/// UTC-adjusted), lists as arrays, structs as objects, maps as arrays of `{"key", "value"}`.
public enum ValueText {
    /// Appends row `row` of `column` to `out`.
    public static func append(_ column: Column, row: Int, style: ValueTextStyle = .json, to out: inout [UInt8]) {
        if column.isNull(row) {
            if style == .json { out.append(contentsOf: nullBytes) }
            return
        }
        let quote = style == .json
        switch column.values {
        case let .boolean(b): out.append(contentsOf: b[row] ? trueBytes : falseBytes)
        case let .int8(a): appendInteger(Int64(a[row]), to: &out)
        case let .int16(a): appendInteger(Int64(a[row]), to: &out)
        case let .int32(a):
            if case .date = column.type {
                quoted(quote, &out) { CivilTime.appendDate(days: Int64(a[row]), to: &$0) }
            } else {
                appendInteger(Int64(a[row]), to: &out)
            }
        case let .int64(a):
            switch column.type {
            case let .timestamp(unit, utc):
                quoted(quote, &out) { CivilTime.appendTimestamp(a[row], unit: unit, utc: utc, to: &$0) }
            case let .time(unit):
                quoted(quote, &out) { CivilTime.appendTimeOfDay(a[row], unit: unit, to: &$0) }
            default:
                appendInteger(a[row], to: &out)
            }
        case let .uint8(a): out.append(contentsOf: Array(String(a[row]).utf8))
        case let .uint16(a): out.append(contentsOf: Array(String(a[row]).utf8))
        case let .uint32(a): out.append(contentsOf: Array(String(a[row]).utf8))
        case let .uint64(a): out.append(contentsOf: Array(String(a[row]).utf8))
        case let .float32(a): appendFloat(a[row], description: a[row].description, quote: quote, to: &out)
        case let .float64(a): appendFloat(a[row], description: a[row].description, quote: quote, to: &out)
        case let .decimal(a):
            let scale: Int
            if case let .decimal(_, s) = column.type { scale = s } else { scale = 0 }
            quoted(quote, &out) { $0.append(contentsOf: Array(decimalString(a[row], scale: scale).utf8)) }
        case let .bytes(offsets, data):
            let start = Int(offsets[row]), end = Int(offsets[row + 1])
            data.withUnsafeBufferPointer { buf in
                let slice = UnsafeBufferPointer(rebasing: buf[start..<end])
                if case .string = column.type {
                    if quote { appendJSONString(slice, to: &out) } else { out.append(contentsOf: slice) }
                } else {
                    quoted(quote, &out) { appendBase64(slice, to: &$0) }
                }
            }
        case let .list(offsets, child):
            out.append(UInt8(ascii: "["))
            for (k, i) in (Int(offsets[row])..<Int(offsets[row + 1])).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                append(child, row: i, style: .json, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .structure(children):
            guard case let .structure(fields) = column.type else { return }
            out.append(UInt8(ascii: "{"))
            for (k, (f, c)) in zip(fields, children).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(Array(f.name.utf8), to: &out)
                out.append(UInt8(ascii: ":"))
                append(c, row: row, style: .json, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let .map(offsets, keys, values):
            out.append(UInt8(ascii: "["))
            for (k, i) in (Int(offsets[row])..<Int(offsets[row + 1])).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: Array(#"{"key":"#.utf8))
                append(keys, row: i, style: .json, to: &out)
                out.append(contentsOf: Array(#","value":"#.utf8))
                append(values, row: i, style: .json, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// Row `row` of `column` as a Swift string.
    public static func string(_ column: Column, row: Int, style: ValueTextStyle = .plain) -> String {
        var out = [UInt8]()
        append(column, row: row, style: style, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The unscaled decimal `value` with `scale` fraction digits (`-0.05`, `12.30`).
    public static func decimalString(_ value: Int128, scale: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded = digits.count <= scale ? String(repeating: "0", count: scale - digits.count + 1) + digits : digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<cut] + "." + padded[cut...]
    }

    /// Appends a JSON string literal of UTF-8 `bytes`, escaping quotes, backslashes and control characters.
    /// Invalid UTF-8 is replaced by U+FFFD so the output is always valid JSON.
    public static func appendJSONString<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        out.append(UInt8(ascii: "\""))
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii {
            appendEscaped(bytes, to: &out)
        } else {
            appendEscaped(Array(String(decoding: bytes, as: UTF8.self).utf8), to: &out)
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        let hex = Array("0123456789abcdef".utf8)
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x0a: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0d: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xf)])
            default: out.append(b)
            }
        }
    }

    /// Appends standard base64 (with padding) of `bytes`.
    public static func appendBase64(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var i = 0
        let n = bytes.count
        while i + 3 <= n {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(table[Int(v >> 18 & 63)]); out.append(table[Int(v >> 12 & 63)])
            out.append(table[Int(v >> 6 & 63)]); out.append(table[Int(v & 63)])
            i += 3
        }
        if n - i == 1 {
            let v = UInt32(bytes[i]) << 16
            out.append(table[Int(v >> 18 & 63)]); out.append(table[Int(v >> 12 & 63)])
            out.append(UInt8(ascii: "=")); out.append(UInt8(ascii: "="))
        } else if n - i == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(table[Int(v >> 18 & 63)]); out.append(table[Int(v >> 12 & 63)])
            out.append(table[Int(v >> 6 & 63)]); out.append(UInt8(ascii: "="))
        }
    }

    @inline(__always)
    private static func appendInteger(_ v: Int64, to out: inout [UInt8]) {
        if v >= 0 && v < 10 { out.append(UInt8(ascii: "0") + UInt8(v)); return }
        out.append(contentsOf: Array(String(v).utf8))
    }

    private static func appendFloat<F: BinaryFloatingPoint>(_ v: F, description: String, quote: Bool, to out: inout [UInt8]) {
        if v.isNaN { quoted(quote, &out) { $0.append(contentsOf: Array("NaN".utf8)) }; return }
        if v.isInfinite {
            quoted(quote, &out) { $0.append(contentsOf: Array((v < 0 ? "-Infinity" : "Infinity").utf8)) }
            return
        }
        out.append(contentsOf: Array(description.utf8))
    }

    @inline(__always)
    private static func quoted(_ quote: Bool, _ out: inout [UInt8], _ body: (inout [UInt8]) -> Void) {
        if quote { out.append(UInt8(ascii: "\"")) }
        body(&out)
        if quote { out.append(UInt8(ascii: "\"")) }
    }

    private static let nullBytes = Array("null".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
}
