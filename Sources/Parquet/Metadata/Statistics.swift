/// Min/max/null statistics of a page or column chunk (`Statistics` in parquet.thrift).
///
/// Values are PLAIN-encoded without the length prefix of byte arrays. `minValue`/`maxValue` follow the
/// column's sort order; the deprecated `min`/`max` follow signed comparison and are only meaningful
/// where that agrees with the type's order.
public struct Statistics: ThriftStruct, Sendable, Hashable {
    /// Deprecated maximum, by signed comparison.
    public var max: [UInt8]?
    /// Deprecated minimum, by signed comparison.
    public var min: [UInt8]?
    /// Number of nulls; absent means unknown, not zero.
    public var nullCount: Int64?
    /// Number of distinct values.
    public var distinctCount: Int64?
    /// Upper bound in the column's sort order.
    public var maxValue: [UInt8]?
    /// Lower bound in the column's sort order.
    public var minValue: [UInt8]?
    /// Whether `maxValue` is a value that occurs (false when it was truncated).
    public var isMaxValueExact: Bool?
    /// Whether `minValue` is a value that occurs (false when it was truncated).
    public var isMinValueExact: Bool?
    /// Number of NaN values of a floating point column.
    public var nanCount: Int64?

    /// Creates statistics; every field is optional.
    public init(
        max: [UInt8]? = nil, min: [UInt8]? = nil, nullCount: Int64? = nil, distinctCount: Int64? = nil,
        maxValue: [UInt8]? = nil, minValue: [UInt8]? = nil, isMaxValueExact: Bool? = nil,
        isMinValueExact: Bool? = nil, nanCount: Int64? = nil
    ) {
        self.max = max
        self.min = min
        self.nullCount = nullCount
        self.distinctCount = distinctCount
        self.maxValue = maxValue
        self.minValue = minValue
        self.isMaxValueExact = isMaxValueExact
        self.isMinValueExact = isMinValueExact
        self.nanCount = nanCount
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        self.init()
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1: max = try reader.readBinary(f)
            case 2: min = try reader.readBinary(f)
            case 3: nullCount = try reader.readI64(f)
            case 4: distinctCount = try reader.readI64(f)
            case 5: maxValue = try reader.readBinary(f)
            case 6: minValue = try reader.readBinary(f)
            case 7: isMaxValueExact = try reader.readBool(f)
            case 8: isMinValueExact = try reader.readBool(f)
            case 9: nanCount = try reader.readI64(f)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        // Statistics are advisory: a negative count is dropped (unknown) rather than failing the file,
        // which other readers would still open.
        if let n = nullCount, n < 0 { nullCount = nil }
        if let n = distinctCount, n < 0 { distinctCount = nil }
        if let n = nanCount, n < 0 { nanCount = nil }
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        if let max { writer.writeBinary(field: 1, max) }
        if let min { writer.writeBinary(field: 2, min) }
        if let nullCount { writer.writeI64(field: 3, nullCount) }
        if let distinctCount { writer.writeI64(field: 4, distinctCount) }
        if let maxValue { writer.writeBinary(field: 5, maxValue) }
        if let minValue { writer.writeBinary(field: 6, minValue) }
        if let isMaxValueExact { writer.writeBool(field: 7, isMaxValueExact) }
        if let isMinValueExact { writer.writeBool(field: 8, isMinValueExact) }
        if let nanCount { writer.writeI64(field: 9, nanCount) }
        writer.endStruct(scope)
    }
}
