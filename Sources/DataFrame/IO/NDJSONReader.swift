import Columnar

/// Reads newline-delimited JSON (one object per line) into a `DataFrame`.
///
/// The first pass validates every line with a hand-written tokenizer and records each top-level value's span;
/// columns are then converted one at a time. Without a schema, types are inferred: integers → long (double when
/// any value in the column has a fraction or exponent), booleans, strings (never parsed as dates), arrays →
/// list of the unified element type, objects → struct of the union of keys in first-seen order; a column that
/// mixes kinds (strings and numbers, say) is an error. Columns come in first-seen key order.
///
/// With a schema, values convert per lake's NDJSON conventions (what `lake parquet cat --format ndjson` and
/// `NDJSONWriter` print): dates, timestamps, times and decimals from strings, binary from base64, floats also
/// from "NaN" / "Infinity" / "-Infinity", maps from arrays of `{"key","value"}` objects (or JSON objects).
/// A non-string value in a string column keeps its JSON text. Keys the schema lacks are ignored; missing keys
/// are null. Blank lines are skipped.
public enum NDJSONReader {
    /// Reads `bytes`, inferring the schema when `schema` is nil; errors name the line and column.
    public static func read(_ bytes: [UInt8], schema: Schema? = nil) throws(DataFrameError) -> DataFrame {
        let result: Result<DataFrame, DataFrameError> = bytes.withUnsafeBufferPointer { buf in
            do throws(TextFault) {
                return try read(buf, schema: schema)
            } catch {
                return .failure(TextInputError.at(error.offset, in: buf, message: error.message).dataFrameError)
            }
        }
        return try result.get()
    }

    private static func read(_ b: UnsafeBufferPointer<UInt8>, schema: Schema?) throws(TextFault) -> Result<DataFrame, DataFrameError> {
        let scanner = JSONScanner(b: b)
        let n = b.count
        var rows = TextCells()
        var i = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
        while i < n {
            var lineEnd = i
            while lineEnd < n && b[lineEnd] != 0x0a { lineEnd += 1 }
            let from = scanner.skipSpace(i, lineEnd)
            if from < lineEnd {
                guard b[from] == UInt8(ascii: "{") else {
                    throw TextFault(from, "expected a JSON object (one per line) but found \(JSONScanner.show(b[from]))")
                }
                let v = try scanner.value(at: from, end: lineEnd)
                let rest = scanner.skipSpace(v.next, lineEnd)
                guard rest == lineEnd else { throw TextFault(rest, "unexpected text after the JSON object") }
                rows.append(.jsonObject, v.start, v.end)
            }
            i = lineEnd + 1
        }
        let builder = TextColumnBuilder(b, isCSV: false)
        if let schema {
            let children = try builder.collectFields(rows, nil, names: schema.fields.map { Array($0.name.utf8) }, path: "row")
            var built = [Column]()
            for (f, cells) in zip(schema.fields, children) {
                built.append(try builder.build(cells, f.type, nullable: f.nullable, path: "`\(f.name)`"))
            }
            return Result { () throws(DataFrameError) in try DataFrame(schema: schema, columns: built) }
        }
        let (names, children) = try builder.collectMembers(rows, path: "row")
        var fields = [Field](), built = [Column]()
        for (name, cells) in zip(names, children) {
            let n = String(decoding: name, as: UTF8.self)
            let column = try builder.inferBuild(cells, path: "`\(n)`")
            fields.append(Field(n, column.type))
            built.append(column)
        }
        return Result { () throws(DataFrameError) in try DataFrame(schema: Schema(fields), columns: built) }
    }
}

/// Writes a `DataFrame` as NDJSON through `BatchText.ndjson` (lake's value conventions), so `NDJSONReader`
/// with the frame's schema reads it back exactly.
public enum NDJSONWriter {
    /// One JSON object per row, keys in schema order, each line ending in a newline.
    public static func write(_ frame: DataFrame) -> [UInt8] {
        var out = [UInt8]()
        BatchText.ndjson(frame.batch, to: &out)
        return out
    }
}
