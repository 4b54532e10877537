import Columnar
import Testing
@testable import DataFrame

@Suite struct UniqueTests {
    func sampleDuplicates() throws -> DataFrame {
        try frame([
            ("k", .string, [.string("a"), .null, .string("a"), .string("b"), .null, .string("b")]),
            ("v", .int32, [.int(1), .int(2), .int(1), .int(4), .int(2), .int(6)]),
            ("r", .int64, (0..<6).map { .int(Int64($0)) }),
        ])
    }

    @Test func keepFirstAndLastOnSubset() throws {
        let df = try sampleDuplicates()
        #expect(try df.unique(subset: ["k"], keep: .first).column("r").scalars == [.int(0), .int(1), .int(3)])
        #expect(try df.unique(subset: ["k"], keep: .last).column("r").scalars == [.int(2), .int(4), .int(5)])
        #expect(try df.unique(subset: ["k", "v"], keep: .any).rowCount == 4)
    }

    @Test func distinctOnAllColumns() throws {
        let df = try sampleDuplicates().select("k", "v")
        let d = try df.distinct()
        #expect(try d.column("k").scalars == [.string("a"), .null, .string("b"), .string("b")])
        #expect(try d.column("v").scalars == [.int(1), .int(2), .int(4), .int(6)])
    }

    @Test func nanAndSignedZeroAreOneValue() throws {
        let df = try frame([("f", .float64, [.double(.nan), .double(0), .double(-.nan), .double(-0.0), .null, .null])])
        #expect(try df.distinct().column("f").scalars.count == 3)
    }

    @Test func keyTypes() throws {
        let df = try frame([
            ("d", .date, [.int(1), .int(1), .null, .int(2)]),
            ("m", .decimal(precision: 12, scale: 2), [.decimal(5), .decimal(5), .null, .decimal(5)]),
            ("b", .boolean, [.boolean(true), .boolean(true), .null, .boolean(false)]),
            ("t", .timestampMicros, [.int(7), .int(7), .null, .int(7)]),
        ])
        #expect(try df.distinct().rowCount == 3)
        #expect(try df.unique(subset: ["m"]).rowCount == 2)
        #expect(try df.unique(subset: ["b", "t"]).rowCount == 3)
    }

    @Test func emptyAndOneRow() throws {
        #expect(try frame([("x", .int32, [])]).distinct().rowCount == 0)
        #expect(try frame([("x", .int32, [.null])]).distinct().rowCount == 1)
        guard case .unknownColumn? = errorOf({ try frame([("x", .int32, [.null])]).unique(subset: ["y"]) }) else {
            Issue.record("unknown column"); return
        }
    }

    @Test func largeInputAcrossParallelHalves() throws {
        let n = 150_000
        let keys = (0..<n).map { Int64($0 % 1000) }
        let strings = (0..<n).map { Scalar.string("s\($0 % 777)") }
        let df = try DataFrame([("k", Kernels.column(.int64, keys, validity: nil)), ("s", try Column(.string, strings)),
                                ("r", Kernels.column(.int64, (0..<n).map { Int64($0) }, validity: nil))])
        let u = try df.unique(subset: ["k"], keep: .first)
        #expect(try u.column("r").scalars == (0..<1000).map { .int(Int64($0)) })
        let l = try df.unique(subset: ["k"], keep: .last)
        #expect(try l.column("r").scalars == ((n - 1000)..<n).map { .int(Int64($0)) })
        #expect(try df.unique(subset: ["s"]).rowCount == 777)
        // lcm(1000, 777) > n, so every row is its own (k, s) pair.
        #expect(try df.unique(subset: ["k", "s"]).rowCount == n)
    }
}
