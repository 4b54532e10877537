import Columnar
import Testing
@testable import Lake

@Suite struct ZOrderKeysTests {
    /// The interleaving written out bit by bit: bit `level` of column `c` goes to position
    /// (63 - level) * k + c from the top of the row's words.
    func reference(_ keys: [[UInt64]], row: Int) -> [UInt64] {
        let k = keys.count
        var out = [UInt64](repeating: 0, count: k)
        var p = 0
        for level in stride(from: 63, through: 0, by: -1) {
            for c in 0..<k {
                if (keys[c][row] >> UInt64(level)) & 1 == 1 { out[p / 64] |= 1 << UInt64(63 - p % 64) }
                p += 1
            }
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 5])
    func interleavingMatchesTheBitByBitReference(columns: Int) {
        var rng = SystemRandomNumberGenerator()
        let rows = 200
        let keys = (0..<columns).map { _ in (0..<rows).map { r -> UInt64 in r < 4 ? [0, .max, 1 << 63, 1][r] : UInt64.random(in: 0...UInt64.max, using: &rng) } }
        let z = ZOrderKeys.interleave(keys, rows: rows)
        for r in 0..<rows {
            #expect(Array(z[(r * columns)..<((r + 1) * columns)]) == reference(keys, row: r), "row \(r)")
        }
    }

    /// Sorted inputs give non-decreasing keys (order preserved), and distinct values that differ in the
    /// key's range give distinct keys.
    func expectOrderPreserved(_ column: Column, _ what: String) throws {
        let keys = try ZOrderKeys.orderKeys(column, name: what)
        for i in 1..<keys.count { #expect(keys[i - 1] <= keys[i], "\(what): row \(i - 1) to \(i)") }
    }

    @Test func integersDatesAndTimestampsKeepTheirOrder() throws {
        let ints: [Int64] = [.min, -1_000_000_000_000, -5, -1, 0, 1, 7, 1 << 40, .max]
        try expectOrderPreserved(Column(.int64, ints.map { .int($0) }), "long")
        try expectOrderPreserved(Column(.int32, [Int64(Int32.min), -3, 0, 3, Int64(Int32.max)].map { .int($0) }), "int")
        try expectOrderPreserved(Column(.date, [-719_162, -1, 0, 19_000, 2_932_896].map { .int($0) }), "date")
        try expectOrderPreserved(Column(.timestamp(.microsecond, utc: true), ints.map { .int($0) }), "timestamp")
    }

    @Test func floatsKeepTheirOrderWithZerosEqualAndNaNLast() throws {
        let values: [Double] = [-.infinity, -1e300, -2.5, -1e-300, -0.0, 0.0, 1e-300, 3.0, 1e300, .infinity, .nan]
        try expectOrderPreserved(Column(.float64, values.map { .double($0) }), "double")
        let keys = try ZOrderKeys.orderKeys(Column(.float64, values.map { .double($0) }), name: "double")
        #expect(keys[4] == keys[5])
        #expect(keys.last == .max)
        try expectOrderPreserved(Column(.float32, [-3.5, -1, 0, 0.25, 9].map { .double($0) }), "float")
    }

    @Test func stringsOrderByTheirLeadingBytesAndNullsComeFirst() throws {
        let strings: [String?] = [nil, "", "a", "ab", "abcdefgh", "abcdefghZZZ", "b", "zzzz"]
        let column = try Column(.string, strings.map { $0.map { .string($0) } ?? .null })
        try expectOrderPreserved(column, "string")
        let keys = try ZOrderKeys.orderKeys(column, name: "string")
        #expect(keys[0] == 0 && keys[1] == 0)  // null and "" both sort first
        #expect(keys[4] == keys[5])  // equal in their first 8 bytes
    }

    @Test func decimalsClampToTheLongRangeInOrder() throws {
        let column = try Column(.decimal(precision: 38, scale: 2), [Int128.min / 2, -5, 0, 5, Int128.max / 2].map { .decimal($0) })
        try expectOrderPreserved(column, "decimal")
    }

    @Test func nestedColumnsAreRefused() throws {
        let list = try Column(.list(Field("element", .int64)), [.list([.int(1)])])
        #expect(throws: LakeError.self) { _ = try ZOrderKeys.orderKeys(list, name: "tags") }
    }

    /// Sorting by Z-values clusters both columns: each quarter of a 64x64 grid of points sorted by Z-value
    /// covers one quadrant.
    @Test func theZOrderVisitsQuadrantsOneAfterAnother() {
        var a: [UInt64] = [], b: [UInt64] = []
        for x in 0..<64 { for y in 0..<64 { a.append(UInt64(x) << 58); b.append(UInt64(y) << 58) } }
        let rows = a.count
        let order = ZOrderKeys.order(ZOrderKeys.interleave([a, b], rows: rows), width: 2, rows: rows)
        for q in 0..<4 {
            let part = order[(q * rows / 4)..<((q + 1) * rows / 4)]
            let xs = Set(part.map { a[$0] >> 63 }), ys = Set(part.map { b[$0] >> 63 })
            #expect(xs.count == 1 && ys.count == 1, "quarter \(q)")
        }
    }
}
