import Columnar

/// A frame with grouping keys chosen, waiting for its aggregates: `frame.groupBy("region").agg(.sum("amount"))`.
public struct GroupedFrame: Sendable {
    /// The frame being grouped.
    public let frame: DataFrame
    /// The grouping keys; each becomes an output column named by its alias (or column name / SQL text).
    public let keys: [NamedExpr]

    /// One row per distinct key combination (null is its own group), in order of first appearance, with the
    /// key columns first and then one column per aggregate.
    public func agg(_ aggs: [Agg]) throws(DataFrameError) -> DataFrame {
        try frame.aggregate(keys: keys, aggs, global: false)
    }

    /// Aggregates given as values.
    public func agg(_ aggs: Agg...) throws(DataFrameError) -> DataFrame {
        try agg(aggs)
    }

    /// Aggregates written in SQL: `agg(sql: "count(*) AS n", "sum(amount) AS total", "count(DISTINCT sku)")`.
    public func agg(sql items: String...) throws(DataFrameError) -> DataFrame {
        var aggs = [Agg]()
        for item in items { aggs.append(try Agg.parse(item)) }
        return try agg(aggs)
    }
}

extension DataFrame {
    /// Groups by the named columns.
    public func groupBy(_ names: String...) -> GroupedFrame {
        groupBy(names)
    }

    /// Groups by the named columns.
    public func groupBy(_ names: [String]) -> GroupedFrame {
        GroupedFrame(frame: self, keys: names.map { NamedExpr(.col($0)) })
    }

    /// Groups by expressions (each with an optional alias), e.g. `NamedExpr(try Expr.parse("year(day)"), as: "y")`.
    public func groupBy(exprs: [NamedExpr]) -> GroupedFrame {
        GroupedFrame(frame: self, keys: exprs)
    }

    /// Global aggregates over all rows: always exactly one row, even for an empty frame (count 0, sum null).
    public func agg(_ aggs: [Agg]) throws(DataFrameError) -> DataFrame {
        try aggregate(keys: [], aggs, global: true)
    }

    /// Global aggregates given as values: `try frame.agg(.count(), .sum("amount"))`.
    public func agg(_ aggs: Agg...) throws(DataFrameError) -> DataFrame {
        try agg(aggs)
    }

    /// Global aggregates written in SQL: `try frame.agg(sql: "count(*)", "max(amount) AS top")`.
    public func agg(sql items: String...) throws(DataFrameError) -> DataFrame {
        var aggs = [Agg]()
        for item in items { aggs.append(try Agg.parse(item)) }
        return try agg(aggs)
    }

    /// Group ids for the keys, then every aggregate column by column over those ids.
    func aggregate(keys: [NamedExpr], _ aggs: [Agg], global: Bool) throws(DataFrameError) -> DataFrame {
        let checker = TypeChecker(schema: schema)
        var keyColumns = [Column]()
        var fields = [Field]()
        for key in keys {
            let typed = try checker.check(key.expr)
            let column = try evaluate(typed)
            keyColumns.append(column)
            fields.append(Field(key.name, column.type, nullable: column.nullCount > 0))
        }
        var groups = try RowGrouping.groupIds(keyColumns, rowCount: rowCount)
        if global && groups.count == 0 {
            // A global aggregate over no rows still has its one (empty) group.
            groups = GroupIds(ids: [], count: 1, firstRows: [-1])
        }
        var columns = keyColumns.map { AggregateKernels.gatherOptional($0, groups.firstRows) }
        for agg in aggs {
            let input = try agg.input.map { (e: Expr) throws(DataFrameError) -> Column in try evaluate(try checker.check(e)) }
            let column = try Self.aggregateColumn(agg, input, groups)
            columns.append(column)
            fields.append(Field(agg.name, column.type, nullable: column.nullCount > 0))
        }
        try Self.checkUniqueNames(fields.map(\.name))
        return DataFrame(unchecked: Schema(fields), columns: columns, rowCount: groups.count)
    }

