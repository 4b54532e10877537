import Columnar

extension Expr {
    /// Parses a SQL expression (`amount > 10 AND region IN ('eu', 'us')`).
    /// Errors show the text with a caret under the problem.
    public static func parse(_ sql: String) throws(DataFrameError) -> Expr {
        var parser = try ExprParser(sql)
        return try parser.parseComplete()
    }
}

extension DataType {
    /// Parses a Spark/Delta SQL type name (`bigint`, `decimal(10,2)`, `timestamp_ntz`).
    public static func parseSQL(_ text: String) throws(DataFrameError) -> DataType {
        var parser = try ExprParser(text)
        let t = try parser.parseType()
        try parser.expectEnd()
        return t
    }
}

/// A recursive-descent parser with one function per precedence level:
/// OR < AND < NOT < comparison / IS / IN / BETWEEN / LIKE < + - || < * / % < unary minus < atoms.
struct ExprParser {
    /// Words that cannot be used as bare column names (backquote them instead).
    static let reservedWords: Set<String> = [
        "AND", "OR", "NOT", "IS", "IN", "BETWEEN", "LIKE", "ILIKE", "ESCAPE", "CASE", "WHEN", "THEN", "ELSE",
        "END", "CAST", "AS", "NULL", "TRUE", "FALSE", "DISTINCT", "FROM",
    ]

    private let sql: String
    private let tokens: [Token]
    private var pos = 0

    init(_ sql: String) throws(DataFrameError) {
        self.sql = sql
        var lexer = Lexer(sql)
        tokens = try lexer.tokenize()
    }

    // MARK: - token helpers

    private var current: Token { tokens[min(pos, tokens.count - 1)] }

    private func peek(_ k: Int = 1) -> Token { tokens[min(pos + k, tokens.count - 1)] }

    private mutating func advance() { if pos < tokens.count - 1 { pos += 1 } }

    private func error(_ message: String, at token: Token? = nil) -> DataFrameError {
        .parse(message: message, sql: sql, offset: (token ?? current).offset)
    }

    private mutating func accept(keyword: String) -> Bool {
        if current.isKeyword(keyword) { advance(); return true }
        return false
    }

    private mutating func accept(symbol: String) -> Bool {
        if current.isSymbol(symbol) { advance(); return true }
        return false
    }

    private mutating func expect(keyword: String) throws(DataFrameError) {
        guard accept(keyword: keyword) else { throw error("expected \(keyword) but found \(current.display)") }
    }

    private mutating func expect(symbol: String) throws(DataFrameError) {
        guard accept(symbol: symbol) else { throw error("expected '\(symbol)' but found \(current.display)") }
    }

    mutating func expectEnd() throws(DataFrameError) {
        guard current.kind == .end else { throw error("unexpected \(current.display) after a complete expression") }
    }

    mutating func parseComplete() throws(DataFrameError) -> Expr {
        if current.kind == .end { throw error("expected an expression but the text is empty") }
        let e = try parseExpr()
        try expectEnd()
        return e
    }

    /// `expression [[AS] alias]`, for select lists.
    mutating func parseNamed() throws(DataFrameError) -> NamedExpr {
        if current.kind == .end { throw error("expected an expression but the text is empty") }
        let e = try parseExpr()
        var alias: String?
        let hadAs = accept(keyword: "AS")
        switch current.kind {
        case let .word(w) where !Self.reservedWords.contains(w.uppercased()):
            alias = w
            advance()
        case let .quotedIdentifier(w):
            alias = w
            advance()
        default:
            if hadAs { throw error("expected an alias after AS but found \(current.display)") }
        }
        try expectEnd()
        return NamedExpr(e, as: alias)
    }

    // MARK: - precedence levels

    mutating func parseExpr() throws(DataFrameError) -> Expr { try parseOr() }

    private mutating func parseOr() throws(DataFrameError) -> Expr {
        var e = try parseAnd()
        while accept(keyword: "OR") { e = .binary(.or, e, try parseAnd()) }
        return e
    }

    private mutating func parseAnd() throws(DataFrameError) -> Expr {
        var e = try parseNot()
        while accept(keyword: "AND") { e = .binary(.and, e, try parseNot()) }
        return e
    }

    private mutating func parseNot() throws(DataFrameError) -> Expr {
        if accept(keyword: "NOT") { return .not(try parseNot()) }
        return try parsePredicate()
    }

