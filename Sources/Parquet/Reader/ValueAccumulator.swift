import Columnar

/// A chunk's dictionary page, decoded once. Byte arrays are validated once here too, so that each page's
/// gather needs no per-value bounds checks.
enum ChunkDictionary {
    /// Any physical type but BYTE_ARRAY.
    case values(DecodedValues)
    case byteArrays(ByteArrayDictionary)

    init(_ values: DecodedValues) throws(ParquetError) {
        if case let .byteArray(o, d) = values {
            self = .byteArrays(try ByteArrayDictionary(offsets: o, data: d))
        } else {
            self = .values(values)
        }
    }
}

/// Collects the dense (non-null) values of a column chunk page by page, in the physical type, with one
/// growing buffer per chunk so pages append without per-value work. The decoding itself is the
/// Encodings decoders'.
struct ValueAccumulator {
    let physical: PhysicalType
    let width: Int
    let column: String
    var bools = Bitmap(count: 0, value: false)
    var i32: [Int32] = []
    var i64: [Int64] = []
    var f32: [Float] = []
    var f64: [Double] = []
    /// Bytes of BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY and INT96 values.
    var data: [UInt8] = []
    /// BYTE_ARRAY offsets into `data`, starting with 0.
    var offsets: [Int64] = [0]

    init(descriptor: ColumnDescriptor, capacity: Int) {
        physical = descriptor.physicalType
        width = descriptor.typeLength
        column = descriptor.dottedPath
        switch physical {
        case .int32: i32.reserveCapacity(capacity)
        case .int64: i64.reserveCapacity(capacity)
        case .float: f32.reserveCapacity(capacity)
        case .double: f64.reserveCapacity(capacity)
        case .byteArray: offsets.reserveCapacity(capacity + 1)
        default: break
        }
    }

    /// Decodes `count` values of `encoding` from `buffer` and appends them.
    mutating func decode(_ buffer: UnsafeRawBufferPointer, encoding: Encoding, count: Int, dictionary: ChunkDictionary?) throws(ParquetError) {
        if count == 0 { return }
        switch encoding {
        case .plain:
            try appendPlain(buffer, count: count)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw .corrupt("dictionary-encoded page without a dictionary page") }
            var reader = ByteReader(buffer)
            var decoder = try RLEHybridDecoder.dictionaryIndices(&reader)
            let indices = try [Int32](unsafeUninitializedCapacity: count) { (out, initialized) throws(ParquetError) in
                try decoder.decode(into: out)
                initialized = count
            }
            try withBuffer(indices) { (idx) throws(ParquetError) in try gather(dictionary, idx) }
        case .rle:
            guard physical == .boolean else { throw .unsupported("RLE encoding for \(physical) values") }
            var reader = ByteReader(buffer)
            var decoder = try RLEHybridDecoder.levelsV1(&reader, bitWidth: 1)
            var bits: [Int32] = []
            try decoder.decode(count: count, appendingTo: &bits)
            for b in bits { bools.append(b != 0) }
        default:
            try appendEncoded(buffer, encoding: encoding, count: count)
        }
    }

    /// PLAIN values (also the dictionary page's).
    mutating func appendPlain(_ buffer: UnsafeRawBufferPointer, count: Int) throws(ParquetError) {
        var reader = ByteReader(buffer)
        switch physical {
        case .boolean: try PlainDecoder.decodeBoolean(&reader, count: count, into: &bools)
        case .int32: try PlainDecoder.decodeInt32(&reader, count: count, into: &i32)
        case .int64: try PlainDecoder.decodeInt64(&reader, count: count, into: &i64)
        case .float: try PlainDecoder.decodeFloat(&reader, count: count, into: &f32)
        case .double: try PlainDecoder.decodeDouble(&reader, count: count, into: &f64)
        case .int96: try PlainDecoder.decodeInt96(&reader, count: count, into: &data)
        case .fixedLenByteArray: try PlainDecoder.decodeFixedBytes(&reader, width: width, count: count, into: &data, "FIXED_LEN_BYTE_ARRAY")
        case .byteArray: try PlainDecoder.decodeByteArray(&reader, count: count, offsets: &offsets, data: &data)
        }
    }

    /// Appends `dictionary[indices[i]]` for every index.
    mutating func gather(_ dictionary: ChunkDictionary, _ indices: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        func fixed<T>(_ dict: [T], _ out: inout [T], _ gather: (UnsafeBufferPointer<T>, inout [T]) throws(ParquetError) -> Void) throws(ParquetError) {
            try withBuffer(dict) { (d) throws(ParquetError) in try gather(d, &out) }
        }
        let values: DecodedValues
        switch dictionary {
        case let .byteArrays(dict):
            try dict.gather(indices: indices, offsets: &offsets, data: &data)
            return
        case let .values(v): values = v
        }
        switch values {
        case let .boolean(d): try DictionaryGather.gather(d, indices: indices, into: &bools)
        case let .int32(d): try fixed(d, &i32) { (d, out) throws(ParquetError) in try DictionaryGather.gather(d, indices: indices, into: &out) }
        case let .int64(d): try fixed(d, &i64) { (d, out) throws(ParquetError) in try DictionaryGather.gather(d, indices: indices, into: &out) }
        case let .float(d): try fixed(d, &f32) { (d, out) throws(ParquetError) in try DictionaryGather.gather(d, indices: indices, into: &out) }
        case let .double(d): try fixed(d, &f64) { (d, out) throws(ParquetError) in try DictionaryGather.gather(d, indices: indices, into: &out) }
        case let .int96(d):
            try withBytes(d) { (raw) throws(ParquetError) in try DictionaryGather.gather(fixedWidth: 12, raw, indices: indices, into: &data) }
        case let .fixed(w, d):
            try withBytes(d) { (raw) throws(ParquetError) in try DictionaryGather.gather(fixedWidth: w, raw, indices: indices, into: &data) }
        case let .byteArray(o, d):
            // `ChunkDictionary` prepares byte arrays up front; this only keeps the switch total.
            try ByteArrayDictionary(offsets: o, data: d).gather(indices: indices, offsets: &offsets, data: &data)
        }
    }

    /// The collected values.
    func finish() throws(ParquetError) -> DecodedValues {
        switch physical {
        case .boolean: return .boolean(bools)
        case .int32: return .int32(i32)
        case .int64: return .int64(i64)
        case .int96: return .int96(data)
        case .float: return .float(f32)
        case .double: return .double(f64)
        case .byteArray: return .byteArray(offsets: offsets, data: data)
        case .fixedLenByteArray: return .fixed(width: width, data: data)
        }
    }
}

/// Makes room for `extra` more elements, at least doubling the capacity when it must grow: a plain
/// `reserveCapacity(count + extra)` per page reallocates to the exact size every page, which is quadratic.
@inline(__always)
func reserveGrowing<T>(_ array: inout [T], _ extra: Int) {
    let needed = array.count + extra
    if needed > array.capacity { array.reserveCapacity(max(needed, array.capacity * 2)) }
}
