import Columnar
import Foundation
import Testing
@testable import Parquet

/// Where the shared conformance corpus lives: `../shared/corpus` beside the checkout.
enum Corpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus/parquet-testing")
    static let data = root.appendingPathComponent("data")
    static let badData = root.appendingPathComponent("bad_data")
    static let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path

    /// Files too big for unit tests: two map keys that decompress to 1 GiB each (pyarrow cannot read it).
    static let tooLarge: Set<String> = ["large_string_map.brotli.parquet"]

    /// The `.parquet` files of `dir`, sorted, without `tooLarge`.
    static func files(_ dir: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".parquet") && !tooLarge.contains($0) }.sorted().map { dir.appendingPathComponent($0) }
    }
}

/// Runs pyarrow over files and returns each file's columns as canonical value strings (or its error).
enum Pyarrow {
    struct FileResult: Decodable {
        var error: String?
        var columns: [String: [String]]?
    }

    static let script = """
import sys, json, decimal, pyarrow as pa, pyarrow.parquet as pq, os

def plain_type(t):
    if pa.types.is_timestamp(t) or pa.types.is_time64(t) or pa.types.is_duration(t): return pa.int64()
    if pa.types.is_date32(t) or pa.types.is_time32(t): return pa.int32()
    if pa.types.is_float16(t): return pa.float32()
    if pa.types.is_large_list(t) or pa.types.is_list(t): return pa.list_(pa.field(t.value_field.name, plain_type(t.value_type), t.value_field.nullable))
    if pa.types.is_map(t): return pa.map_(plain_type(t.key_type), plain_type(t.item_type))
    if pa.types.is_struct(t): return pa.struct([pa.field(f.name, plain_type(f.type), f.nullable) for f in t])
    if pa.types.is_dictionary(t): return plain_type(t.value_type)
    return t

def canon(v, t):
    if v is None: return "null"
    if pa.types.is_boolean(t): return "true" if v else "false"
    if pa.types.is_integer(t): return str(v)
    if pa.types.is_floating(t): return repr(float(v))
    if pa.types.is_decimal(t): return str(int(v.scaleb(t.scale)))
    if pa.types.is_string(t) or pa.types.is_large_string(t): return "x" + v.encode().hex()
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t): return "x" + v.hex()
    if pa.types.is_map(t): return "m[" + ",".join("(" + canon(k, t.key_type) + ":" + canon(x, t.item_type) + ")" for k, x in v) + "]"
    if pa.types.is_list(t) or pa.types.is_large_list(t): return "[" + ",".join(canon(x, t.value_type) for x in v) + "]"
    if pa.types.is_struct(t): return "{" + ",".join(canon(v[f.name], f.type) for f in t) + "}"
    if pa.types.is_null(t): return "null"
    return "?" + str(v)

out = {}
for path in sys.argv[1:]:
    try:
        tbl = pq.read_table(path)
    except Exception as e:
        out[os.path.basename(path)] = {"error": str(e)}
        continue
    cols = {}
    for name, col in zip(tbl.column_names, tbl.columns):
        t = plain_type(col.type)
        try:
            c = col.cast(t)
        except Exception as e:
            cols[name] = ["castfail " + str(e)]
            continue
        cols[name] = [canon(x, t) for x in c.to_pylist()]
    out[os.path.basename(path)] = {"columns": cols}
json.dump(out, sys.stdout)

"""

    static func read(_ files: [URL]) throws -> [String: FileResult] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Corpus.python)
        p.arguments = ["-c", script] + files.map(\.path)
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return try JSONDecoder().decode([String: FileResult].self, from: data)
    }
}

/// The same canonical text the pyarrow script prints, for one value of a lake column.
func canon(_ s: Scalar, _ t: DataType) -> String {
    switch s {
    case .null: return "null"
    case let .boolean(b): return b ? "true" : "false"
    case let .int(v): return String(v)
    case let .uint(v): return String(v)
    case let .float(f): return pyRepr(Double(f))
    case let .double(d): return pyRepr(d)
    case let .decimal(v): return String(v)
    case let .string(v): return "x" + hex(Array(v.utf8))
    case let .bytes(b): return "x" + hex(b)
    case let .list(items):
        guard case let .list(f) = t else { return "?" }
        return "[" + items.map { canon($0, f.type) }.joined(separator: ",") + "]"
    case let .structure(items):
        guard case let .structure(fs) = t else { return "?" }
        return "{" + zip(items, fs).map { canon($0, $1.type) }.joined(separator: ",") + "}"
    case let .map(entries):
        guard case let .map(kf, vf) = t else { return "?" }
        return "m[" + entries.map { "(" + canon($0.key, kf.type) + ":" + canon($0.value, vf.type) + ")" }.joined(separator: ",") + "]"
    }
}

