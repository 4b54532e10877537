/// Encodes the Thrift compact protocol by appending to a byte array.
///
/// Typical use for one struct:
/// ```
/// let scope = writer.beginStruct()
/// writer.writeI32(field: 1, value)
/// writer.endStruct(scope)   // writes the stop byte
/// ```
/// Fields must be written in increasing id order within a struct so the short header form is used.
public struct CompactWriter {
    /// The encoded bytes so far.
    public var bytes: [UInt8]
    @usableFromInline var lastFieldId: Int16 = 0

    /// An empty writer; `capacity` is a hint for the final size.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// What `beginStruct` saved about the enclosing struct.
    public struct StructScope: Sendable {
        @usableFromInline let savedLastFieldId: Int16
    }

    // MARK: - Structs

    /// Starts a struct: field id deltas restart from zero inside it.
    public mutating func beginStruct() -> StructScope {
        let scope = StructScope(savedLastFieldId: lastFieldId)
        lastFieldId = 0
        return scope
    }

    /// Ends a struct with its stop byte.
    public mutating func endStruct(_ scope: StructScope) {
        bytes.append(0)
        lastFieldId = scope.savedLastFieldId
    }

    /// Writes a field header, in the short form when the id is 1...15 above the previous one.
    public mutating func writeFieldHeader(_ id: Int16, _ type: ThriftType) {
        let delta = Int(id) - Int(lastFieldId)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeZigZag(Int64(id))
        }
        lastFieldId = id
    }

    // MARK: - Fields

    /// Writes a bool field; the value is carried in the header.
    public mutating func writeBool(field id: Int16, _ value: Bool) {
        writeFieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    /// Writes an i8 field (one raw byte).
    public mutating func writeI8(field id: Int16, _ value: Int8) {
        writeFieldHeader(id, .i8)
        bytes.append(UInt8(bitPattern: value))
    }

    /// Writes an i16 field.
    public mutating func writeI16(field id: Int16, _ value: Int16) {
        writeFieldHeader(id, .i16)
        writeZigZag(Int64(value))
    }

    /// Writes an i32 field; enums too.
    public mutating func writeI32(field id: Int16, _ value: Int32) {
        writeFieldHeader(id, .i32)
        writeZigZag(Int64(value))
    }

    /// Writes an i64 field.
    public mutating func writeI64(field id: Int16, _ value: Int64) {
        writeFieldHeader(id, .i64)
        writeZigZag(value)
    }

    /// Writes a double field.
    public mutating func writeDouble(field id: Int16, _ value: Double) {
        writeFieldHeader(id, .double)
        writeDoubleValue(value)
    }

    /// Writes a binary field.
    public mutating func writeBinary(field id: Int16, _ value: [UInt8]) {
        writeFieldHeader(id, .binary)
        writeBinaryValue(value)
    }

    /// Writes a string field as UTF-8.
    public mutating func writeString(field id: Int16, _ value: String) {
        writeFieldHeader(id, .binary)
        writeStringValue(value)
    }

    /// Writes a nested struct field.
    public mutating func writeStruct<T: ThriftStruct>(field id: Int16, _ value: T) {
        writeFieldHeader(id, .structure)
        value.write(to: &self)
    }

    /// Writes an empty struct field (the members of Parquet's marker unions, like `StringType`).
    public mutating func writeEmptyStruct(field id: Int16) {
        writeFieldHeader(id, .structure)
        bytes.append(0)
    }

    /// Writes a list field of structs.
    public mutating func writeStructList<T: ThriftStruct>(field id: Int16, _ values: [T]) {
        writeFieldHeader(id, .list)
        writeListHeader(.structure, count: values.count)
        for v in values { v.write(to: &self) }
    }

    /// Writes a list field of i32 values (enums too).
    public mutating func writeI32List(field id: Int16, _ values: [Int32]) {
        writeFieldHeader(id, .list)
        writeListHeader(.i32, count: values.count)
        for v in values { writeZigZag(Int64(v)) }
    }

    /// Writes a list field of i64 values.
    public mutating func writeI64List(field id: Int16, _ values: [Int64]) {
        writeFieldHeader(id, .list)
        writeListHeader(.i64, count: values.count)
        for v in values { writeZigZag(v) }
    }

    /// Writes a list field of strings.
    public mutating func writeStringList(field id: Int16, _ values: [String]) {
        writeFieldHeader(id, .list)
        writeListHeader(.binary, count: values.count)
        for v in values { writeStringValue(v) }
    }

    /// Writes a list field of binaries.
    public mutating func writeBinaryList(field id: Int16, _ values: [[UInt8]]) {
        writeFieldHeader(id, .list)
        writeListHeader(.binary, count: values.count)
        for v in values { writeBinaryValue(v) }
    }

    /// Writes a list field of bools (one byte each: 1 true, 0 false, as the spec says).
    public mutating func writeBoolList(field id: Int16, _ values: [Bool]) {
        writeFieldHeader(id, .list)
        writeListHeader(.boolTrue, count: values.count)
        for v in values { bytes.append(v ? 1 : 0) }
    }

    // MARK: - Values

    /// Writes a list or set header.
    public mutating func writeListHeader(_ elementType: ThriftType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xf0 | elementType.rawValue)
            writeVarUInt(UInt64(count))
        }
    }

    /// Writes a map header.
    public mutating func writeMapHeader(count: Int, keyType: ThriftType, valueType: ThriftType) {
        writeVarUInt(UInt64(count))
        if count > 0 { bytes.append(keyType.rawValue << 4 | valueType.rawValue) }
    }

    /// Writes an unsigned LEB128 varint.
    @inlinable
    public mutating func writeVarUInt(_ value: UInt64) {
        appendVarUInt(value, to: &bytes)
    }

    /// Writes a zigzag varint (i16, i32 and i64 values).
    @inlinable
    public mutating func writeZigZag(_ value: Int64) {
        appendZigZag(value, to: &bytes)
    }

    /// Writes a double value (eight little-endian bytes).
    public mutating func writeDoubleValue(_ value: Double) {
        let bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
    }

    /// Writes a binary value (varint length, then the bytes).
    public mutating func writeBinaryValue(_ value: [UInt8]) {
        writeVarUInt(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a string value as UTF-8.
    public mutating func writeStringValue(_ value: String) {
        let utf8 = value.utf8
        writeVarUInt(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}
