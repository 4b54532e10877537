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
    /// (The whole input is the one chunk of a `TextBatchReader`.)
    public static func read(_ bytes: [UInt8], schema: Schema? = nil) throws(DataFrameError) -> DataFrame {
        try TextBatchReader.readWhole(bytes, format: .ndjson(schema: schema))
    }

    /// Validates the lines of `b` from `from` and returns one object cell per non-blank line, and the index
    /// where reading stopped (see `eachLine`).
    static func lines(_ b: UnsafeBufferPointer<UInt8>, from: Int, isLast: Bool) throws(TextFault) -> (rows: TextCells, end: Int) {
        let scanner = JSONScanner(b: b)
        var rows = TextCells()
        let end = try eachLine(b, from: from, isLast: isLast) { start, lineEnd throws(TextFault) in
            let v = try scanner.value(at: start, end: lineEnd)
            rows.append(.jsonObject, v.start, v.end)
            return v.next
        }
        return (rows, end)
    }

    /// Calls `object(start, lineEnd)` for each non-blank line of `b` from `from`, where `start` is the line's
    /// `{`; `object` walks (and so validates) the object and returns the index after it, and nothing but space
    /// may follow. Returns the index where reading stopped: the end of `b`, or, when `b` is a chunk that is not
    /// the input's last, the start of its unfinished last line (to be read with the next chunk). JSON strings
    /// cannot hold a raw line break, so every line break ends a record.
    static func eachLine(_ b: UnsafeBufferPointer<UInt8>, from: Int, isLast: Bool,
                         _ object: (Int, Int) throws(TextFault) -> Int) throws(TextFault) -> Int {
        let scanner = JSONScanner(b: b)
        let n = b.count
        var i = from
        while i < n {
            var lineEnd = i
            while lineEnd < n && b[lineEnd] != 0x0a { lineEnd += 1 }
            if lineEnd == n && !isLast { break }
            let start = scanner.skipSpace(i, lineEnd)
            if start < lineEnd {
                guard b[start] == UInt8(ascii: "{") else {
                    throw TextFault(start, "expected a JSON object (one per line) but found \(JSONScanner.show(b[start]))")
                }
                let next = try object(start, lineEnd)
                let rest = scanner.skipSpace(next, lineEnd)
                guard rest == lineEnd else { throw TextFault(rest, "unexpected text after the JSON object") }
            }
            i = min(lineEnd + 1, n)
        }
        return i
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
