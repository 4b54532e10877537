import Foundation
import Testing
@testable import Parquet

/// The shared test corpus: /work/shared/corpus, found relative to this file (Tests/ParquetTests/…).
let corpusDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/corpus").standardizedFileURL

/// All `.parquet` files in `folder` of parquet-testing, or nil when the corpus is not checked out.
func parquetTestingFiles(_ folder: String) -> [URL]? {
    let dir = corpusDirectory.appendingPathComponent("parquet-testing/\(folder)")
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return nil }
    return names.filter { $0.hasSuffix(".parquet") }.sorted().map { dir.appendingPathComponent($0) }
}

func fileBytes(_ url: URL) -> [UInt8]? {
    (try? Data(contentsOf: url)).map { [UInt8]($0) }
}

/// Encodes then decodes `value`, checking every byte is consumed.
private func roundTrip<T: ThriftStruct & Equatable>(_ value: T) throws {
    var w = CompactWriter()
    value.write(to: &w)
    let bytes = w.bytes
    let decoded: Result<(T, Int), ParquetError> = bytes.withUnsafeBytes { buf in
        var r = CompactReader(buf)
        do throws(ParquetError) { return .success((try T(from: &r), r.bytes.remaining)) } catch { return .failure(error) }
    }
    let (back, remaining) = try decoded.get()
    #expect(back == value)
    #expect(remaining == 0)
}

private let fullStats = Statistics(
    max: [9], min: [1], nullCount: 3, distinctCount: 7, maxValue: [0xff, 0], minValue: [],
    isMaxValueExact: false, isMinValueExact: true, nanCount: 0)

private let fullColumnMetaData = ColumnMetaData(
    type: .byteArray, encodings: [.plain, .rle, .rleDictionary, Encoding(rawValue: 42)], pathInSchema: ["a", "list", "element"],
    codec: .zstd, numValues: 1 << 40, totalUncompressedSize: 12345, totalCompressedSize: 678,
    keyValueMetadata: [KeyValue(key: "k", value: "v"), KeyValue(key: "nil", value: nil)],
    dataPageOffset: 4, indexPageOffset: 99, dictionaryPageOffset: 4, statistics: fullStats,
    encodingStats: [PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1),
                    PageEncodingStats(pageType: .dataPage, encoding: .rleDictionary, count: 17)],
    bloomFilterOffset: 1000, bloomFilterLength: 64)

@Test func statisticsRoundTrip() throws {
    try roundTrip(fullStats)
    try roundTrip(Statistics())
}

@Test func logicalTypesRoundTrip() throws {
    let all: [LogicalType] = [
        .string, .map, .list, .enum, .decimal(scale: 2, precision: 38), .date,
        .time(isAdjustedToUTC: true, unit: .millisecond), .time(isAdjustedToUTC: false, unit: .nanosecond),
        .timestamp(isAdjustedToUTC: true, unit: .microsecond), .timestamp(isAdjustedToUTC: false, unit: .nanosecond),
        .integer(bitWidth: 8, isSigned: false), .integer(bitWidth: 64, isSigned: true),
        .null, .json, .bson, .uuid, .float16, .variant, .unknown(17), .unknown(19),
    ]
    for t in all { try roundTrip(t) }
}

@Test func schemaElementsRoundTrip() throws {
    try roundTrip(SchemaElement(name: "schema", numChildren: 3))
    try roundTrip(SchemaElement(
        name: "d", type: .fixedLenByteArray, typeLength: 16, repetitionType: .optional, convertedType: .decimal,
        scale: 4, precision: 30, fieldId: 7, logicalType: .decimal(scale: 4, precision: 30)))
    try roundTrip(SchemaElement(name: "v", repetitionType: FieldRepetitionType(rawValue: 3), numChildren: 1,
                                convertedType: ConvertedType(rawValue: 77), logicalType: .unknown(19)))
}

