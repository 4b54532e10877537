import Columnar

/// The logical type annotation of a schema element (`LogicalType` union in parquet.thrift).
///
/// Annotations newer than this model (GEOMETRY, GEOGRAPHY, VECTOR, ...) decode as
/// `.unknown(fieldId)` instead of failing, so a reader can still open the file and decide per column.
public enum LogicalType: ThriftStruct, Sendable, Hashable {
    /// UTF-8 text in a BYTE_ARRAY.
    case string
    /// A map group.
    case map
    /// A list group.
    case list
    /// An enum stored as UTF-8 bytes.
    case `enum`
    /// Fixed-point decimal.
    case decimal(scale: Int32, precision: Int32)
    /// Days since the Unix epoch in INT32.
    case date
    /// Time of day.
    case time(isAdjustedToUTC: Bool, unit: TimeUnit)
    /// Instant or local date-time since the Unix epoch in INT64.
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
    /// Integer of `bitWidth` (8, 16, 32, 64) bits, signed or unsigned.
    case integer(bitWidth: Int8, isSigned: Bool)
    /// Always null (the spec's `UNKNOWN` / `NullType`).
    case null
    /// JSON text.
    case json
    /// BSON document.
    case bson
    /// 16-byte UUID in a FIXED_LEN_BYTE_ARRAY(16).
    case uuid
    /// IEEE half float in a FIXED_LEN_BYTE_ARRAY(2).
    case float16
    /// A group holding a Variant as its `metadata` and `value` binaries (VariantEncoding.md); the
    /// specification version the writer recorded is not kept.
    case variant
    /// A union member this model does not know, by its field id. Writing it back writes an empty struct.
    case unknown(Int16)

    /// Decodes the union: one member is expected; extra members are ignored.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var result: LogicalType?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            guard result == nil else { try reader.skip(f); continue }
            switch f.id {
            case 1: try reader.skip(f); result = .string
            case 2: try reader.skip(f); result = .map
            case 3: try reader.skip(f); result = .list
            case 4: try reader.skip(f); result = .enum
            case 5: result = try reader.readStruct(f, as: DecimalAnnotation.self).logicalType
            case 6: try reader.skip(f); result = .date
            case 7:
                let t = try reader.readStruct(f, as: TemporalAnnotation.self)
                result = t.unit.map { .time(isAdjustedToUTC: t.isAdjustedToUTC, unit: $0) } ?? .unknown(7)
            case 8:
                let t = try reader.readStruct(f, as: TemporalAnnotation.self)
                result = t.unit.map { .timestamp(isAdjustedToUTC: t.isAdjustedToUTC, unit: $0) } ?? .unknown(8)
            case 10: result = try reader.readStruct(f, as: IntegerAnnotation.self).logicalType
            case 11: try reader.skip(f); result = .null
            case 12: try reader.skip(f); result = .json
            case 13: try reader.skip(f); result = .bson
            case 14: try reader.skip(f); result = .uuid
            case 15: try reader.skip(f); result = .float16
            case 16: try reader.skip(f); result = .variant
            default: try reader.skip(f); result = .unknown(f.id)
            }
        }
        reader.endStruct(scope)
        // An empty union carries no information; treat it like an annotation from the future.
        self = result ?? .unknown(0)
    }

    /// Encodes the union.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        switch self {
        case .string: writer.writeEmptyStruct(field: 1)
        case .map: writer.writeEmptyStruct(field: 2)
        case .list: writer.writeEmptyStruct(field: 3)
        case .enum: writer.writeEmptyStruct(field: 4)
        case let .decimal(scale, precision):
            writer.writeStruct(field: 5, DecimalAnnotation(scale: scale, precision: precision))
        case .date: writer.writeEmptyStruct(field: 6)
        case let .time(utc, unit):
            writer.writeStruct(field: 7, TemporalAnnotation(isAdjustedToUTC: utc, unit: unit))
        case let .timestamp(utc, unit):
            writer.writeStruct(field: 8, TemporalAnnotation(isAdjustedToUTC: utc, unit: unit))
        case let .integer(bitWidth, isSigned):
            writer.writeStruct(field: 10, IntegerAnnotation(bitWidth: bitWidth, isSigned: isSigned))
        case .null: writer.writeEmptyStruct(field: 11)
        case .json: writer.writeEmptyStruct(field: 12)
        case .bson: writer.writeEmptyStruct(field: 13)
        case .uuid: writer.writeEmptyStruct(field: 14)
        case .float16: writer.writeEmptyStruct(field: 15)
        case .variant: writer.writeEmptyStruct(field: 16)
        case let .unknown(id): writer.writeEmptyStruct(field: id)
        }
        writer.endStruct(scope)
    }
}

