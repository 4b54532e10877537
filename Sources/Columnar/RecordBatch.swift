/// Columns of equal length under a schema.
public struct RecordBatch: Sendable {
    /// The schema; `columns[i]` is described by `schema.fields[i]`.
    public let schema: Schema
    /// One column per field.
    public let columns: [Column]
    /// Number of rows.
    public let rowCount: Int

    /// Creates a batch, checking that column count, lengths and types agree with the schema.
    public init(schema: Schema, columns: [Column]) throws(ColumnarError) {
        guard schema.fields.count == columns.count else {
            throw .invalid("schema has \(schema.fields.count) fields but \(columns.count) columns were given")
        }
        let n = columns.first?.count ?? 0
        for (f, c) in zip(schema.fields, columns) {
            if c.count != n { throw .invalid("column \(f.name) has \(c.count) rows, expected \(n)") }
            if c.type != f.type { throw .invalid("column \(f.name) is \(c.type.name), schema says \(f.type.name)") }
        }
        self.schema = schema
        self.columns = columns
        self.rowCount = n
    }

    /// An empty batch (no rows) of `schema`.
    public init(emptyOf schema: Schema) {
        self.schema = schema
        self.columns = schema.fields.map { Column.empty($0.type) }
        self.rowCount = 0
    }

    /// The column named `name`.
    public func column(named name: String) -> Column? {
        schema.index(of: name).map { columns[$0] }
    }
}

extension Column {
    /// A column of `type` with no rows.
    public static func empty(_ type: DataType) -> Column {
        let values: ColumnValues
        switch type {
        case .boolean: values = .boolean(Bitmap(count: 0, value: false))
        case .int8: values = .int8([])
        case .int16: values = .int16([])
        case .int32, .date: values = .int32([])
        case .int64, .time, .timestamp: values = .int64([])
        case .uint8: values = .uint8([])
        case .uint16: values = .uint16([])
        case .uint32: values = .uint32([])
        case .uint64: values = .uint64([])
        case .float32: values = .float32([])
        case .float64: values = .float64([])
        case .decimal: values = .decimal([])
        case .string, .binary, .fixedSizeBinary: values = .bytes(offsets: [0], data: [])
        case let .list(f): values = .list(offsets: [0], child: .empty(f.type))
        case let .structure(fs): values = .structure(fs.map { .empty($0.type) })
        case let .map(k, v): values = .map(offsets: [0], keys: .empty(k.type), values: .empty(v.type))
        }
        return Column(unchecked: type, count: 0, validity: nil, values: values)
    }
}
