import Columnar
import Foundation

extension DataFrame {
    /// Evaluates `expr` over every row, giving a column of the expression's type.
    public func evaluate(_ expr: Expr) throws(DataFrameError) -> Column {
        try evaluate(try TypeChecker(schema: schema).check(expr))
    }

    /// Evaluates an expression already checked against this frame's schema.
    public func evaluate(_ typed: TypedExpr) throws(DataFrameError) -> Column {
        try Evaluator(columns: columns, rowCount: rowCount).eval(typed)
    }

    /// Parses and evaluates a SQL expression.
    public func evaluate(_ sql: String) throws(DataFrameError) -> Column {
        try evaluate(try Expr.parse(sql))
    }
}

/// Evaluates typed expressions column-at-a-time. Each node dispatches on its type once and then runs a
/// typed loop over whole buffers; nulls travel as validity bitmaps combined word by word.
struct Evaluator {
    let columns: [Column]
    let rowCount: Int
    /// The statement's clock in microseconds since the epoch: `current_date` / `current_timestamp`
    /// are the same for every row, as in Spark.
    let now: Int64

    init(columns: [Column], rowCount: Int, now: Int64? = nil) {
        self.columns = columns
        self.rowCount = rowCount
        self.now = now ?? Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    func eval(_ e: TypedExpr) throws(DataFrameError) -> Column {
        switch e.node {
        case let .column(i):
            return columns[i]
        case let .literal(v):
            return try Kernels.broadcast(v, e.type, count: rowCount)
        case let .cast(x):
            return try Cast.column(try eval(x), to: e.type, expression: e.source)
        case let .negate(x):
            return try Arithmetic.negate(try eval(x), expression: e.source)
        case let .not(x):
            let c = try eval(x)
            return Kernels.boolean(BitmapOps.not(try Kernels.bits(c)), validity: c.validity)
        case let .arithmetic(op, l, r):
            return try Arithmetic.binary(op, try eval(l), try eval(r), resultType: e.type, expression: e.source)
        case let .compare(op, l, r):
            if let v = r.literalValue, v != .null {
                return try Compare.compare(op, try eval(l), scalar: v)
            }
            if let v = l.literalValue, v != .null {
                return try Compare.compare(op.flipped, try eval(r), scalar: v)
            }
            return try Compare.compare(op, try eval(l), try eval(r))
        case let .and(l, r):
            let left = try eval(l)
            // Like Spark, the right side is not evaluated where the left is already false, so
            // `b <> 0 AND a / b > 1` does not divide by zero.
            let needed = Logic.notFalse(left)
            return try Logic.and(left, try evalMasked(r, needed))
        case let .or(l, r):
            let left = try eval(l)
            let needed = Logic.notTrue(left)
            return try Logic.or(left, try evalMasked(r, needed))
        case let .isNull(x, negated):
            return Logic.isNull(try eval(x), negated: negated)
        case let .distinct(l, r, negated):
            return try Logic.distinct(try eval(l), try eval(r), negated: negated)
        case let .inList(x, items, negated):
            // x IN (a, b) is x = a OR x = b, with SQL's nulls: NULL when nothing matches and an item is NULL.
            let value = try eval(x)
            var result: Column?
            for item in items {
                let eq: Column
                if let v = item.literalValue {
                    eq = v == .null ? Kernels.nulls(.boolean, count: rowCount) : try Compare.compare(.equal, value, scalar: v)
                } else {
                    eq = try Compare.compare(.equal, value, try eval(item))
                }
                result = try result.map { (acc: Column) throws(DataFrameError) -> Column in try Logic.or(acc, eq) } ?? eq
            }
            let found = result ?? Kernels.boolean(Bitmap(count: rowCount, value: false), validity: nil)
            return negated ? Kernels.boolean(BitmapOps.not(try Kernels.bits(found)), validity: found.validity) : found
        case let .like(x, pattern, escape, ci, negated):
            return try Like.evaluate(try eval(x), pattern: pattern, patternColumn: { () throws(DataFrameError) -> Column in try eval(pattern) },
                                     escape: escape, caseInsensitive: ci, negated: negated, expression: e.source)
        case let .caseWhen(branches, otherwise):
            return try caseWhen(branches, otherwise, type: e.type)
        case let .call(.coalesce, args):
            // Later arguments only run where every earlier one was null (coalesce(x, 1 / y) is safe where x is set).
            var remaining = Bitmap(count: rowCount, value: true)
            var pieces = [(rows: Bitmap, values: Column)]()
            for a in args where remaining.setCount > 0 {
                let c = try evalMasked(a, remaining)
                let take = c.validity.map { v in BitmapOps.combine(remaining, v) { $0 & $1 } } ?? remaining
                pieces.append((take, c))
                remaining = BitmapOps.combine(remaining, take) { $0 & ~$1 }
            }
            if pieces.isEmpty { return Kernels.nulls(e.type, count: rowCount) }
            return try Evaluator.choose(pieces, type: e.type, count: rowCount)
        case let .call(f, args):
            var cols = [Column]()
            for a in args { cols.append(try eval(a)) }
            return try Functions.call(f, cols, type: e.type, expression: e.source, now: now, rowCount: rowCount)
        case let .dateAdd(date, days, subtract):
            return try TemporalKernels.dateAdd(try eval(date), try eval(days), subtract: subtract, expression: e.source)
        }
    }

    /// Casts one constant at type-check time by running the column kernel on one row, so constants and
    /// columns convert identically.
    static func foldCast(_ value: Scalar, from: DataType, to: DataType, expression: Expr) throws(DataFrameError) -> Scalar {
        let column = try Kernels.broadcast(value, from, count: 1)
        return try Cast.column(column, to: to, expression: expression).scalar(at: 0)
    }
}
