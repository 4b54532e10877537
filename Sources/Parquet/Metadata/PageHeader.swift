/// Header of a page: its type, sizes, optional CRC and the header of its kind (`PageHeader` in
/// parquet.thrift). Sizes are checked non-negative here so page readers can slice with them directly.
public struct PageHeader: ThriftStruct, Sendable, Hashable {
    /// Which of the kind-specific headers is set.
    public var type: PageType
    /// Size of the page body after decompression, excluding this header.
    public var uncompressedPageSize: Int32
    /// Size of the page body as stored, excluding this header.
    public var compressedPageSize: Int32
    /// CRC-32 of the stored page body.
    public var crc: Int32?
    /// Set for `DATA_PAGE`.
    public var dataPageHeader: DataPageHeader?
    /// Set for `INDEX_PAGE`.
    public var indexPageHeader: IndexPageHeader?
    /// Set for `DICTIONARY_PAGE`.
    public var dictionaryPageHeader: DictionaryPageHeader?
    /// Set for `DATA_PAGE_V2`.
    public var dataPageHeaderV2: DataPageHeaderV2?

    /// Creates a page header.
    public init(
        type: PageType, uncompressedPageSize: Int32, compressedPageSize: Int32, crc: Int32? = nil,
        dataPageHeader: DataPageHeader? = nil, indexPageHeader: IndexPageHeader? = nil,
        dictionaryPageHeader: DictionaryPageHeader? = nil, dataPageHeaderV2: DataPageHeaderV2? = nil
    ) {
        self.type = type
        self.uncompressedPageSize = uncompressedPageSize
        self.compressedPageSize = compressedPageSize
        self.crc = crc
        self.dataPageHeader = dataPageHeader
        self.indexPageHeader = indexPageHeader
        self.dictionaryPageHeader = dictionaryPageHeader
        self.dataPageHeaderV2 = dataPageHeaderV2
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var type: PageType?, uncompressed: Int32?, compressed: Int32?
        self.init(type: .dataPage, uncompressedPageSize: 0, compressedPageSize: 0)
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: type = PageType(rawValue: try reader.readI32(f))
            case 2: uncompressed = try reader.readI32(f)
            case 3: compressed = try reader.readI32(f)
            case 4: crc = try reader.readI32(f)
            case 5: dataPageHeader = try reader.readStruct(f)
            case 6: indexPageHeader = try reader.readStruct(f)
            case 7: dictionaryPageHeader = try reader.readStruct(f)
            case 8: dataPageHeaderV2 = try reader.readStruct(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        self.type = try requireField(type, "type", in: "PageHeader")
        uncompressedPageSize = try requireNonNegative(
            try requireField(uncompressed, "uncompressed_page_size", in: "PageHeader"), "uncompressed_page_size", in: "PageHeader")
        compressedPageSize = try requireNonNegative(
            try requireField(compressed, "compressed_page_size", in: "PageHeader"), "compressed_page_size", in: "PageHeader")
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, type.rawValue)
        writer.writeI32(field: 2, uncompressedPageSize)
        writer.writeI32(field: 3, compressedPageSize)
        if let crc { writer.writeI32(field: 4, crc) }
        if let dataPageHeader { writer.writeStruct(field: 5, dataPageHeader) }
        if let indexPageHeader { writer.writeStruct(field: 6, indexPageHeader) }
        if let dictionaryPageHeader { writer.writeStruct(field: 7, dictionaryPageHeader) }
        if let dataPageHeaderV2 { writer.writeStruct(field: 8, dataPageHeaderV2) }
        writer.endStruct(scope)
    }
}

/// Header of a version 1 data page (`DataPageHeader` in parquet.thrift).
public struct DataPageHeader: ThriftStruct, Sendable, Hashable {
    /// Number of values including nulls (level entries, not rows).
    public var numValues: Int32
    /// Encoding of the values.
    public var encoding: Encoding
    /// Encoding of the definition levels (RLE in practice).
    public var definitionLevelEncoding: Encoding
    /// Encoding of the repetition levels (RLE in practice).
    public var repetitionLevelEncoding: Encoding
    /// Statistics of this page.
    public var statistics: Statistics?

    /// Creates a header.
    public init(numValues: Int32, encoding: Encoding, definitionLevelEncoding: Encoding = .rle,
                repetitionLevelEncoding: Encoding = .rle, statistics: Statistics? = nil) {
        self.numValues = numValues
        self.encoding = encoding
        self.definitionLevelEncoding = definitionLevelEncoding
        self.repetitionLevelEncoding = repetitionLevelEncoding
        self.statistics = statistics
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var n: Int32?, enc: Encoding?, dl: Encoding?, rl: Encoding?, stats: Statistics?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: n = try reader.readI32(f)
            case 2: enc = Encoding(rawValue: try reader.readI32(f))
            case 3: dl = Encoding(rawValue: try reader.readI32(f))
            case 4: rl = Encoding(rawValue: try reader.readI32(f))
            case 5: stats = try reader.readStruct(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "DataPageHeader"
        numValues = try requireNonNegative(try requireField(n, "num_values", in: s), "num_values", in: s)
        encoding = try requireField(enc, "encoding", in: s)
        definitionLevelEncoding = try requireField(dl, "definition_level_encoding", in: s)
        repetitionLevelEncoding = try requireField(rl, "repetition_level_encoding", in: s)
        statistics = stats
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, numValues)
        writer.writeI32(field: 2, encoding.rawValue)
        writer.writeI32(field: 3, definitionLevelEncoding.rawValue)
        writer.writeI32(field: 4, repetitionLevelEncoding.rawValue)
        if let statistics { writer.writeStruct(field: 5, statistics) }
        writer.endStruct(scope)
    }
}

