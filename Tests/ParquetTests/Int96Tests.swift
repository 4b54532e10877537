import Columnar
import Foundation
import Testing
@testable import Parquet

// INT96 timestamps read in microseconds (ParquetReadOptions.int96TimestampUnit), the unit Spark wrote
// them in: exact for every Julian day, floor for sub-microsecond nanoseconds, an error (not a wrapped
// value) when the result does not fit an Int64. The reference values are computed here from the civil
// date with 128-bit arithmetic, independently of the reader.

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), in Int128.
private func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int128 {
    let y = Int128(m <= 2 ? y - 1 : y)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = Int128((m + 9) % 12)
    let doy = (153 * mp + 2) / 5 + Int128(d) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

/// One INT96 value: nanoseconds of the day (8 bytes LE), then the Julian day (4 bytes LE).
private func int96(julianDay: UInt32, nanosOfDay: Int64) -> [UInt8] {
    withUnsafeBytes(of: nanosOfDay.littleEndian) { Array($0) } + withUnsafeBytes(of: julianDay.littleEndian) { Array($0) }
}

/// A civil date-time as an INT96 value and its exact microseconds since the epoch.
private func civil(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, nanos: Int64 = 0) -> (raw: [UInt8], micros: Int128) {
    let days = daysFromCivil(y, mo, d)
    let nanosOfDay = Int64(((h * 60 + mi) * 60 + s)) * 1_000_000_000 + nanos
    let micros = days * 86_400_000_000 + Int128(nanosOfDay / 1000)
    return (int96(julianDay: UInt32(days + 2_440_588), nanosOfDay: nanosOfDay), micros)
}

/// A Parquet file of one INT96 column of `values` (PLAIN, uncompressed, one data page), optional with
/// nulls where `values` holds nil, and the row group `statistics` given.
private func int96File(_ values: [[UInt8]?], statistics: Statistics? = nil) throws -> [UInt8] {
    let present = values.compactMap { $0 }
    var page = [UInt8]()
    // Definition levels: RLE/bit-packed hybrid with a 4-byte length; bit width 1, one bit-packed run.
    let groups = (values.count + 7) / 8
    var bits = [UInt8](repeating: 0, count: groups)
    for (i, v) in values.enumerated() where v != nil { bits[i / 8] |= 1 << UInt8(i % 8) }
    let levels = [UInt8(groups << 1 | 1)] + bits
    page += withUnsafeBytes(of: UInt32(levels.count).littleEndian) { Array($0) } + levels
    for v in present { page += v }
    var header = CompactWriter()
    PageHeader(type: .dataPage, uncompressedPageSize: Int32(page.count), compressedPageSize: Int32(page.count),
               dataPageHeader: DataPageHeader(numValues: Int32(values.count), encoding: .plain)).write(to: &header)
    let chunk = header.bytes + page
    let meta = ColumnMetaData(type: .int96, encodings: [.plain, .rle], pathInSchema: ["ts"], codec: .uncompressed,
                              numValues: Int64(values.count), totalUncompressedSize: Int64(chunk.count),
                              totalCompressedSize: Int64(chunk.count), dataPageOffset: 4, statistics: statistics)
    let file = FileMetaData(
        schema: [SchemaElement(name: "schema", repetitionType: .required, numChildren: 1),
                 SchemaElement(name: "ts", type: .int96, repetitionType: .optional)],
        numRows: Int64(values.count),
        rowGroups: [RowGroup(columns: [ColumnChunk(fileOffset: 4, metaData: meta)], totalByteSize: Int64(chunk.count), numRows: Int64(values.count))])
    var footer = CompactWriter()
    file.write(to: &footer)
    let magic = Array("PAR1".utf8)
    return magic + chunk + footer.bytes + withUnsafeBytes(of: UInt32(footer.bytes.count).littleEndian) { Array($0) } + magic
}

private let micros = ParquetReadOptions(int96TimestampUnit: .microsecond)

@Test func int96ReadsAsExactMicrosecondsOutsideTheNanosecondRange() throws {
    let cases = [
        civil(1, 1, 1),
        civil(1677, 9, 21),                      // just below the nanosecond range (it starts 1677-09-21 00:12:43.145224192)
        civil(1677, 9, 21, 0, 12, 43, nanos: 145_224_191),
        civil(1970, 1, 1),
        civil(2262, 4, 12),                      // just above it (it ends 2262-04-11 23:47:16.854775807)
        civil(9999, 12, 31, 23, 59, 59, nanos: 999_999_000),
    ]
    let bytes = try int96File(cases.map(\.raw) + [nil])
    let reader = try ParquetReader(source: MemorySource(bytes), options: micros)
    #expect(reader.schema.fields[0].type == .timestamp(.microsecond, utc: false))
    let column = try reader.read().columns[0]
    guard case let .int64(values) = column.values else { Issue.record("not an Int64 column: \(column.type)"); return }
    #expect(values.prefix(cases.count).map { Int128($0) } == cases.map(\.micros))
    #expect(column.validity?[cases.count] == false)
}

@Test func int96KeepsNanosecondsByDefaultLikePyarrow() throws {
    let bytes = try int96File([civil(2024, 1, 1, nanos: 123).raw])
    let reader = try ParquetReader(source: MemorySource(bytes))
    #expect(reader.schema.fields[0].type == .timestamp(.nanosecond, utc: false))
    guard case let .int64(values) = try reader.read().columns[0].values else { Issue.record("not Int64"); return }
    #expect(Int128(values[0]) == daysFromCivil(2024, 1, 1) * 86_400_000_000_000 + 123)
}

@Test func int96SubMicrosecondNanosecondsRoundTowardNegativeInfinity() throws {
    // 999 ns into the day is 0 µs; -1 ns of the day (a writer's out-of-range value) is the last µs of the day before.
    let epochDay: UInt32 = 2_440_588
    let raw = [int96(julianDay: epochDay, nanosOfDay: 999), int96(julianDay: epochDay, nanosOfDay: -1),
               int96(julianDay: epochDay, nanosOfDay: -1001)]
    var out: [Int64] = []
    try withBytes(raw[0] + raw[1] + raw[2]) { (b) throws(ParquetError) in
        try Int96Timestamp.appendValues(b, unit: .microsecond, to: &out)
    }
    #expect(out == [0, -1, -2])
}

@Test func int96JulianDayBeyondInt64MicrosecondsThrowsNamingTheColumn() throws {
    let bytes = try int96File([civil(2024, 1, 1).raw, int96(julianDay: .max, nanosOfDay: 0)])
    let reader = try ParquetReader(source: MemorySource(bytes, name: "far.parquet"), options: micros)
    #expect { try reader.read() } throws: { error in
        let m = String(describing: error)
        return m.contains("far.parquet") && m.contains("column ts:") && m.contains("Julian day 4294967295") && m.contains("microsecond")
    }
}

