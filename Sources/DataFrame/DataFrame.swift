import Columnar

/// An immutable table: a schema and one Columnar column per field, all of the same length.
///
/// Columns are values whose buffers are shared copy-on-write, so selecting, renaming and slicing
/// never copy data that does not change. Every operation returns a new frame.
public struct DataFrame: Sendable {
    /// Field `i` describes `columns[i]`.
    public let schema: Schema
    /// The column buffers in schema order.
    public let columns: [Column]
    /// Number of rows.
    public let rowCount: Int

    /// A frame over a record batch (no copy).
    public init(_ batch: RecordBatch) {
        schema = batch.schema
        columns = batch.columns
        rowCount = batch.rowCount
    }

    /// A frame over `columns` described by `schema`; lengths and types must agree.
    public init(schema: Schema, columns: [Column]) throws(DataFrameError) {
        do {
            self.init(try RecordBatch(schema: schema, columns: columns))
        } catch {
            throw .columnar(error)
        }
        try Self.checkUniqueNames(schema.names)
    }

    /// A frame from named columns; each field is nullable exactly when its column has nulls.
    public init(_ named: [(name: String, column: Column)]) throws(DataFrameError) {
        let fields = named.map { Field($0.name, $0.column.type, nullable: $0.column.nullCount > 0) }
        try self.init(schema: Schema(fields), columns: named.map(\.column))
    }

    /// An empty frame (no rows) of `schema`.
    public init(emptyOf schema: Schema) {
        self.init(RecordBatch(emptyOf: schema))
    }

    /// Internal: builds without re-checking, for operators that derived the columns from a checked frame.
    init(unchecked schema: Schema, columns: [Column], rowCount: Int) {
        self.schema = schema
        self.columns = columns
        self.rowCount = rowCount
    }

    /// The frame as a record batch (no copy).
    public var batch: RecordBatch {
        // Schema and columns were checked when this frame was built, so this cannot fail;
        // fall back to an empty batch rather than trap if it ever did.
        (try? RecordBatch(schema: schema, columns: columns)) ?? RecordBatch(emptyOf: schema)
    }

    /// Number of columns.
    public var columnCount: Int { columns.count }

    /// Column names in order.
    public var columnNames: [String] { schema.names }

    /// Position of the column called `name`: an exact match, else the only case-insensitive match (as Spark resolves).
    public func columnIndex(_ name: String) throws(DataFrameError) -> Int {
        try Self.resolve(name, in: schema)
    }

    /// The column called `name`; the error lists the available columns.
    public func column(_ name: String) throws(DataFrameError) -> Column {
        columns[try columnIndex(name)]
    }

    /// Only the named columns, in the given order.
    public func select(_ names: [String]) throws(DataFrameError) -> DataFrame {
        var fields = [Field](), cols = [Column]()
        for name in names {
            let i = try columnIndex(name)
            fields.append(schema.fields[i])
            cols.append(columns[i])
        }
        try Self.checkUniqueNames(fields.map(\.name))
        return DataFrame(unchecked: Schema(fields, metadata: schema.metadata), columns: cols, rowCount: rowCount)
    }

    /// Only the named columns, in the given order.
    public func select(_ names: String...) throws(DataFrameError) -> DataFrame {
        try select(names)
    }

    /// All columns except the named ones.
    public func drop(_ names: [String]) throws(DataFrameError) -> DataFrame {
        var dropped = Set<Int>()
        for name in names { dropped.insert(try columnIndex(name)) }
        let keep = columns.indices.filter { !dropped.contains($0) }
        return DataFrame(unchecked: Schema(keep.map { schema.fields[$0] }, metadata: schema.metadata),
                         columns: keep.map { columns[$0] }, rowCount: rowCount)
    }

    /// The column `name` renamed to `newName`.
    public func rename(_ name: String, to newName: String) throws(DataFrameError) -> DataFrame {
        let i = try columnIndex(name)
        var fields = schema.fields
        fields[i].name = newName
        try Self.checkUniqueNames(fields.map(\.name))
        return DataFrame(unchecked: Schema(fields, metadata: schema.metadata), columns: columns, rowCount: rowCount)
    }

    /// Rows `range`, clamped to the frame. String and nested buffers are shared with this frame.
    public func slice(_ range: Range<Int>) -> DataFrame {
        let lower = max(0, min(range.lowerBound, rowCount))
        let upper = max(lower, min(range.upperBound, rowCount))
        if lower == 0 && upper == rowCount { return self }
        let r = lower..<upper
        return DataFrame(unchecked: schema, columns: columns.map { $0.slice(r) }, rowCount: r.count)
    }

    /// The first `n` rows (all of them when there are fewer).
    public func head(_ n: Int = 10) -> DataFrame {
        slice(0..<max(0, n))
    }

    /// Same as `head`: at most `n` rows.
    public func limit(_ n: Int) -> DataFrame {
        head(n)
    }

    /// The last `n` rows (all of them when there are fewer).
    public func tail(_ n: Int = 10) -> DataFrame {
        slice(max(0, rowCount - max(0, n))..<rowCount)
    }

    /// Row `row` of column `name` boxed, for tests and printing; never use in a loop over many rows.
    public func value(_ name: String, row: Int) throws(DataFrameError) -> Scalar {
        let c = try column(name)
        guard row >= 0 && row < rowCount else {
            throw .invalidArgument("row \(row) is outside 0..<\(rowCount)")
        }
        return c.scalar(at: row)
    }

    static func resolve(_ name: String, in schema: Schema) throws(DataFrameError) -> Int {
        if let i = schema.index(of: name) { return i }
        let lowered = name.lowercased()
        let matches = schema.fields.indices.filter { schema.fields[$0].name.lowercased() == lowered }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw .ambiguousColumn(name: name, candidates: matches.map { schema.fields[$0].name }) }
        throw .unknownColumn(name: name, available: schema.names)
    }

    static func checkUniqueNames(_ names: [String]) throws(DataFrameError) {
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw .shapeMismatch("column `\(n)` appears more than once; give each column a distinct name")
        }
    }
}

extension DataFrame: CustomStringConvertible {
    /// An aligned table of the first 50 rows with types under the names and a row-count footer.
    public var description: String { table() }

    /// An aligned table of at most `maxRows` rows.
    public func table(maxRows: Int = 50, maxWidth: Int = 40) -> String {
        BatchText.table(batch, maxRows: maxRows, maxWidth: maxWidth)
    }
}
