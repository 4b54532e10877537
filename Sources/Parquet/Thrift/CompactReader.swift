/// Decodes the Thrift compact protocol from untrusted bytes.
///
/// Every length and count is checked against the bytes that remain before it is used, and struct
/// nesting is limited to `maxDepth`, so hostile input throws `ParquetError.corrupt` instead of
/// trapping, allocating without bound or overflowing the stack.
///
/// Typical use for one struct:
/// ```
/// let scope = try reader.beginStruct()
/// while let field = try reader.readFieldHeader() {
///     switch field.id {
///     case 1: x = try reader.readI32(field)
///     default: try reader.skip(field)
///     }
/// }
/// reader.endStruct(scope)
/// ```
public struct CompactReader {
    /// The underlying cursor; its `position` is where the next Thrift value starts.
    public var bytes: ByteReader
    /// Largest accepted struct/collection nesting. parquet.thrift itself nests fewer than 10 deep.
    public var maxDepth: Int = 64

    @usableFromInline var lastFieldId: Int16 = 0
    @usableFromInline var depth: Int = 0

    /// A reader over `buffer` starting at `position`.
    public init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        bytes = ByteReader(buffer, position: position)
    }

    /// A reader continuing from an existing byte cursor.
    public init(_ bytes: ByteReader) {
        self.bytes = bytes
    }

    /// Offset of the next byte to read.
    public var position: Int { bytes.position }

    /// What `beginStruct` saved about the enclosing struct; hand it back to `endStruct`.
    public struct StructScope: Sendable {
        @usableFromInline let savedLastFieldId: Int16
    }

    // MARK: - Structs

    /// Starts decoding a struct: field ids are deltas relative to the struct they are in.
    public mutating func beginStruct() throws(ParquetError) -> StructScope {
        try enter()
        let scope = StructScope(savedLastFieldId: lastFieldId)
        lastFieldId = 0
        return scope
    }

    /// Finishes a struct whose stop byte `readFieldHeader` has returned `nil` for.
    public mutating func endStruct(_ scope: StructScope) {
        lastFieldId = scope.savedLastFieldId
        depth -= 1
    }

    /// Reads the next field header, or `nil` at the struct's stop byte.
    public mutating func readFieldHeader() throws(ParquetError) -> ThriftFieldHeader? {
        let byte = try bytes.readByte()
        if byte == 0 { return nil }
        let type = try wireType(byte & 0x0f)
        let delta = Int16(byte >> 4)
        let id: Int16
        if delta == 0 {
            // Long form: the absolute id follows as a zigzag varint of an i16.
            id = try readInteger(as: Int16.self, what: "field id")
        } else {
            // Deltas only move forward; an overflow past Int16.max can only come from corrupt input.
            let (sum, overflow) = lastFieldId.addingReportingOverflow(delta)
            if overflow { throw .corrupt("Thrift field id overflows 16 bits") }
            id = sum
        }
        lastFieldId = id
        return ThriftFieldHeader(id: id, type: type)
    }

    // MARK: - Scalars

    /// Reads a bool field; the value lives in the header's wire type.
    public mutating func readBool(_ field: ThriftFieldHeader) throws(ParquetError) -> Bool {
        switch field.type {
        case .boolTrue: return true
        case .boolFalse: return false
        default: throw mismatch(field, "bool")
        }
    }

    /// Reads a bool element of a list, set or map: one byte, 1 for true. The spec says false is 0,
    /// while the reference C++ and Java libraries write 2; both are accepted.
    public mutating func readBoolElement() throws(ParquetError) -> Bool {
        switch try bytes.readByte() {
        case 1: return true
        case 0, 2: return false
        case let b: throw .corrupt("Thrift bool element has value \(b)")
        }
    }

    /// Reads an i8 field. Any integer wire type is accepted when the value fits, because some writers
    /// widen small fields.
    public mutating func readI8(_ field: ThriftFieldHeader) throws(ParquetError) -> Int8 {
        try readIntegerField(field, as: Int8.self)
    }

    /// Reads an i16 field (any integer wire type whose value fits).
    public mutating func readI16(_ field: ThriftFieldHeader) throws(ParquetError) -> Int16 {
        try readIntegerField(field, as: Int16.self)
    }

    /// Reads an i32 field (any integer wire type whose value fits); enums are i32 too.
    public mutating func readI32(_ field: ThriftFieldHeader) throws(ParquetError) -> Int32 {
        try readIntegerField(field, as: Int32.self)
    }

    /// Reads an i64 field (any integer wire type).
    public mutating func readI64(_ field: ThriftFieldHeader) throws(ParquetError) -> Int64 {
        try readIntegerField(field, as: Int64.self)
    }

    /// Reads a double field.
    public mutating func readDouble(_ field: ThriftFieldHeader) throws(ParquetError) -> Double {
        guard field.type == .double else { throw mismatch(field, "double") }
        return try readDoubleValue()
    }

    /// Reads a binary field as a copy of its bytes.
    public mutating func readBinary(_ field: ThriftFieldHeader) throws(ParquetError) -> [UInt8] {
        guard field.type == .binary else { throw mismatch(field, "binary") }
        return try readBinaryValue()
    }

    /// Reads a string field. Invalid UTF-8 is replaced rather than rejected: names and metadata are
    /// only displayed or compared, and refusing a whole file over one byte helps nobody.
    public mutating func readString(_ field: ThriftFieldHeader) throws(ParquetError) -> String {
        guard field.type == .binary else { throw mismatch(field, "string") }
        return try readStringValue()
    }

    /// Reads a nested struct field.
    public mutating func readStruct<T: ThriftStruct>(_ field: ThriftFieldHeader, as _: T.Type = T.self) throws(ParquetError) -> T {
        guard field.type == .structure else { throw mismatch(field, "struct") }
        return try T(from: &self)
    }

    // MARK: - Values without a field header (collection elements)

    /// Reads an integer value of the given wire type and checks it fits `T`.
    public mutating func readIntegerValue<T: FixedWidthInteger & SignedInteger>(_ type: ThriftType, as _: T.Type) throws(ParquetError) -> T {
        switch type {
        case .i8:
            return T(Int8(bitPattern: try bytes.readByte()))
        case .i16, .i32, .i64:
            return try readInteger(as: T.self, what: "integer")
        default:
            throw .corrupt("Thrift value has wire type \(type), expected an integer")
        }
    }

    /// Reads a double value (eight little-endian bytes).
    public mutating func readDoubleValue() throws(ParquetError) -> Double {
        Double(bitPattern: try bytes.readLE(UInt64.self))
    }

    /// Reads a binary value: varint length, then that many bytes.
    public mutating func readBinaryValue() throws(ParquetError) -> [UInt8] {
        let n = try readLength("binary")
        return [UInt8](try bytes.readBytes(n))
    }

    /// Reads a string value.
    public mutating func readStringValue() throws(ParquetError) -> String {
        let n = try readLength("string")
        return String(decoding: try bytes.readBytes(n), as: UTF8.self)
    }

    // MARK: - Collections

    /// Reads a list (or set) header. The count is checked against the remaining bytes, so callers may
    /// reserve `count` elements.
    public mutating func readListHeader() throws(ParquetError) -> ThriftListHeader {
        let byte = try bytes.readByte()
        let elementType = try wireType(byte & 0x0f)
        var count = Int(byte >> 4)
        if count == 15 {
            let n = try bytes.readVarUInt()
            guard n <= UInt64(Int32.max) else { throw .corrupt("Thrift list claims \(n) elements") }
            count = Int(n)
        }
        let (need, overflow) = count.multipliedReportingOverflow(by: elementType.minimumEncodedSize)
        if overflow || need > bytes.remaining {
            throw .corrupt("Thrift list claims \(count) elements but only \(bytes.remaining) bytes remain")
        }
        return ThriftListHeader(elementType: elementType, count: count)
    }

    /// Reads a map header: the entry count and the key and value wire types (both `.stop` when empty).
    public mutating func readMapHeader() throws(ParquetError) -> (count: Int, keyType: ThriftType, valueType: ThriftType) {
        let n = try bytes.readVarUInt()
        if n == 0 { return (0, .stop, .stop) }
        guard n <= UInt64(Int32.max) else { throw .corrupt("Thrift map claims \(n) entries") }
        let count = Int(n)
        let types = try bytes.readByte()
        let keyType = try wireType(types >> 4)
        let valueType = try wireType(types & 0x0f)
        let perEntry = keyType.minimumEncodedSize + valueType.minimumEncodedSize
        let (need, overflow) = count.multipliedReportingOverflow(by: perEntry)
        if overflow || need > bytes.remaining {
            throw .corrupt("Thrift map claims \(count) entries but only \(bytes.remaining) bytes remain")
        }
        return (count, keyType, valueType)
    }

    /// Reads a list field of structs.
    public mutating func readStructList<T: ThriftStruct>(_ field: ThriftFieldHeader, of _: T.Type = T.self) throws(ParquetError) -> [T] {
        let header = try readCollectionHeader(field)
        guard header.elementType == .structure || header.count == 0 else {
            throw .corrupt("Thrift field \(field.id) is a list of \(header.elementType), expected structs")
        }
        try enter()
        defer { depth -= 1 }
        var out = [T]()
        out.reserveCapacity(header.count)
        for _ in 0..<header.count { out.append(try T(from: &self)) }
        return out
    }

    /// Reads a list field of integers (i8/i16/i32/i64 elements, each checked to fit `T`).
    public mutating func readIntegerList<T: FixedWidthInteger & SignedInteger>(_ field: ThriftFieldHeader, of _: T.Type = T.self) throws(ParquetError) -> [T] {
        let header = try readCollectionHeader(field)
        guard header.elementType.isInteger || header.count == 0 else {
            throw .corrupt("Thrift field \(field.id) is a list of \(header.elementType), expected integers")
        }
        var out = [T]()
        out.reserveCapacity(header.count)
        for _ in 0..<header.count { out.append(try readIntegerValue(header.elementType, as: T.self)) }
        return out
    }

    /// Reads a list field of strings.
    public mutating func readStringList(_ field: ThriftFieldHeader) throws(ParquetError) -> [String] {
        let header = try readCollectionHeader(field)
        guard header.elementType == .binary || header.count == 0 else {
            throw .corrupt("Thrift field \(field.id) is a list of \(header.elementType), expected strings")
        }
        var out = [String]()
        out.reserveCapacity(header.count)
        for _ in 0..<header.count { out.append(try readStringValue()) }
        return out
    }

    /// Reads a list field of binaries.
    public mutating func readBinaryList(_ field: ThriftFieldHeader) throws(ParquetError) -> [[UInt8]] {
        let header = try readCollectionHeader(field)
        guard header.elementType == .binary || header.count == 0 else {
            throw .corrupt("Thrift field \(field.id) is a list of \(header.elementType), expected binaries")
        }
        var out = [[UInt8]]()
        out.reserveCapacity(header.count)
        for _ in 0..<header.count { out.append(try readBinaryValue()) }
        return out
    }

    /// Reads a list field of bools.
    public mutating func readBoolList(_ field: ThriftFieldHeader) throws(ParquetError) -> [Bool] {
        let header = try readCollectionHeader(field)
        guard header.elementType.isBool || header.count == 0 else {
            throw .corrupt("Thrift field \(field.id) is a list of \(header.elementType), expected bools")
        }
        var out = [Bool]()
        out.reserveCapacity(header.count)
        for _ in 0..<header.count { out.append(try readBoolElement()) }
        return out
    }

    // MARK: - Skipping

    /// Skips the value of a field this decoder does not know (forward compatibility).
    public mutating func skip(_ field: ThriftFieldHeader) throws(ParquetError) {
        try skipValue(field.type, isField: true)
    }

    /// Skips one value of `type`. Recursion into nested structs and collections is bounded by
    /// `maxDepth`, so a hostile file cannot overflow the stack.
    public mutating func skipValue(_ type: ThriftType, isField: Bool = false) throws(ParquetError) {
        switch type {
        case .stop:
            throw .corrupt("Thrift stop type where a value was expected")
        case .boolTrue, .boolFalse:
            // A bool field carries its value in the header; a bool element is one byte.
            if !isField { _ = try readBoolElement() }
        case .i8:
            try bytes.skip(1)
        case .i16, .i32, .i64:
            _ = try bytes.readVarUInt()
        case .double:
            try bytes.skip(8)
        case .uuid:
            try bytes.skip(16)
        case .binary:
            try bytes.skip(try readLength("binary"))
        case .list, .set:
            let header = try readListHeader()
            try enter()
            defer { depth -= 1 }
            for _ in 0..<header.count { try skipValue(header.elementType) }
        case .map:
            let header = try readMapHeader()
            try enter()
            defer { depth -= 1 }
            for _ in 0..<header.count {
                try skipValue(header.keyType)
                try skipValue(header.valueType)
            }
        case .structure:
            let scope = try beginStruct()
            while let field = try readFieldHeader() { try skip(field) }
            endStruct(scope)
        }
    }

    // MARK: - Internals

    @usableFromInline
    mutating func enter() throws(ParquetError) {
        if depth >= maxDepth { throw .corrupt("Thrift data nests deeper than \(maxDepth) levels") }
        depth += 1
    }

    @usableFromInline
    func wireType(_ nibble: UInt8) throws(ParquetError) -> ThriftType {
        guard let t = ThriftType(rawValue: nibble) else { throw .corrupt("unknown Thrift wire type \(nibble)") }
        return t
    }

    @usableFromInline
    func mismatch(_ field: ThriftFieldHeader, _ expected: String) -> ParquetError {
        .corrupt("Thrift field \(field.id) has wire type \(field.type), expected \(expected)")
    }

    @usableFromInline
    mutating func readLength(_ what: String) throws(ParquetError) -> Int {
        let n = try bytes.readVarUInt()
        guard n <= UInt64(bytes.remaining) else {
            throw .corrupt("Thrift \(what) claims \(n) bytes but only \(bytes.remaining) remain")
        }
        return Int(n)
    }

    @usableFromInline
    mutating func readInteger<T: FixedWidthInteger & SignedInteger>(as _: T.Type, what: String) throws(ParquetError) -> T {
        let v = try bytes.readZigZag()
        guard let x = T(exactly: v) else { throw .corrupt("Thrift \(what) \(v) does not fit \(T.self)") }
        return x
    }

    @usableFromInline
    mutating func readIntegerField<T: FixedWidthInteger & SignedInteger>(_ field: ThriftFieldHeader, as _: T.Type) throws(ParquetError) -> T {
        guard field.type.isInteger else { throw mismatch(field, "\(T.self)") }
        return try readIntegerValue(field.type, as: T.self)
    }

    @usableFromInline
    mutating func readCollectionHeader(_ field: ThriftFieldHeader) throws(ParquetError) -> ThriftListHeader {
        guard field.type == .list || field.type == .set else { throw mismatch(field, "list") }
        return try readListHeader()
    }
}
