import Columnar
import Foundation
import Testing
@testable import Parquet

// MARK: - pyarrow oracle

private let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path

private var pyarrowAvailable: Bool { FileManager.default.isExecutableFile(atPath: python) }

/// Normalises every value to a string (ints, floats via repr, decimals via str, bytes as hex,
/// temporal values as their integer count) so Swift can compare exactly.
private let readerScript = #"""
import sys, json, decimal, pyarrow as pa, pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
t = f.read()
def conv(v):
    if v is None: return None
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, int): return str(v)
    if isinstance(v, float): return repr(v)
    if isinstance(v, decimal.Decimal): return str(v)
    if isinstance(v, (bytes, bytearray)): return bytes(v).hex()
    if isinstance(v, str): return v
    if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
    if isinstance(v, tuple): return [conv(x) for x in v]
    if isinstance(v, list): return [conv(x) for x in v]
    return str(v)
cols = {}
for name in t.column_names:
    c = t.column(name)
    ty = c.type
    if pa.types.is_date32(ty) or pa.types.is_time32(ty): c = c.cast(pa.int32())
    elif pa.types.is_time64(ty) or pa.types.is_timestamp(ty): c = c.cast(pa.int64())
    cols[name] = conv(c.to_pylist())
md = f.metadata
stats = []
for i in range(md.num_row_groups):
    rg = []
    for j in range(md.num_columns):
        s = md.row_group(i).column(j).statistics
        if s is None: rg.append(None); continue
        d = {"null_count": str(s.null_count) if s.has_null_count else None}
        if s.has_min_max:
            try: d["min"] = conv(s.min); d["max"] = conv(s.max)
            except ValueError: d["min"] = d["max"] = "unconvertible"
        rg.append(d)
    stats.append(rg)
print(json.dumps({"columns": cols, "types": {f.name: str(f.type) for f in t.schema},
                  "rows": t.num_rows, "row_groups": md.num_row_groups, "stats": stats,
                  "parquet_schema": str(f.schema)}))
