/// A parsed JSON value, for the open-ended parts of the log (commitInfo, schema JSON, field metadata).
///
/// Hot paths (add actions, stats) never build these: they are decoded by `CommitFile` straight into typed actions.
public indirect enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits Int64.
    case int(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; serialized with keys in byte order, so output is deterministic.
    case object([String: JSONValue])

    /// Parses one JSON document (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buf) throws(JSONSyntaxError) -> JSONValue in
            guard let base = buf.baseAddress, !buf.isEmpty else { throw JSONSyntaxError(message: "empty input", offset: 0) }
            var s = JSONScanner(base: base, start: 0, end: buf.count)
            let v = try s.parseValue()
            s.skipWhitespace()
            if s.pos != s.end { throw s.error("unexpected characters after the JSON value") }
            return v
        }
    }

    /// Parses one JSON document from text.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Compact JSON text of the value.
    public var jsonText: String {
        var w = JSONWriter()
        w.value(self)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }

    /// The string, or nil for other kinds.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The integer (integral doubles and decimal strings included, as Spark writes metrics as strings).
    public var int64Value: Int64? {
        switch self {
        case let .int(i): return i
        case let .double(d): return d.rounded() == d && abs(d) < 9.2e18 ? Int64(d) : nil
        case let .string(s): return Int64(s)
        default: return nil
        }
    }

    /// The boolean, or nil.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }
}

/// A JSON syntax error at a byte offset of the input (or of the line, for commit files).
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Byte offset where it was found.
    public var offset: Int

    /// Creates an error.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The message with its position.
    public var description: String { "\(message) at byte \(offset)" }
}
