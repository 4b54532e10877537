import Columnar
import Testing
@testable import DataFrame

@Suite struct WindowTests {
    // Partition p=1: scores 10, 20, 20, null, 30 (in row order 0,1,2,3,4 shuffled below); p=2: one row.
    func data() throws -> DataFrame {
        try frame([
            ("p", .int64, [.int(1), .int(1), .int(2), .int(1), .int(1), .int(1)]),
            ("t", .int64, [.int(3), .int(1), .int(9), .int(2), .int(2), .int(4)]),
            ("v", .int64, [.int(30), .int(10), .int(7), .int(20), .null, .int(5)]),
        ])
    }

    func run(_ fn: WindowFunction, order: [SortKey] = [SortKey("t")]) throws -> [Scalar] {
        try data().withWindow("w", fn, partitionBy: ["p"], orderBy: order).column("w").scalars
    }

    // Order within p=1 by t: row1(t1), row3(t2), row4(t2, tie), row0(t3), row5(t4).
    @Test func rankingFunctionsWithTies() throws {
        #expect(try run(.rowNumber) == [.int(4), .int(1), .int(1), .int(2), .int(3), .int(5)])
        #expect(try run(.rank) == [.int(4), .int(1), .int(1), .int(2), .int(2), .int(5)])
        #expect(try run(.denseRank) == [.int(3), .int(1), .int(1), .int(2), .int(2), .int(4)])
        #expect(try run(.percentRank) == [.double(0.75), .double(0), .double(0), .double(0.25), .double(0.25), .double(1)])
    }

    @Test func lagAndLeadWithOffsetAndDefault() throws {
        #expect(try run(.lag("v")) == [.null, .null, .null, .int(10), .int(20), .int(30)])
        #expect(try run(.lead("v", offset: 2, default: .int(-1))) == [.int(-1), .null, .int(-1), .int(30), .int(5), .int(-1)])
    }

    @Test func runningAggregatesUseRangePeers() throws {
        // Peers row3/row4 share the frame through both of them; row4's value is null.
        #expect(try run(.runningSum("v")) == [.int(60), .int(10), .int(7), .int(30), .int(30), .int(65)])
        #expect(try run(.runningCount("v")) == [.int(3), .int(1), .int(1), .int(2), .int(2), .int(4)])
        #expect(try run(.runningCount(nil)) == [.int(4), .int(1), .int(1), .int(3), .int(3), .int(5)])
        #expect(try run(.runningMin("v")) == [.int(10), .int(10), .int(7), .int(10), .int(10), .int(5)])
        #expect(try run(.runningMax("v")) == [.int(30), .int(10), .int(7), .int(20), .int(20), .int(30)])
        #expect(try run(.runningAvg("v")) == [.double(20), .double(10), .double(7), .double(15), .double(15), .double(16.25)])
    }

    @Test func rollingWindowsCountRows() throws {
        #expect(try run(.rollingSum("v", rows: 2)) == [.int(30), .int(10), .int(7), .int(30), .int(20), .int(35)])
        #expect(try run(.rollingAvg("v", rows: 2)) == [.double(30), .double(10), .double(7), .double(15), .double(20), .double(17.5)])
        #expect(errorOf { try run(.rollingSum("v", rows: 0)) } != nil)
    }

    @Test func noOrderMeansWholePartitionAndNullPartitionKeys() throws {
        let df = try frame([("p", .string, [.string("a"), .null, .string("a"), .null]), ("v", .float64, [.double(1), .double(2), .double(3), .null])])
        let w = try df.withWindow("s", .runningSum("v"), partitionBy: ["p"])
        #expect(try w.column("s").scalars == [.double(4), .double(2), .double(4), .double(2)])
        let r = try df.withWindow("r", .rowNumber, partitionBy: ["p"])
        #expect(try r.column("r").scalars == [.int(1), .int(1), .int(2), .int(2)])
    }

    @Test func descendingOrderAndNonNumericErrors() throws {
        #expect(try run(.rowNumber, order: [SortKey("t", descending: true)]) == [.int(2), .int(5), .int(1), .int(3), .int(4), .int(1)])
        let df = try frame([("s", .string, [.string("x")])])
        #expect(errorOf { try df.withWindow("w", .runningSum("s")) } != nil)
        #expect(try df.withWindow("w", .runningMax("s")).column("w").scalars == [.string("x")])
    }
}
