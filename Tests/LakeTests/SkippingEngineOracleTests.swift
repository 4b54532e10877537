import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

// Skipping checked against the engine itself: files get the stats lake's writer computes for their values, and
// for every generated predicate a file the engine's filter finds a row in must be kept.

/// A small deterministic generator (SplitMix64), so failures reproduce.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every operator with the literal on both sides, BETWEEN, IN, their negations and OR/AND combinations.
private func predicates(_ literals: [String]) -> [String] {
    var out: [String] = []
    for l in literals {
        for op in ["=", "<>", "<", "<=", ">", ">="] {
            out.append("x \(op) \(l)")
            out.append("\(l) \(op) x")
            out.append("NOT (x \(op) \(l))")
        }
        out.append("x <=> \(l)")
        out.append("x IS DISTINCT FROM \(l)")
    }
    for (a, b) in zip(literals, literals.dropFirst()) {
        out.append("x BETWEEN \(a) AND \(b)")
        out.append("x NOT BETWEEN \(a) AND \(b)")
        out.append("x IN (\(a), \(b))")
        out.append("x NOT IN (\(a), \(b))")
        out.append("x < \(a) OR x > \(b)")
        out.append("NOT (x >= \(a) AND x <= \(b))")
        out.append("x > \(a) AND x IS NOT NULL")
    }
    out += ["x IS NULL", "x IS NOT NULL", "NOT (x IS NULL)", "x IN (\(literals.prefix(3).joined(separator: ", ")), NULL)"]
    return out
}

private func check(_ field: Field, files: [[Scalar]], literals: [String]) throws {
    let ps = predicates(literals)
    var skipped = 0
    for values in files {
        let (s, wrong) = try checkAgainstEngine(field, values, predicates: ps)
        skipped += s
        #expect(wrong.isEmpty, "\(wrong.prefix(3))")
    }
    // Skipping must also do its job somewhere.
    #expect(skipped > 0)
}

@Test func longsNearTwoPow53AgainstTheEngine() throws {
    var rng = SplitMix(state: 1)
    let base: Int64 = 9_007_199_254_740_990
    let files: [[Scalar]] = (0..<12).map { _ in
        (0..<Int.random(in: 1...4, using: &rng)).map { _ in
            Int.random(in: 0..<5, using: &rng) == 0 ? .null : .int(base + Int64.random(in: 0...8, using: &rng))
        }
    }
    let literals = (0...8).map { String(base + Int64($0)) } + ["9007199254740993.5", "9007199254740993.0D"]
    try check(Field("x", .int64), files: files, literals: literals)
}

@Test func decimalsAgainstTheEngine() throws {
    var rng = SplitMix(state: 2)
    let files: [[Scalar]] = (0..<12).map { _ in
        (0..<Int.random(in: 1...4, using: &rng)).map { _ in
            Int.random(in: 0..<6, using: &rng) == 0 ? .null : .decimal(Int128(Int.random(in: 99...103, using: &rng)))
        }
    }
    try check(Field("x", .decimal(precision: 10, scale: 2)), files: files, literals: ["0.99", "1.005", "1.00", "1.010", "1.02", "1.03", "1", "2"])
}

@Test func doublesWithNaNAndZerosAgainstTheEngine() throws {
    var rng = SplitMix(state: 3)
    let pool: [Double] = [.nan, -0.0, 0.0, 1.5, -2.25, 3.0, .nan]
    let files: [[Scalar]] = (0..<16).map { _ in
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in
            Int.random(in: 0..<6, using: &rng) == 0 ? .null : .double(pool[Int.random(in: 0..<pool.count, using: &rng)])
        }
    }
    try check(Field("x", .float64), files: files,
              literals: ["-3", "-2.25", "0.0", "-0.0", "1.5", "2", "3.0", "CAST('NaN' AS DOUBLE)", "1e300"])
}

@Test func longStringsAgainstTheEngine() throws {
    var rng = SplitMix(state: 4)
    let prefix = String(repeating: "k", count: 30)
    let pool = ["a", "k", prefix + "ké", prefix + "kz", prefix + "k\u{10FFFF}x", prefix + "kk😀", prefix + "kkk", "é", "😀"]
    let files: [[Scalar]] = (0..<16).map { _ in
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in .string(pool[Int.random(in: 0..<pool.count, using: &rng)]) }
    }
    let literals = (pool + [prefix + "k", prefix + "l", "b", "z"]).map { "'\($0)'" }
    try check(Field("x", .string), files: files, literals: literals)
}

@Test func timestampsAgainstTheEngine() throws {
    var rng = SplitMix(state: 5)
    let base: Int64 = 1_704_103_200_000_000  // 2024-01-01 10:00:00 UTC
    let files: [[Scalar]] = (0..<12).map { _ in
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in .int(base + Int64.random(in: -2_000...2_000, using: &rng)) }
    }
    let literals = ["'2024-01-01 10:00:00'", "'2024-01-01 10:00:00.000999'", "'2024-01-01 10:00:00.001'",
                    "'2024-01-01 09:59:59.999'", "TIMESTAMP '2024-01-01 10:00:00.0015'", "'2024-01-01 09:59:59.998500'"]
    try check(Field("x", .timestampMicros), files: files, literals: literals)
    try check(Field("x", .timestampNTZ), files: files, literals: literals)
}

@Test func datesAgainstTheEngine() throws {
    var rng = SplitMix(state: 6)
    let files: [[Scalar]] = (0..<12).map { _ in
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in .int(Int64.random(in: 19_720...19_726, using: &rng)) }
    }
    let literals = ["'2023-12-30'", "'2024-01-01'", "DATE '2024-01-03'", "'2024-01-05'", "TIMESTAMP '2024-01-04 00:00:00'"]
    try check(Field("x", .date), files: files, literals: literals)
}
