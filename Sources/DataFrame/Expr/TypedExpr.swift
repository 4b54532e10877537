import Columnar

/// An expression resolved against a schema: columns are positions, every node knows its result type,
/// and Spark's implicit casts are explicit `cast` nodes. Produced by `TypeChecker`, evaluated by
/// `DataFrame.evaluate(_:)`.
public struct TypedExpr: Sendable {
    /// The result type.
    public let type: DataType
    /// The operation.
    let node: TypedNode
    /// The expression this node came from; runtime errors quote it.
    public let source: Expr

    /// True for an untyped `NULL` literal, which takes the type its context needs.
    var isNullLiteral: Bool {
        if case .literal(.null) = node, case .literal(.null) = source { return true }
        return false
    }

    /// The constant value when this node is a literal.
    var literalValue: Scalar? {
        if case let .literal(v) = node { return v }
        return nil
    }
}

/// Arithmetic operators after type checking.
enum ArithmeticOp: Sendable {
    case add, subtract, multiply, divide, modulo
}

/// Comparison operators after type checking.
enum ComparisonOp: Sendable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
}

/// One `WHEN condition THEN value` arm after type checking.
struct TypedBranch: Sendable {
    let when: TypedExpr
    let then: TypedExpr
}

/// Units `date_trunc` accepts.
enum TruncUnit: Sendable {
    case year, quarter, month, week, day, hour, minute, second, millisecond, microsecond
}

/// Functions after type checking; arguments are already cast to what the kernel expects.
enum Function: Sendable {
    case coalesce, greatest, least
    case abs, round(digits: Int), floor, ceil
    case lower, upper, length, trim, ltrim, rtrim, substring, concat
    case year, month, day, hour, minute, second
    case dateTrunc(TruncUnit)
    case toDate(DateFormat), toTimestamp(DateFormat)
    case currentDate, currentTimestamp
}

/// The operations of a typed expression tree.
indirect enum TypedNode: Sendable {
    case column(Int)
    /// A constant of the node's type (`.null` for NULL).
    case literal(Scalar)
    /// Conversion of the child to the node's type (ANSI: invalid values raise errors).
    case cast(TypedExpr)
    case negate(TypedExpr)
    case not(TypedExpr)
    /// Both operands have the same type, except decimal arithmetic where each keeps its own precision and scale.
    case arithmetic(ArithmeticOp, TypedExpr, TypedExpr)
    /// Both operands have the same type.
    case compare(ComparisonOp, TypedExpr, TypedExpr)
    case and(TypedExpr, TypedExpr)
    case or(TypedExpr, TypedExpr)
    case isNull(TypedExpr, negated: Bool)
    /// Both operands have the same type.
    case distinct(TypedExpr, TypedExpr, negated: Bool)
    /// The value and every item have the same type.
    case inList(TypedExpr, [TypedExpr], negated: Bool)
    case like(TypedExpr, pattern: TypedExpr, escape: UInt8?, caseInsensitive: Bool, negated: Bool)
    /// Every `then` and the `otherwise` have the node's type.
    case caseWhen([TypedBranch], otherwise: TypedExpr?)
    case call(Function, [TypedExpr])
    /// `date + days` / `date - days`.
    case dateAdd(TypedExpr, days: TypedExpr, subtract: Bool)
}
