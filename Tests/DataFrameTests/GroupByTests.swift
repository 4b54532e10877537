import Columnar
import Testing
@testable import DataFrame

@Suite struct GroupByTests {
    /// k: string key with nulls; x: int with nulls; f: double with NaN and nulls; m: decimal(10,2).
    func orders() throws -> DataFrame {
        try frame([
            ("k", .string, [.string("a"), .string("b"), .null, .string("a"), .null, .string("b"), .string("a")]),
            ("x", .int32, [.int(1), .null, .int(5), .int(3), .null, .null, .int(3)]),
            ("f", .float64, [.double(1.5), .double(.nan), .null, .double(2.5), .double(4), .null, .double(-1)]),
            ("m", .decimal(precision: 10, scale: 2), [.decimal(100), .decimal(250), .null, .decimal(-50), .null, .decimal(1), .decimal(3)]),
        ])
    }

    @Test func countsSumsAndAveragesPerGroup() throws {
        let g = try orders().groupBy("k").agg(sql: "count(*) AS n", "count(x) AS nx", "sum(x) AS sx", "avg(x) AS ax",
                                                "sum(m) AS sm", "avg(m) AS am", "mean(f) AS af")
        #expect(try g.column("k").scalars == [.string("a"), .string("b"), .null])
        #expect(try g.column("n").scalars == [.int(3), .int(2), .int(2)])
        #expect(try g.column("nx").scalars == [.int(3), .int(0), .int(1)])
        #expect(try g.column("sx").type == .int64)
        #expect(try g.column("sx").scalars == [.int(7), .null, .int(5)])
        #expect(try g.column("ax").scalars == [.double(7.0 / 3), .null, .double(5)])
        #expect(try g.column("sm").type == .decimal(precision: 20, scale: 2))
        #expect(try g.column("sm").scalars == [.decimal(53), .decimal(251), .null])
        #expect(try g.column("am").type == .decimal(precision: 14, scale: 6))
        // (1.00 - 0.50 + 0.03) / 3 = 0.176666… → 0.176667 (half up)
        #expect(try g.column("am").scalars == [.decimal(176_667), .decimal(1_255_000), .null])
        let af = try g.column("af").scalars
        #expect(af[0] == .double(1.0))
        if case let .double(v) = af[1] { #expect(v.isNaN) } else { Issue.record("NaN average") }
        #expect(af[2] == .double(4))
    }

    @Test func minMaxFirstLast() throws {
        let g = try orders().groupBy("k").agg(.min("x"), .max("x"), .min("f"), .max("f"), .min("k"), .first("x"), .last("f"), .max("m"))
        #expect(try g.column("min(x)").scalars == [.int(1), .null, .int(5)])
        #expect(try g.column("max(x)").scalars == [.int(3), .null, .int(5)])
        let minF = try g.column("min(f)").scalars
        #expect(minF[0] == .double(-1) && minF[2] == .double(4))
        if case let .double(v) = minF[1] { #expect(v.isNaN) } else { Issue.record("NaN when every value is NaN") }
        let maxF = try g.column("max(f)").scalars
        #expect(maxF[0] == .double(2.5) && maxF[2] == .double(4))
        if case let .double(v) = maxF[1] { #expect(v.isNaN) } else { Issue.record("NaN is the max") }
        #expect(try g.column("min(k)").scalars == [.string("a"), .string("b"), .null])
        #expect(try g.column("first(x)").scalars == [.int(1), .null, .int(5)])
        #expect(try g.column("last(f)").scalars == [.double(-1), .null, .double(4)])
        #expect(try g.column("max(m)").scalars == [.decimal(100), .decimal(250), .null])
    }

    @Test func stddevAndVarianceAreSampleStatistics() throws {
        let df = try frame([("g", .int64, [.int(1), .int(1), .int(1), .int(2), .int(3), .int(3)]),
                            ("v", .float64, [.double(2), .double(4), .double(6), .double(9), .double(1), .null])])
        let g = try df.groupBy("g").agg(sql: "variance(v) AS var", "stddev(v) AS sd", "std(v)")
        #expect(try g.column("var").scalars == [.double(4), .null, .null])
        #expect(try g.column("sd").scalars == [.double(2), .null, .null])
        #expect(try g.column("stddev(v)").scalars == [.double(2), .null, .null])
    }

    @Test func distinctCountsTreatNullDifferently() throws {
        let df = try frame([("g", .int32, [.int(1), .int(1), .int(1), .int(1), .int(2), .int(2)]),
                            ("v", .string, [.string("x"), .null, .string("x"), .string("y"), .null, .null])])
        let g = try df.groupBy("g").agg(sql: "count(DISTINCT v) AS cd", "n_unique(v) AS nu")
        #expect(try g.column("cd").scalars == [.int(2), .int(0)])
        #expect(try g.column("nu").scalars == [.int(3), .int(1)])
    }

    @Test func severalKeysOfEveryKind() throws {
        let df = try frame([
            ("d", .date, [.int(1), .int(1), .null, .int(1), .null]),
            ("b", .boolean, [.boolean(true), .boolean(false), .null, .boolean(true), .null]),
            ("m", .decimal(precision: 5, scale: 1), [.decimal(10), .decimal(10), .decimal(3), .decimal(10), .decimal(3)]),
            ("v", .int64, [.int(1), .int(2), .int(3), .int(4), .int(5)]),
        ])
        let g = try df.groupBy("d", "b", "m").agg(.sum("v"), .count())
        #expect(g.rowCount == 3)
        #expect(try g.column("sum(v)").scalars == [.int(5), .int(2), .int(8)])
        #expect(try g.column("count(*)").scalars == [.int(2), .int(1), .int(2)])
        #expect(try g.column("d").scalars == [.int(1), .int(1), .null])
        #expect(try g.column("b").scalars == [.boolean(true), .boolean(false), .null])
    }

    @Test func groupByExpression() throws {
        let df = try frame([("x", .int32, [.int(1), .int(2), .int(3), .int(4)])])
        let g = try df.groupBy(exprs: [NamedExpr(try Expr.parse("x % 2"), as: "parity")]).agg(sql: "sum(x) total")
        #expect(try g.column("parity").scalars == [.int(1), .int(0)])
        #expect(try g.column("total").scalars == [.int(4), .int(6)])
    }

    @Test func globalAggregatesOnEmptyAndAllNull() throws {
        let empty = try frame([("x", .int32, []), ("s", .string, [])])
        let e = try empty.agg(sql: "count(*)", "count(x)", "sum(x)", "avg(x)", "min(s)", "first(x)", "n_unique(x)")
        #expect(e.rowCount == 1)
        #expect(try e.column("count(*)").scalars == [.int(0)])
        #expect(try e.column("count(x)").scalars == [.int(0)])
        #expect(try e.column("sum(x)").scalars == [.null])
        #expect(try e.column("avg(x)").scalars == [.null])
        #expect(try e.column("min(s)").scalars == [.null])
        #expect(try e.column("first(x)").scalars == [.null])
        #expect(try e.column("n_unique(x)").scalars == [.int(0)])
        #expect(try empty.groupBy("s").agg(.count()).rowCount == 0)
        let nulls = try frame([("x", .int64, [.null, .null])])
        let a = try nulls.agg(sql: "sum(x)", "max(x)", "count(x)", "count(*)", "stddev(x)")
        #expect(try a.column("sum(x)").scalars == [.null])
        #expect(try a.column("max(x)").scalars == [.null])
        #expect(try a.column("count(x)").scalars == [.int(0)])
        #expect(try a.column("count(*)").scalars == [.int(2)])
        #expect(try a.column("stddev(x)").scalars == [.null])
    }

    @Test func oneRow() throws {
        let one = try frame([("k", .int32, [.int(7)]), ("v", .float64, [.double(2)])])
        let g = try one.groupBy("k").agg(sql: "sum(v)", "variance(v)", "last(v)")
        #expect(try g.column("sum(v)").scalars == [.double(2)])
        #expect(try g.column("variance(v)").scalars == [.null])
        #expect(try g.column("last(v)").scalars == [.double(2)])
    }

    @Test func sumOverflowThrowsNamingTheAggregate() throws {
        let df = try frame([("x", .int64, [.int(Int64.max), .int(1)])])
        #expect(errorOf { try df.agg(sql: "sum(x) AS total") } == .arithmeticOverflow(expression: "total"))
        let big = DecimalMath.pow10(38) - 1
        let dec = try frame([("m", .decimal(precision: 38, scale: 0), [.decimal(big), .decimal(big)])])
        #expect(errorOf { try dec.agg(.sum("m")) } == .arithmeticOverflow(expression: "sum(m)"))
    }

    @Test func typeErrorsAndParseErrors() throws {
        let df = try orders()
        guard case .type? = errorOf({ try df.agg(.sum("k")) }) else { Issue.record("sum of string"); return }
        guard case .parse? = errorOf({ try Agg.parse("median(x)") }) else { Issue.record("unknown function"); return }
        guard case .parse? = errorOf({ try Agg.parse("sum(*)") }) else { Issue.record("sum(*)"); return }
        guard case .parse? = errorOf({ try Agg.parse("sum(DISTINCT x)") }) else { Issue.record("sum distinct"); return }
        guard case .unknownColumn? = errorOf({ try df.groupBy("nope").agg(.count()) }) else { Issue.record("unknown key"); return }
        #expect(try Agg.parse("count(DISTINCT `odd name`) AS c") == Agg(.countDistinct, .col("odd name"), as: "c"))
        #expect(try Agg.parse(" COUNT( * ) ") == Agg.count())
        #expect(try Agg.parse("sum(a + b) total").alias == "total")
    }

    @Test func largeGroupByMatchesReference() throws {
        // Above the parallel threshold: halves are numbered concurrently and merged.
        let n = 300_000
        var key = [Int64](repeating: 0, count: n), val = [Int64](repeating: 0, count: n), prod = [Int64](repeating: 0, count: n)
        var state: UInt64 = 99
        for i in 0..<n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            key[i] = Int64(state >> 50)  // about 16k groups
            val[i] = Int64(state >> 20 & 0xFFFF)
            prod[i] = Int64(state >> 8 & 0x3F)
        }
        let df = try DataFrame([("k", Kernels.column(.int64, key, validity: nil)), ("v", Kernels.column(.int64, val, validity: nil)),
                                ("p", Kernels.column(.int64, prod, validity: nil))])
        let g = try df.groupBy("k").agg(sql: "count(*) AS n", "sum(v) AS s", "n_unique(p) AS u")
        var refCount = [Int64: Int64](), refSum = [Int64: Int64](), refSet = [Int64: Set<Int64>]()
        var order = [Int64]()
        for i in 0..<n {
            if refCount[key[i]] == nil { order.append(key[i]) }
            refCount[key[i], default: 0] += 1
            refSum[key[i], default: 0] += val[i]
            refSet[key[i], default: []].insert(prod[i])
        }
        #expect(try g.column("k").scalars == order.map { .int($0) })
        #expect(try g.column("n").scalars == order.map { .int(refCount[$0] ?? -1) })
        #expect(try g.column("s").scalars == order.map { .int(refSum[$0] ?? -1) })
        #expect(try g.column("u").scalars == order.map { .int(Int64(refSet[$0]?.count ?? -1)) })
    }
}

