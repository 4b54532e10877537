import Columnar

/// How to read (and write) CSV text.
public struct CSVOptions: Sendable {
    /// Whether the first record names the columns. Without a header columns are `column_1`, `column_2`, ...
    public var header: Bool
    /// The field separator (one byte: `,`, `;`, tab, `|`).
    public var delimiter: UInt8
    /// The quote character; inside quotes a doubled quote is one quote and delimiters and newlines are text.
    /// `nil` turns quoting off.
    public var quote: UInt8?
    /// Unquoted fields equal to one of these are null. The default makes an empty unquoted field null
    /// (a quoted empty field `""` stays an empty string).
    public var nullValues: [String]
    /// The column types; `nil` infers them. With a header, the header line is skipped and the schema's names
    /// are used (columns are matched by position).
    public var schema: Schema?

    /// Options with a header, `,` delimiter, `"` quotes, empty fields as null and inferred types.
    public init(header: Bool = true, delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8? = UInt8(ascii: "\""),
                nullValues: [String] = [""], schema: Schema? = nil) {
        self.header = header
        self.delimiter = delimiter
        self.quote = quote
        self.nullValues = nullValues
        self.schema = schema
    }
}

/// Reads RFC 4180 CSV into a `DataFrame`.
///
/// Two passes: the first finds every field's span (no copying, no per-cell allocation), the second converts
/// one column at a time into a typed buffer. Inferred types are the first of long, double, boolean, date
/// (`YYYY-MM-DD`), timestamp (`YYYY-MM-DD[ T]HH:MM:SS[.ffffff]`, UTC) that fits every value, else string.
/// Nested columns (with a given schema) read each cell as JSON, the way `CSVWriter` writes them.
/// Completely empty lines are skipped; a UTF-8 byte order mark is ignored.
public enum CSVReader {
    /// Reads `bytes`; errors name the line and column of the problem.
    public static func read(_ bytes: [UInt8], options: CSVOptions = CSVOptions()) throws(DataFrameError) -> DataFrame {
        let result: Result<DataFrame, DataFrameError> = bytes.withUnsafeBufferPointer { buf in
            do throws(TextFault) {
                return try read(buf, options: options)
            } catch {
                return .failure(TextInputError.at(error.offset, in: buf, message: error.message).dataFrameError)
            }
        }
        return try result.get()
    }