func hex(_ b: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var s = ""
    s.reserveCapacity(b.count * 2)
    for x in b { s.append(digits[Int(x >> 4)]); s.append(digits[Int(x & 15)]) }
    return s
}

/// Python's `repr` of a float: shortest round-trip digits, like Swift's description, with Python's
/// spelling of exponents and special values.
func pyRepr(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    var s = d.description
    if let e = s.firstIndex(of: "e") {
        var mant = String(s[..<e])
        var exp = String(s[s.index(after: e)...])
        if mant.hasSuffix(".0") { mant.removeLast(2) }
        let neg = exp.hasPrefix("-")
        if exp.hasPrefix("-") || exp.hasPrefix("+") { exp.removeFirst() }
        if exp.count < 2 { exp = "0" + exp }
        s = mant + "e" + (neg ? "-" : "+") + exp
    }
    return s
}

/// Files pyarrow 26 cannot read (see corpus README); lake may read them or throw.
let pyarrowRejects: Set<String> = ["incorrect_map_schema.parquet", "large_string_map.brotli.parquet"]

@Test func everyDataFileMatchesPyarrow() throws {
    let files = Corpus.files(Corpus.data)
    #expect(files.count > 50)
    let expected = try Pyarrow.read(files)
    var mismatches: [String] = []
    var compared = 0
    for file in files {
        let name = file.lastPathComponent
        guard let exp = expected[name] else { mismatches.append("\(name): no pyarrow result"); continue }
        let batch: RecordBatch
        do {
            batch = try ParquetReader(path: file.path).read()
        } catch {
            if exp.error == nil { mismatches.append("\(name): lake failed: \(error)") }
            continue
        }
        guard let cols = exp.columns else { continue }
        for (i, field) in batch.schema.fields.enumerated() {
            guard let want = cols[field.name] else { mismatches.append("\(name): extra column \(field.name)"); continue }
            let column = batch.columns[i]
            let got = (0..<column.count).map { canon(column.scalar(at: $0), field.type) }
            compared += 1
            if got != want {
                let k = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
                let g = k < got.count ? String(got[k].prefix(200)) : "<end>"
                let w = k < want.count ? String(want[k].prefix(200)) : "<end>"
                mismatches.append("\(name): column \(field.name) row \(k) (of \(got.count)/\(want.count)): lake \(g) pyarrow \(w)")
            }
        }
        if cols.count != batch.schema.fields.count { mismatches.append("\(name): \(batch.schema.fields.count) columns, pyarrow \(cols.count)") }
    }
    for m in mismatches { Issue.record(Comment(rawValue: m)) }
    // Every file but the two pyarrow rejects is compared, column by column.
    #expect(compared > 250)
}

