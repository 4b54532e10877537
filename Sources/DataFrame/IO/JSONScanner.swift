/// A validating JSON tokenizer over a byte buffer (RFC 8259), used by the NDJSON reader and for nested values
/// in CSV cells. It never builds a document: it reports spans, which the column builders convert in place.
struct JSONScanner {
    let b: UnsafeBufferPointer<UInt8>

    /// Nesting deeper than this is refused rather than risking the stack on hostile input.
    static let maxDepth = 256

    @inline(__always)
    func skipSpace(_ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end {
            let c = b[i]
            guard c == 0x20 || c == 0x09 || c == 0x0d || c == 0x0a else { break }
            i += 1
        }
        return i
    }

    /// One value starting at `i` (no leading space): its kind, span (strings: inside the quotes) and the index after it.
    func value(at i: Int, end: Int, depth: Int = 0) throws(TextFault) -> (kind: CellKind, start: Int, end: Int, next: Int) {
        guard i < end else { throw TextFault(i, "expected a JSON value but the line ends") }
        switch b[i] {
        case UInt8(ascii: "\""):
            let (close, escaped) = try string(at: i, end: end)
            return (escaped ? .jsonEscaped : .text, i + 1, close, close + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let (next, isFloat) = try number(at: i, end: end)
            return (isFloat ? .jsonFloat : .jsonInt, i, next, next)
        case UInt8(ascii: "t"):
            try literal("true", at: i, end: end)
            return (.jsonTrue, i, i + 4, i + 4)
        case UInt8(ascii: "f"):
            try literal("false", at: i, end: end)
            return (.jsonFalse, i, i + 5, i + 5)
        case UInt8(ascii: "n"):
            try literal("null", at: i, end: end)
            return (.null, i, i + 4, i + 4)
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw TextFault(i, "JSON nested deeper than \(Self.maxDepth) levels") }
            let next = try forEachElement(i, end: end, depth: depth) { _, _, _ throws(TextFault) in }
            return (.jsonArray, i, next, next)
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw TextFault(i, "JSON nested deeper than \(Self.maxDepth) levels") }
            let next = try forEachMember(i, end: end, depth: depth) { _, _, _, _, _, _ throws(TextFault) in }
            return (.jsonObject, i, next, next)
        default:
            throw TextFault(i, "unexpected character \(Self.show(b[i])) where a JSON value should start")
        }
    }

    /// Calls `body(kind, start, end)` for each element of the array at `open`; returns the index after `]`.
    func forEachElement(_ open: Int, end: Int, depth: Int,
                        _ body: (CellKind, Int, Int) throws(TextFault) -> Void) throws(TextFault) -> Int {
        var i = skipSpace(open + 1, end)
        if i < end && b[i] == UInt8(ascii: "]") { return i + 1 }
        while true {
            let v = try value(at: i, end: end, depth: depth + 1)
            try body(v.kind, v.start, v.end)
            i = skipSpace(v.next, end)
            guard i < end else { throw TextFault(i, "unterminated JSON array (missing ']')") }
            if b[i] == UInt8(ascii: "]") { return i + 1 }
            guard b[i] == UInt8(ascii: ",") else { throw TextFault(i, "expected ',' or ']' in a JSON array but found \(Self.show(b[i]))") }
            i = skipSpace(i + 1, end)
        }
    }

    /// Calls `body(keyStart, keyEnd, keyEscaped, kind, start, end)` for each member of the object at `open`;
    /// returns the index after `}`.
    func forEachMember(_ open: Int, end: Int, depth: Int,
                       _ body: (Int, Int, Bool, CellKind, Int, Int) throws(TextFault) -> Void) throws(TextFault) -> Int {
        var i = skipSpace(open + 1, end)
        if i < end && b[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < end, b[i] == UInt8(ascii: "\"") else {
                throw TextFault(i, i < end ? "expected a quoted key in a JSON object but found \(Self.show(b[i]))" : "unterminated JSON object (missing '}')")
            }
            let keyOpen = i
            let (close, escaped) = try string(at: i, end: end)
            i = skipSpace(close + 1, end)
            guard i < end, b[i] == UInt8(ascii: ":") else { throw TextFault(i, "expected ':' after a key in a JSON object") }
            i = skipSpace(i + 1, end)
            let v = try value(at: i, end: end, depth: depth + 1)
            try body(keyOpen + 1, close, escaped, v.kind, v.start, v.end)
            i = skipSpace(v.next, end)
            guard i < end else { throw TextFault(i, "unterminated JSON object (missing '}')") }
            if b[i] == UInt8(ascii: "}") { return i + 1 }
            guard b[i] == UInt8(ascii: ",") else { throw TextFault(i, "expected ',' or '}' in a JSON object but found \(Self.show(b[i]))") }
            i = skipSpace(i + 1, end)
        }
    }

    /// The closing quote of the string opening at `open`, and whether it contains escapes.
    func string(at open: Int, end: Int) throws(TextFault) -> (Int, Bool) {
        var i = open + 1
        var escaped = false
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") { return (i, escaped) }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < end else { break }
                switch b[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= end, (2..<6).allSatisfy({ Self.hex(b[i + $0]) != nil }) else {
                        throw TextFault(i, "\\u must be followed by 4 hex digits")
                    }
                    i += 6
                default:
                    throw TextFault(i, "invalid escape \\\(Self.show(b[i + 1])) in a JSON string")
                }
                continue
            }
            if c < 0x20 { throw TextFault(i, "control character \(Self.show(c)) inside a JSON string (escape it)") }
            i += 1
        }
        throw TextFault(open, "unterminated JSON string")
    }

    /// The index after the number at `start`, and whether it has a fraction or exponent.
    private func number(at start: Int, end: Int) throws(TextFault) -> (Int, Bool) {
        var i = start
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, TextValues.isDigit(b[i]) else { throw TextFault(start, "invalid JSON number") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < end && TextValues.isDigit(b[i]) { i += 1 }
        }
        var isFloat = false
        if i < end && b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            guard i < end, TextValues.isDigit(b[i]) else { throw TextFault(start, "invalid JSON number (digits must follow '.')") }
            while i < end && TextValues.isDigit(b[i]) { i += 1 }
        }
        if i < end && (b[i] | 0x20) == UInt8(ascii: "e") {
            isFloat = true
            i += 1
            if i < end && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < end, TextValues.isDigit(b[i]) else { throw TextFault(start, "invalid JSON number (digits must follow the exponent)") }
            while i < end && TextValues.isDigit(b[i]) { i += 1 }
        }
        if i < end, TextValues.isDigit(b[i]) || b[i] == UInt8(ascii: ".") || (b[i] | 0x20) == UInt8(ascii: "e") {
            throw TextFault(start, "invalid JSON number")
        }
        return (i, isFloat)
    }

    private func literal(_ word: StaticString, at i: Int, end: Int) throws(TextFault) {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { throw TextFault(i, "invalid JSON literal (expected \(word))") }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { throw TextFault(i, "invalid JSON literal (expected \(word))") }
    }

    @inline(__always)
    static func hex(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// A byte shown in a message: printable ASCII quoted, anything else in hex.
    static func show(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7f ? "'\(Character(Unicode.Scalar(c)))'" : "0x" + String(c, radix: 16)
    }

    /// Appends the decoded text of the JSON string body `b[start..<end]` (escapes resolved; lone surrogates become U+FFFD).
    func unescape(_ start: Int, _ end: Int, into out: inout [UInt8]) {
        var i = start
        while i < end {
            let c = b[i]
            guard c == UInt8(ascii: "\\"), i + 1 < end else { out.append(c); i += 1; continue }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(i, end) ?? 0xFFFD
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    if i + 6 <= end, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                       let low = hex4(i + 2, end), (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e)  // '"', '\\', '/'
            }
        }
    }

    private func hex4(_ i: Int, _ end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            guard let h = Self.hex(b[k]) else { return nil }
            v = v << 4 | h
        }
        return v
    }

    private func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
        switch s {
        case 0..<0x80: out.append(UInt8(s))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | s >> 6)); out.append(UInt8(0x80 | s & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | s >> 12)); out.append(UInt8(0x80 | s >> 6 & 0x3F)); out.append(UInt8(0x80 | s & 0x3F))
        default:
            out.append(UInt8(0xF0 | s >> 18)); out.append(UInt8(0x80 | s >> 12 & 0x3F))
            out.append(UInt8(0x80 | s >> 6 & 0x3F)); out.append(UInt8(0x80 | s & 0x3F))
        }
    }
}
