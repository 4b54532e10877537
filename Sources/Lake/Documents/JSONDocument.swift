import Columnar
import DeltaLog

/// The JSON documents lake shows users (`lake info`, `lake history`, `lake files --json`, scan plans and
/// metrics; later the HTTP service's answers): a handful of values each, keys in a fixed order, so clarity beats
/// speed here. Row data never goes through this type.
public indirect enum JSONDocument: Sendable {
    /// A JSON value.
    case null
    /// A JSON value.
    case bool(Bool)
    /// A JSON value.
    case int(Int64)
    /// A JSON value.
    case number(Double)
    /// A JSON value.
    case string(String)
    /// Already-rendered JSON (a column value rendered by `ValueText`).
    case raw([UInt8])
    /// An array.
    case array([JSONDocument])
    /// Keys keep their order.
    case object([(String, JSONDocument)])

    /// The compact rendering.
    public var rendered: [UInt8] {
        var out = [UInt8]()
        append(to: &out, indent: nil, depth: 0)
        return out
    }

    /// A two-space indented rendering.
    public var pretty: String {
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

extension JSONDocument {
    /// A parsed log JSON value (object keys sorted).
    public init(_ v: JSONValue) {
        switch v {
        case .null: self = .null
        case let .bool(b): self = .bool(b)
        case let .int(i): self = .int(i)
        case let .double(d): self = .number(d)
        case let .string(s): self = .string(s)
        case let .array(a): self = .array(a.map(JSONDocument.init))
        case let .object(o): self = .object(o.keys.sorted().map { ($0, JSONDocument(o[$0] ?? .null)) })
        }
    }

    /// A string map as an object with sorted keys.
    public init(_ m: [String: String]) {
        self = .object(m.keys.sorted().map { ($0, .string(m[$0] ?? "")) })
    }

    /// Partition values (null kept) as an object with sorted keys.
    public init(_ m: [String: String?]) {
        self = .object(m.keys.sorted().map { k in (k, (m[k] ?? nil).map { JSONDocument.string($0) } ?? .null) })
    }

    /// The compact rendering as a string.
    public var compact: String { String(decoding: rendered, as: UTF8.self) }
}
