import Columnar
import DataFrame
import Parquet
import Testing
@testable import Lake

// Row-group skipping from Parquet chunk statistics, through plain functions (no file).

private func groups(_ predicate: String, type: DataType, fileType: DataType? = nil, _ stats: [ColumnStatistics?], rows: Int64 = 100) throws -> [Int]? {
    let s = try skipping(predicate, [Field("x", type)])
    return s.rowGroupsToRead(groupCount: stats.count, rows: { _ in rows }, fileType: { $0 == "x" ? (fileType ?? type) : nil },
                             statistics: { g, _ in stats[g] })
}

@Test func rowGroupsOutsideTheRangeAreSkipped() throws {
    let stats = [ColumnStatistics(min: .int(0), max: .int(99), nullCount: 0),
                 ColumnStatistics(min: .int(100), max: .int(199), nullCount: 0),
                 ColumnStatistics(min: .int(200), max: .int(299), nullCount: 0)]
    #expect(try groups("x > 150", type: .int64, stats) == [1, 2])
    #expect(try groups("x = 250 OR x = 50", type: .int64, stats) == [0, 2])
    #expect(try groups("x >= 0", type: .int64, stats) == nil)
}

@Test func rowGroupWithoutStatisticsIsKept() throws {
    let stats: [ColumnStatistics?] = [nil, ColumnStatistics(min: .int(100), max: .int(199), nullCount: 0)]
    #expect(try groups("x < 10", type: .int64, stats) == [0])
}

@Test func allNullRowGroupSkippedForComparisons() throws {
    let stats = [ColumnStatistics(nullCount: 100), ColumnStatistics(min: .int(1), max: .int(2), nullCount: 0)]
    #expect(try groups("x = 1", type: .int64, stats) == [1])
    #expect(try groups("x IS NULL", type: .int64, stats) == [0])
}

@Test func floatRowGroupsMayHoldNaN() throws {
    let stats = [ColumnStatistics(min: .double(1), max: .double(5), nullCount: 0),
                 ColumnStatistics(min: .double(10), max: .double(20), nullCount: 0)]
    #expect(try groups("x > 100", type: .float64, stats) == nil)
    #expect(try groups("x < 2", type: .float64, stats) == [0])
}

@Test func floatRowGroupsWithoutNaNUseTheirMax() throws {
    let stats = [ColumnStatistics(min: .double(1), max: .double(5), nullCount: 0, nanCount: 0),
                 ColumnStatistics(min: .double(10), max: .double(20), nullCount: 0, nanCount: 2)]
    #expect(try groups("x > 7", type: .float64, stats) == [1])
}

@Test func intFileColumnForLongTableColumn() throws {
    let stats = [ColumnStatistics(min: .int(1), max: .int(5)), ColumnStatistics(min: .int(6), max: .int(9))]
    #expect(try groups("x > 5", type: .int64, fileType: .int32, stats) == [1])
}

@Test func unsignedFileColumnIsNotTrusted() throws {
    let stats = [ColumnStatistics(min: .uint(1), max: .uint(5)), ColumnStatistics(min: .uint(6), max: .uint(9))]
    #expect(try groups("x > 5", type: .int64, fileType: .uint32, stats) == nil)
}

@Test func millisecondFileTimestampsConvertToMicroseconds() throws {
    let stats = [ColumnStatistics(min: .int(1_000), max: .int(2_000)), ColumnStatistics(min: .int(3_000), max: .int(4_000))]
    // 2.5 s after the epoch.
    #expect(try groups("x > TIMESTAMP '1970-01-01 00:00:02.5'", type: .timestampMicros, fileType: .timestamp(.millisecond, utc: true), stats) == [1])
}

@Test func decimalFileScaleDiffersFromTable() throws {
    // The file stores decimal(10,1); the table column is decimal(12,3).
    let stats = [ColumnStatistics(min: .decimal(10), max: .decimal(20)), ColumnStatistics(min: .decimal(30), max: .decimal(40))]
    #expect(try groups("x > 2.05", type: .decimal(precision: 12, scale: 3), fileType: .decimal(precision: 10, scale: 1), stats) == [1])
}

@Test func missingFileColumnKeepsEveryGroup() throws {
    let s = try skipping("x > 5", [Field("x", .int64)])
    #expect(s.rowGroupsToRead(groupCount: 2, rows: { _ in 10 }, fileType: { _ in nil }, statistics: { _, _ in nil }) == nil)
}

@Test func rowGroupsOfAnInMemoryParquetFile() throws {
    let values: [Scalar] = (0..<300).map { .int(9_007_199_254_740_900 + Int64($0)) }
    let reader = try inMemoryParquet(Field("x", .int64), try Column(.int64, values), rowGroupSize: 100)
    #expect(reader.rowGroupCount == 3)
    let s = try skipping("x = 9007199254741093", [Field("x", .int64)])
    #expect(s.rowGroupsToRead(reader) == [1])
    let none = try skipping("x > 9007199254741199", [Field("x", .int64)])
    #expect(none.rowGroupsToRead(reader) == [])
}
