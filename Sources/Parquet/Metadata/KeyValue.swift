/// One entry of file or column key-value metadata (`KeyValue` in parquet.thrift).
public struct KeyValue: ThriftStruct, Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value; absent is distinct from empty.
    public var value: String?

    /// Creates an entry.
    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var key: String?
        value = nil
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: key = try reader.readString(f)
            case 2: value = try reader.readString(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        self.key = try requireField(key, "key", in: "KeyValue")
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeString(field: 1, key)
        if let value { writer.writeString(field: 2, value) }
        writer.endStruct(scope)
    }
}

/// A column a row group is sorted by (`SortingColumn` in parquet.thrift).
public struct SortingColumn: ThriftStruct, Sendable, Hashable {
    /// Leaf column ordinal within the row group.
    public var columnIndex: Int32
    /// Whether the order is descending.
    public var descending: Bool
    /// Whether nulls sort first.
    public var nullsFirst: Bool

    /// Creates a sorting column.
    public init(columnIndex: Int32, descending: Bool, nullsFirst: Bool) {
        self.columnIndex = columnIndex
        self.descending = descending
        self.nullsFirst = nullsFirst
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var idx: Int32?, desc: Bool?, nf: Bool?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: idx = try reader.readI32(f)
            case 2: desc = try reader.readBool(f)
            case 3: nf = try reader.readBool(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "SortingColumn"
        columnIndex = try requireNonNegative(try requireField(idx, "column_idx", in: s), "column_idx", in: s)
        descending = try requireField(desc, "descending", in: s)
        nullsFirst = try requireField(nf, "nulls_first", in: s)
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, columnIndex)
        writer.writeBool(field: 2, descending)
        writer.writeBool(field: 3, nullsFirst)
        writer.endStruct(scope)
    }
}

/// How many pages of a type used an encoding (`PageEncodingStats` in parquet.thrift).
public struct PageEncodingStats: ThriftStruct, Sendable, Hashable {
    /// The page type.
    public var pageType: PageType
    /// The encoding.
    public var encoding: Encoding
    /// Number of such pages.
    public var count: Int32

    /// Creates an entry.
    public init(pageType: PageType, encoding: Encoding, count: Int32) {
        self.pageType = pageType
        self.encoding = encoding
        self.count = count
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var pt: PageType?, enc: Encoding?, n: Int32?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: pt = PageType(rawValue: try reader.readI32(f))
            case 2: enc = Encoding(rawValue: try reader.readI32(f))
            case 3: n = try reader.readI32(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "PageEncodingStats"
        pageType = try requireField(pt, "page_type", in: s)
        encoding = try requireField(enc, "encoding", in: s)
        count = try requireNonNegative(try requireField(n, "count", in: s), "count", in: s)
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, pageType.rawValue)
        writer.writeI32(field: 2, encoding.rawValue)
        writer.writeI32(field: 3, count)
        writer.endStruct(scope)
    }
}