    /// Comparisons and the postfix predicates, left to right (`a = b IS NULL` is `(a = b) IS NULL`).
    private mutating func parsePredicate() throws(DataFrameError) -> Expr {
        var e = try parseAdditive()
        while true {
            if case let .symbol(s) = current.kind, let op = Self.comparison[s] {
                advance()
                let rhs = try parseAdditive()
                e = op == "<=>" ? .isDistinctFrom(e, rhs, negated: true)
                    : .binary(BinaryOperator(rawValue: op) ?? .equal, e, rhs)
                continue
            }
            if accept(keyword: "IS") {
                let negated = accept(keyword: "NOT")
                if accept(keyword: "NULL") {
                    e = .isNull(e, negated: negated)
                } else if accept(keyword: "DISTINCT") {
                    try expect(keyword: "FROM")
                    e = .isDistinctFrom(e, try parseAdditive(), negated: negated)
                } else if current.isKeyword("TRUE") || current.isKeyword("FALSE") {
                    // `x IS TRUE` is `x <=> TRUE`: never null.
                    let value = current.isKeyword("TRUE")
                    advance()
                    e = .isDistinctFrom(e, .literal(.boolean(value)), negated: !negated)
                } else {
                    throw error("expected NULL, DISTINCT FROM, TRUE or FALSE after IS\(negated ? " NOT" : "") but found \(current.display)")
                }
                continue
            }
            let notToken = current
            let negated: Bool
            if current.isKeyword("NOT") && ["IN", "BETWEEN", "LIKE", "ILIKE"].contains(where: { peek().isKeyword($0) }) {
                advance()
                negated = true
            } else {
                negated = false
            }
            if accept(keyword: "IN") {
                try expect(symbol: "(")
                if current.isSymbol(")") { throw error("IN needs at least one value") }
                var items = [try parseExpr()]
                while accept(symbol: ",") { items.append(try parseExpr()) }
                try expect(symbol: ")")
                e = .inList(e, items, negated: negated)
            } else if accept(keyword: "BETWEEN") {
                let low = try parseAdditive()
                try expect(keyword: "AND")
                let high = try parseAdditive()
                e = .between(e, low: low, high: high, negated: negated)
            } else if current.isKeyword("LIKE") || current.isKeyword("ILIKE") {
                let ci = current.isKeyword("ILIKE")
                advance()
                let pattern = try parseAdditive()
                var escape: Character?
                if accept(keyword: "ESCAPE") {
                    let t = current
                    guard case let .string(s) = t.kind, s.count == 1, let c = s.first else {
                        throw error("ESCAPE needs a string of exactly one character", at: t)
                    }
                    advance()
                    escape = c
                }
                e = .like(e, pattern: pattern, escape: escape, caseInsensitive: ci, negated: negated)
            } else if negated {
                throw error("expected IN, BETWEEN, LIKE or ILIKE after NOT", at: notToken)
            } else {
                return e
            }
        }
    }

    private static let comparison: [String: String] = [
        "=": "=", "==": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "<=>": "<=>",
    ]

    private mutating func parseAdditive() throws(DataFrameError) -> Expr {
        var e = try parseMultiplicative()
        while true {
            if accept(symbol: "+") { e = .binary(.add, e, try parseMultiplicative()) }
            else if accept(symbol: "-") { e = .binary(.subtract, e, try parseMultiplicative()) }
            else if accept(symbol: "||") { e = .binary(.concat, e, try parseMultiplicative()) }
            else { return e }
        }
    }

    private mutating func parseMultiplicative() throws(DataFrameError) -> Expr {
        var e = try parseUnary()
        while true {
            if accept(symbol: "*") { e = .binary(.multiply, e, try parseUnary()) }
            else if accept(symbol: "/") { e = .binary(.divide, e, try parseUnary()) }
            else if accept(symbol: "%") { e = .binary(.modulo, e, try parseUnary()) }
            else { return e }
        }
    }

    private mutating func parseUnary() throws(DataFrameError) -> Expr {
        if current.isSymbol("-") {
            advance()
            // Fold the sign into a numeric literal so -2147483648 is an int and -9223372036854775808 a bigint.
            if case let .number(text) = current.kind {
                let t = current
                advance()
                return .literal(try numberLiteral("-" + text, at: t))
            }
            return .negate(try parseUnary())
        }
        if accept(symbol: "+") { return try parseUnary() }
        return try parsePrimary()
    }

    // MARK: - atoms

