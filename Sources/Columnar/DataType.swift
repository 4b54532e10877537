/// Resolution of a time or timestamp value.
public enum TimeUnit: String, Sendable, Hashable, Codable {
    case millisecond, microsecond, nanosecond

    /// How many of this unit make one second.
    public var perSecond: Int64 {
        switch self {
        case .millisecond: 1_000
        case .microsecond: 1_000_000
        case .nanosecond: 1_000_000_000
        }
    }
}

/// The logical type of a column. Each type has exactly one physical storage in `ColumnValues`.
public indirect enum DataType: Sendable, Hashable {
    case boolean
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float32, float64
    /// Fixed-point decimal; the unscaled value is stored as `Int128`. Precision 1...38.
    case decimal(precision: Int, scale: Int)
    /// UTF-8 text.
    case string
    /// Variable-length bytes.
    case binary
    /// Bytes of one fixed width per value (Parquet FIXED_LEN_BYTE_ARRAY without a logical type, UUID).
    case fixedSizeBinary(Int)
    /// Days since 1970-01-01.
    case date
    /// Time of day in the given unit since midnight.
    case time(TimeUnit)
    /// Instant (`utc == true`, Delta `timestamp`) or wall-clock time (`utc == false`, Delta `timestamp_ntz`)
    /// counted in `unit` since the Unix epoch.
    case timestamp(TimeUnit, utc: Bool)
    /// A variable-length list whose elements are described by the field.
    case list(Field)
    /// A struct with named child fields.
    case structure([Field])
    /// A map from keys to values; keys are never null.
    case map(key: Field, value: Field)

    /// Delta's default timestamp: microseconds, adjusted to UTC.
    public static let timestampMicros = DataType.timestamp(.microsecond, utc: true)
    /// Delta's `timestamp_ntz`: microseconds, no time zone.
    public static let timestampNTZ = DataType.timestamp(.microsecond, utc: false)

    /// True for list, struct and map.
    public var isNested: Bool {
        switch self {
        case .list, .structure, .map: true
        default: false
        }
    }

    /// A short human name in the style of Delta's schema strings (`long`, `decimal(10,2)`, `array<int>`).
    public var name: String {
        switch self {
        case .boolean: "boolean"
        case .int8: "byte"
        case .int16: "short"
        case .int32: "int"
        case .int64: "long"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .float32: "float"
        case .float64: "double"
        case let .decimal(p, s): "decimal(\(p),\(s))"
        case .string: "string"
        case .binary: "binary"
        case let .fixedSizeBinary(n): "fixed_binary(\(n))"
        case .date: "date"
        case let .time(unit): "time(\(unit.rawValue))"
        case let .timestamp(unit, utc):
            unit == .microsecond ? (utc ? "timestamp" : "timestamp_ntz")
                : (utc ? "timestamp(\(unit.rawValue))" : "timestamp_ntz(\(unit.rawValue))")
        case let .list(field): "array<\(field.type.name)>"
        case let .structure(fields): "struct<" + fields.map { "\($0.name): \($0.type.name)" }.joined(separator: ", ") + ">"
        case let .map(key, value): "map<\(key.type.name), \(value.type.name)>"
        }
    }
}

extension DataType: CustomStringConvertible {
    public var description: String { name }
}
