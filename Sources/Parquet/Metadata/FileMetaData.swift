/// The order `minValue`/`maxValue` statistics of a leaf follow (`ColumnOrder` union in parquet.thrift).
public enum ColumnOrder: ThriftStruct, Sendable, Hashable {
    /// The order defined by the logical type (or physical type without one).
    case typeDefined
    /// IEEE 754 totalOrder for floating point columns.
    case ieee754TotalOrder
    /// Chronological order of INT96 timestamps.
    case int96TimestampOrder
    /// An order this model does not know; statistics under it must be ignored.
    case unknown(Int16)

    /// Decodes the union.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var result: ColumnOrder?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            if result == nil {
                switch f.id {
                case 1: result = .typeDefined
                case 2: result = .ieee754TotalOrder
                case 3: result = .int96TimestampOrder
                default: result = .unknown(f.id)
                }
            }
            try reader.skip(f)
        }
        reader.endStruct(scope)
        self = result ?? .unknown(0)
    }

    /// Encodes the union.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        switch self {
        case .typeDefined: writer.writeEmptyStruct(field: 1)
        case .ieee754TotalOrder: writer.writeEmptyStruct(field: 2)
        case .int96TimestampOrder: writer.writeEmptyStruct(field: 3)
        case let .unknown(id): writer.writeEmptyStruct(field: id)
        }
        writer.endStruct(scope)
    }
}

/// The file footer (`FileMetaData` in parquet.thrift): schema, row groups and file metadata.
public struct FileMetaData: ThriftStruct, Sendable, Hashable {
    /// Format version; writers put 1 (2 is read the same).
    public var version: Int32
    /// The flattened schema, root first.
    public var schema: [SchemaElement]
    /// Total number of rows.
    public var numRows: Int64
    /// The row groups.
    public var rowGroups: [RowGroup]
    /// File key-value metadata (the Arrow schema, Spark metadata, ...).
    public var keyValueMetadata: [KeyValue]?
    /// The writing application, `<name> version <version> (build <hash>)`.
    public var createdBy: String?
    /// Statistics order of each leaf column, in leaf order.
    public var columnOrders: [ColumnOrder]?
    /// Whether the footer names an encryption algorithm (encrypted file with a plaintext footer).
    public var isEncrypted: Bool

    /// Creates file metadata.
    public init(version: Int32 = 1, schema: [SchemaElement], numRows: Int64, rowGroups: [RowGroup],
                keyValueMetadata: [KeyValue]? = nil, createdBy: String? = nil, columnOrders: [ColumnOrder]? = nil) {
        self.version = version
        self.schema = schema
        self.numRows = numRows
        self.rowGroups = rowGroups
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
        self.columnOrders = columnOrders
        self.isEncrypted = false
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var version: Int32?, schema: [SchemaElement]?, numRows: Int64?, rowGroups: [RowGroup]?
        self.init(schema: [], numRows: 0, rowGroups: [])
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: version = try reader.readI32(f)
            case 2: schema = try reader.readStructList(f)
            case 3: numRows = try reader.readI64(f)
            case 4: rowGroups = try reader.readStructList(f)
            case 5: keyValueMetadata = try reader.readStructList(f)
            case 6: createdBy = try reader.readString(f)
            case 7: columnOrders = try reader.readStructList(f)
            case 8, 9: isEncrypted = true; try reader.skip(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "FileMetaData"
        self.version = try requireField(version, "version", in: s)
        self.schema = try requireField(schema, "schema", in: s)
        self.numRows = try requireNonNegative(try requireField(numRows, "num_rows", in: s), "num_rows", in: s)
        self.rowGroups = try requireField(rowGroups, "row_groups", in: s)
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, version)
        writer.writeStructList(field: 2, schema)
        writer.writeI64(field: 3, numRows)
        writer.writeStructList(field: 4, rowGroups)
        if let keyValueMetadata { writer.writeStructList(field: 5, keyValueMetadata) }
        if let createdBy { writer.writeString(field: 6, createdBy) }
        if let columnOrders { writer.writeStructList(field: 7, columnOrders) }
        writer.endStruct(scope)
    }
}