    private mutating func parsePrimary() throws(DataFrameError) -> Expr {
        let t = current
        switch t.kind {
        case let .number(text):
            advance()
            return .literal(try numberLiteral(text, at: t))
        case let .string(s):
            advance()
            return .literal(.string(s))
        case let .quotedIdentifier(name):
            advance()
            return try columnPath(first: name)
        case .symbol("("):
            advance()
            let e = try parseExpr()
            try expect(symbol: ")")
            return e
        case let .word(word):
            return try parseWord(word, token: t)
        case .end:
            throw error("expected an expression but the text ended")
        case .symbol:
            throw error("expected an expression but found \(t.display)")
        }
    }

    private mutating func parseWord(_ word: String, token t: Token) throws(DataFrameError) -> Expr {
        let upper = word.uppercased()
        switch upper {
        case "NULL": advance(); return .literal(.null)
        case "TRUE": advance(); return .literal(.boolean(true))
        case "FALSE": advance(); return .literal(.boolean(false))
        case "CASE": advance(); return try parseCase()
        case "CAST":
            advance()
            try expect(symbol: "(")
            let e = try parseExpr()
            try expect(keyword: "AS")
            let type = try parseType()
            try expect(symbol: ")")
            return .cast(e, type)
        case "DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ":
            if case let .string(text) = peek().kind {
                advance()
                let lit = current
                advance()
                return .literal(try typedStringLiteral(upper, text, at: lit))
            }
        case "CURRENT_DATE", "CURRENT_TIMESTAMP":
            // Spark accepts both with and without parentheses.
            if !peek().isSymbol("(") {
                advance()
                return .function(word.lowercased(), [])
            }
        default:
            break
        }
        if Self.reservedWords.contains(upper) {
            throw error("expected an expression but found the keyword \(upper); backquote it (`\(word)`) to use it as a column name")
        }
        advance()
        if accept(symbol: "(") {
            var args = [Expr]()
            if !accept(symbol: ")") {
                args.append(try parseExpr())
                while accept(symbol: ",") { args.append(try parseExpr()) }
                try expect(symbol: ")")
            }
            return .function(word.lowercased(), args)
        }
        return try columnPath(first: word)
    }

    /// `a.b.c`: the parts after the first may be bare words (even keywords) or backquoted.
    private mutating func columnPath(first: String) throws(DataFrameError) -> Expr {
        var parts = [first]
        while accept(symbol: ".") {
            switch current.kind {
            case let .word(w), let .quotedIdentifier(w):
                parts.append(w)
                advance()
            default:
                throw error("expected a column name after '.' but found \(current.display)")
            }
        }
        return .column(parts)
    }

    private mutating func parseCase() throws(DataFrameError) -> Expr {
        var operand: Expr?
        if !current.isKeyword("WHEN") { operand = try parseExpr() }
        var branches = [CaseBranch]()
        while accept(keyword: "WHEN") {
            let when = try parseExpr()
            try expect(keyword: "THEN")
            branches.append(CaseBranch(when: when, then: try parseExpr()))
        }
        if branches.isEmpty { throw error("CASE needs at least one WHEN ... THEN ... but found \(current.display)") }
        var otherwise: Expr?
        if accept(keyword: "ELSE") { otherwise = try parseExpr() }
        try expect(keyword: "END")
        return .caseWhen(operand: operand, branches: branches, otherwise: otherwise)
    }

    // MARK: - literals and types

    private func numberLiteral(_ text: String, at t: Token) throws(DataFrameError) -> Literal {
        let upper = text.uppercased()
        func bad(_ why: String) -> DataFrameError { error("\(why): \(text)", at: t) }
        func integer(_ digits: Substring, _ type: DataType, _ range: ClosedRange<Int64>) throws(DataFrameError) -> Literal {
            guard let v = Int64(digits), range.contains(v) else { throw bad("\(sqlTypeName(type)) literal out of range") }
            return .typedInteger(v, type)
        }
        if upper.hasSuffix("BD") {
            guard let d = DecimalText.parse(Substring(upper.dropLast(2))) else { throw bad("invalid decimal literal") }
            return d
        }
        if upper.hasSuffix("Y") { return try integer(upper.dropLast(), .int8, Int64(Int8.min)...Int64(Int8.max)) }
        if upper.hasSuffix("S") { return try integer(upper.dropLast(), .int16, Int64(Int16.min)...Int64(Int16.max)) }
        if upper.hasSuffix("L") { return try integer(upper.dropLast(), .int64, Int64.min...Int64.max) }
        if upper.hasSuffix("D") {
            guard let d = Double(upper.dropLast()) else { throw bad("invalid double literal") }
            return .double(d)
        }
        if upper.hasSuffix("F") {
            guard let f = Float(upper.dropLast()) else { throw bad("invalid float literal") }
            return .float(f)
        }
        if upper.contains("E") {
            guard let d = Double(upper), d.isFinite else { throw bad("invalid double literal") }
            return .double(d)
        }
        if upper.contains(".") {
            guard let d = DecimalText.parse(Substring(upper)) else { throw bad("decimal literal has more than 38 digits") }
            return d
        }
        if let v = Int64(upper) { return .integer(v) }
        // Spark types integers beyond bigint as decimal(38, 0) when they fit.
        guard let d = DecimalText.parse(Substring(upper)) else { throw bad("integer literal out of range") }
        return d
    }

