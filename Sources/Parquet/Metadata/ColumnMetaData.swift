/// Metadata of one column chunk (`ColumnMetaData` in parquet.thrift). Size statistics (16) and
/// geospatial statistics (17) are skipped when read and never written.
public struct ColumnMetaData: ThriftStruct, Sendable, Hashable {
    /// Physical type of the leaf.
    public var type: PhysicalType
    /// Every encoding used by the chunk's pages (values and levels).
    public var encodings: [Encoding]
    /// Names from the root's child down to the leaf.
    public var pathInSchema: [String]
    /// Compression of the pages.
    public var codec: CompressionCodec
    /// Number of values (level entries, including nulls).
    public var numValues: Int64
    /// Bytes of all pages including headers, uncompressed.
    public var totalUncompressedSize: Int64
    /// Bytes of all pages including headers, as stored.
    public var totalCompressedSize: Int64
    /// Per-column key-value metadata.
    public var keyValueMetadata: [KeyValue]?
    /// File offset of the first data page.
    public var dataPageOffset: Int64
    /// File offset of the root index page.
    public var indexPageOffset: Int64?
    /// File offset of the dictionary page.
    public var dictionaryPageOffset: Int64?
    /// Statistics of the chunk.
    public var statistics: Statistics?
    /// Page counts by type and encoding.
    public var encodingStats: [PageEncodingStats]?
    /// File offset of the Bloom filter.
    public var bloomFilterOffset: Int64?
    /// Byte length of the Bloom filter including its header.
    public var bloomFilterLength: Int32?

    /// Creates column metadata.
    public init(
        type: PhysicalType, encodings: [Encoding], pathInSchema: [String], codec: CompressionCodec,
        numValues: Int64, totalUncompressedSize: Int64, totalCompressedSize: Int64,
        keyValueMetadata: [KeyValue]? = nil, dataPageOffset: Int64, indexPageOffset: Int64? = nil,
        dictionaryPageOffset: Int64? = nil, statistics: Statistics? = nil,
        encodingStats: [PageEncodingStats]? = nil, bloomFilterOffset: Int64? = nil, bloomFilterLength: Int32? = nil
    ) {
        self.type = type
        self.encodings = encodings
        self.pathInSchema = pathInSchema
        self.codec = codec
        self.numValues = numValues
        self.totalUncompressedSize = totalUncompressedSize
        self.totalCompressedSize = totalCompressedSize
        self.keyValueMetadata = keyValueMetadata
        self.dataPageOffset = dataPageOffset
        self.indexPageOffset = indexPageOffset
        self.dictionaryPageOffset = dictionaryPageOffset
        self.statistics = statistics
        self.encodingStats = encodingStats
        self.bloomFilterOffset = bloomFilterOffset
        self.bloomFilterLength = bloomFilterLength
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var type: PhysicalType?, encodings: [Encoding]?, path: [String]?, codec: CompressionCodec?
        var numValues: Int64?, uncompressed: Int64?, compressed: Int64?, dataPageOffset: Int64?
        self.init(type: .boolean, encodings: [], pathInSchema: [], codec: .uncompressed, numValues: 0,
                  totalUncompressedSize: 0, totalCompressedSize: 0, dataPageOffset: 0)
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1:
                let raw = try reader.readI32(f)
                guard let t = PhysicalType(rawValue: raw) else { throw .corrupt("ColumnMetaData has unknown physical type \(raw)") }
                type = t
            case 2: encodings = try reader.readIntegerList(f, of: Int32.self).map(Encoding.init(rawValue:))
            case 3: path = try reader.readStringList(f)
            case 4: codec = CompressionCodec(rawValue: try reader.readI32(f))
            case 5: numValues = try reader.readI64(f)
            case 6: uncompressed = try reader.readI64(f)
            case 7: compressed = try reader.readI64(f)
            case 8: keyValueMetadata = try reader.readStructList(f)
            case 9: dataPageOffset = try reader.readI64(f)
            case 10: indexPageOffset = try reader.readI64(f)
            case 11: dictionaryPageOffset = try reader.readI64(f)
            case 12: statistics = try reader.readStruct(f)
            case 13: encodingStats = try reader.readStructList(f)
            // Some parquet-mr 1.12 pre-releases wrote other types under ids 14 and 15; those are
            // skipped rather than failing the footer, as other readers do.
            case 14 where f.type.isInteger: bloomFilterOffset = try reader.readI64(f)
            case 15 where f.type.isInteger: bloomFilterLength = try reader.readI32(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "ColumnMetaData"
        self.type = try requireField(type, "type", in: s)
        self.encodings = try requireField(encodings, "encodings", in: s)
        pathInSchema = try requireField(path, "path_in_schema", in: s)
        self.codec = try requireField(codec, "codec", in: s)
        self.numValues = try requireNonNegative(try requireField(numValues, "num_values", in: s), "num_values", in: s)
        totalUncompressedSize = try requireNonNegative(
            try requireField(uncompressed, "total_uncompressed_size", in: s), "total_uncompressed_size", in: s)
        totalCompressedSize = try requireNonNegative(
            try requireField(compressed, "total_compressed_size", in: s), "total_compressed_size", in: s)
        self.dataPageOffset = try requireNonNegative(
            try requireField(dataPageOffset, "data_page_offset", in: s), "data_page_offset", in: s)
        indexPageOffset = try requireNonNegativeIfPresent(indexPageOffset, "index_page_offset", in: s)
        dictionaryPageOffset = try requireNonNegativeIfPresent(dictionaryPageOffset, "dictionary_page_offset", in: s)
        bloomFilterOffset = try requireNonNegativeIfPresent(bloomFilterOffset, "bloom_filter_offset", in: s)
        bloomFilterLength = try requireNonNegativeIfPresent(bloomFilterLength, "bloom_filter_length", in: s)
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, type.rawValue)
        writer.writeI32List(field: 2, encodings.map(\.rawValue))
        writer.writeStringList(field: 3, pathInSchema)
        writer.writeI32(field: 4, codec.rawValue)
        writer.writeI64(field: 5, numValues)
        writer.writeI64(field: 6, totalUncompressedSize)
        writer.writeI64(field: 7, totalCompressedSize)
        if let keyValueMetadata { writer.writeStructList(field: 8, keyValueMetadata) }
        writer.writeI64(field: 9, dataPageOffset)
        if let indexPageOffset { writer.writeI64(field: 10, indexPageOffset) }
        if let dictionaryPageOffset { writer.writeI64(field: 11, dictionaryPageOffset) }
        if let statistics { writer.writeStruct(field: 12, statistics) }
        if let encodingStats { writer.writeStructList(field: 13, encodingStats) }
        if let bloomFilterOffset { writer.writeI64(field: 14, bloomFilterOffset) }
        if let bloomFilterLength { writer.writeI32(field: 15, bloomFilterLength) }
        writer.endStruct(scope)
    }
}

