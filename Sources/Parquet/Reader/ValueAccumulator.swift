/// Collects the dense (non-null) values of a column chunk page by page, in the physical type, with one
/// growing buffer per chunk so pages append without per-value work.
struct ValueAccumulator {
    let physical: PhysicalType
    let width: Int
    let column: String
    var bools: [UInt8] = []
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
    mutating func decode(_ buffer: UnsafeRawBufferPointer, encoding: Encoding, count: Int, dictionary: DecodedValues?) throws(ParquetError) {
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
            try gather(dictionary, indices)
        case .rle:
            guard physical == .boolean else { throw .unsupported("RLE encoding for \(physical) values") }
            var reader = ByteReader(buffer)
            var decoder = try RLEHybridDecoder.levelsV1(&reader, bitWidth: 1)
            var bits: [Int32] = []
            try decoder.decode(count: count, appendingTo: &bits)
            reserveGrowing(&bools, count)
            for b in bits { bools.append(b != 0 ? 1 : 0) }
        default:
            try appendEncoded(buffer, encoding: encoding, count: count)
        }
    }

    /// PLAIN values: fixed-width little-endian, or length-prefixed byte arrays.
    mutating func appendPlain(_ buffer: UnsafeRawBufferPointer, count: Int) throws(ParquetError) {
        func fixedWidth<T: BitwiseCopyable>(_ array: inout [T], _ size: Int, _ zero: T) throws(ParquetError) {
            let (bytes, o) = count.multipliedReportingOverflow(by: size)
            guard !o, bytes <= buffer.count else {
                throw .corrupt("PLAIN page holds \(buffer.count) bytes, too few for \(count) values")
            }
            // Copy in one go: the buffer is little-endian like every platform Swift runs on here.
            appendRaw(&array, buffer, count: count, zero: zero)
        }
        switch physical {
        case .boolean:
            guard (count + 7) / 8 <= buffer.count else { throw .corrupt("PLAIN booleans: \(buffer.count) bytes for \(count) values") }
            reserveGrowing(&bools, count)
            for i in 0..<count { bools.append((buffer[i >> 3] >> UInt8(i & 7)) & 1) }
        case .int32: try fixedWidth(&i32, 4, 0)
        case .int64: try fixedWidth(&i64, 8, 0)
        case .float: try fixedWidth(&f32, 4, 0)
        case .double: try fixedWidth(&f64, 8, 0)
        case .int96, .fixedLenByteArray:
            let size = physical == .int96 ? 12 : width
            let (bytes, o) = count.multipliedReportingOverflow(by: size)
            guard !o, bytes <= buffer.count else {
                throw .corrupt("PLAIN page holds \(buffer.count) bytes, too few for \(count) values of \(size) bytes")
            }
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<bytes]))
        case .byteArray:
            // Each value needs at least its 4-byte length, which bounds the reservation by the page size.
            guard count <= buffer.count / 4 else { throw .corrupt("PLAIN page of \(buffer.count) bytes cannot hold \(count) byte arrays") }
            reserveGrowing(&offsets, count)
            var pos = 0
            let start = data.count
            var end = Int64(start)
            // First pass: validate lengths and collect offsets; second: copy the bytes.
            for _ in 0..<count {
                guard pos + 4 <= buffer.count else { throw .corrupt("PLAIN byte array length runs past the page") }
                let len = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: pos, as: UInt32.self)))
                pos += 4
                guard len <= buffer.count - pos else { throw .corrupt("PLAIN byte array of \(len) bytes runs past the page") }
                end += Int64(len)
                offsets.append(end)
                pos += len
            }
            reserveGrowing(&data, Int(end) - data.count)
            pos = 0
            for _ in 0..<count {
                let len = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: pos, as: UInt32.self)))
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(pos + 4)..<(pos + 4 + len)]))
                pos += 4 + len
            }
        }
    }

    /// Appends `dictionary[indices[i]]` for every index, checking each index once.
    mutating func gather(_ dictionary: DecodedValues, _ indices: [Int32]) throws(ParquetError) {
        let n = dictionary.count
        var maxIndex: Int32 = -1
        var minIndex: Int32 = 0
        for i in indices {
            maxIndex = max(maxIndex, i)
            minIndex = min(minIndex, i)
        }
        guard minIndex >= 0, Int(maxIndex) < n else {
            throw .corrupt("dictionary index \(minIndex < 0 ? minIndex : maxIndex) outside the \(n)-entry dictionary")
        }
        func take<T>(_ dict: [T], _ out: inout [T]) {
            reserveGrowing(&out, indices.count)
            dict.withUnsafeBufferPointer { d in
                for i in indices { out.append(d[Int(i)]) }
            }
        }
        switch dictionary {
        case let .boolean(d): take(d, &bools)
        case let .int32(d): take(d, &i32)
        case let .int64(d): take(d, &i64)
        case let .float(d): take(d, &f32)
        case let .double(d): take(d, &f64)
        case let .int96(d):
            reserveGrowing(&data, indices.count * 12)
            for i in indices { data.append(contentsOf: d[Int(i) * 12..<Int(i) * 12 + 12]) }
        case let .fixed(w, d):
            let (total, o) = indices.count.multipliedReportingOverflow(by: w)
            guard !o, total <= EncodingLimits.maxDecodedBytes else { throw .corrupt("dictionary expands past \(EncodingLimits.maxDecodedBytes) bytes") }
            reserveGrowing(&data, total)
            for i in indices { data.append(contentsOf: d[Int(i) * w..<Int(i) * w + w]) }
        case let .byteArray(o, d):
            var total = 0
            o.withUnsafeBufferPointer { op in
                for i in indices { total &+= Int(op[Int(i) + 1] - op[Int(i)]) }
            }
            guard total <= EncodingLimits.maxDecodedBytes else { throw .corrupt("dictionary expands past \(EncodingLimits.maxDecodedBytes) bytes") }
            let base = data.count
            reserveGrowing(&offsets, indices.count)
            var end = Int64(base)
            try appendGathered(&data, d, o, indices, total: total)
            o.withUnsafeBufferPointer { op in
                for i in indices {
                    end += op[Int(i) + 1] - op[Int(i)]
                    offsets.append(end)
                }
            }
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

/// Appends `count` values loaded from the start of `buffer` (already bounds-checked) to `array`.
@inline(__always)
func appendRaw<T: BitwiseCopyable>(_ array: inout [T], _ buffer: UnsafeRawBufferPointer, count: Int, zero: T) {
    guard count > 0, let src = buffer.baseAddress else { return }
    // The fill cannot fail, so the `try` never throws.
    try? appendUninitialized(&array, count: count, zero: zero) { (dst: UnsafeMutableBufferPointer<T>) throws(ParquetError) in
        if let d = dst.baseAddress { UnsafeMutableRawPointer(d).copyMemory(from: src, byteCount: count * MemoryLayout<T>.stride) }
    }
}

/// Appends the dictionary entries `indices` point at (already checked to be in range) to `data`.
func appendGathered(_ data: inout [UInt8], _ dict: [UInt8], _ offsets: [Int64], _ indices: [Int32], total: Int) throws(ParquetError) {
    try appendUninitialized(&data, count: total, zero: 0) { (out: UnsafeMutableBufferPointer<UInt8>) throws(ParquetError) in
        guard let o = out.baseAddress else { return }
        var pos = 0
        dict.withUnsafeBufferPointer { d in
            offsets.withUnsafeBufferPointer { op in
                guard let db = d.baseAddress else { return }
                for i in indices {
                    let s = Int(op[Int(i)])
                    let len = Int(op[Int(i) + 1]) - s
                    (o + pos).update(from: db + s, count: len)
                    pos += len
                }
            }
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
