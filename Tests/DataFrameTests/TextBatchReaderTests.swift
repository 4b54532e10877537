import Columnar
import Foundation
import Parquet
import Testing
@testable import DataFrame

/// Reading inputs in bounded batches: chunks cut at record boundaries, one schema for all batches, line
/// numbers counted from the start of the input, Parquet row group by row group.
@Suite struct TextBatchReaderTests {
    func batches(_ text: String, _ format: TextFormat, table: Schema? = nil, chunkSize: Int) throws -> (Schema, [DataFrame]) {
        let reader = try TextBatchReader(source: MemorySource(Array(text.utf8)), format: format, table: table, chunkSize: chunkSize)
        var out = [DataFrame]()
        while let f = try reader.next() {
            #expect(f.schema == reader.schema)
            out.append(f)
        }
        return (reader.schema, out)
    }

    /// Rows of `frames` as boxed values, column by column.
    func rows(_ frames: [DataFrame]) throws -> [[Scalar]] {
        guard !frames.isEmpty else { return [] }
        return try DataFrame.concat(frames).columns.map(\.scalars)
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    /// CSV with quoted line breaks, doubled quotes, CRLF, blank lines and a quote on a chunk's last byte
    /// for some chunk size.
    let trickyCSV = "id,note,v\r\n1,\"line one\nline two\",1.5\r\n\r\n2,\"say \"\"hi\"\"\",2\n3,plain,\n4,\"\",-7\n5,\"a,b\",8\n"

    @Test func csvQuotedLineBreakAcrossAChunkBoundaryReadsAsOneField() throws {
        // The quoted field of row 1 spans bytes 13..<32; a 20-byte chunk cuts it.
        let (_, frames) = try batches(trickyCSV, .csv(CSVOptions()), chunkSize: 20)
        #expect(frames.count > 1)
        let all = try DataFrame.concat(frames)
        #expect(try all.value("note", row: 0) == .string("line one\nline two"))
        #expect(try all.value("note", row: 1) == .string("say \"hi\""))
        #expect(all.rowCount == 5)
    }

    @Test func csvEveryChunkSizeGivesTheWholeReadsRows() throws {
        let whole = try CSVReader.read(Array(trickyCSV.utf8))
        for size in 1...trickyCSV.utf8.count + 1 {
            let (schema, frames) = try batches(trickyCSV, .csv(CSVOptions()), chunkSize: size)
            #expect(schema == whole.schema, "chunk \(size)")
            #expect(try rows(frames) == whole.columns.map(\.scalars), "chunk \(size)")
        }
    }

    @Test func ndjsonEveryChunkSizeGivesTheWholeReadsRows() throws {
        let text = "{\"a\":1,\"s\":{\"x\":\"é\"}}\n\n{\"a\":2,\"l\":[1.5]}\r\n{\"s\":{\"y\":true},\"a\":null}"
        let whole = try NDJSONReader.read(Array(text.utf8))
        for size in 1...text.utf8.count + 1 {
            let (schema, frames) = try batches(text, .ndjson(), chunkSize: size)
            #expect(schema == whole.schema, "chunk \(size)")
            #expect(try rows(frames) == whole.columns.map(\.scalars), "chunk \(size)")
        }
    }

    @Test func inferencePassGivesTheWholeFileSchemaOnTheExistingInputs() throws {
        let csvInputs = [
            "i,d,b,day,ts,s,n\n1,1.5,true,2024-01-31,2024-01-31 10:00:00,x,\n-2,NaN,FALSE,1970-01-01,2024-01-31T10:00:00.123456,y,\n3,1e3,true,2000-02-29,2024-01-31,z,\n",
            "a,b\n1,1\n2.5,x\n",
            "name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\r\nplain,\"\"\r\n",
            "a,b\n,\n,\n",
        ]
        for text in csvInputs {
            // Today's types for these inputs (CSVTests): whole-input inference.
            let whole = try CSVReader.read(Array(text.utf8))
            let (schema, frames) = try batches(text, .csv(CSVOptions()), chunkSize: 9)
            #expect(schema == whole.schema)
            // NaN is not equal to itself: compare the rows of the inputs without one.
            if !text.contains("NaN") { #expect(try rows(frames) == whole.columns.map(\.scalars)) }
        }
        #expect(try CSVReader.read(Array(csvInputs[0].utf8)).schema.fields.map(\.type)
                == [.int64, .float64, .boolean, .date, .timestampMicros, .string, .string])
        let json = "{\"a\":1,\"b\":[{\"c\":\"x\"}],\"d\":null}\n{\"a\":2.5,\"b\":[],\"e\":false}\n"
        let whole = try NDJSONReader.read(Array(json.utf8))
        #expect(whole.schema.fields.map(\.type) == [
            .float64, .list(Field("element", .structure([Field("c", .string)]))), .string, .boolean,
        ])
        let (schema, _) = try batches(json, .ndjson(), chunkSize: 5)
        #expect(schema == whole.schema)
    }

    @Test func aLaterChunkThatWidensATypeWidensEveryBatch() throws {
        let text = "n\n1\n2\n3\n4\n5.5\n"
        let (schema, frames) = try batches(text, .csv(CSVOptions()), chunkSize: 4)
        #expect(frames.count > 1)
        #expect(schema.fields[0].type == .float64)
        #expect(try rows(frames) == [[.double(1), .double(2), .double(3), .double(4), .double(5.5)]])
        let json = "{\"n\":1}\n{\"n\":2}\n{\"n\":0.5}\n"
        let (jschema, _) = try batches(json, .ndjson(), chunkSize: 8)
        #expect(jschema.fields[0].type == .float64)
    }

    @Test func errorLinesCountFromTheStartOfTheInput() throws {
        let text = "id\n1\n2\n3\n4\n5\nnope\n"
        let m = message { try batches(text, .csv(CSVOptions()), table: Schema([Field("id", .int64)]), chunkSize: 4) }
        #expect(m.contains("line 7"))
        #expect(m.contains("\"nope\""))
        let json = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":\"x\"}\n"
        let j = message { try batches(json, .ndjson(), table: Schema([Field("a", .int64)]), chunkSize: 10) }
        #expect(j.contains("line 4"))
        // The inference pass's message names the line of the first value too.
        let k = message { try batches(json, .ndjson(), chunkSize: 10) }
        #expect(k.contains("line 4") && k.contains("on line 1"))
        // Malformed JSON found by the first pass (which walks each object once) is located the same way.
        let bad = "{\"a\":1}\n{\"a\":2}\n{\"a\":3} x\n"
        let b = message { try batches(bad, .ndjson(), chunkSize: 10) }
        #expect(b.contains("line 3, column 9") && b.contains("unexpected text after the JSON object"))
        let c = message { try batches("{\"a\":1}\n{\"a\":2}\n{\"a\" 3}\n", .ndjson(), chunkSize: 10) }
        #expect(c == message { try NDJSONReader.read(Array("{\"a\":1}\n{\"a\":2}\n{\"a\" 3}\n".utf8)) })
        #expect(c.contains("line 3"))
    }

    @Test func aRecordLongerThanAChunkIsReadWhole() throws {
        let long = String(repeating: "x", count: 100)
        let text = "a,b\n1,\(long)\n2,y\n"
        let (_, frames) = try batches(text, .csv(CSVOptions()), chunkSize: 8)
        #expect(try rows(frames) == [[.int(1), .int(2)], [.string(long), .string("y")]])
    }

    @Test func aHeaderLongerThanAChunkIsReadWhole() throws {
        let text = "a_very_long_column_name,another_long_column_name\n1,2\n"
        let (schema, frames) = try batches(text, .csv(CSVOptions()), table: Schema([Field("ANOTHER_LONG_COLUMN_NAME", .int32)]), chunkSize: 6)
        #expect(schema.fields.map(\.name) == ["ANOTHER_LONG_COLUMN_NAME", "a_very_long_column_name"])
        #expect(try rows(frames) == [[.int(2)], [.int(1)]])
    }

    @Test func csvWithoutHeaderMapsTableColumnsByPosition() throws {
        var options = CSVOptions()
        options.header = false
        let (schema, frames) = try batches("1,x,9\n2,y,8\n", .csv(options), table: Schema([Field("id", .int64), Field("s", .string)]), chunkSize: 5)
        #expect(schema.fields.map(\.name) == ["id", "s", "column_3"])
        #expect(try rows(frames) == [[.int(1), .int(2)], [.string("x"), .string("y")], [.int(9), .int(8)]])
    }

    @Test func emptyInputYieldsNoBatch() throws {
        let (schema, frames) = try batches("", .csv(CSVOptions()), chunkSize: 4)
        #expect(frames.isEmpty && schema.fields.isEmpty)
        let (tableSchema, none) = try batches("\n\n", .ndjson(), table: Schema([Field("a", .int64)]), chunkSize: 1)
        #expect(none.isEmpty && tableSchema.fields.map(\.name) == ["a"])
    }

    @Test func localFilesAreReadInChunksByExtension() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lake-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csvPath = dir.appendingPathComponent("in.csv").path
        var text = "id,name\n"
        for i in 0..<500 { text += "\(i),n\(i)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: csvPath))
        let reader = try BatchReaders.open(path: csvPath, table: Schema([Field("id", .int32), Field("name", .string)]), chunkSize: 256)
        var count = 0, batches = 0
        var last: Scalar = .null
        while let f = try reader.next() {
            count += f.rowCount
            batches += 1
            last = try f.value("id", row: f.rowCount - 1)
        }
        #expect(count == 500 && batches > 10 && last == .int(499))
    }

    // MARK: - Parquet

    @Test func parquetIsReadOneRowGroupPerBatch() throws {
        let ids = (0..<1000).map { Scalar.int(Int64($0)) }
        let names = (0..<1000).map { $0 % 7 == 0 ? Scalar.null : .string("n\($0)") }
        let df = try frame([("id", .int64, ids), ("name", .string, names)])
        var options = ParquetWriterOptions()
        options.rowGroupSize = 100
        let bytes = try ParquetWriter.write([df.batch], schema: df.schema, options: options)
        let reader = try ParquetBatchReader(source: MemorySource(bytes))
        var frames = [DataFrame]()
        while let f = try reader.next() { frames.append(f) }
        #expect(frames.count == 10)
        #expect(frames.allSatisfy { $0.rowCount == 100 })
        #expect(reader.schema == df.schema)
        #expect(try rows(frames) == [ids, names])
    }

    @Test func localParquetAndNDJSONFilesOpenByExtension() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lake-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let df = try frame([("id", .int64, (0..<300).map { Scalar.int(Int64($0)) })])
        var options = ParquetWriterOptions()
        options.rowGroupSize = 128
        let parquet = dir.appendingPathComponent("in.parquet")
        try Data(try ParquetWriter.write([df.batch], schema: df.schema, options: options)).write(to: parquet)
        let p = try BatchReaders.open(path: parquet.path)
        var sizes = [Int]()
        while let f = try p.next() { sizes.append(f.rowCount) }
        #expect(sizes == [128, 128, 44])

        let ndjson = dir.appendingPathComponent("in.jsonl")
        try Data((0..<300).map { "{\"id\":\($0)}\n" }.joined().utf8).write(to: ndjson)
        let j = try BatchReaders.open(path: ndjson.path, chunkSize: 100)
        var total = 0, batches = 0
        while let f = try j.next() { total += f.rowCount; batches += 1 }
        #expect(j.schema == Schema([Field("id", .int64)]) && total == 300 && batches > 10)

        let unknown = message { try BatchReaders.open(path: dir.appendingPathComponent("in.txt").path) }
        #expect(unknown.contains("unknown file type"))
    }
}