    private func typedStringLiteral(_ keyword: String, _ text: String, at t: Token) throws(DataFrameError) -> Literal {
        let bytes = Array(text.utf8)
        if keyword == "DATE" {
            guard let days = bytes.withUnsafeBufferPointer({ TemporalText.parseDate($0) }) else {
                throw error("invalid DATE literal '\(text)'; write it as 'yyyy-mm-dd'", at: t)
            }
            return .date(days: days)
        }
        guard let micros = bytes.withUnsafeBufferPointer({ TemporalText.parseTimestamp($0, utc: keyword != "TIMESTAMP_NTZ") }) else {
            throw error("invalid \(keyword) literal '\(text)'; write it as 'yyyy-mm-dd hh:mm:ss[.ffffff]'", at: t)
        }
        return .timestamp(micros: micros, utc: keyword != "TIMESTAMP_NTZ")
    }

    /// A Delta / Spark SQL type name.
    mutating func parseType() throws(DataFrameError) -> DataType {
        let t = current
        guard case let .word(word) = t.kind else { throw error("expected a type name but found \(t.display)") }
        advance()
        switch word.lowercased() {
        case "boolean", "bool": return .boolean
        case "tinyint", "byte": return .int8
        case "smallint", "short": return .int16
        case "int", "integer": return .int32
        case "bigint", "long": return .int64
        case "float", "real": return .float32
        case "double": return .float64
        case "date": return .date
        case "timestamp", "timestamp_ltz": return .timestampMicros
        case "timestamp_ntz": return .timestampNTZ
        case "binary": return .binary
        case "string", "varchar", "char":
            // varchar(n) / char(n) are strings; the length is not enforced here.
            if accept(symbol: "(") {
                guard case .number = current.kind else { throw error("expected a length but found \(current.display)") }
                advance()
                try expect(symbol: ")")
            }
            return .string
        case "decimal", "dec", "numeric":
            var precision = 10, scale = 0
            if accept(symbol: "(") {
                precision = try smallInteger()
                if accept(symbol: ",") { scale = try smallInteger() }
                try expect(symbol: ")")
            }
            guard (1...38).contains(precision), (0...precision).contains(scale) else {
                throw error("decimal(\(precision),\(scale)) is invalid: precision must be 1 to 38 and scale 0 to precision", at: t)
            }
            return .decimal(precision: precision, scale: scale)
        default:
            throw error("unknown type '\(word)'; use int, bigint, smallint, tinyint, double, float, decimal(p,s), string, boolean, date, timestamp, timestamp_ntz or binary", at: t)
        }
    }

    private mutating func smallInteger() throws(DataFrameError) -> Int {
        guard case let .number(text) = current.kind, let v = Int(text), v <= 1000 else {
            throw error("expected a small integer but found \(current.display)")
        }
        advance()
        return v
    }
}

/// Exact decimal literals: digits with an optional point, giving Spark's decimal(p, s).
enum DecimalText {
    /// `1.50` is decimal(3,2) with unscaled 150; `0.05` is decimal(2,2). Nil beyond 38 digits.
    static func parse(_ text: Substring) -> Literal? {
        var negative = false
        var s = text
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let intPart = parts.first ?? "", fracPart = parts.count > 1 ? parts[1] : ""
        guard !(intPart.isEmpty && fracPart.isEmpty), (intPart + fracPart).allSatisfy(\.isASCII),
              (intPart + fracPart).allSatisfy({ $0.isNumber }) else { return nil }
        var unscaled: Int128 = 0
        var digits = 0
        for c in (intPart + fracPart) {
            guard let d = c.wholeNumberValue else { return nil }
            if digits > 0 || d != 0 { digits += 1 }
            if digits > 38 { return nil }
            unscaled = unscaled * 10 + Int128(d)
        }
        let scale = fracPart.count
        guard scale <= 38 else { return nil }
        let precision = max(max(digits, 1), scale)
        return .decimal(unscaled: negative ? -unscaled : unscaled, precision: precision, scale: scale)
    }
}
