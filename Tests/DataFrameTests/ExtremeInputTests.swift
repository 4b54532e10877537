import Columnar
import Testing
@testable import DataFrame

/// Untrusted expression text and values at the edge of their types: errors, never traps or stack overflows.
@Suite struct ExtremeInputTests {
    private func parseError(_ sql: String) -> String? {
        do { _ = try Expr.parse(sql); return nil } catch { return error.description }
    }

    @Test func deepNestingIsRefusedBeforeTheStackEnds() {
        let n = 100_000
        for sql in [String(repeating: "(", count: n) + "a" + String(repeating: ")", count: n),
                    String(repeating: "NOT ", count: n) + "a",
                    String(repeating: "- ", count: n) + "a",
                    String(repeating: "abs(", count: n) + "a" + String(repeating: ")", count: n)] {
            #expect(parseError(sql)?.contains("nests deeper than \(ExprParser.maxNesting)") == true)
        }
    }

    @Test func longOperatorChainsAreRefusedBeyondTheTreeDepth() throws {
        #expect(parseError(Array(repeating: "a = 1", count: 5000).joined(separator: " OR "))?.contains("deeper than \(ExprParser.maxTreeDepth)") == true)
        #expect(parseError("a" + String(repeating: " + a", count: 5000))?.contains("deeper than") == true)
        // Within the limits, both parse.
        _ = try Expr.parse(String(repeating: "(", count: 200) + "a" + String(repeating: ")", count: 200))
        _ = try Expr.parse(Array(repeating: "a = 1", count: 500).joined(separator: " OR "))
    }

    @Test func datesPastTheTimestampRangeFailToCast() throws {
        let f = try frame([("d", .date, [.int(Int64(Int32.max)), .int(0)])])
        #expect(throws: DataFrameError.self) { try f.filter(Expr.parse("CAST(d AS timestamp) > TIMESTAMP '2020-01-01 00:00:00'")) }
        #expect(throws: DataFrameError.self) { try f.filter(Expr.parse("CAST(DATE '-999999-01-01' AS timestamp_ntz) IS NULL")) }
        // In range, the cast is exact.
        let g = try frame([("d", .date, [.int(-106_751_991), .int(0)])])
        let ok = try g.filter(Expr.parse("CAST(d AS timestamp) < TIMESTAMP '1970-01-01 00:00:00'"))
        #expect(ok.rowCount == 1)
    }

    @Test func dateTruncOfTheEarliestTimestampOverflowsInsteadOfTrapping() throws {
        let f = try frame([("ts", .timestampMicros, [.int(Int64.min), .int(0)])])
        for unit in ["year", "quarter", "month", "week", "day", "hour"] {
            #expect(throws: DataFrameError.self) { try f.filter(Expr.parse("date_trunc('\(unit)', ts) IS NULL")) }
        }
        let g = try frame([("ts", .timestampMicros, [.int(Int64.max)])])
        #expect(try g.filter(Expr.parse("date_trunc('year', ts) = TIMESTAMP '294247-01-01 00:00:00'")).rowCount == 1)
    }

    @Test func nestedSchemaTypesAreBounded() {
        let deep = "a " + String(repeating: "array<", count: 100_000) + "int" + String(repeating: ">", count: 100_000)
        #expect(throws: DataFrameError.self) { try SchemaString.parse(deep) }
    }
}
