import Columnar

/// Everything that can go wrong when building, querying or evaluating a `DataFrame`.
///
/// Each case carries what a user needs to fix the problem: the offending expression, the
/// available columns, or the position in the SQL text.
public enum DataFrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A column name that the frame does not have.
    case unknownColumn(name: String, available: [String])
    /// A column name that matches several columns when compared case-insensitively.
    case ambiguousColumn(name: String, candidates: [String])
    /// SQL text that does not parse; `offset` is the UTF-8 byte offset of the problem in `sql`.
    case parse(message: String, sql: String, offset: Int)
    /// An expression whose operand types do not fit its operator or function.
    case type(message: String, expression: String)
    /// Integer or decimal arithmetic whose result does not fit its type (Spark's ARITHMETIC_OVERFLOW).
    case arithmeticOverflow(expression: String)
    /// Division or remainder by zero (Spark's DIVIDE_BY_ZERO).
    case divisionByZero(expression: String)
    /// A value that cannot be converted to the requested type (Spark's CAST_INVALID_INPUT / CAST_OVERFLOW).
    case invalidCast(value: String, type: String, expression: String)
    /// A function argument whose value is outside what the function accepts.
    case invalidArgument(String)
    /// Frames or columns whose shapes do not agree (different row counts, incompatible schemas).
    case shapeMismatch(String)
    /// A Columnar invariant was violated while building a result.
    case columnar(ColumnarError)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case let .unknownColumn(name, available):
            return "unknown column `\(name)`; available columns: \(available.map { "`\($0)`" }.joined(separator: ", "))"
        case let .ambiguousColumn(name, candidates):
            return "column name `\(name)` is ambiguous: it matches \(candidates.map { "`\($0)`" }.joined(separator: ", ")); write it with the exact case"
        case let .parse(message, sql, offset):
            return "syntax error: \(message)\n" + Self.caret(sql: sql, offset: offset)
        case let .type(message, expression):
            return "type error in `\(expression)`: \(message)"
        case let .arithmeticOverflow(expression):
            return "arithmetic overflow in `\(expression)`: the result does not fit its type; cast the operands to a wider type (bigint, decimal(38, s) or double)"
        case let .divisionByZero(expression):
            return "division by zero in `\(expression)`; use nullif(divisor, 0) to get null instead"
        case let .invalidCast(value, type, expression):
            return "cannot cast \(value) to \(type) in `\(expression)`"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        case let .shapeMismatch(message):
            return "shape mismatch: \(message)"
        case let .columnar(error):
            return error.description
        }
    }

    /// The SQL text (single line, newlines shown as spaces) with a caret under the character at `offset`.
    static func caret(sql: String, offset: Int) -> String {
        let bytes = Array(sql.utf8)
        let cut = max(0, min(offset, bytes.count))
        let column = String(decoding: bytes[..<cut], as: UTF8.self).count
        let line = String(sql.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
        return "  " + line + "\n  " + String(repeating: " ", count: column) + "^"
    }
}
