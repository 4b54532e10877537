import Columnar
import Testing
@testable import DataFrame

@Suite struct SortTests {
    func ints(_ df: DataFrame, _ name: String) throws -> [Scalar] { try df.column(name).scalars }

    @Test func ascendingPutsNullsFirstByDefault() throws {
        let df = try frame([("x", .int32, [.int(3), .null, .int(1), .int(2)]), ("r", .int64, [.int(0), .int(1), .int(2), .int(3)])])
        let s = try df.sort("x")
        #expect(try ints(s, "x") == [.null, .int(1), .int(2), .int(3)])
        #expect(try ints(s, "r") == [.int(1), .int(2), .int(3), .int(0)])
    }

    @Test func descendingPutsNullsLastByDefault() throws {
        let df = try frame([("x", .int64, [.int(3), .null, .int(-1), .int(2)])])
        #expect(try ints(try df.sort("x", descending: true), "x") == [.int(3), .int(2), .int(-1), .null])
        #expect(try ints(try df.sort(by: [.desc("x", nullsFirst: true)]), "x") == [.null, .int(3), .int(2), .int(-1)])
        #expect(try ints(try df.sort(by: [.asc("x", nullsFirst: false)]), "x") == [.int(-1), .int(2), .int(3), .null])
    }

    @Test func sortIsStableOnTies() throws {
        let df = try frame([("k", .string, [.string("b"), .string("a"), .string("b"), .string("a"), .string("b")]),
                            ("r", .int32, [.int(0), .int(1), .int(2), .int(3), .int(4)])])
        #expect(try ints(try df.sort("k"), "r") == [.int(1), .int(3), .int(0), .int(2), .int(4)])
        #expect(try ints(try df.sort("k", descending: true), "r") == [.int(0), .int(2), .int(4), .int(1), .int(3)])
    }

    @Test func nanSortsAboveNumbersAndNegativeZeroEqualsZero() throws {
        let df = try frame([("f", .float64, [.double(.nan), .double(1), .null, .double(-.infinity), .double(.infinity), .double(-0.0), .double(0)]),
                            ("r", .int32, (0..<7).map { .int(Int64($0)) })])
        let s = try df.sort("f")
        #expect(try ints(s, "r") == [.int(2), .int(3), .int(5), .int(6), .int(1), .int(4), .int(0)])
        let d = try df.sort("f", descending: true)
        #expect(try ints(d, "r") == [.int(0), .int(4), .int(1), .int(5), .int(6), .int(3), .int(2)])
    }

    @Test func severalKeysAndTypes() throws {
        let df = try frame([
            ("d", .date, [.int(2), .int(1), .int(2), .null, .int(1)]),
            ("m", .decimal(precision: 10, scale: 2), [.decimal(-5), .decimal(100), .decimal(7), .decimal(1), .null]),
            ("b", .boolean, [.boolean(true), .boolean(false), .null, .boolean(true), .boolean(false)]),
            ("r", .int32, (0..<5).map { .int(Int64($0)) }),
        ])
        let s = try df.sort(by: [SortKey("d"), SortKey("m", descending: true)])
        #expect(try ints(s, "r") == [.int(3), .int(1), .int(4), .int(2), .int(0)])
        let b = try df.sort(by: [SortKey("b"), SortKey("r", descending: true)])
        #expect(try ints(b, "r") == [.int(2), .int(4), .int(1), .int(3), .int(0)])
    }

    @Test func decimalsCompareAcrossTheWholeRange() throws {
        let big = DecimalMath.pow10(30)
        let df = try frame([("m", .decimal(precision: 38, scale: 0), [.decimal(big), .decimal(-big), .decimal(0), .decimal(-1)])])
        #expect(try ints(try df.sort("m"), "m") == [.decimal(-big), .decimal(-1), .decimal(0), .decimal(big)])
    }

    @Test func stringsUseByteOrder() throws {
        let df = try frame([("s", .string, [.string("b"), .string("ab"), .string(""), .string("a"), .null, .string("É")])])
        #expect(try ints(try df.sort("s"), "s") == [.null, .string(""), .string("a"), .string("ab"), .string("b"), .string("É")])
        #expect(try ints(try df.sort("s", descending: true), "s") == [.string("É"), .string("b"), .string("ab"), .string("a"), .string(""), .null])
    }

    @Test func expressionsAndSQLKeys() throws {
        let df = try frame([("a", .int32, [.int(1), .int(2), .int(3)]), ("b", .int32, [.int(5), .int(1), .int(2)])])
        #expect(try ints(try df.sort(by: [SortKey(try Expr.parse("a - b"))]), "a") == [.int(1), .int(2), .int(3)])
        #expect(try ints(try df.sort(sql: "a * -1"), "a") == [.int(3), .int(2), .int(1)])
        #expect(try ints(try df.sort(sql: "b DESC NULLS FIRST"), "b") == [.int(5), .int(2), .int(1)])
        let key = try SortKey.parse("x + 1 desc")
        #expect(key.descending && !key.nullsFirst)
    }

    @Test func emptyAndOneRow() throws {
        let empty = try frame([("x", .int32, [])])
        #expect(try empty.sort("x").rowCount == 0)
        let one = try frame([("x", .string, [.null])])
        #expect(try ints(try one.sort("x"), "x") == [.null])
        guard case .unknownColumn? = errorOf({ try one.sort("nope") }) else { Issue.record("unknown column"); return }
    }

    @Test func largeInputMatchesReferenceOrder() throws {
        // Above the parallel threshold: the two halves are sorted concurrently and merged.
        let n = 200_000
        var x = [Int64](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
        var state: UInt64 = 12345
        for i in 0..<n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            x[i] = Int64(state >> 54)
            y[i] = Double(state >> 40 & 0xFF)
        }
        let df = try DataFrame([("x", Kernels.column(.int64, x, validity: nil)), ("y", Kernels.column(.float64, y, validity: nil)),
                                ("r", Kernels.column(.int64, (0..<n).map { Int64($0) }, validity: nil))])
        let perm = try df.sortPermutation([SortKey("x"), SortKey("y", descending: true)])
        func before(_ a: Int, _ b: Int) -> Bool {
            if x[a] != x[b] { return x[a] < x[b] }
            if y[a] != y[b] { return y[a] > y[b] }
            return a < b
        }
        let expected = (0..<n).sorted(by: before)
        #expect(perm == expected)
        let single = try df.sortPermutation([SortKey("x")])
        func byX(_ a: Int, _ b: Int) -> Bool { x[a] != x[b] ? x[a] < x[b] : a < b }
        #expect(single == (0..<n).sorted(by: byX))
    }
}