/// One column's chunk within a row group (`ColumnChunk` in parquet.thrift). Column encryption
/// metadata (8, 9) is not modelled beyond noting that it is present.
public struct ColumnChunk: ThriftStruct, Sendable, Hashable {
    /// Another file holding the data (summary files only); nil means this file.
    public var filePath: String?
    /// Deprecated offset of a copy of the metadata; writers put 0.
    public var fileOffset: Int64
    /// The chunk's metadata; every mainstream writer sets it.
    public var metaData: ColumnMetaData?
    /// File offset of the chunk's OffsetIndex.
    public var offsetIndexOffset: Int64?
    /// Byte length of the OffsetIndex.
    public var offsetIndexLength: Int32?
    /// File offset of the chunk's ColumnIndex.
    public var columnIndexOffset: Int64?
    /// Byte length of the ColumnIndex.
    public var columnIndexLength: Int32?
    /// Whether the chunk carries column encryption metadata (which lake does not support).
    public var isEncrypted: Bool

    /// Creates a column chunk.
    public init(
        filePath: String? = nil, fileOffset: Int64 = 0, metaData: ColumnMetaData?, offsetIndexOffset: Int64? = nil,
        offsetIndexLength: Int32? = nil, columnIndexOffset: Int64? = nil, columnIndexLength: Int32? = nil
    ) {
        self.filePath = filePath
        self.fileOffset = fileOffset
        self.metaData = metaData
        self.offsetIndexOffset = offsetIndexOffset
        self.offsetIndexLength = offsetIndexLength
        self.columnIndexOffset = columnIndexOffset
        self.columnIndexLength = columnIndexLength
        self.isEncrypted = false
    }

    /// Decodes the struct. A missing `file_offset` reads as 0, its IDL default, because the field is
    /// deprecated and some writers drop it.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        self.init(metaData: nil)
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: filePath = try reader.readString(f)
            case 2: fileOffset = try reader.readI64(f)
            case 3: metaData = try reader.readStruct(f)
            case 4: offsetIndexOffset = try reader.readI64(f)
            case 5: offsetIndexLength = try reader.readI32(f)
            case 6: columnIndexOffset = try reader.readI64(f)
            case 7: columnIndexLength = try reader.readI32(f)
            case 8, 9: isEncrypted = true; try reader.skip(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        let s = "ColumnChunk"
        offsetIndexOffset = try requireNonNegativeIfPresent(offsetIndexOffset, "offset_index_offset", in: s)
        offsetIndexLength = try requireNonNegativeIfPresent(offsetIndexLength, "offset_index_length", in: s)
        columnIndexOffset = try requireNonNegativeIfPresent(columnIndexOffset, "column_index_offset", in: s)
        columnIndexLength = try requireNonNegativeIfPresent(columnIndexLength, "column_index_length", in: s)
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        if let filePath { writer.writeString(field: 1, filePath) }
        writer.writeI64(field: 2, fileOffset)
        if let metaData { writer.writeStruct(field: 3, metaData) }
        if let offsetIndexOffset { writer.writeI64(field: 4, offsetIndexOffset) }
        if let offsetIndexLength { writer.writeI32(field: 5, offsetIndexLength) }
        if let columnIndexOffset { writer.writeI64(field: 6, columnIndexOffset) }
        if let columnIndexLength { writer.writeI32(field: 7, columnIndexLength) }
        writer.endStruct(scope)
    }
}