/// Header of an index page (`IndexPageHeader` in parquet.thrift: still empty in the spec).
public struct IndexPageHeader: ThriftStruct, Sendable, Hashable {
    /// Creates the (empty) header.
    public init() {}

    /// Decodes the struct, skipping any fields a future spec may add.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() { try reader.skip(f) }
        reader.endStruct(scope)
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.endStruct(scope)
    }
}

/// Header of a dictionary page (`DictionaryPageHeader` in parquet.thrift).
public struct DictionaryPageHeader: ThriftStruct, Sendable, Hashable {
    /// Number of dictionary entries.
    public var numValues: Int32
    /// Encoding of the entries (PLAIN, or the deprecated PLAIN_DICTIONARY meaning the same).
    public var encoding: Encoding
    /// Whether the entries are sorted ascending.
    public var isSorted: Bool?

    /// Creates a header.
    public init(numValues: Int32, encoding: Encoding = .plain, isSorted: Bool? = nil) {
        self.numValues = numValues
        self.encoding = encoding
        self.isSorted = isSorted
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var n: Int32?, enc: Encoding?, sorted: Bool?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: n = try reader.readI32(f)
            case 2: enc = Encoding(rawValue: try reader.readI32(f))
            case 3: sorted = try reader.readBool(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "DictionaryPageHeader"
        numValues = try requireNonNegative(try requireField(n, "num_values", in: s), "num_values", in: s)
        encoding = try requireField(enc, "encoding", in: s)
        isSorted = sorted
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, numValues)
        writer.writeI32(field: 2, encoding.rawValue)
        if let isSorted { writer.writeBool(field: 3, isSorted) }
        writer.endStruct(scope)
    }
}

/// Header of a version 2 data page (`DataPageHeaderV2` in parquet.thrift): levels are stored
/// uncompressed before the (optionally compressed) values, with their byte lengths here.
public struct DataPageHeaderV2: ThriftStruct, Sendable, Hashable {
    /// Number of values including nulls.
    public var numValues: Int32
    /// Number of nulls.
    public var numNulls: Int32
    /// Number of rows; v2 pages start and end on row boundaries.
    public var numRows: Int32
    /// Encoding of the values.
    public var encoding: Encoding
    /// Byte length of the RLE definition levels (no length prefix in v2).
    public var definitionLevelsByteLength: Int32
    /// Byte length of the RLE repetition levels.
    public var repetitionLevelsByteLength: Int32
    /// Whether the values section is compressed; the spec's default is true.
    public var isCompressed: Bool
    /// Statistics of this page.
    public var statistics: Statistics?

    /// Creates a header.
    public init(numValues: Int32, numNulls: Int32, numRows: Int32, encoding: Encoding,
                definitionLevelsByteLength: Int32, repetitionLevelsByteLength: Int32,
                isCompressed: Bool = true, statistics: Statistics? = nil) {
        self.numValues = numValues
        self.numNulls = numNulls
        self.numRows = numRows
        self.encoding = encoding
        self.definitionLevelsByteLength = definitionLevelsByteLength
        self.repetitionLevelsByteLength = repetitionLevelsByteLength
        self.isCompressed = isCompressed
        self.statistics = statistics
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var n: Int32?, nulls: Int32?, rows: Int32?, enc: Encoding?, dlen: Int32?, rlen: Int32?
        var compressed = true
        var stats: Statistics?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: n = try reader.readI32(f)
            case 2: nulls = try reader.readI32(f)
            case 3: rows = try reader.readI32(f)
            case 4: enc = Encoding(rawValue: try reader.readI32(f))
            case 5: dlen = try reader.readI32(f)
            case 6: rlen = try reader.readI32(f)
            case 7: compressed = try reader.readBool(f)
            case 8: stats = try reader.readStruct(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "DataPageHeaderV2"
        numValues = try requireNonNegative(try requireField(n, "num_values", in: s), "num_values", in: s)
        numNulls = try requireNonNegative(try requireField(nulls, "num_nulls", in: s), "num_nulls", in: s)
        numRows = try requireNonNegative(try requireField(rows, "num_rows", in: s), "num_rows", in: s)
        encoding = try requireField(enc, "encoding", in: s)
        definitionLevelsByteLength = try requireNonNegative(
            try requireField(dlen, "definition_levels_byte_length", in: s), "definition_levels_byte_length", in: s)
        repetitionLevelsByteLength = try requireNonNegative(
            try requireField(rlen, "repetition_levels_byte_length", in: s), "repetition_levels_byte_length", in: s)
        if numNulls > numValues { throw .corrupt("DataPageHeaderV2 has \(numNulls) nulls in \(numValues) values") }
        isCompressed = compressed
        statistics = stats
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, numValues)
        writer.writeI32(field: 2, numNulls)
        writer.writeI32(field: 3, numRows)
        writer.writeI32(field: 4, encoding.rawValue)
        writer.writeI32(field: 5, definitionLevelsByteLength)
        writer.writeI32(field: 6, repetitionLevelsByteLength)
        writer.writeBool(field: 7, isCompressed)
        if let statistics { writer.writeStruct(field: 8, statistics) }
        writer.endStruct(scope)
    }
}
