// BYTE_STREAM_SPLIT (Encodings.md, "Byte Stream Split: (BYTE_STREAM_SPLIT = 9)"): for N values of K bytes,
// K streams of N bytes; byte j of value i is at offset j * N + i. Defined for FLOAT, DOUBLE, INT32, INT64
// and FIXED_LEN_BYTE_ARRAY (e.g. width 2 for float16).

/// BYTE_STREAM_SPLIT decoding and encoding. `count` must be the page's full non-null value count, because
/// the stream length depends on it.
public enum ByteStreamSplit {
    /// Decodes `count` FLOAT values and appends them.
    public static func decodeFloat(_ reader: inout ByteReader, count: Int, into values: inout [Float]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values)
    }
    /// Decodes `count` DOUBLE values and appends them.
    public static func decodeDouble(_ reader: inout ByteReader, count: Int, into values: inout [Double]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values)
    }
    /// Decodes `count` INT32 values and appends them.
    public static func decodeInt32(_ reader: inout ByteReader, count: Int, into values: inout [Int32]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values)
    }
    /// Decodes `count` INT64 values and appends them.
    public static func decodeInt64(_ reader: inout ByteReader, count: Int, into values: inout [Int64]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values)
    }
    /// Decodes `count` FIXED_LEN_BYTE_ARRAY values of `width` bytes into offsets/data form.
    public static func decodeFixedLenByteArray(
        _ reader: inout ByteReader, width: Int, count: Int, offsets: inout [Int64], data: inout [UInt8]
    ) throws(ParquetError) {
        try checkCount(count, "BYTE_STREAM_SPLIT")
        guard width > 0 else { throw .corrupt("FIXED_LEN_BYTE_ARRAY width \(width) must be positive") }
        let src = try reader.readBytes(try checkedSize(count, width, "BYTE_STREAM_SPLIT values"))
        try appendUninitialized(&data, count: src.count, zero: 0) { dst in
            if let d = dst.baseAddress { interleave(basePointer(src), UnsafeMutableRawPointer(d), count: count, width: width) }
        }
        PlainDecoder.appendFixedOffsets(&offsets, dataCount: data.count - src.count, width: width, count: count)
    }

    /// Appends FLOAT values split into 4 byte streams.
    public static func encodeFloat(_ values: UnsafeBufferPointer<Float>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends DOUBLE values split into 8 byte streams.
    public static func encodeDouble(_ values: UnsafeBufferPointer<Double>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends INT32 values split into 4 byte streams.
    public static func encodeInt32(_ values: UnsafeBufferPointer<Int32>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends INT64 values split into 8 byte streams.
    public static func encodeInt64(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends FIXED_LEN_BYTE_ARRAY values (each exactly `width` bytes) split into `width` streams.
    public static func encodeFixedLenByteArray(width: Int, offsets: [Int64], data: [UInt8], into out: inout [UInt8]) throws(ParquetError) {
        guard width > 0 else { throw ParquetError(.invalidArgument, "FIXED_LEN_BYTE_ARRAY width \(width) must be positive") }
        var plain = [UInt8]()
        try PlainValueEncoder.encodeFixedLenByteArray(width: width, offsets: offsets, data: data, into: &plain)
        let count = plain.count / width
        plain.withUnsafeBytes { src in
            try? appendUninitialized(&out, count: src.count, zero: 0) { dst in
                if let d = dst.baseAddress { split(basePointer(src), UnsafeMutableRawPointer(d), count: count, width: width) }
            }
        }
    }

    static func decodeFixed<T: BitwiseCopyable>(_ reader: inout ByteReader, count: Int, into values: inout [T]) throws(ParquetError) {
        try checkCount(count, "BYTE_STREAM_SPLIT")
        let width = MemoryLayout<T>.size
        let src = try reader.readBytes(try checkedSize(count, width, "BYTE_STREAM_SPLIT values"))
        try appendUninitialized(&values, count: count, zero: zeroBits(T.self)) { dst in
            if let d = dst.baseAddress { interleave(basePointer(src), UnsafeMutableRawPointer(d), count: count, width: width) }
        }
    }

    static func encodeFixed<T: BitwiseCopyable>(_ values: UnsafeBufferPointer<T>, _ out: inout [UInt8]) {
        let width = MemoryLayout<T>.size
        try? appendUninitialized(&out, count: values.count * width, zero: 0) { dst in
            if let d = dst.baseAddress, let s = values.baseAddress {
                split(UnsafeRawPointer(s), UnsafeMutableRawPointer(d), count: values.count, width: width)
            }
        }
    }

    /// Streams to values: dst[i * width + j] = src[j * count + i]. Specialised for the common widths.
    static func interleave(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, count: Int, width: Int) {
        switch width {
        case 2: interleaveLoop(src, dst, count, 2)
        case 4: interleaveLoop(src, dst, count, 4)
        case 8: interleaveLoop(src, dst, count, 8)
        default: interleaveLoop(src, dst, count, width)
        }
    }

    @inline(__always)
    static func interleaveLoop(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ count: Int, _ width: Int) {
        let s = src.assumingMemoryBound(to: UInt8.self)
        let d = dst.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count {
            for j in 0..<width { d[i * width + j] = s[j * count + i] }
        }
    }

    /// Values to streams: dst[j * count + i] = src[i * width + j].
    static func split(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, count: Int, width: Int) {
        let s = src.assumingMemoryBound(to: UInt8.self)
        let d = dst.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count {
            for j in 0..<width { d[j * count + i] = s[i * width + j] }
        }
    }
}
