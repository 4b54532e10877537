import Columnar

/// A SQL expression as Spark and Delta write it in predicates and SET clauses, before type checking.
///
/// Build one with `Expr.parse(_:)` or the helpers `col`, `lit`; check it against a schema with
/// `TypeChecker` and evaluate it over a `DataFrame` with `DataFrame.evaluate(_:)`.
public indirect enum Expr: Sendable, Hashable {
    /// A column reference; qualified names keep every part (`t.amount` is `["t", "amount"]`).
    case column([String])
    /// A constant.
    case literal(Literal)
    /// Arithmetic negation `-x`.
    case negate(Expr)
    /// Logical negation `NOT x`.
    case not(Expr)
    /// A binary operator: arithmetic, comparison, `AND`, `OR`, `||`.
    case binary(BinaryOperator, Expr, Expr)
    /// `x IS NULL`, or `x IS NOT NULL` when negated.
    case isNull(Expr, negated: Bool)
    /// `a IS DISTINCT FROM b`; negated it is `a IS NOT DISTINCT FROM b`, also written `a <=> b`.
    case isDistinctFrom(Expr, Expr, negated: Bool)
    /// `x IN (a, b, ...)`, or `NOT IN` when negated.
    case inList(Expr, [Expr], negated: Bool)
    /// `x BETWEEN low AND high`, or `NOT BETWEEN` when negated.
    case between(Expr, low: Expr, high: Expr, negated: Bool)
    /// `x LIKE pattern [ESCAPE 'c']` (`ILIKE` when `caseInsensitive`), or `NOT LIKE` when negated.
    case like(Expr, pattern: Expr, escape: Character?, caseInsensitive: Bool, negated: Bool)
    /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`.
    case caseWhen(operand: Expr?, branches: [CaseBranch], otherwise: Expr?)
    /// `CAST(x AS type)`.
    case cast(Expr, DataType)
    /// A function call; the name is stored lowercased.
    case function(String, [Expr])

    /// A reference to the column called `name` (no qualifier, no parsing of dots).
    public static func col(_ name: String) -> Expr { .column([name]) }

    /// A literal constant.
    public static func lit(_ value: Literal) -> Expr { .literal(value) }

    /// A 64-bit integer literal (typed `int` when it fits 32 bits, as Spark types it).
    public static func lit(_ value: Int) -> Expr { .literal(.integer(Int64(value))) }

    /// A string literal.
    public static func lit(_ value: String) -> Expr { .literal(.string(value)) }

    /// A double literal.
    public static func lit(_ value: Double) -> Expr { .literal(.double(value)) }

    /// A boolean literal.
    public static func lit(_ value: Bool) -> Expr { .literal(.boolean(value)) }

    /// `self AND other`.
    public func and(_ other: Expr) -> Expr { .binary(.and, self, other) }

    /// `self OR other`.
    public func or(_ other: Expr) -> Expr { .binary(.or, self, other) }
}

/// One `WHEN condition THEN value` arm of a CASE expression.
public struct CaseBranch: Sendable, Hashable {
    /// The condition (or, in a simple CASE, the value compared with the operand).
    public var when: Expr
    /// The result when the condition holds.
    public var then: Expr

    /// Creates a branch.
    public init(when: Expr, then: Expr) {
        self.when = when
        self.then = then
    }
}

/// Binary operators, with the SQL spelling as raw value.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case and = "AND", or = "OR"
    /// String concatenation `||`.
    case concat = "||"

    /// True for `= <> < <= > >=`.
    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }

    /// True for `+ - * / %`.
    public var isArithmetic: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .modulo: true
        default: false
        }
    }
}

/// A constant as written in SQL, before it is given a column type.
public enum Literal: Sendable, Hashable {
    /// `NULL`.
    case null
    /// `TRUE` / `FALSE`.
    case boolean(Bool)
    /// An integer; typed `int` when it fits 32 bits, else `bigint` (Spark's rule).
    case integer(Int64)
    /// A typed integer from a suffixed literal (`1Y`, `1S`, `1L`) or a cast constant.
    case typedInteger(Int64, DataType)
    /// An exact decimal such as `1.50`: unscaled value 150, precision 3, scale 2.
    case decimal(unscaled: Int128, precision: Int, scale: Int)
    /// A double such as `1e3` or `1.5D`.
    case double(Double)
    /// A float such as `1.5F`.
    case float(Float)
    /// A string.
    case string(String)
    /// `DATE 'yyyy-mm-dd'`, as days since 1970-01-01.
    case date(days: Int32)
    /// `TIMESTAMP '...'` (UTC-adjusted) or `TIMESTAMP_NTZ '...'`, as microseconds since the epoch.
    case timestamp(micros: Int64, utc: Bool)
}

/// An expression with the name it gets as an output column.
public struct NamedExpr: Sendable, Hashable {
    /// The expression.
    public var expr: Expr
    /// The output name; `nil` derives one (a column keeps its name, anything else gets its SQL text).
    public var alias: String?

    /// Creates a named expression.
    public init(_ expr: Expr, as alias: String? = nil) {
        self.expr = expr
        self.alias = alias
    }

    /// The output column name.
    public var name: String {
        if let alias { return alias }
        if case let .column(parts) = expr, let last = parts.last { return last }
        return expr.sql
    }
}
