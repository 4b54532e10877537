import Columnar

/// A small JSON document model for the CLI's `--json` outputs (metadata, history, info): a handful of
/// values per command, so clarity beats speed here. Row data never goes through this type.
indirect enum JSONText {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    /// Already-rendered JSON (a column value rendered by `ValueText`).
    case raw([UInt8])
    case array([JSONText])
    /// Keys keep their order.
    case object([(String, JSONText)])

    /// The compact rendering.
    var rendered: [UInt8] {
        var out = [UInt8]()
        append(to: &out, indent: nil, depth: 0)
        return out
    }

    /// A two-space indented rendering.
    var pretty: String {
        var out = [UInt8]()
        append(to: &out, indent: 2, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func append(to out: inout [UInt8], indent: Int?, depth: Int) {
        func newline(_ d: Int) {
            guard let indent else { return }
            out.append(0x0a)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * d))
        }
        switch self {
        case .null: out.append(contentsOf: Array("null".utf8))
        case let .bool(b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case let .int(i): out.append(contentsOf: Array(String(i).utf8))
        case let .number(d):
            out.append(contentsOf: Array((d.isFinite ? d.description : "\"\(d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity")\"").utf8))
        case let .string(s): ValueText.appendJSONString(Array(s.utf8), to: &out)
        case let .raw(bytes): out.append(contentsOf: bytes)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                item.append(to: &out, indent: indent, depth: depth + 1)
            }
            if !items.isEmpty { newline(depth) }
            out.append(UInt8(ascii: "]"))
        case let .object(pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                ValueText.appendJSONString(Array(k.utf8), to: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                v.append(to: &out, indent: indent, depth: depth + 1)
            }
            if !pairs.isEmpty { newline(depth) }
            out.append(UInt8(ascii: "}"))
        }
    }
}