    /// One aggregate over grouped rows, typed as Spark types it.
    static func aggregateColumn(_ agg: Agg, _ input: Column?, _ groups: GroupIds) throws(DataFrameError) -> Column {
        let ids = groups.ids, n = groups.count, name = agg.name
        guard let input else {
            return Kernels.column(.int64, AggregateKernels.countRows(ids, groups: n), validity: nil)
        }
        let validity = input.validity
        /// Which groups have at least one non-null value: sums and averages are null elsewhere.
        func present() -> (counts: [Int64], bitmap: Bitmap) {
            let c = AggregateKernels.countValid(ids, validity, groups: n)
            return (c, Bitmap(c.map { $0 > 0 }))
        }
        switch agg.function {
        case .count:
            return Kernels.column(.int64, AggregateKernels.countValid(ids, validity, groups: n), validity: nil)
        case .countDistinct, .nUnique:
            let c = try AggregateKernels.distinctCounts(input, ids, groups: n, countNull: agg.function == .nUnique)
            return Kernels.column(.int64, c, validity: nil)
        case .sum:
            func ints<T: BinaryInteger>(_ a: [T]) throws(DataFrameError) -> Column {
                let sums = try AggregateKernels.sumInteger(a, validity, ids, groups: n, name: name)
                return Kernels.column(.int64, sums, validity: present().bitmap)
            }
            // Dates and timestamps share integer storage but are not summable.
            guard TypeRules.isNumeric(input.type) else {
                throw .type(message: "sum needs a numeric argument, not \(input.type.name)", expression: name)
            }
            switch (input.type, input.values) {
            case let (_, .int8(a)): return try ints(a)
            case let (_, .int16(a)): return try ints(a)
            case let (_, .int32(a)): return try ints(a)
            case let (_, .int64(a)): return try ints(a)
            case let (_, .uint8(a)): return try ints(a)
            case let (_, .uint16(a)): return try ints(a)
            case let (_, .uint32(a)): return try ints(a)
            case let (_, .uint64(a)): return try ints(a)
            case let (_, .float32(a)):
                let sums = AggregateKernels.sumDouble(a.map { Double($0) }, validity, ids, groups: n)
                return Kernels.column(.float64, sums, validity: present().bitmap)
            case let (_, .float64(a)):
                let sums = AggregateKernels.sumDouble(a, validity, ids, groups: n)
                return Kernels.column(.float64, sums, validity: present().bitmap)
            case let (.decimal(p, s), .decimal(a)):
                let precision = Swift.min(38, p + 10)
                let sums = try AggregateKernels.sumDecimal(a, validity, ids, groups: n, precision: precision, name: name)
                return Kernels.column(.decimal(precision: precision, scale: s), sums, validity: present().bitmap)
            default:
                throw .type(message: "sum needs a numeric argument, not \(input.type.name)", expression: name)
            }
        case .avg:
            if case let .decimal(p, s) = input.type, case let .decimal(a) = input.values {
                let precision = Swift.min(38, p + 4), scale = Swift.min(38, s + 4)
                let sums = try AggregateKernels.sumDecimal(a, validity, ids, groups: n, precision: 38, name: name)
                let (counts, has) = present()
                var out = [Int128](repeating: 0, count: n)
                for g in 0..<n where counts[g] > 0 {
                    guard let v = Self.decimalAverage(sums[g], counts[g], addScale: scale - s),
                          DecimalMath.fits(v, precision: precision) else { throw .arithmeticOverflow(expression: name) }
                    out[g] = v
                }
                return Kernels.column(.decimal(precision: precision, scale: scale), out, validity: has)
            }
            guard TypeRules.isNumeric(input.type) else {
                throw .type(message: "avg needs a numeric argument, not \(input.type.name)", expression: name)
            }
            let values = try AggregateKernels.doubles(input, name: name)
            var sums = AggregateKernels.sumDouble(values, validity, ids, groups: n)
            let (counts, has) = present()
            for g in 0..<n { sums[g] = counts[g] > 0 ? sums[g] / Double(counts[g]) : 0 }
            return Kernels.column(.float64, sums, validity: has)
        case .stddev, .variance:
            guard TypeRules.isNumeric(input.type) else {
                throw .type(message: "\(agg.function.rawValue) needs a numeric argument, not \(input.type.name)", expression: name)
            }
            let values = try AggregateKernels.doubles(input, name: name)
            var (v, has) = AggregateKernels.variance(values, validity, ids, groups: n)
            if agg.function == .stddev { v = v.map { $0.squareRoot() } }
            return Kernels.column(.float64, v, validity: has)
        case .min, .max:
            return try AggregateKernels.minMax(input, ids, groups: n, max: agg.function == .max, name: name)
        case .first:
            return AggregateKernels.gatherOptional(input, groups.firstRows)
        case .last:
            var last = [Int](repeating: -1, count: n)
            ids.withUnsafeBufferPointer { g in for r in 0..<g.count { last[Int(g[r])] = r } }
            return AggregateKernels.gatherOptional(input, last)
        }
    }

    /// `sum / count` moved `addScale` digits right, rounded half up; nil on overflow. Splits the division
    /// so `sum * 10^addScale` never has to fit Int128 on its own.
    static func decimalAverage(_ sum: Int128, _ count: Int64, addScale: Int) -> Int128? {
        let c = Int128(count)
        let q = sum / c, r = sum % c
        let scale = DecimalMath.pow10(addScale)
        let (hi, o) = q.multipliedReportingOverflow(by: scale)
        if o { return nil }
        // |r| < count < 2^63 and scale <= 10^38 could overflow together only for absurd scales; check anyway.
        let (rs, o2) = r.multipliedReportingOverflow(by: scale)
        if o2 { return nil }
        guard let lo = DecimalMath.divideRounded(rs, c) else { return nil }
        let (v, o3) = hi.addingReportingOverflow(lo)
        return o3 ? nil : v
    }
}
