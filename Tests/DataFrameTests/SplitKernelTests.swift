import Columnar
import Testing
@testable import DataFrame

/// The kernels that split large columns over the two cores (mask gathers, constant comparisons) against
/// row-by-row expectations, on frames above `Parallel.threshold` rows so the split paths run.
@Suite struct SplitKernelTests {
    /// A deterministic generator (xorshift), so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let rows = Parallel.threshold * 3 + 17

    /// Columns of every gather path: int64, double, decimal, boolean, strings of 0–40 bytes, with nulls.
    static func frame(seed: UInt64) throws -> DataFrame {
        var rng = Rng(state: seed)
        var ints: [Scalar] = [], doubles: [Scalar] = [], decimals: [Scalar] = [], bools: [Scalar] = [], strings: [Scalar] = []
        for i in 0..<rows {
            ints.append(.int(Int64(rng.below(1000)) - 500))
            doubles.append(rng.below(10) == 0 ? .null : .double(Double(rng.below(100_000)) / 100))
            decimals.append(.decimal(Int128(rng.below(1_000_000)) - 500_000))
            bools.append(rng.below(7) == 0 ? .null : .boolean(rng.below(2) == 0))
            let length = i % 97 == 0 ? 40 : rng.below(20)
            strings.append(rng.below(13) == 0 ? .null : .string(String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: length)))
        }
        return try DataFrame([
            ("i", try Column(.int64, ints)), ("d", try Column(.float64, doubles)),
            ("dec", try Column(.decimal(precision: 12, scale: 2), decimals)),
            ("b", try Column(.boolean, bools)), ("s", try Column(.string, strings)),
        ])
    }

    /// `take(mask)` (the split mask gather) equals `take(indices)` (the index gather) value for value.
    func expectSameAsIndexGather(_ df: DataFrame, _ mask: Bitmap) throws {
        let byMask = df.take(mask)
        let byIndex = df.take(BitmapOps.setIndices(mask))
        #expect(byMask.rowCount == mask.setCount)
        for name in df.columnNames {
            #expect(try byMask.column(name).scalars == byIndex.column(name).scalars, "column \(name)")
        }
    }

    @Test func maskGatherMatchesIndexGather() throws {
        let df = try Self.frame(seed: 0x9E37_79B9_7F4A_7C15)
        var rng = Rng(state: 42)
        var shapes: [(String, (Int) -> Bool)] = []
        shapes.append(("random 3/8", { _ in rng.below(8) < 3 }))
        shapes.append(("first half empty", { $0 >= Self.rows / 2 + 5 }))
        shapes.append(("second half empty", { $0 < 1000 }))
        shapes.append(("runs of 64 and single rows", { ($0 / 64) % 3 == 0 || $0 % 7 == 0 }))
        shapes.append(("last row only", { $0 == Self.rows - 1 }))
        for (name, keep) in shapes {
            var mask = Bitmap(count: Self.rows, value: false)
            for r in 0..<Self.rows where keep(r) { mask[r] = true }
            guard mask.setCount > 0, mask.setCount < Self.rows else { Issue.record("shape \(name) is degenerate"); continue }
            try expectSameAsIndexGather(df, mask)
        }
    }

    @Test func filterOnLargeFrameKeepsExactlyTheMatchingRows() throws {
        let df = try Self.frame(seed: 7)
        let out = try df.filter("i > 100 AND s <> 'aaaa' AND d <= 500.5")
        let i = try df.column("i").scalars, s = try df.column("s").scalars, d = try df.column("d").scalars
        var expected: [Scalar] = []
        for r in 0..<Self.rows {
            guard case let .int(iv) = i[r], iv > 100, case let .string(sv) = s[r], sv != "aaaa",
                  case let .double(dv) = d[r], dv <= 500.5 else { continue }
            expected.append(.int(iv))
        }
        #expect(out.rowCount == expected.count)
        #expect(try out.column("i").scalars == expected)
    }

    @Test func constantComparisonsMatchRowByRow() throws {
        let df = try Self.frame(seed: 99)
        let ints = try df.column("i").scalars
        let cases: [(String, (Int64) -> Bool)] = [
            ("i = 3", { $0 == 3 }), ("i <> 3", { $0 != 3 }), ("i < -7", { $0 < -7 }),
            ("i <= -7", { $0 <= -7 }), ("i > 250", { $0 > 250 }), ("i >= 250", { $0 >= 250 }),
        ]
        for (sql, test) in cases {
            let out = try df.filter(sql)
            let expected = ints.filter { if case let .int(v) = $0 { return test(v) } else { return false } }
            #expect(try out.column("i").scalars == expected, "\(sql)")
        }
        let strings = try df.column("s").scalars
        for constant in ["", "bbbbbbbbbbbbbbbb", "ccc", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"] {
            let out = try df.filter("s = '\(constant)'")
            #expect(out.rowCount == strings.filter { $0 == .string(constant) }.count, "s = '\(constant)'")
            let outNot = try df.filter("s <> '\(constant)'")
            #expect(outNot.rowCount == strings.filter { $0 != .null && $0 != .string(constant) }.count, "s <> '\(constant)'")
        }
    }

    @Test func runningSumOnLargeFrameMatchesReference() throws {
        // Partitions of every size (skewed keys), order keys with ties, nulls in the summed column.
        var rng = Rng(state: 12345)
        var keys: [Scalar] = [], order: [Scalar] = [], values: [Scalar] = []
        var raw: [(key: Int64, order: Int64, value: Int64?)] = []
        for _ in 0..<Self.rows {
            let k = rng.below(4) == 0 ? 0 : Int64(rng.below(5000))
            let o = Int64(rng.below(40))
            let v: Int64? = rng.below(9) == 0 ? nil : Int64(rng.below(1000))
            raw.append((k, o, v))
            keys.append(.int(k))
            order.append(.int(o))
            values.append(v.map { .int($0) } ?? .null)
        }
        let df = try DataFrame([("k", try Column(.int64, keys)), ("o", try Column(.int64, order)), ("v", try Column(.int64, values))])
        let out = try df.withWindow("s", .runningSum("v"), partitionBy: ["k"], orderBy: [SortKey("o")]).column("s").scalars
        // Reference: per partition, the sum over rows with an order key up to this row's (RANGE peers).
        var byKey: [Int64: [Int64: (sum: Int64, count: Int)]] = [:]
        for r in raw {
            var m = byKey[r.key, default: [:]]
            let prior = m[r.order, default: (0, 0)]
            m[r.order] = (prior.sum + (r.value ?? 0), prior.count + (r.value == nil ? 0 : 1))
            byKey[r.key] = m
        }
        var cumulative: [Int64: [Int64: (sum: Int64, count: Int)]] = [:]
        for (key, m) in byKey {
            var total: Int64 = 0, count = 0
            var c: [Int64: (sum: Int64, count: Int)] = [:]
            for o in m.keys.sorted() {
                total += m[o]!.sum
                count += m[o]!.count
                c[o] = (total, count)
            }
            cumulative[key] = c
        }
        var mismatches = 0
        for (i, r) in raw.enumerated() {
            let t = cumulative[r.key]![r.order]!
            let expected: Scalar = t.count == 0 ? .null : .int(t.sum)
            if out[i] != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