@Test func int96FromSparkInMicrosecondsRefusesItsOutOfRangeValue() throws {
    // parquet-testing's int96_from_spark.parquet ends with Julian day 4,189,105,064, which no Int64 of
    // microseconds holds; DuckDB refuses it too ("Int96 timestamp is out of range"), pyarrow wraps it.
    let url = Corpus.data.appendingPathComponent("int96_from_spark.parquet")
    guard FileManager.default.fileExists(atPath: url.path) else { return }
    let reader = try ParquetReader(path: url.path, options: micros)
    #expect(throws: ParquetError.self) { try reader.read() }
}

@Test func int96StatisticsAreIgnored() throws {
    // INT96 min/max are unreliable (PARQUET-1065): even plausible-looking bounds are not decoded, so no
    // reader can skip a row group by them.
    let low = civil(1970, 1, 1).raw, high = civil(1970, 1, 2).raw
    let stats = Statistics(nullCount: 0, maxValue: high, minValue: low)
    let bytes = try int96File([civil(9999, 12, 31).raw], statistics: stats)
    let reader = try ParquetReader(source: MemorySource(bytes), options: micros)
    let s = try reader.statistics(rowGroup: 0, column: "ts")
    #expect(s?.min == nil && s?.max == nil)
    #expect(s?.nullCount == 0)
}