@Test func pageHeadersRoundTrip() throws {
    try roundTrip(PageHeader(type: .dataPage, uncompressedPageSize: 100, compressedPageSize: 50, crc: -12345,
                             dataPageHeader: DataPageHeader(numValues: 10, encoding: .plain, statistics: fullStats)))
    try roundTrip(PageHeader(type: .dictionaryPage, uncompressedPageSize: 10, compressedPageSize: 10,
                             dictionaryPageHeader: DictionaryPageHeader(numValues: 2, encoding: .plain, isSorted: true)))
    try roundTrip(PageHeader(type: .dataPageV2, uncompressedPageSize: 10, compressedPageSize: 8,
                             dataPageHeaderV2: DataPageHeaderV2(numValues: 5, numNulls: 1, numRows: 5, encoding: .deltaBinaryPacked,
                                                                definitionLevelsByteLength: 2, repetitionLevelsByteLength: 0,
                                                                isCompressed: false, statistics: Statistics(nullCount: 1))))
    try roundTrip(PageHeader(type: .indexPage, uncompressedPageSize: 0, compressedPageSize: 0, indexPageHeader: IndexPageHeader()))
    try roundTrip(PageHeader(type: PageType(rawValue: 9), uncompressedPageSize: 0, compressedPageSize: 0))
}

@Test func smallStructsRoundTrip() throws {
    try roundTrip(KeyValue(key: "ARROW:schema", value: "…"))
    try roundTrip(SortingColumn(columnIndex: 3, descending: true, nullsFirst: false))
    try roundTrip(PageEncodingStats(pageType: .dataPage, encoding: .plain, count: 2))
    for order in [ColumnOrder.typeDefined, .ieee754TotalOrder, .int96TimestampOrder, .unknown(9)] { try roundTrip(order) }
}

@Test func columnChunkRowGroupAndFileMetaDataRoundTrip() throws {
    try roundTrip(fullColumnMetaData)
    let chunk = ColumnChunk(filePath: "other.parquet", fileOffset: 0, metaData: fullColumnMetaData, offsetIndexOffset: 5,
                            offsetIndexLength: 6, columnIndexOffset: 7, columnIndexLength: 8)
    try roundTrip(chunk)
    try roundTrip(ColumnChunk(metaData: nil))
    let group = RowGroup(columns: Array(repeating: chunk, count: 20), totalByteSize: 1 << 33, numRows: 1 << 32,
                         sortingColumns: [SortingColumn(columnIndex: 0, descending: false, nullsFirst: true)],
                         fileOffset: 4, totalCompressedSize: 1000, ordinal: 2)
    try roundTrip(group)
    let file = FileMetaData(
        version: 2,
        schema: [SchemaElement(name: "schema", numChildren: 1),
                 SchemaElement(name: "a", type: .int64, repetitionType: .required)],
        numRows: 1 << 32, rowGroups: [group, group], keyValueMetadata: [KeyValue(key: "a", value: "b")],
        createdBy: ParquetFormat.createdBy, columnOrders: [.typeDefined])
    try roundTrip(file)
    let footer = file.serializedFooter()
    let whole = ParquetFooter.magic + footer
    #expect(try FileMetaData.parse(file: whole) == file)
}

@Test func missingRequiredFieldsAndNegativeSizesAreCorrupt() {
    func decode<T: ThriftStruct>(_ bytes: [UInt8], as _: T.Type) -> ParquetError? {
        bytes.withUnsafeBytes { buf in
            var r = CompactReader(buf)
            do throws(ParquetError) { _ = try T(from: &r); return nil } catch { return error }
        }
    }
    // An empty struct lacks every required field.
    for err in [decode([0], as: FileMetaData.self), decode([0], as: PageHeader.self), decode([0], as: SchemaElement.self),
                decode([0], as: ColumnMetaData.self), decode([0], as: RowGroup.self), decode([0], as: KeyValue.self),
                decode([0], as: DataPageHeader.self), decode([0], as: DictionaryPageHeader.self)] {
        #expect(err?.kind == .corrupt)
        #expect(err?.message.contains("missing required field") == true)
    }
    var w = CompactWriter()
    PageHeader(type: .dataPage, uncompressedPageSize: -1, compressedPageSize: 10).write(to: &w)
    #expect(decode(w.bytes, as: PageHeader.self)?.kind == .corrupt)
}

