#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounds-checked JSON tokenizer over raw UTF-8 bytes (no Foundation): the hot loop of log replay.
///
/// `JSONSerialization` costs 5-7 µs per add action (PERFORMANCE.md); this scanner reads keys as byte spans
/// compared in place and builds Strings only for values, without escapes taking a single copy.
/// The caller keeps the bytes alive while the scanner exists (it is only used inside `withUnsafeBufferPointer`).
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    var pos: Int
    let end: Int
    let lineStart: Int
    var depth = 0

    static let maxDepth = 512

    init(base: UnsafePointer<UInt8>, start: Int, end: Int) {
        self.base = base
        self.pos = start
        self.end = end
        self.lineStart = start
    }

    /// An object key as a span of the input; `escaped` keys (rare) are compared after decoding.
    struct Key {
        var start: Int
        var count: Int
        var escaped: Bool
    }

    func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: message + " at column \(pos - lineStart + 1)", offset: pos - lineStart)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < end ? base[pos] : nil
    }

    func describe(_ c: UInt8?) -> String {
        guard let c else { return "end of line" }
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16)
    }

    @inline(__always)
    mutating func expect(_ c: UInt8) throws(JSONSyntaxError) {
        let got = peek()
        guard got == c else { throw error("expected '\(Character(Unicode.Scalar(c)))', found \(describe(got))") }
        pos += 1
    }

    // MARK: Objects and arrays

    /// Consumes `{`.
    mutating func beginObject() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"))
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth)") }
    }

    /// The next key of an object (consuming ',' and ':'), or nil after consuming the closing `}`.
    @inline(__always)
    mutating func nextKey(_ first: inout Bool) throws(JSONSyntaxError) -> Key? {
        var c = peek()
        if c == UInt8(ascii: "}") { pos += 1; depth -= 1; return nil }
        if !first {
            guard c == UInt8(ascii: ",") else { throw error("expected ',' or '}' in object, found \(describe(c))") }
            pos += 1
            c = peek()
        }
        first = false
        guard c == UInt8(ascii: "\"") else { throw error("expected a quoted key, found \(describe(c))") }
        let (s, e, escaped) = try scanString()
        try expect(UInt8(ascii: ":"))
        return Key(start: s, count: e - s, escaped: escaped)
    }

    /// Consumes `[`.
    mutating func beginArray() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "["))
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth)") }
    }

    /// True when another array element follows (consuming ','); false after consuming `]`.
    @inline(__always)
    mutating func nextElement(_ first: inout Bool) throws(JSONSyntaxError) -> Bool {
        let c = peek()
        if c == UInt8(ascii: "]") { pos += 1; depth -= 1; return false }
        if !first {
            guard c == UInt8(ascii: ",") else { throw error("expected ',' or ']' in array, found \(describe(c))") }
            pos += 1
        }
        first = false
        return true
    }

    /// Whether `key` is the ASCII name `name`: length check, then a byte compare (no String is built).
    @inline(__always)
    func key(_ key: Key, is name: StaticString) -> Bool {
        if _slowPath(key.escaped) { return escapedKey(key, is: name) }
        guard key.count == name.utf8CodeUnitCount else { return false }
        return memcmp(base + key.start, name.utf8Start, key.count) == 0
    }

    @inline(never)
    func escapedKey(_ key: Key, is name: StaticString) -> Bool {
        (try? decodeEscaped(key.start, key.start + key.count)) == name.description
    }

    /// The key as a String.
    func keyString(_ key: Key) throws(JSONSyntaxError) -> String {
        if key.escaped { return try decodeEscaped(key.start, key.start + key.count) }
        return String(decoding: UnsafeBufferPointer(start: base + key.start, count: key.count), as: UTF8.self)
    }

    // MARK: Strings

    /// At a '"': scans to the closing quote; returns the content span and whether it holds escapes.
    @inline(__always)
    mutating func scanString() throws(JSONSyntaxError) -> (Int, Int, Bool) {
        pos += 1
        let start = pos
        var escaped = false
        while pos < end {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                let e = pos
                pos += 1
                return (start, e, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                pos += 2
                continue
            }
            if c < 0x20 { throw error("control character \(describe(c)) inside a string") }
            pos += 1
        }
        pos = end
        throw error("unterminated string")
    }

    /// Reads a string value.
    @inline(__always)
    mutating func readString() throws(JSONSyntaxError) -> String {
        let c = peek()
        guard c == UInt8(ascii: "\"") else { throw error("expected a string, found \(describe(c))") }
        let (s, e, escaped) = try scanString()
        if !escaped { return String(decoding: UnsafeBufferPointer(start: base + s, count: e - s), as: UTF8.self) }
        return try decodeEscaped(s, e)
    }

    /// Reads a string or `null`.
    mutating func readOptionalString() throws(JSONSyntaxError) -> String? {
        if try readNull() { return nil }
        return try readString()
    }

    /// Decodes the escapes of the string content `[s, e)`, including surrogate pairs.
    ///
    /// Writes straight into the new String's storage (escapes only shrink text, so `e - s` bytes suffice).
    func decodeEscaped(_ s: Int, _ e: Int) throws(JSONSyntaxError) -> String {
        var failure: JSONSyntaxError?
        let result = String(unsafeUninitializedCapacity: e - s) { out in
            var n = 0
            var i = s
            @inline(__always) func put(_ b: UInt8) { out[n] = b; n += 1 }
            while i < e {
                let b = base[i]
                if b != UInt8(ascii: "\\") { put(b); i += 1; continue }
                guard i + 1 < e else { failure = JSONSyntaxError(message: "dangling backslash in string", offset: i - lineStart); return 0 }
                let c = base[i + 1]
                i += 2
                switch c {
                case UInt8(ascii: "\""): put(0x22)
                case UInt8(ascii: "\\"): put(0x5C)
                case UInt8(ascii: "/"): put(0x2F)
                case UInt8(ascii: "b"): put(0x08)
                case UInt8(ascii: "f"): put(0x0C)
                case UInt8(ascii: "n"): put(0x0A)
                case UInt8(ascii: "r"): put(0x0D)
                case UInt8(ascii: "t"): put(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4(i, e) else {
                        failure = JSONSyntaxError(message: "invalid \\u escape in string", offset: i - lineStart); return 0
                    }
                    i += 4
                    if scalar >= 0xD800 && scalar <= 0xDBFF {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard i + 6 <= e, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u"),
                              let low = hex4(i + 2, e), low >= 0xDC00 && low <= 0xDFFF else {
                            failure = JSONSyntaxError(message: "unpaired high surrogate \\u\(String(scalar, radix: 16)) in string", offset: i - lineStart)
                            return 0
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                        failure = JSONSyntaxError(message: "unpaired low surrogate \\u\(String(scalar, radix: 16)) in string", offset: i - lineStart)
                        return 0
                    }
                    // 6 escape bytes (12 for a pair) always cover the 1-4 UTF-8 bytes written.
                    switch scalar {
                    case 0..<0x80:
                        put(UInt8(scalar))
                    case 0x80..<0x800:
                        put(UInt8(0xC0 | (scalar >> 6))); put(UInt8(0x80 | (scalar & 0x3F)))
                    case 0x800..<0x10000:
                        put(UInt8(0xE0 | (scalar >> 12))); put(UInt8(0x80 | ((scalar >> 6) & 0x3F))); put(UInt8(0x80 | (scalar & 0x3F)))
                    default:
                        put(UInt8(0xF0 | (scalar >> 18))); put(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
                        put(UInt8(0x80 | ((scalar >> 6) & 0x3F))); put(UInt8(0x80 | (scalar & 0x3F)))
                    }
                default:
                    failure = JSONSyntaxError(message: "invalid escape '\\\(Character(Unicode.Scalar(c)))' in string", offset: i - 2 - lineStart)
                    return 0
                }
            }
            return n
        }
        if let failure { throw failure }
        return result
    }

    func hex4(_ at: Int, _ e: Int) -> UInt32? {
        guard at + 4 <= e else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = base[at + k]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    // MARK: Scalars

    /// Consumes `null` if it is next.
    @inline(__always)
    mutating func readNull() throws(JSONSyntaxError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= end else { throw error("expected \(word)") }
        let p = word.utf8Start
        for k in 0..<n where base[pos + k] != p[k] { throw error("expected \(word)") }
        pos += n
    }

    /// Reads `true` or `false`.
    mutating func readBool() throws(JSONSyntaxError) -> Bool {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        case let c: throw error("expected true or false, found \(describe(c))")
        }
    }

    /// Reads an integer; integral numbers written with a fraction or exponent are accepted.
    @inline(__always)
    mutating func readInt64() throws(JSONSyntaxError) -> Int64 {
        skipWhitespace()
        let start = pos
        var negative = false
        if pos < end, base[pos] == UInt8(ascii: "-") { negative = true; pos += 1 }
        var v: Int64 = 0
        let digitsStart = pos
        while pos < end {
            let d = base[pos] &- UInt8(ascii: "0")
            if d > 9 { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            if o1 || o2 { throw error("integer out of range") }
            v = a
            pos += 1
        }
        if pos == digitsStart { pos = start; throw error("expected a number, found \(describe(pos < end ? base[pos] : nil))") }
        if pos < end, base[pos] == UInt8(ascii: ".") || base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E") {
            pos = start
            let d = try readDouble()
            guard d.rounded() == d, d >= -9.2e18, d <= 9.2e18 else { throw error("expected an integer, found \(d)") }
            return Int64(d)
        }
        return v
    }

    /// Reads an integer or `null`.
    mutating func readOptionalInt64() throws(JSONSyntaxError) -> Int64? {
        if try readNull() { return nil }
        return try readInt64()
    }

    /// Reads an integer that must fit Int32 (DV offsets and sizes, protocol versions).
    mutating func readInt32() throws(JSONSyntaxError) -> Int32 {
        let v = try readInt64()
        guard let i = Int32(exactly: v) else { throw error("number \(v) does not fit a 32-bit integer") }
        return i
    }

    /// The span of a number token, validated by the JSON grammar.
    mutating func scanNumber() throws(JSONSyntaxError) -> (Int, Int, Bool) {
        skipWhitespace()
        let start = pos
        var isInteger = true
        if pos < end, base[pos] == UInt8(ascii: "-") { pos += 1 }
        let intStart = pos
        while pos < end, base[pos] &- UInt8(ascii: "0") <= 9 { pos += 1 }
        if pos == intStart { throw error("expected a number") }
        if pos < end, base[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            let f = pos
            while pos < end, base[pos] &- UInt8(ascii: "0") <= 9 { pos += 1 }
            if pos == f { throw error("expected digits after the decimal point") }
        }
        if pos < end, base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E") {
            isInteger = false
            pos += 1
            if pos < end, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos += 1 }
            let x = pos
            while pos < end, base[pos] &- UInt8(ascii: "0") <= 9 { pos += 1 }
            if pos == x { throw error("expected digits in the exponent") }
        }
        return (start, pos, isInteger)
    }

    /// Reads any number as a Double.
    mutating func readDouble() throws(JSONSyntaxError) -> Double {
        let (s, e, _) = try scanNumber()
        let text = String(decoding: UnsafeBufferPointer(start: base + s, count: e - s), as: UTF8.self)
        guard let d = Double(text) else { throw error("invalid number \(text)") }
        return d
    }

    // MARK: Generic values

    /// Skips any value without building it.
    mutating func skipValue() throws(JSONSyntaxError) {
        switch peek() {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "{"):
            try beginObject()
            var first = true
            while try nextKey(&first) != nil { try skipValue() }
        case UInt8(ascii: "["):
            try beginArray()
            var first = true
            while try nextElement(&first) { try skipValue() }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case let c?:
            if c == UInt8(ascii: "-") || (c &- UInt8(ascii: "0")) <= 9 { _ = try scanNumber() } else { throw error("unexpected \(describe(c))") }
        case nil: throw error("unexpected end of line, expected a value")
        }
    }

    /// Parses any value into a `JSONValue`.
    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        switch peek() {
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "{"):
            try beginObject()
            var obj: [String: JSONValue] = [:]
            var first = true
            while let k = try nextKey(&first) {
                let name = try keyString(k)
                obj[name] = try parseValue()
            }
            return .object(obj)
        case UInt8(ascii: "["):
            try beginArray()
            var arr: [JSONValue] = []
            var first = true
            while try nextElement(&first) { arr.append(try parseValue()) }
            return .array(arr)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case let c?:
            guard c == UInt8(ascii: "-") || (c &- UInt8(ascii: "0")) <= 9 else { throw error("unexpected \(describe(c))") }
            let (s, e, isInteger) = try scanNumber()
            let text = String(decoding: UnsafeBufferPointer(start: base + s, count: e - s), as: UTF8.self)
            if isInteger, let i = Int64(text) { return .int(i) }
            guard let d = Double(text) else { throw error("invalid number \(text)") }
            return .double(d)
        case nil: throw error("unexpected end of input, expected a value")
        }
    }

    /// The raw JSON text of the next value (used when a string field holds an object instead).
    mutating func rawValueText() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        let s = pos
        try skipValue()
        return String(decoding: UnsafeBufferPointer(start: base + s, count: pos - s), as: UTF8.self)
    }

    // MARK: Maps

    /// Reads `{"k": "v", ...}` (or null → nil); non-string values keep their JSON text, null values are dropped.
    mutating func readStringMap() throws(JSONSyntaxError) -> [String: String]? {
        if try readNull() { return nil }
        try beginObject()
        var out: [String: String] = [:]
        var first = true
        while let k = try nextKey(&first) {
            let name = try keyString(k)
            switch peek() {
            case UInt8(ascii: "\""): out[name] = try readString()
            case UInt8(ascii: "n"): try literal("null")
            default: out[name] = try rawValueText()
            }
        }
        return out
    }

    /// Reads partition values: string values, JSON null as a null partition value.
    mutating func readPartitionValues() throws(JSONSyntaxError) -> [String: String?] {
        if try readNull() { return [:] }
        try beginObject()
        var out: [String: String?] = [:]
        var first = true
        while let k = try nextKey(&first) {
            let name = try keyString(k)
            switch peek() {
            case UInt8(ascii: "\""): out[name] = .some(try readString())
            case UInt8(ascii: "n"): try literal("null"); out[name] = .some(nil)
            default: out[name] = .some(try rawValueText())
            }
        }
        return out
    }

    /// Reads an array of strings (or null → nil).
    mutating func readStringArray() throws(JSONSyntaxError) -> [String]? {
        if try readNull() { return nil }
        try beginArray()
        var out: [String] = []
        var first = true
        while try nextElement(&first) { out.append(try readString()) }
        return out
    }

    /// Reads an object of arbitrary values (or null → nil).
    mutating func readValueMap() throws(JSONSyntaxError) -> [String: JSONValue]? {
        if try readNull() { return nil }
        guard case let .object(o) = try parseValue() else { throw error("expected an object") }
        return o
    }
}
