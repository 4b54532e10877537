/// Wire type ids of the Thrift compact protocol, as they appear in field headers and
/// list/set/map headers (thrift-compact-protocol.md, "Struct encoding" and "List and Set").
public enum ThriftType: UInt8, Sendable, Hashable {
    /// Ends a struct.
    case stop = 0
    /// A boolean field whose value `true` is carried by the header itself; in collections, any bool.
    case boolTrue = 1
    /// A boolean field whose value `false` is carried by the header itself; in collections, any bool.
    case boolFalse = 2
    /// One raw byte.
    case i8 = 3
    /// Zigzag varint that must fit 16 bits.
    case i16 = 4
    /// Zigzag varint that must fit 32 bits.
    case i32 = 5
    /// Zigzag varint of up to 64 bits.
    case i64 = 6
    /// Eight little-endian bytes of an IEEE 754 double.
    case double = 7
    /// Varint length then bytes; strings too.
    case binary = 8
    /// Header with element type and count, then elements.
    case list = 9
    /// Encoded exactly like a list.
    case set = 10
    /// Varint count, then (if non-empty) a key/value type byte, then pairs.
    case map = 11
    /// Fields then a stop byte; unions too.
    case structure = 12
    /// Sixteen raw bytes.
    case uuid = 13

    /// Whether this is one of the two boolean wire types.
    @inlinable public var isBool: Bool { self == .boolTrue || self == .boolFalse }

    /// Whether this is one of the integer wire types.
    @inlinable public var isInteger: Bool { self == .i8 || self == .i16 || self == .i32 || self == .i64 }

    /// The smallest number of bytes one value of this type can occupy on the wire. Used to reject
    /// collection counts that cannot fit in the remaining input before anything is allocated.
    @inlinable public var minimumEncodedSize: Int {
        switch self {
        case .stop: 0
        case .double: 8
        case .uuid: 16
        default: 1
        }
    }
}

/// A decoded struct field header: the field id and the wire type of the value that follows.
public struct ThriftFieldHeader: Sendable, Hashable {
    /// The field id from the IDL (`1: required i32 num_values` has id 1).
    public var id: Int16
    /// The wire type of the value.
    public var type: ThriftType

    /// Creates a field header.
    public init(id: Int16, type: ThriftType) {
        self.id = id
        self.type = type
    }
}

/// A decoded list or set header.
public struct ThriftListHeader: Sendable, Hashable {
    /// The wire type of every element.
    public var elementType: ThriftType
    /// The number of elements, already checked to fit in the remaining input.
    public var count: Int
}

/// A value that reads and writes itself as a Thrift compact-protocol struct.
public protocol ThriftStruct {
    /// Decodes the struct at the reader's position, including its stop byte.
    init(from reader: inout CompactReader) throws(ParquetError)
    /// Appends the struct, including its stop byte.
    func write(to writer: inout CompactWriter)
}
