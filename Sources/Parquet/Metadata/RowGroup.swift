/// A horizontal slice of the file: one column chunk per leaf (`RowGroup` in parquet.thrift).
public struct RowGroup: ThriftStruct, Sendable, Hashable {
    /// One chunk per leaf column, in schema order.
    public var columns: [ColumnChunk]
    /// Uncompressed bytes of all column data.
    public var totalByteSize: Int64
    /// Number of rows.
    public var numRows: Int64
    /// Columns the rows are sorted by.
    public var sortingColumns: [SortingColumn]?
    /// File offset of the first page of the row group.
    public var fileOffset: Int64?
    /// Stored bytes of all column data.
    public var totalCompressedSize: Int64?
    /// Ordinal of the row group in the file.
    public var ordinal: Int16?

    /// Creates a row group.
    public init(columns: [ColumnChunk], totalByteSize: Int64, numRows: Int64, sortingColumns: [SortingColumn]? = nil,
                fileOffset: Int64? = nil, totalCompressedSize: Int64? = nil, ordinal: Int16? = nil) {
        self.columns = columns
        self.totalByteSize = totalByteSize
        self.numRows = numRows
        self.sortingColumns = sortingColumns
        self.fileOffset = fileOffset
        self.totalCompressedSize = totalCompressedSize
        self.ordinal = ordinal
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var columns: [ColumnChunk]?, totalByteSize: Int64?, numRows: Int64?
        self.init(columns: [], totalByteSize: 0, numRows: 0)
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: columns = try reader.readStructList(f)
            case 2: totalByteSize = try reader.readI64(f)
            case 3: numRows = try reader.readI64(f)
            case 4: sortingColumns = try reader.readStructList(f)
            case 5: fileOffset = try reader.readI64(f)
            case 6: totalCompressedSize = try reader.readI64(f)
            case 7: ordinal = try reader.readI16(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "RowGroup"
        self.columns = try requireField(columns, "columns", in: s)
        self.totalByteSize = try requireNonNegative(try requireField(totalByteSize, "total_byte_size", in: s), "total_byte_size", in: s)
        self.numRows = try requireNonNegative(try requireField(numRows, "num_rows", in: s), "num_rows", in: s)
        // file_offset and total_compressed_size are hints that some writers got wrong; a bad value
        // is dropped rather than failing the file.
        if let v = fileOffset, v < 0 { fileOffset = nil }
        if let v = totalCompressedSize, v < 0 { totalCompressedSize = nil }
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeStructList(field: 1, columns)
        writer.writeI64(field: 2, totalByteSize)
        writer.writeI64(field: 3, numRows)
        if let sortingColumns { writer.writeStructList(field: 4, sortingColumns) }
        if let fileOffset { writer.writeI64(field: 5, fileOffset) }
        if let totalCompressedSize { writer.writeI64(field: 6, totalCompressedSize) }
        if let ordinal { writer.writeI16(field: 7, ordinal) }
        writer.endStruct(scope)
    }
}