"""#

private struct PyarrowResult {
    var json: [String: Any]
    var columns: [String: Any] { json["columns"] as? [String: Any] ?? [:] }
    var types: [String: String] { json["types"] as? [String: String] ?? [:] }
    var rows: Int { json["rows"] as? Int ?? -1 }
    var rowGroups: Int { json["row_groups"] as? Int ?? -1 }
    var stats: [[Any]] { json["stats"] as? [[Any]] ?? [] }
    var parquetSchema: String { json["parquet_schema"] as? String ?? "" }
    func stat(_ rowGroup: Int, _ column: Int) -> [String: Any]? { stats[rowGroup][column] as? [String: Any] }
}

/// Writes `bytes` to a temporary file and reads it back with pyarrow.
private func readWithPyarrow(_ bytes: [UInt8]) throws -> PyarrowResult {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lake-writer-\(UUID().uuidString).parquet")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", readerScript, url.path]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ParquetError(.io, "pyarrow failed: " + String(decoding: errData, as: UTF8.self))
    }
    let obj = try JSONSerialization.jsonObject(with: data)
    return PyarrowResult(json: obj as? [String: Any] ?? [:])
}

/// The same normalisation as the Python script, from Swift scalars.
private func expectedJSON(_ s: Scalar, _ type: DataType) -> Any {
    switch (s, type) {
    case (.null, _): return NSNull()
    case let (.boolean(b), _): return b ? "true" : "false"
    case let (.int(v), _): return "\(v)"
    case let (.uint(v), _): return "\(v)"
    case let (.float(v), _): return "\(Double(v))"
    case let (.double(v), _): return "\(v)"
    case let (.decimal(v), .decimal(_, scale)): return decimalString(v, scale: scale)
    case let (.string(v), _): return v
    case let (.bytes(v), _): return v.map { String(format: "%02x", $0) }.joined()
    case let (.list(items), .list(f)): return items.map { expectedJSON($0, f.type) }
    case let (.structure(items), .structure(fields)):
        var d = [String: Any]()
        for (v, f) in zip(items, fields) { d[f.name] = expectedJSON(v, f.type) }
        return d
    case let (.map(entries), .map(k, v)): return entries.map { [expectedJSON($0.key, k.type), expectedJSON($0.value, v.type)] }
    default: return "?"
    }
}

private func decimalString(_ v: Int128, scale: Int) -> String {
    let negative = v < 0
    var digits = String(negative ? (0 - v).magnitude : v.magnitude)
    if scale > 0 {
        while digits.count <= scale { digits = "0" + digits }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
    }
    return (negative ? "-" : "") + digits
}

private func canonical(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: ["v": value], options: [.sortedKeys, .fragmentsAllowed]) else { return "<invalid>" }
    return String(decoding: data, as: UTF8.self)
}

/// Writes `columns` with `options`, reads them back with pyarrow and checks every value.
@discardableResult
private func roundTrip(_ fields: [Field], _ values: [[Scalar]], options: ParquetWriterOptions = .init(),
                       batches: Int = 1) throws -> PyarrowResult? {
    guard pyarrowAvailable else { return nil }
    let schema = Schema(fields)
    var columns = [Column]()
    for (f, v) in zip(fields, values) { columns.append(try Column(f.type, v)) }
    let batch = try RecordBatch(schema: schema, columns: columns)
    let bytes = try ParquetWriter.write(Array(repeating: batch, count: batches), schema: schema, options: options)
    // Our own footer parser must accept what we wrote.
    let meta = try FileMetaData.parse(file: bytes)
    #expect(meta.numRows == Int64(batch.rowCount * batches))
    let result = try readWithPyarrow(bytes)
    #expect(result.rows == batch.rowCount * batches)
    for (f, v) in zip(fields, values) {
        let expected = Array(repeating: v.map { expectedJSON($0, f.type) }, count: batches).flatMap { $0 }
        let actual = result.columns[f.name] ?? NSNull()
        #expect(canonical(actual) == canonical(expected), "column \(f.name)")
    }
    return result
}

// MARK: - Tests

@Test func primitiveTypesRoundTripThroughPyarrow() throws {
    let fields: [Field] = [
        Field("b", .boolean), Field("i8", .int8), Field("i16", .int16), Field("i32", .int32), Field("i64", .int64),
        Field("u8", .uint8), Field("u16", .uint16), Field("u32", .uint32), Field("u64", .uint64),
        Field("f32", .float32), Field("f64", .float64), Field("d9", .decimal(precision: 9, scale: 2)),
        Field("d18", .decimal(precision: 18, scale: 0)), Field("d38", .decimal(precision: 38, scale: 4)),
        Field("s", .string), Field("bin", .binary), Field("fixed", .fixedSizeBinary(3)), Field("date", .date),
        Field("tms", .time(.millisecond)), Field("tus", .time(.microsecond)), Field("tns", .time(.nanosecond)),
        Field("ts", .timestampMicros), Field("tsntz", .timestampNTZ), Field("tsms", .timestamp(.millisecond, utc: true)),
        Field("tsns", .timestamp(.nanosecond, utc: false)), Field("req", .int64, nullable: false),
    ]
    let values: [[Scalar]] = [
        [.boolean(true), .null, .boolean(false)],
        [.int(-128), .int(127), .null], [.int(-32768), .null, .int(32767)], [.int(Int64(Int32.min)), .int(0), .null],
        [.int(.min), .int(.max), .null],
        [.uint(255), .null, .uint(0)], [.uint(65535), .uint(1), .null], [.uint(UInt64(UInt32.max)), .null, .uint(7)],
        [.uint(.max), .uint(0), .null],
        [.float(1.5), .float(-0.0), .null], [.double(.pi), .null, .double(-1e300)],
        [.decimal(12345), .decimal(-5), .null], [.decimal(999_999_999_999_999_999), .null, .decimal(-1)],
        [.decimal(Int128("12345678901234567890123456789012345678") ?? 0), .decimal(-123456), .null],
        [.string("héllo"), .string(""), .null], [.bytes([0, 1, 255]), .null, .bytes([])], [.bytes([1, 2, 3]), .bytes([4, 5, 6]), .bytes([0, 0, 0])],
        [.int(19000), .int(-1), .null], [.int(86_399_999), .null, .int(0)], [.int(1_000_000), .int(0), .null],
        [.int(5_000_000_000), .null, .int(1)], [.int(1_700_000_000_000_000), .null, .int(-1)], [.int(0), .int(1), .null],
        [.int(1_700_000_000_000), .null, .int(0)], [.int(1_700_000_000_000_000_000), .int(-5), .null],
        [.int(1), .int(2), .int(3)],
    ]
    guard let r = try roundTrip(fields, values) else { return }
    let t = r.types
    #expect(t["i8"] == "int8" && t["u64"] == "uint64" && t["u32"] == "uint32")
    #expect(t["d9"] == "decimal128(9, 2)" && t["d38"] == "decimal128(38, 4)")
    #expect(t["s"] == "string" && t["bin"] == "binary" && t["fixed"] == "fixed_size_binary[3]")
    #expect(t["date"] == "date32[day]" && t["tms"] == "time32[ms]" && t["tus"] == "time64[us]" && t["tns"] == "time64[ns]")
    #expect(t["ts"] == "timestamp[us, tz=UTC]" && t["tsntz"] == "timestamp[us]" && t["tsns"] == "timestamp[ns]")
    #expect(r.parquetSchema.contains("required int64 field_id=-1 req") || r.parquetSchema.contains("required int64 req"))
}

@Test func nestedListsStructsAndMapsWithNullsAndEmpties() throws {
    let listOfInts = DataType.list(Field("item", .int32))
    let inner = DataType.structure([Field("a", .int32), Field("tags", .list(Field("element", .string)))])
    let fields: [Field] = [
        Field("ints", listOfInts),
        Field("nested", .list(Field("element", .list(Field("element", .string))))),
        Field("st", inner),
        Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .int64))),
        Field("los", .list(Field("element", inner))),
        Field("req_list", .list(Field("element", .int64, nullable: false)), nullable: false),
    ]
    let values: [[Scalar]] = [
        [.list([.int(1), .null, .int(3)]), .null, .list([]), .list([.int(4)])],
        [.list([.list([.string("a")]), .list([]), .null]), .list([]), .null, .list([.list([.string("b"), .null, .string("c")])])],
        [.structure([.int(1), .list([.string("x")])]), .null, .structure([.null, .null]), .structure([.int(2), .list([])])],
        [.map([.init(.string("k"), .int(1)), .init(.string("z"), .null)]), .null, .map([]), .map([.init(.string("q"), .int(-9))])],
        [.list([.structure([.int(1), .list([])]), .null]), .list([]), .null, .list([.structure([.null, .list([.string("t"), .null])])])],
        [.list([.int(1), .int(2)]), .list([]), .list([.int(3)]), .list([])],
    ]
    guard let r = try roundTrip(fields, values) else { return }
    #expect(r.types["m"]?.hasPrefix("map<string, int64") == true)
    #expect(r.parquetSchema.contains("key_value"))
}

@Test func everyCodecIsReadableByPyarrow() throws {
    let fields = [Field("s", .string), Field("x", .int64), Field("d", .float64)]
    let n = 2000
    let values: [[Scalar]] = [
        (0..<n).map { $0 % 7 == 0 ? .null : .string("value-\($0 % 13)") },
        (0..<n).map { .int(Int64($0 * 31)) },
        (0..<n).map { .double(Double($0) / 7) },
    ]
    for codec in [CompressionCodec.uncompressed, .snappy, .gzip, .zstd, .brotli, .lz4Raw, .lz4] {
        var options = ParquetWriterOptions()
        options.compression = codec
        if codec == .zstd { options.compressionLevel = 5 }
        try roundTrip(fields, values, options: options)
    }
}

@Test func zeroRowsAndOneRow() throws {
    let fields = [Field("a", .int64), Field("s", .string), Field("l", .list(Field("element", .int32)))]
    guard let empty = try roundTrip(fields, [[], [], []]) else { return }
    #expect(empty.rows == 0)
    #expect(empty.types["s"] == "string")
    let one = try roundTrip(fields, [[.int(42)], [.string("only")], [.list([.int(1), .int(2)])]])
    #expect(one?.rowGroups == 1)
}

@Test func manyRowGroupsAndPagesWithDictionaryFallback() throws {
    let n = 10_000
    let fields = [Field("id", .int64, nullable: false), Field("cat", .string), Field("uniq", .string), Field("l", .list(Field("element", .int32)))]
    let values: [[Scalar]] = [
        (0..<n).map { .int(Int64($0)) },
        (0..<n).map { $0 % 11 == 0 ? .null : .string(["red", "green", "blue", "cyan"][$0 % 4]) },
        (0..<n).map { .string("unique-value-\($0)-" + String(repeating: "x", count: $0 % 50)) },
        (0..<n).map { $0 % 5 == 0 ? .list([]) : .list((0..<($0 % 4)).map { .int(Int64($0)) }) },
    ]
    var options = ParquetWriterOptions()
    options.rowGroupSize = 3000
    options.dataPageSize = 2048
    options.dictionaryPageSizeLimit = 4096
    guard let r = try roundTrip(fields, values, options: options, batches: 2) else { return }
    #expect(r.rowGroups == 8)  // 2 batches x (3000, 3000, 3000, 1000)
    // The id column's stats per row group.
    #expect(r.stat(1, 0)?["min"] as? String == "3000")
    #expect(r.stat(1, 0)?["max"] as? String == "5999")
    #expect(r.stat(0, 1)?["null_count"] as? String == "273")
    #expect(r.stat(0, 1)?["min"] as? String == "blue")
    #expect(r.stat(0, 1)?["max"] as? String == "red")
}

@Test func statisticsFollowEachTypesOrder() throws {
    let fields = [Field("u", .uint32), Field("u64", .uint64), Field("f", .float64), Field("z", .float32), Field("s", .string),
                  Field("dec", .decimal(precision: 30, scale: 0)), Field("allnull", .int32), Field("nan", .float64)]
    let values: [[Scalar]] = [
        [.uint(1), .uint(UInt64(UInt32.max)), .null],
        [.uint(.max), .uint(3), .null],
        [.double(.nan), .double(-2.5), .double(10)],
        [.float(0.0), .float(-0.0), .float(0.0)],
        [.string("b"), .string("ä"), .string("a")],
        [.decimal(-5), .decimal(100), .decimal(-1000)],
        [.null, .null, .null],
        [.double(.nan), .null, .double(.nan)],
    ]
    guard let r = try roundTrip(fields, values) else { return }
    #expect(r.stat(0, 0)?["min"] as? String == "1")
    #expect(r.stat(0, 0)?["max"] as? String == "4294967295")
    #expect(r.stat(0, 1)?["min"] as? String == "3")
    #expect(r.stat(0, 1)?["max"] as? String == "18446744073709551615")
    #expect(r.stat(0, 2)?["min"] as? String == "-2.5")
    #expect(r.stat(0, 2)?["max"] as? String == "10.0")
    #expect(r.stat(0, 3)?["min"] as? String == "-0.0")
    #expect(r.stat(0, 3)?["max"] as? String == "0.0")
    #expect(r.stat(0, 4)?["max"] as? String == "ä")
    #expect(r.stat(0, 5)?["min"] as? String == "-1000")
    #expect(r.stat(0, 5)?["max"] as? String == "100")
    #expect(r.stat(0, 6)?["null_count"] as? String == "3")
    #expect(r.stat(0, 6)?["min"] == nil)
    #expect(r.stat(0, 7)?["min"] == nil)
}

@Test func longStringStatisticsAreTruncated() throws {
    let long = String(repeating: "a", count: 100)
    let fields = [Field("s", .string), Field("ff", .binary)]
    let values: [[Scalar]] = [
        [.string(long + "z"), .string("b" + long), .string(String(repeating: "é", count: 50))],
        [.bytes([UInt8](repeating: 0xff, count: 80)), .bytes([0x01] + [UInt8](repeating: 0xff, count: 80)), .null],
    ]
    var options = ParquetWriterOptions()
    options.statisticsTruncateLength = 16
    let schema = Schema(fields)
    let batch = try RecordBatch(schema: schema, columns: [try Column(.string, values[0]), try Column(.binary, values[1])])
    let bytes = try ParquetWriter.write([batch], schema: schema, options: options)
    let meta = try FileMetaData.parse(file: bytes)
    let s = try #require(meta.rowGroups[0].columns[0].metaData?.statistics)
    #expect(s.minValue == Array(String(repeating: "a", count: 16).utf8))
    #expect(s.isMinValueExact == false)
    // max "éé…" truncated to 8 characters (16 bytes) with its last character incremented to "ê".
    #expect(s.maxValue == Array((String(repeating: "é", count: 7) + "ê").utf8))
    #expect(s.isMaxValueExact == false)
    #expect(s.min == nil && s.max == nil)  // unsigned order: no deprecated signed fields
    let b = try #require(meta.rowGroups[0].columns[1].metaData?.statistics)
    #expect(b.minValue == [0x01] + [UInt8](repeating: 0xff, count: 15))
    // The max (all 0xff) has no shorter upper bound: it is dropped.
    #expect(b.maxValue == nil)
    #expect(b.nullCount == 1)
    if pyarrowAvailable {
        let r = try readWithPyarrow(bytes)
        #expect(r.rows == 3)
    }
}

@Test func writerRejectsBadInput() throws {
    let schema = Schema([Field("a", .int64, nullable: false)])
    let nullable = try RecordBatch(schema: Schema([Field("a", .int64)]), columns: [try Column(.int64, [.int(1), .null])])
    #expect(throws: ParquetError.self) { try ParquetWriter.write([nullable], schema: schema) }
    let wrongType = try RecordBatch(schema: Schema([Field("a", .int32)]), columns: [try Column(.int32, [.int(1)])])
    #expect(throws: ParquetError.self) { try ParquetWriter.write([wrongType], schema: schema) }
    var options = ParquetWriterOptions()
    options.rowGroupSize = 0
    #expect(throws: ParquetError.self) { try ParquetWriter(schema: schema, options: options) }
    let writer = try ParquetWriter(schema: schema)
    _ = try writer.finish()
    #expect(throws: ParquetError.self) { try writer.finish() }
}

@Test func fieldIdsAndKeyValueMetadataAreWritten() throws {
    let schema = Schema([Field("a", .int64, metadata: ["PARQUET:field_id": "7"])], metadata: ["from": "schema", "both": "schema"])
    var options = ParquetWriterOptions()
    options.keyValueMetadata = ["both": "options"]
    let batch = try RecordBatch(schema: schema, columns: [try Column(.int64, [.int(1)])])
    let meta = try FileMetaData.parse(file: try ParquetWriter.write([batch], schema: schema, options: options))
    #expect(meta.schema[1].fieldId == 7)
    #expect(meta.keyValueMetadata == [KeyValue(key: "both", value: "options"), KeyValue(key: "from", value: "schema")])
    #expect(meta.createdBy == ParquetFormat.createdBy)
    #expect(meta.columnOrders == [.typeDefined])
}