    private static func read(_ b: UnsafeBufferPointer<UInt8>, options: CSVOptions) throws(TextFault) -> Result<DataFrame, DataFrameError> {
        let delimiter = options.delimiter
        let quote = options.quote
        if delimiter == 0x0a || delimiter == 0x0d || delimiter == quote {
            return .failure(.invalidArgument("the CSV delimiter cannot be a line break or the quote character"))
        }
        let nullValues = options.nullValues.map { Array($0.utf8) }
        let emptyIsNull = nullValues.contains { $0.isEmpty }
        let n = b.count
        var i = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0

        var columns = [TextCells]()
        var expected = options.schema?.fields.count ?? -1
        var names = [String]()
        var readHeader = options.header
        var record = [(CellKind, Int, Int)]()

        while i < n {
            // A completely empty line is no record.
            if b[i] == 0x0a { i += 1; continue }
            if b[i] == 0x0d && i + 1 < n && b[i + 1] == 0x0a { i += 2; continue }
            let recordStart = i
            record.removeAll(keepingCapacity: true)
            while true {
                var kind = CellKind.text
                let start: Int, end: Int
                if let quote, i < n && b[i] == quote {
                    var j = i + 1
                    var escaped = false
                    while true {
                        while j < n && b[j] != quote { j += 1 }
                        guard j < n else { throw TextFault(i, "unterminated quoted field (no closing \(JSONScanner.show(quote)))") }
                        if j + 1 < n && b[j + 1] == quote { escaped = true; j += 2; continue }
                        break
                    }
                    start = i + 1
                    end = j
                    i = j + 1
                    if escaped { kind = .csvEscaped }
                    guard i == n || b[i] == delimiter || b[i] == 0x0a || (b[i] == 0x0d && (i + 1 == n || b[i + 1] == 0x0a)) else {
                        throw TextFault(i, "unexpected \(JSONScanner.show(b[i])) after a closing quote (expected the delimiter or the end of the line)")
                    }
                } else {
                    start = i
                    while i < n && b[i] != delimiter && b[i] != 0x0a { i += 1 }
                    end = i > start && b[i - 1] == 0x0d && (i == n || b[i] == 0x0a) ? i - 1 : i
                    let length = end - start
                    if length == 0 {
                        if emptyIsNull { kind = .null }
                    } else {
                        for v in nullValues where v.count == length {
                            var same = true
                            for k in 0..<length where b[start + k] != v[k] { same = false; break }
                            if same { kind = .null; break }
                        }
                    }
                }
                record.append((kind, start, end))
                if i < n && b[i] == 0x0d { i += 1 }
                if i < n && b[i] == delimiter { i += 1; continue }
                i += 1  // past '\n' (or the end)
                break
            }
            if expected < 0 { expected = record.count }
            if record.count != expected {
                throw TextFault(recordStart, "expected \(expected) field\(expected == 1 ? "" : "s") but found \(record.count)")
            }
            if readHeader {
                readHeader = false
                let builder = TextColumnBuilder(b, isCSV: true)
                for (k, (kind, s, e)) in record.enumerated() {
                    let name = builder.text(kind == .null ? .text : kind, s, e) { buf, a, z in
                        String(decoding: UnsafeBufferPointer(rebasing: buf[a..<z]), as: UTF8.self)
                    }
                    names.append(name.isEmpty ? "column_\(k + 1)" : name)
                }
                continue
            }
            if columns.isEmpty { columns = [TextCells](repeating: TextCells(), count: expected) }
            for (k, (kind, s, e)) in record.enumerated() { columns[k].append(kind, s, e) }
        }

        if let schema = options.schema {
            if columns.isEmpty { return .success(DataFrame(emptyOf: schema)) }
            let builder = TextColumnBuilder(b, isCSV: true)
            var built = [Column]()
            for (k, f) in schema.fields.enumerated() {
                built.append(try builder.build(columns[k], f.type, nullable: f.nullable, path: "column \(k + 1) (`\(f.name)`)"))
            }
            return Result { () throws(DataFrameError) in try DataFrame(schema: schema, columns: built) }
        }
        let width = max(expected, 0)
        if names.isEmpty { names = (0..<width).map { "column_\($0 + 1)" } }
        if columns.isEmpty { columns = [TextCells](repeating: TextCells(), count: width) }
        let builder = TextColumnBuilder(b, isCSV: true)
        var fields = [Field](), built = [Column]()
        for k in 0..<width {
            let type = builder.inferCSV(columns[k])
            built.append(try builder.build(columns[k], type, nullable: true, path: "column \(k + 1) (`\(names[k])`)"))
            fields.append(Field(names[k], type))
        }
        return Result { () throws(DataFrameError) in try DataFrame(schema: Schema(fields), columns: built) }
    }
}

/// Writes a `DataFrame` as CSV through `BatchText.csv`: nulls are empty fields, nested values JSON text,
/// dates and timestamps ISO 8601, binary base64, so `CSVReader` with the frame's schema reads it back.
/// (An empty string is written as an empty field too, which reads back as null.)
public enum CSVWriter {
    /// The CSV text of `frame`, with a header line when `header`.
    public static func write(_ frame: DataFrame, header: Bool = true, delimiter: UInt8 = UInt8(ascii: ",")) -> [UInt8] {
        var out = [UInt8]()
        BatchText.csv(frame.batch, header: header, delimiter: delimiter, to: &out)
        return out
    }
}
