/// Parquet physical types (`Type` in parquet.thrift).
public enum PhysicalType: Int32, Sendable, Hashable, CaseIterable {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    /// Deprecated 12-byte timestamps (nanoseconds of day + Julian day).
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7
}

/// Parquet value and level encodings (`Encoding` in parquet.thrift). Unknown values are kept, not rejected,
/// because a file may list encodings for pages the reader never decodes.
public struct Encoding: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let plain = Encoding(rawValue: 0)
    public static let plainDictionary = Encoding(rawValue: 2)
    public static let rle = Encoding(rawValue: 3)
    public static let bitPacked = Encoding(rawValue: 4)
    public static let deltaBinaryPacked = Encoding(rawValue: 5)
    public static let deltaLengthByteArray = Encoding(rawValue: 6)
    public static let deltaByteArray = Encoding(rawValue: 7)
    public static let rleDictionary = Encoding(rawValue: 8)
    public static let byteStreamSplit = Encoding(rawValue: 9)

    /// The spec's name (`PLAIN`, `RLE_DICTIONARY`, ...), or `UNKNOWN(n)`.
    public var description: String {
        switch rawValue {
        case 0: "PLAIN"
        case 2: "PLAIN_DICTIONARY"
        case 3: "RLE"
        case 4: "BIT_PACKED"
        case 5: "DELTA_BINARY_PACKED"
        case 6: "DELTA_LENGTH_BYTE_ARRAY"
        case 7: "DELTA_BYTE_ARRAY"
        case 8: "RLE_DICTIONARY"
        case 9: "BYTE_STREAM_SPLIT"
        default: "UNKNOWN(\(rawValue))"
        }
    }
}

/// Compression codecs of column chunks (`CompressionCodec` in parquet.thrift).
public struct CompressionCodec: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let uncompressed = CompressionCodec(rawValue: 0)
    public static let snappy = CompressionCodec(rawValue: 1)
    public static let gzip = CompressionCodec(rawValue: 2)
    public static let lzo = CompressionCodec(rawValue: 3)
    public static let brotli = CompressionCodec(rawValue: 4)
    /// LZ4 with Hadoop framing (deprecated in the spec; some writers emit raw LZ4 under this id).
    public static let lz4 = CompressionCodec(rawValue: 5)
    public static let zstd = CompressionCodec(rawValue: 6)
    public static let lz4Raw = CompressionCodec(rawValue: 7)

    /// The spec's name (`SNAPPY`, `ZSTD`, ...), or `UNKNOWN(n)`.
    public var description: String {
        switch rawValue {
        case 0: "UNCOMPRESSED"
        case 1: "SNAPPY"
        case 2: "GZIP"
        case 3: "LZO"
        case 4: "BROTLI"
        case 5: "LZ4"
        case 6: "ZSTD"
        case 7: "LZ4_RAW"
        default: "UNKNOWN(\(rawValue))"
        }
    }
}

/// Deprecated type annotations (`ConvertedType` in parquet.thrift), still written beside `LogicalType` so
/// old readers understand the file. Unknown values are kept: an annotation a reader does not know should
/// not make the whole footer unreadable.
public struct ConvertedType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let utf8 = ConvertedType(rawValue: 0)
    public static let map = ConvertedType(rawValue: 1)
    public static let mapKeyValue = ConvertedType(rawValue: 2)
    public static let list = ConvertedType(rawValue: 3)
    public static let `enum` = ConvertedType(rawValue: 4)
    public static let decimal = ConvertedType(rawValue: 5)
    public static let date = ConvertedType(rawValue: 6)
    public static let timeMillis = ConvertedType(rawValue: 7)
    public static let timeMicros = ConvertedType(rawValue: 8)
    public static let timestampMillis = ConvertedType(rawValue: 9)
    public static let timestampMicros = ConvertedType(rawValue: 10)
    public static let uint8 = ConvertedType(rawValue: 11)
    public static let uint16 = ConvertedType(rawValue: 12)
    public static let uint32 = ConvertedType(rawValue: 13)
    public static let uint64 = ConvertedType(rawValue: 14)
    public static let int8 = ConvertedType(rawValue: 15)
    public static let int16 = ConvertedType(rawValue: 16)
    public static let int32 = ConvertedType(rawValue: 17)
    public static let int64 = ConvertedType(rawValue: 18)
    public static let json = ConvertedType(rawValue: 19)
    public static let bson = ConvertedType(rawValue: 20)
    /// Months, days and milliseconds as three little-endian u32 in a FIXED_LEN_BYTE_ARRAY(12).
    public static let interval = ConvertedType(rawValue: 21)

    private static let names = [
        "UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
        "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16",
        "INT_32", "INT_64", "JSON", "BSON", "INTERVAL",
    ]

    /// The spec's name (`UTF8`, `TIMESTAMP_MICROS`, ...), or `UNKNOWN(n)`.
    public var description: String {
        rawValue >= 0 && Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "UNKNOWN(\(rawValue))"
    }
}

/// Whether a schema node is required, optional or repeated (`FieldRepetitionType` in parquet.thrift).
/// Kept open because the spec has already grown a value (VECTOR) since the first readers shipped.
public struct FieldRepetitionType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Exactly one value per parent.
    public static let required = FieldRepetitionType(rawValue: 0)
    /// Zero or one value per parent.
    public static let optional = FieldRepetitionType(rawValue: 1)
    /// Zero or more values per parent.
    public static let repeated = FieldRepetitionType(rawValue: 2)
    /// A fixed-size vector group (newer spec addition).
    public static let vector = FieldRepetitionType(rawValue: 3)

    /// The spec's name, or `UNKNOWN(n)`.
    public var description: String {
        switch rawValue {
        case 0: "REQUIRED"
        case 1: "OPTIONAL"
        case 2: "REPEATED"
        case 3: "VECTOR"
        default: "UNKNOWN(\(rawValue))"
        }
    }
}

/// The kind of a page (`PageType` in parquet.thrift). Unknown values are kept so a reader can skip
/// pages it does not understand.
public struct PageType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let dataPage = PageType(rawValue: 0)
    public static let indexPage = PageType(rawValue: 1)
    public static let dictionaryPage = PageType(rawValue: 2)
    public static let dataPageV2 = PageType(rawValue: 3)

    /// The spec's name, or `UNKNOWN(n)`.
    public var description: String {
        switch rawValue {
        case 0: "DATA_PAGE"
        case 1: "INDEX_PAGE"
        case 2: "DICTIONARY_PAGE"
        case 3: "DATA_PAGE_V2"
        default: "UNKNOWN(\(rawValue))"
        }
    }
}

/// Whether the page-index min/max lists are ordered (`BoundaryOrder` in parquet.thrift).
public struct BoundaryOrder: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unordered = BoundaryOrder(rawValue: 0)
    public static let ascending = BoundaryOrder(rawValue: 1)
    public static let descending = BoundaryOrder(rawValue: 2)

    /// The spec's name, or `UNKNOWN(n)`.
    public var description: String {
        switch rawValue {
        case 0: "UNORDERED"
        case 1: "ASCENDING"
        case 2: "DESCENDING"
        default: "UNKNOWN(\(rawValue))"
        }
    }
}

extension PhysicalType: CustomStringConvertible {
    /// The spec's name (`INT32`, `BYTE_ARRAY`, ...).
    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}