/// Writes a multi-row-group file with pyarrow (flat, nullable, nested) into a temporary directory.
func writeMultiRowGroupFile() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lake-reader-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("multi.parquet")
    let script = """
    import pyarrow as pa, pyarrow.parquet as pq, sys
    n = 1000
    t = pa.table({
        "i": pa.array([None if k % 7 == 0 else k for k in range(n)], pa.int64()),
        "late": pa.array([None if k in (901, 990) else float(k) for k in range(n)], pa.float64()),
        "s": pa.array([None if k % 5 == 0 else "v%d" % (k % 13) for k in range(n)]),
        "l": pa.array([None if k % 11 == 0 else [k, None, k + 1][: k % 4] for k in range(n)], pa.list_(pa.int32())),
        "st": pa.array([None if k % 3 == 0 else {"a": k, "b": [str(k)] * (k % 3)} for k in range(n)],
                       pa.struct([("a", pa.int16()), ("b", pa.list_(pa.string()))])),
        "m": pa.array([[("k%d" % j, j if j % 2 else None) for j in range(k % 4)] for k in range(n)], pa.map_(pa.string(), pa.int64())),
    })
    pq.write_table(t, sys.argv[1], row_group_size=128, data_page_size=512, compression="zstd")
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Corpus.python)
    p.arguments = ["-c", script, path.path]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    return path
}

@Test func multipleRowGroupsConcatenateInOrder() throws {
    let file = try writeMultiRowGroupFile()
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    let expected = try #require(Pyarrow.read([file])[file.lastPathComponent]?.columns)
    let reader = try ParquetReader(path: file.path)
    #expect(reader.rowGroupCount == 8)
    #expect(reader.rowCount == 1000)
    func check(_ batch: RecordBatch, rows: [Int]) {
        for (i, field) in batch.schema.fields.enumerated() {
            let column = batch.columns[i]
            let got = (0..<column.count).map { canon(column.scalar(at: $0), field.type) }
            let want = rows.map { expected[field.name]?[$0] ?? "missing" }
            #expect(got == want, "column \(field.name)")
        }
    }
    // All leaves at once: one task per leaf through every row group.
    check(try reader.read(), rows: Array(0..<1000))
    // One leaf: one task per row group, then concatenation.
    check(try reader.read(columns: ["i"]), rows: Array(0..<1000))
    // Nulls only in the last row group: levels are kept only from the first null on.
    check(try reader.read(columns: ["late", "i"]), rows: Array(0..<1000))
    check(try reader.read(columns: ["late"], rowGroups: [6, 7]), rows: Array(768..<1000))
    check(try reader.read(columns: ["l"], rowGroups: [3, 1]), rows: Array(384..<512) + Array(128..<256))
    check(try reader.readRowGroup(7, columns: ["m", "st"]), rows: Array(896..<1000))
    #expect(try reader.read(rowGroups: []).rowCount == 0)
    #expect(throws: ParquetError.self) { try reader.read(columns: ["nope"]) }
    #expect(throws: ParquetError.self) { try reader.read(rowGroups: [8]) }
}

@Test func statisticsDecodeByLogicalType() throws {
    let reader = try ParquetReader(path: Corpus.data.appendingPathComponent("alltypes_tiny_pages_plain.parquet").path)
    let id = try #require(try reader.statistics(rowGroup: 0, column: "id"))
    #expect(id.min == .int(0))
    #expect(id.max == .int(7299))
    #expect(id.nullCount == 0)
    let tiny = try #require(try reader.statistics(rowGroup: 0, column: "tinyint_col"))
    #expect(tiny.min == .int(0) && tiny.max == .int(9))
    let s = try #require(try reader.statistics(rowGroup: 0, column: "string_col"))
    #expect(s.min == .string("0") && s.max == .string("9"))

    let dec = try ParquetReader(path: Corpus.data.appendingPathComponent("int32_decimal.parquet").path)
    let d = try #require(try dec.statistics(rowGroup: 0, column: "value"))
    #expect(d.min == .decimal(100) && d.max == .decimal(2400))

    let nan = try ParquetReader(path: Corpus.data.appendingPathComponent("nan_in_stats.parquet").path)
    let n = try nan.statistics(rowGroup: 0, column: "x")
    #expect(n?.min == nil || n?.min.map { !StatisticsDecoder.isNaN($0) } == true)

    // Nested leaves are addressed by their dotted path.
    let nested = try ParquetReader(path: Corpus.data.appendingPathComponent("nested_lists.snappy.parquet").path)
    #expect(throws: Never.self) { try nested.statistics(rowGroup: 0, column: "a.list.element.list.element.list.element") }
    #expect(throws: ParquetError.self) { try nested.statistics(rowGroup: 0, column: "zzz") }
    #expect(throws: ParquetError.self) { try nested.statistics(rowGroup: 5, column: "b") }
}

@Test func errorsNameTheFileColumnAndPage() throws {
    var bytes = try [UInt8](Data(contentsOf: Corpus.data.appendingPathComponent("alltypes_plain.parquet")))
    // Overwrite the first page header of the first column chunk (right after the magic) with garbage.
    for i in 4..<12 { bytes[i] = 0xff }
    let error = try #require(readAll(bytes, name: "alltypes_plain.parquet"))
    #expect(error.file == "alltypes_plain.parquet")
    #expect(error.message.contains("column id"))
    #expect(error.message.contains("page 0"))
}

@Test func missingFileIsAnIOError() {
    #expect(throws: ParquetError.self) { try ParquetReader(path: "/nonexistent/file.parquet") }
    do {
        _ = try ParquetReader(path: "/nonexistent/file.parquet")
    } catch {
        #expect(error.kind == .io)
        #expect(error.file == "/nonexistent/file.parquet")
    }
}

@Test func sourcesReadExactRangesAndRejectOthers() throws {
    let path = Corpus.data.appendingPathComponent("alltypes_plain.parquet").path
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let file = try LocalFileSource(path: path)
    let memory = MemorySource(bytes, name: "m")
    #expect(file.size == bytes.count && memory.size == bytes.count)
    #expect(try file.read(offset: 10, count: 100) == Array(bytes[10..<110]))
    #expect(try memory.read(offset: bytes.count - 4, count: 4) == Array("PAR1".utf8))
    #expect(throws: ParquetError.self) { try file.read(offset: bytes.count - 2, count: 4) }
    #expect(throws: ParquetError.self) { try memory.read(offset: -1, count: 1) }
    #expect(throws: ParquetError.self) { try memory.read(offset: 0, count: Int.max) }
    // The same file through either source reads to the same rows.
    let a = try ParquetReader(source: file).read()
    let b = try ParquetReader(source: memory).read()
    #expect(a.rowCount == b.rowCount)
    #expect(a.columns.map(\.scalars) == b.columns.map(\.scalars))
    #expect(throws: ParquetError.self) { try ParquetReader(path: Corpus.data.path) }
}