@Test func footerLocationIsValidated() throws {
    func range(_ trailer: [UInt8], size: Int) -> Result<Range<Int>, ParquetError> {
        trailer.withUnsafeBytes { buf in
            do throws(ParquetError) { return .success(try ParquetFooter.metadataRange(trailer: buf, fileSize: size)) }
            catch { return .failure(error) }
        }
    }
    #expect(try range([10, 0, 0, 0] + ParquetFooter.magic, size: 100).get() == 82..<92)
    #expect(throws: ParquetError.self) { try range([89, 0, 0, 0] + ParquetFooter.magic, size: 100).get() }
    #expect(throws: ParquetError.self) { try range([0xff, 0xff, 0xff, 0xff] + ParquetFooter.magic, size: 100).get() }
    #expect(throws: ParquetError.self) { try range([1, 0, 0, 0] + ParquetFooter.magic, size: 11).get() }
    #expect(throws: ParquetError.self) { try range([1, 0, 0, 0, 0x50, 0x41, 0x52, 0x32], size: 100).get() }
    if case let .failure(e) = range([1, 0, 0, 0] + ParquetFooter.encryptedMagic, size: 100) {
        #expect(e.kind == .unsupported)
        #expect(e.message == "encrypted Parquet files are not supported")
    } else {
        Issue.record("PARE must be rejected as unsupported")
    }
    // Leading magic missing.
    #expect(throws: ParquetError.self) { try FileMetaData.parse(file: [0, 0, 0, 0, 0x0c, 0, 0, 0, 0, 0] + ParquetFooter.trailer(metadataLength: 1)) }
}

@Test func everyCorpusFooterParsesAndRowCountsAgree() throws {
    guard let files = parquetTestingFiles("data") else { return }  // corpus not checked out
    #expect(files.count > 50)
    for url in files {
        guard let bytes = fileBytes(url) else { Issue.record("cannot read \(url.lastPathComponent)"); continue }
        do {
            let meta = try FileMetaData.parse(file: bytes)
            let sum = meta.rowGroups.reduce(Int64(0)) { $0 + $1.numRows }
            // parquet-rs 0.3 wrote num_rows = 0 in this file; pyarrow reports the same 0.
            if url.lastPathComponent != "repeated_no_annotation.parquet" {
                #expect(sum == meta.numRows, "\(url.lastPathComponent)")
            }
            let leaves = meta.schema.filter { $0.numChildren == nil || $0.numChildren == 0 }.count
            for g in meta.rowGroups { #expect(g.columns.count == leaves, "\(url.lastPathComponent)") }
            // Re-encoding our model and decoding it again is stable.
            let again = try FileMetaData.parse(file: ParquetFooter.magic + meta.serializedFooter())
            #expect(again == meta, "\(url.lastPathComponent)")
        } catch {
            Issue.record("\(url.lastPathComponent): \(error)")
        }
    }
}

@Test func badDataFootersParseOrThrowButNeverTrap() {
    guard let files = parquetTestingFiles("bad_data") else { return }
    for url in files {
        guard let bytes = fileBytes(url) else { continue }
        do { _ = try FileMetaData.parse(file: bytes) } catch { #expect(!error.message.isEmpty) }
    }
}

/// A small deterministic generator so failures reproduce.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

@Test func flippedAndTruncatedFootersThrowOrParseNeverTrap() throws {
    guard let files = parquetTestingFiles("data") else { return }
    let picks = ["alltypes_plain.parquet", "nested_structs.rust.parquet", "nested_maps.snappy.parquet",
                 "data_index_bloom_encoding_stats.parquet", "column_chunk_key_value_metadata.parquet"]
    var rng = SplitMix64(state: 42)
    for url in files where picks.contains(url.lastPathComponent) {
        guard let bytes = fileBytes(url) else { continue }
        let trailer = Array(bytes.suffix(8))
        let range = try trailer.withUnsafeBytes { buf throws(ParquetError) in try ParquetFooter.metadataRange(trailer: buf, fileSize: bytes.count) }
        let footer = Array(bytes[range])
        func attempt(_ b: [UInt8]) {
            b.withUnsafeBytes { buf in _ = try? FileMetaData.parse(footer: buf) }
        }
        for cut in stride(from: 0, to: footer.count, by: max(1, footer.count / 200)) { attempt(Array(footer.prefix(cut))) }
        for _ in 0..<2000 {
            var m = footer
            for _ in 0..<(1 + rng.below(4)) { m[rng.below(m.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            attempt(m)
        }
    }
}
