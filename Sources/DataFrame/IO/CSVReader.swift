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
/// `CSVRecordParser` finds every field's span (no copying, no per-cell allocation), then each column is
/// converted at once into a typed buffer. Inferred types are the first of long, double, boolean, date
/// (`YYYY-MM-DD`), timestamp (`YYYY-MM-DD[ T]HH:MM:SS[.ffffff]`, UTC) that fits every value, else string.
/// Nested columns (with a given schema) read each cell as JSON, the way `CSVWriter` writes them.
/// Completely empty lines are skipped; a UTF-8 byte order mark is ignored.
public enum CSVReader {
    /// Reads `bytes`; errors name the line and column of the problem. (The whole input is the one chunk of
    /// a `TextBatchReader`.)
    public static func read(_ bytes: [UInt8], options: CSVOptions = CSVOptions()) throws(DataFrameError) -> DataFrame {
        try TextBatchReader.readWhole(bytes, format: .csv(options))
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
