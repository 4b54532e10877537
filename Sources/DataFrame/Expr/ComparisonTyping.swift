import Columnar

/// The engine's typing of constants and comparisons, for code outside the engine that must agree with it
/// exactly (data skipping decides which files can hold rows a predicate selects, so it must compare in the
/// type the filter compares in, with the constant converted the way the filter converts it).
extension Literal {
    /// The SQL type Spark gives this literal and its value in that type (`NULL` is a boolean null).
    public var typedValue: (type: DataType, value: Scalar) {
        switch self {
        case .null: (.boolean, .null)
        case let .boolean(b): (.boolean, .boolean(b))
        case let .integer(v): (Int32(exactly: v) != nil ? .int32 : .int64, .int(v))
        case let .typedInteger(v, t): (t, .int(v))
        case let .decimal(u, p, s): (.decimal(precision: p, scale: s), .decimal(u))
        case let .double(d): (.float64, .double(d))
        case let .float(f): (.float32, .float(f))
        case let .string(s): (.string, .string(s))
        case let .date(d): (.date, .int(Int64(d)))
        case let .timestamp(m, utc): (.timestamp(.microsecond, utc: utc), .int(m))
        }
    }
}

extension TypeChecker {
    /// The type a value of type `x` and one of type `y` are compared in (Spark ANSI: numeric widening, a
    /// string read as the date, timestamp, boolean or number it meets), or nil when they cannot be compared.
    public static func comparedType(_ x: DataType, _ y: DataType) -> DataType? {
        TypeChecker(schema: Schema([])).comparisonType(x, y)
    }

    /// The constant `value` of type `from` converted to `to` exactly as the engine folds a cast of a constant
    /// (ANSI: a value that does not convert throws).
    public static func castConstant(_ value: Scalar, from: DataType, to: DataType) throws(DataFrameError) -> Scalar {
        if value == .null { return .null }
        if from == to { return value }
        return try Evaluator.foldCast(value, from: from, to: to, expression: .literal(.null))
    }
}
