import Columnar

/// Parses Delta/Spark DDL-style schema strings into a Columnar `Schema`:
/// `id long not null, name string, amount decimal(10,2), tags array<string>, m map<string,long>, s struct<a: int, b: string>`.
///
/// Scalar type names (string, long/bigint, int/integer, short/smallint, byte/tinyint, float, double,
/// decimal(p,s), boolean, binary, date, timestamp = UTC microseconds, timestamp_ntz) go through
/// `DataType.parseSQL`, so the CLI and SQL `CAST` accept the same names. Names may be backquoted;
/// a colon between name and type is optional; `not null` marks a field required. List elements and map
/// values are nullable; map keys never are.
public enum SchemaString {
    /// The schema described by `text`; errors show the position with a caret.
    public static func parse(_ text: String) throws(DataFrameError) -> Schema {
        var parser = SchemaStringParser(text)
        let fields = try parser.fields(until: nil)
        guard !fields.isEmpty else { throw parser.error("expected at least one field such as `id long`") }
        return Schema(fields)
    }
}

/// A hand-written recursive-descent parser over the UTF-8 bytes of a schema string.
struct SchemaStringParser {
    let text: String
    let b: [UInt8]
    var i = 0
    /// Nesting of array/map/struct types being parsed; bounded so `array<array<...>>` cannot exhaust the stack.
    var depth = 0
    static let maxDepth = 64

    init(_ text: String) {
        self.text = text
        b = Array(text.utf8)
    }

    func error(_ message: String, at offset: Int? = nil) -> DataFrameError {
        .parse(message: message, sql: text, offset: offset ?? i)
    }

    mutating func skipSpace() {
        while i < b.count && (b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a || b[i] == 0x0d) { i += 1 }
    }

    private func isWordByte(_ c: UInt8) -> Bool {
        TextValues.isDigit(c) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z")) || c == UInt8(ascii: "_") || c >= 0x80
    }

    /// A bare word (letters, digits, `_`, non-ASCII) at the cursor, or nil.
    mutating func word() -> String? {
        skipSpace()
        let start = i
        while i < b.count && isWordByte(b[i]) { i += 1 }
        return i > start ? String(decoding: b[start..<i], as: UTF8.self) : nil
    }

    /// A field name: a word or a backquoted name (a doubled backquote is one backquote).
    mutating func name() throws(DataFrameError) -> String {
        skipSpace()
        if i < b.count && b[i] == UInt8(ascii: "`") {
            let open = i
            var out = [UInt8]()
            i += 1
            while true {
                guard i < b.count else { throw error("unterminated backquoted name", at: open) }
                if b[i] == UInt8(ascii: "`") {
                    if i + 1 < b.count && b[i + 1] == UInt8(ascii: "`") { out.append(b[i]); i += 2; continue }
                    i += 1
                    break
                }
                out.append(b[i])
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
        guard let w = word() else {
            throw error(i < b.count ? "expected a field name but found '\(Character(Unicode.Scalar(b[i])))'" : "expected a field name but the text ends")
        }
        return w
    }

    mutating func accept(_ c: Character) -> Bool {
        skipSpace()
        guard let a = c.asciiValue, i < b.count, b[i] == a else { return false }
        i += 1
        return true
    }

    mutating func expect(_ c: Character) throws(DataFrameError) {
        guard accept(c) else {
            throw error(i < b.count ? "expected '\(c)' but found '\(String(decoding: b[i..<min(b.count, i + 1)], as: UTF8.self))'" : "expected '\(c)' but the text ends")
        }
    }

    /// Whether the next word is `keyword` (case-insensitive); consumes it when it is.
    mutating func acceptKeyword(_ keyword: String) -> Bool {
        let save = i
        if let w = word(), w.lowercased() == keyword { return true }
        i = save
        return false
    }

    /// `name [:] type [not null] (, ...)*` up to `close` (or the end of the text).
    mutating func fields(until close: Character?) throws(DataFrameError) -> [Field] {
        var out = [Field]()
        var seen = Set<String>()
        skipSpace()
        if let close, accept(close) { return out }
        if close == nil && i == b.count { return out }
        while true {
            let at = i
            let n = try name()
            _ = accept(":")
            let t = try type()
            var nullable = true
            if acceptKeyword("not") {
                guard acceptKeyword("null") else { throw error("expected NULL after NOT") }
                nullable = false
            } else if acceptKeyword("null") {
                nullable = true
            }
            if acceptKeyword("comment") {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "'") || b[i] == UInt8(ascii: "\"") else { throw error("expected a quoted comment") }
                let q = b[i]
                i += 1
                while i < b.count && b[i] != q { i += 1 }
                guard i < b.count else { throw error("unterminated comment") }
                i += 1
            }
            guard seen.insert(n.lowercased()).inserted else { throw error("field `\(n)` appears more than once", at: at) }
            out.append(Field(n, t, nullable: nullable))
            if accept(",") { continue }
            if let close {
                try expect(close)
            } else {
                skipSpace()
                guard i == b.count else { throw error("expected ',' or the end of the schema") }
            }
            return out
        }
    }

    /// A type: `array<T>`, `map<K, V>`, `struct<...>`, or a scalar name handed to `DataType.parseSQL`.
    mutating func type() throws(DataFrameError) -> DataType {
        skipSpace()
        let start = i
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("types nest deeper than \(Self.maxDepth) levels") }
        guard let w = word() else { throw error(i < b.count ? "expected a type name" : "expected a type name but the text ends") }
        switch w.lowercased() {
        case "array":
            try expect("<")
            let element = try type()
            try expect(">")
            return .list(Field("element", element))
        case "map":
            try expect("<")
            let key = try type()
            try expect(",")
            let value = try type()
            try expect(">")
            return .map(key: Field("key", key, nullable: false), value: Field("value", value))
        case "struct":
            try expect("<")
            let fields = try fields(until: ">")
            return .structure(fields)
        default:
            // Take `(...)` arguments too (decimal(10,2), varchar(20)) and let the SQL type parser judge them.
            skipSpace()
            if i < b.count && b[i] == UInt8(ascii: "(") {
                while i < b.count && b[i] != UInt8(ascii: ")") { i += 1 }
                guard i < b.count else { throw error("missing ')' after the type arguments", at: start) }
                i += 1
            }
            let spelled = String(decoding: b[start..<i], as: UTF8.self)
            do {
                return try DataType.parseSQL(spelled)
            } catch {
                if case let .parse(message, _, offset) = error {
                    throw self.error(message, at: start + offset)
                }
                throw error
            }
        }
    }
}
