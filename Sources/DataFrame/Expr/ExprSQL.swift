import Columnar

extension Expr: CustomStringConvertible {
    /// The expression as SQL text (what error messages quote).
    public var description: String { sql }

    /// The expression as SQL text that parses back to the same tree; parentheses only where precedence needs them.
    public var sql: String { render(self) }
}

/// Binding strength, matching the parser: OR < AND < NOT < predicates < + - || < * / % < unary < atoms.
private func precedence(_ e: Expr) -> Int {
    switch e {
    case .binary(.or, _, _): 1
    case .binary(.and, _, _): 2
    case .not: 3
    case let .binary(op, _, _) where op.isComparison: 4
    case .isNull, .isDistinctFrom, .inList, .between, .like: 4
    case .binary(.add, _, _), .binary(.subtract, _, _), .binary(.concat, _, _): 5
    case .binary: 6
    case .negate: 7
    default: 8
    }
}

private func render(_ e: Expr) -> String {
    let p = precedence(e)
    /// A child rendered in parentheses when it binds more loosely than the parent (or equally, on the right).
    func child(_ c: Expr, right: Bool = false) -> String {
        let cp = precedence(c)
        return cp < p || (right && cp == p) ? "(" + render(c) + ")" : render(c)
    }
    switch e {
    case let .column(parts): return parts.map(quoteIdentifier).joined(separator: ".")
    case let .literal(l): return l.sql
    case let .negate(x): return "-" + child(x, right: true)
    case let .not(x): return "NOT " + child(x)
    case let .binary(op, l, r): return child(l) + " " + op.rawValue + " " + child(r, right: true)
    case let .isNull(x, negated): return child(x) + (negated ? " IS NOT NULL" : " IS NULL")
    case let .isDistinctFrom(l, r, negated):
        return child(l) + (negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") + child(r, right: true)
    case let .inList(x, items, negated):
        return child(x) + (negated ? " NOT IN (" : " IN (") + items.map(render).joined(separator: ", ") + ")"
    case let .between(x, low, high, negated):
        return child(x) + (negated ? " NOT BETWEEN " : " BETWEEN ") + child(low, right: true) + " AND " + child(high, right: true)
    case let .like(x, pattern, escape, ci, negated):
        var s = child(x) + (negated ? " NOT" : "") + (ci ? " ILIKE " : " LIKE ") + child(pattern, right: true)
        if let escape { s += " ESCAPE " + Literal.string(String(escape)).sql }
        return s
    case let .caseWhen(operand, branches, otherwise):
        var s = "CASE"
        if let operand { s += " " + render(operand) }
        for b in branches { s += " WHEN " + render(b.when) + " THEN " + render(b.then) }
        if let otherwise { s += " ELSE " + render(otherwise) }
        return s + " END"
    case let .cast(x, type): return "CAST(" + render(x) + " AS " + sqlTypeName(type) + ")"
    case let .function(name, args): return name + "(" + args.map(render).joined(separator: ", ") + ")"
    }
}

/// The identifier as written, backquoted unless it is a plain identifier that is not a keyword.
func quoteIdentifier(_ name: String) -> String {
    let plain = !name.isEmpty && name.utf8.allSatisfy { Lexer.isIdentifierByte($0) }
        && !(name.utf8.first.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? true)
        && !ExprParser.reservedWords.contains(name.uppercased())
    return plain ? name : "`" + name.replacing("`", with: "``") + "`"
}

/// The Spark SQL name of a type (`bigint`, `decimal(10,2)`, `timestamp_ntz`).
func sqlTypeName(_ t: DataType) -> String {
    switch t {
    case .int8: "tinyint"
    case .int16: "smallint"
    case .int32: "int"
    case .int64: "bigint"
    default: t.name
    }
}

extension Literal {
    /// The literal as SQL text.
    public var sql: String {
        switch self {
        case .null: return "NULL"
        case let .boolean(b): return b ? "TRUE" : "FALSE"
        case let .integer(v): return String(v)
        case let .typedInteger(v, t):
            switch t {
            case .int8: return "\(v)Y"
            case .int16: return "\(v)S"
            case .int64: return "\(v)L"
            default: return String(v)
            }
        case let .decimal(u, _, s):
            let text = ValueText.decimalString(u, scale: s)
            return s == 0 ? text + "BD" : text
        case let .double(d):
            if d.isNaN { return "CAST('NaN' AS double)" }
            if d.isInfinite { return d < 0 ? "CAST('-Infinity' AS double)" : "CAST('Infinity' AS double)" }
            return "\(d)D"
        case let .float(f): return "\(f)F"
        case let .string(s):
            return "'" + s.replacing("\\", with: "\\\\").replacing("'", with: "''") + "'"
        case let .date(days):
            var out = [UInt8]()
            CivilTime.appendDate(days: Int64(days), to: &out)
            return "DATE '" + String(decoding: out, as: UTF8.self) + "'"
        case let .timestamp(micros, utc):
            var out = [UInt8]()
            CivilTime.appendTimestamp(micros, unit: .microsecond, utc: false, to: &out)
            let text = String(decoding: out, as: UTF8.self).replacing("T", with: " ")
            return (utc ? "TIMESTAMP '" : "TIMESTAMP_NTZ '") + text + "'"
        }
    }
}
