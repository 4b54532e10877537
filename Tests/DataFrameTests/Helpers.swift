import Columnar
@testable import DataFrame

/// A frame from named, typed columns of boxed values (tests only).
func frame(_ columns: [(String, DataType, [Scalar])]) throws -> DataFrame {
    var named = [(name: String, column: Column)]()
    for (name, type, values) in columns { named.append((name, try Column(type, values))) }
    let fields = named.map { Field($0.name, $0.column.type, nullable: true) }
    return try DataFrame(schema: Schema(fields), columns: named.map(\.column))
}

/// A small frame with every common type and nulls in each column.
func sample() throws -> DataFrame {
    try frame([
        ("id", .int64, [.int(1), .int(2), .int(3), .int(4)]),
        ("qty", .int32, [.int(10), .null, .int(-3), .int(0)]),
        ("price", .float64, [.double(1.5), .double(.nan), .null, .double(-2)]),
        ("amount", .decimal(precision: 10, scale: 2), [.decimal(1050), .decimal(-5), .null, .decimal(0)]),
        ("name", .string, [.string("Alice"), .string("bob"), .null, .string("Émile")]),
        ("flag", .boolean, [.boolean(true), .boolean(false), .null, .boolean(true)]),
        ("day", .date, [.int(19723), .int(0), .null, .int(-1)]),
        ("ts", .timestampMicros, [.int(1_704_103_200_000_000), .int(0), .null, .int(-1)]),
    ])
}

/// Values of a SQL expression evaluated over `df`.
func values(_ sql: String, _ df: DataFrame) throws -> [Scalar] {
    try df.evaluate(sql).scalars
}

/// The single value of a constant expression.
func constant(_ sql: String) throws -> Scalar {
    let one = try frame([("x", .int32, [.int(1)])])
    return try one.evaluate(sql).scalar(at: 0)
}

/// The type a SQL expression gets over `df`'s schema.
func typeOf(_ sql: String, _ df: DataFrame) throws -> DataType {
    try TypeChecker(schema: df.schema).check(try Expr.parse(sql)).type
}

/// The error a throwing call raised, if any.
func errorOf<T>(_ body: () throws -> T) -> DataFrameError? {
    do {
        _ = try body()
        return nil
    } catch let error as DataFrameError {
        return error
    } catch {
        return .invalidArgument("unexpected error \(error)")
    }
}
