/// One token of SQL expression text, with its UTF-8 byte position for error carets.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A bare word: identifier or keyword (keywords are recognised by the parser, case-insensitively).
        case word(String)
        /// A backquoted identifier; never a keyword.
        case quotedIdentifier(String)
        /// A numeric literal's text, including any suffix (`1`, `1.50`, `1e3`, `10L`, `1.5BD`).
        case number(String)
        /// A string literal's value after unescaping.
        case string(String)
        /// An operator or punctuation: `( ) , . + - * / % = == != <> < <= > >= <=> ||`.
        case symbol(String)
        /// End of input.
        case end
    }

    let kind: Kind
    /// Byte offset of the first character.
    let offset: Int

    /// True when this is the bare word `keyword` (compared case-insensitively).
    func isKeyword(_ keyword: String) -> Bool {
        if case let .word(w) = kind { return w.uppercased() == keyword }
        return false
    }

    /// True when this is the symbol `s`.
    func isSymbol(_ s: String) -> Bool {
        if case let .symbol(x) = kind { return x == s }
        return false
    }

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case let .word(w): "'\(w)'"
        case let .quotedIdentifier(w): "`\(w)`"
        case let .number(n): n
        case let .string(s): "'\(s)'"
        case let .symbol(s): "'\(s)'"
        case .end: "the end of the expression"
        }
    }
}

/// Splits SQL expression text into tokens. Works on UTF-8 bytes; non-ASCII text only occurs inside
/// strings and quoted identifiers, and in bare identifiers (Spark accepts letters beyond ASCII there).
struct Lexer {
    private let bytes: [UInt8]
    private let sql: String
    private var i = 0

    init(_ sql: String) {
        self.sql = sql
        bytes = Array(sql.utf8)
    }

    /// Letters, digits, `_`, and any non-ASCII byte.
    static func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || isDigit(b) || b == UInt8(ascii: "_") || b >= 0x80
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// All tokens, ending with `.end`.
    mutating func tokenize() throws(DataFrameError) -> [Token] {
        var out = [Token]()
        while true {
            let t = try next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    private func error(_ message: String, at offset: Int) -> DataFrameError {
        .parse(message: message, sql: sql, offset: offset)
    }

    private mutating func next() throws(DataFrameError) -> Token {
        skipSpaceAndComments()
        guard i < bytes.count else { return Token(kind: .end, offset: bytes.count) }
        let start = i
        let b = bytes[i]
        if Self.isDigit(b) || (b == UInt8(ascii: ".") && i + 1 < bytes.count && Self.isDigit(bytes[i + 1])) {
            return Token(kind: .number(try number()), offset: start)
        }
        if Self.isIdentifierByte(b) {
            while i < bytes.count && Self.isIdentifierByte(bytes[i]) { i += 1 }
            return Token(kind: .word(String(decoding: bytes[start..<i], as: UTF8.self)), offset: start)
        }
        switch b {
        case UInt8(ascii: "`"):
            return Token(kind: .quotedIdentifier(try quoted(UInt8(ascii: "`"), escapes: false)), offset: start)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return Token(kind: .string(try quoted(b, escapes: true)), offset: start)
        default:
            break
        }
        for s in ["<=>", "<=", ">=", "<>", "!=", "==", "||", "(", ")", ",", ".", "+", "-", "*", "/", "%", "=", "<", ">"] {
            let u = Array(s.utf8)
            if i + u.count <= bytes.count && Array(bytes[i..<i + u.count]) == u {
                i += u.count
                return Token(kind: .symbol(s), offset: start)
            }
        }
        let ch = String(decoding: bytes[i..<min(bytes.count, i + 1)], as: UTF8.self)
        throw error("unexpected character '\(ch)'", at: start)
    }

    private mutating func skipSpaceAndComments() {
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d {
                i += 1
            } else if b == UInt8(ascii: "-") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-") {
                while i < bytes.count && bytes[i] != 0x0a { i += 1 }
            } else {
                return
            }
        }
    }

    /// Digits with an optional fraction, exponent and type suffix (`Y S L D F BD`).
    private mutating func number() throws(DataFrameError) -> String {
        let start = i
        while i < bytes.count && Self.isDigit(bytes[i]) { i += 1 }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count && Self.isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            var j = i + 1
            if j < bytes.count && (bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-")) { j += 1 }
            if j < bytes.count && Self.isDigit(bytes[j]) {
                i = j
                while i < bytes.count && Self.isDigit(bytes[i]) { i += 1 }
            } else {
                throw error("exponent needs digits", at: i)
            }
        }
        // A suffix is letters glued to the number; anything else glued on (`1abc`) is an error.
        let suffixStart = i
        while i < bytes.count && Self.isIdentifierByte(bytes[i]) { i += 1 }
        let suffix = String(decoding: bytes[suffixStart..<i], as: UTF8.self).uppercased()
        guard ["", "Y", "S", "L", "D", "F", "BD"].contains(suffix) else {
            throw error("invalid number; identifiers cannot start with a digit unless backquoted", at: start)
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// A quoted string or identifier. A doubled quote stands for itself; in strings, backslash escapes
    /// follow Spark (`\'`, `\\`, `\n`, `\t`, ...; `\%` and `\_` keep the backslash for LIKE).
    private mutating func quoted(_ q: UInt8, escapes: Bool) throws(DataFrameError) -> String {
        let start = i
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let b = bytes[i]
            if b == q {
                if i + 1 < bytes.count && bytes[i + 1] == q {
                    out.append(q)
                    i += 2
                    continue
                }
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if escapes && b == UInt8(ascii: "\\") && i + 1 < bytes.count {
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "%"), UInt8(ascii: "_"): out.append(b); out.append(e)
                default: out.append(e)
                }
                i += 2
                continue
            }
            out.append(b)
            i += 1
        }
        throw error(q == UInt8(ascii: "`") ? "unterminated quoted identifier" : "unterminated string literal", at: start)
    }
}