/// `DecimalType` in parquet.thrift.
struct DecimalAnnotation: ThriftStruct {
    var scale: Int32
    var precision: Int32

    init(scale: Int32, precision: Int32) {
        self.scale = scale
        self.precision = precision
    }

    init(from reader: inout CompactReader) throws(ParquetError) {
        var scale: Int32?, precision: Int32?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: scale = try reader.readI32(f)
            case 2: precision = try reader.readI32(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        self.scale = try requireField(scale, "scale", in: "DecimalType")
        self.precision = try requireField(precision, "precision", in: "DecimalType")
    }

    var logicalType: LogicalType { .decimal(scale: scale, precision: precision) }

    func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI32(field: 1, scale)
        writer.writeI32(field: 2, precision)
        writer.endStruct(scope)
    }
}

/// `TimeType` and `TimestampType` in parquet.thrift (same shape). `unit` is nil for a unit this model
/// does not know, which makes the annotation `.unknown`.
struct TemporalAnnotation: ThriftStruct {
    var isAdjustedToUTC: Bool
    var unit: TimeUnit?

    init(isAdjustedToUTC: Bool, unit: TimeUnit) {
        self.isAdjustedToUTC = isAdjustedToUTC
        self.unit = unit
    }

    init(from reader: inout CompactReader) throws(ParquetError) {
        var utc: Bool?
        var unit: TimeUnit??
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: utc = try reader.readBool(f)
            case 2: unit = .some(try reader.readStruct(f, as: TimeUnitUnion.self).unit)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        isAdjustedToUTC = try requireField(utc, "isAdjustedToUTC", in: "TimeType/TimestampType")
        self.unit = try requireField(unit, "unit", in: "TimeType/TimestampType")
    }

    func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeBool(field: 1, isAdjustedToUTC)
        if let unit { writer.writeStruct(field: 2, TimeUnitUnion(unit: unit)) }
        writer.endStruct(scope)
    }
}

/// `TimeUnit` union in parquet.thrift: MILLIS = 1, MICROS = 2, NANOS = 3.
struct TimeUnitUnion: ThriftStruct {
    var unit: TimeUnit?

    init(unit: TimeUnit) { self.unit = unit }

    init(from reader: inout CompactReader) throws(ParquetError) {
        unit = nil
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: unit = .millisecond
            case 2: unit = .microsecond
            case 3: unit = .nanosecond
            default: break
            }
            try reader.skip(f)
        }
        reader.endStruct(scope)
    }

    func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        switch unit {
        case .millisecond: writer.writeEmptyStruct(field: 1)
        case .microsecond: writer.writeEmptyStruct(field: 2)
        case .nanosecond: writer.writeEmptyStruct(field: 3)
        case nil: break
        }
        writer.endStruct(scope)
    }
}

/// `IntType` in parquet.thrift.
struct IntegerAnnotation: ThriftStruct {
    var bitWidth: Int8
    var isSigned: Bool

    init(bitWidth: Int8, isSigned: Bool) {
        self.bitWidth = bitWidth
        self.isSigned = isSigned
    }

    init(from reader: inout CompactReader) throws(ParquetError) {
        var width: Int8?, signed: Bool?
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: width = try reader.readI8(f)
            case 2: signed = try reader.readBool(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        bitWidth = try requireField(width, "bitWidth", in: "IntType")
        isSigned = try requireField(signed, "isSigned", in: "IntType")
    }

    var logicalType: LogicalType { .integer(bitWidth: bitWidth, isSigned: isSigned) }

    func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        writer.writeI8(field: 1, bitWidth)
        writer.writeBool(field: 2, isSigned)
        writer.endStruct(scope)
    }
}
