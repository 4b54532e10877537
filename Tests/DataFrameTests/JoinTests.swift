import Columnar
import Testing
@testable import DataFrame

@Suite struct JoinTests {
    func orders() throws -> DataFrame {
        try frame([
            ("id", .int64, [.int(1), .int(2), .int(3), .int(4), .int(5)]),
            ("cid", .int64, [.int(10), .int(20), .null, .int(10), .int(99)]),
            ("amount", .float64, [.double(5), .double(7), .double(1), .double(50), .double(3)]),
        ])
    }

    func customers() throws -> DataFrame {
        try frame([
            ("cid", .int64, [.int(10), .int(20), .int(20), .null, .int(30)]),
            ("name", .string, [.string("a"), .string("b1"), .string("b2"), .string("n"), .string("c")]),
        ])
    }

    func rows(_ df: DataFrame) -> [[Scalar]] {
        (0..<df.rowCount).map { r in df.columns.map { $0.scalar(at: r) } }
    }

    @Test func innerJoinMatchesDuplicatesAndSkipsNullKeys() throws {
        let j = try orders().join(customers(), on: "cid")
        #expect(j.columnNames == ["id", "cid", "amount", "name"])
        #expect(rows(j) == [
            [.int(1), .int(10), .double(5), .string("a")],
            [.int(2), .int(20), .double(7), .string("b1")],
            [.int(2), .int(20), .double(7), .string("b2")],
            [.int(4), .int(10), .double(50), .string("a")],
        ])
    }

    @Test func leftJoinKeepsEveryLeftRowInOrder() throws {
        let j = try orders().join(customers(), on: "cid", how: .left)
        #expect(try j.column("id").scalars == [.int(1), .int(2), .int(2), .int(3), .int(4), .int(5)])
        #expect(try j.column("name").scalars == [.string("a"), .string("b1"), .string("b2"), .null, .string("a"), .null])
        #expect(j.schema.field(named: "name")?.nullable == true)
    }

    @Test func leftJoinBuildingOnTheSmallerLeftSide() throws {
        let small = try frame([("cid", .int64, [.int(20), .null, .int(7)])])
        let j = try small.join(customers(), on: "cid", how: .left)
        #expect(rows(j) == [[.int(20), .string("b1")], [.int(20), .string("b2")], [.null, .null], [.int(7), .null]])
    }

    @Test func rightJoinAppendsUnmatchedRightRowsWithCoalescedKey() throws {
        let j = try orders().join(customers(), on: "cid", how: .right)
        #expect(try j.column("cid").scalars == [.int(10), .int(20), .int(20), .int(10), .null, .int(30)])
        #expect(try j.column("id").scalars == [.int(1), .int(2), .int(2), .int(4), .null, .null])
        #expect(try j.column("name").scalars == [.string("a"), .string("b1"), .string("b2"), .string("a"), .string("n"), .string("c")])
    }

    @Test func fullJoinKeepsBothSides() throws {
        let j = try orders().join(customers(), on: "cid", how: .full)
        #expect(try j.column("id").scalars == [.int(1), .int(2), .int(2), .int(3), .int(4), .int(5), .null, .null])
        #expect(try j.column("cid").scalars == [.int(10), .int(20), .int(20), .null, .int(10), .int(99), .null, .int(30)])
    }

    @Test func semiAndAntiJoins() throws {
        let semi = try orders().join(customers(), on: "cid", how: .semi)
        #expect(semi.columnNames == ["id", "cid", "amount"])
        #expect(try semi.column("id").scalars == [.int(1), .int(2), .int(4)])
        let anti = try orders().join(customers(), on: "cid", how: .anti)
        #expect(try anti.column("id").scalars == [.int(3), .int(5)])
        // Left side smaller than the right: the general path must agree.
        let one = try frame([("cid", .int64, [.int(20), .null])])
        #expect(try one.join(customers(), on: "cid", how: .semi).column("cid").scalars == [.int(20)])
        #expect(try one.join(customers(), on: "cid", how: .anti).column("cid").scalars == [.null])
    }

    @Test func emptySides() throws {
        let empty = DataFrame(emptyOf: try customers().schema)
        #expect(try orders().join(empty, on: "cid").rowCount == 0)
        let left = try orders().join(empty, on: "cid", how: .left)
        #expect(left.rowCount == 5)
        #expect(try left.column("name").nullCount == 5)
        let right = try DataFrame(emptyOf: try orders().schema).join(customers(), on: "cid", how: .right)
        #expect(right.rowCount == 5)
        #expect(try right.column("id").nullCount == 5)
        #expect(try orders().join(empty, on: "cid", how: .anti).rowCount == 5)
    }

    @Test func severalKeysAndSuffixes() throws {
        let a = try frame([
            ("k1", .int32, [.int(1), .int(1), .int(2)]),
            ("k2", .string, [.string("x"), .string("y"), .string("x")]),
            ("v", .int64, [.int(100), .int(200), .int(300)]),
        ])
        let b = try frame([
            ("k1", .int64, [.int(1), .int(2), .int(1)]),
            ("key2", .string, [.string("y"), .string("x"), .null]),
            ("v", .int64, [.int(-1), .int(-2), .int(-3)]),
        ])
        let j = try a.join(b, on: [(left: "k1", right: "k1"), (left: "k2", right: "key2")])
        // k1 differs in type (int vs long), so the right key is kept with a suffix.
        #expect(j.columnNames == ["k1", "k2", "v", "k1_right", "v_right"])
        #expect(try j.column("v").scalars == [.int(200), .int(300)])
        #expect(try j.column("v_right").scalars == [.int(-1), .int(-2)])
    }

    @Test func residualConditionFiltersPairsBeforeOuterPadding() throws {
        let limits = try frame([
            ("cid", .int64, [.int(10), .int(10), .int(20)]),
            ("limit", .float64, [.double(10), .double(100), .double(1)]),
        ])
        let inner = try orders().join(limits, on: "cid", condition: try Expr.parse("amount < limit"))
        #expect(rows(inner).map { [$0[0], $0[3]] } == [[.int(1), .double(10)], [.int(1), .double(100)], [.int(4), .double(100)]])
        let left = try orders().join(limits, on: "cid", how: .left, condition: try Expr.parse("amount < limit AND cid_right = 10"))
        #expect(try left.column("id").scalars == [.int(1), .int(1), .int(2), .int(3), .int(4), .int(5)])
        #expect(try left.column("limit").scalars == [.double(10), .double(100), .null, .null, .double(100), .null])
        let semi = try orders().join(limits, on: "cid", how: .semi, condition: try Expr.parse("amount > 6"))
        #expect(try semi.column("id").scalars == [.int(2), .int(4)])
    }

    @Test func floatAndStringKeys() throws {
        let a = try frame([("f", .float64, [.double(-0.0), .double(.nan), .double(1)])])
        let b = try frame([("f", .float32, [.float(0), .float(.nan)]), ("t", .string, [.string("zero"), .string("nan")])])
        #expect(try a.join(b, on: "f").column("t").scalars == [.string("zero"), .string("nan")])
        let s = try frame([("s", .string, [.string("é"), .string(""), .null])])
        #expect(try s.join(s, on: "s").rowCount == 2)
    }

    @Test func incompatibleKeysThrow() throws {
        let a = try frame([("k", .int64, [.int(1)])])
        let b = try frame([("k", .string, [.string("1")])])
        #expect(errorOf { try a.join(b, on: "k") } != nil)
        #expect(errorOf { try a.join(b, on: "missing") } == .unknownColumn(name: "missing", available: ["k"]))
    }

    @Test func largeLeftJoinUsesBothCoresAndKeepsOrder() throws {
        let n = 300_000
        let left = try DataFrame([
            (name: "id", column: Kernels.column(.int64, (0..<n).map { Int64($0) }, validity: nil)),
            (name: "k", column: Kernels.column(.int64, (0..<n).map { Int64($0 % 1000) }, validity: nil)),
        ])
        let right = try DataFrame([
            (name: "k", column: Kernels.column(.int64, (0..<500).map { Int64($0 * 2) }, validity: nil)),
            (name: "half", column: Kernels.column(.int64, (0..<500).map { Int64($0) }, validity: nil)),
        ])
        let j = try left.join(right, on: "k", how: .left)
        #expect(j.rowCount == n)
        let half = try j.column("half")
        #expect(half.nullCount == n / 2)
        #expect(half.scalar(at: 299_998) == .int(499))
        #expect(try j.column("id").scalar(at: 12345) == .int(12345))
        let inner = try left.join(right, on: "k")
        #expect(inner.rowCount == n / 2)
    }
}
