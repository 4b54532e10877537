/// Value encodings other than PLAIN, dictionary and boolean RLE, delegated to the Encodings decoders.
extension ValueAccumulator {
    /// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
    mutating func appendEncoded(_ buffer: UnsafeRawBufferPointer, encoding: Encoding, count: Int) throws(ParquetError) {
        var reader = ByteReader(buffer)
        switch (encoding, physical) {
        case (.deltaBinaryPacked, .int32): try DeltaBinaryPacked.decodeInt32(&reader, count: count, into: &i32)
        case (.deltaBinaryPacked, .int64): try DeltaBinaryPacked.decodeInt64(&reader, count: count, into: &i64)
        case (.deltaLengthByteArray, .byteArray):
            try DeltaLengthByteArray.decode(&reader, count: count, offsets: &offsets, data: &data)
        case (.deltaByteArray, .byteArray):
            try DeltaByteArray.decode(&reader, count: count, offsets: &offsets, data: &data)
        case (.deltaByteArray, .fixedLenByteArray):
            // The spec allows DELTA_BYTE_ARRAY for fixed-width values; every value must have the width.
            var o: [Int64] = [0]
            var d: [UInt8] = []
            try DeltaByteArray.decode(&reader, count: count, offsets: &o, data: &d)
            guard d.count == count * width else {
                throw .corrupt("DELTA_BYTE_ARRAY values are not all \(width) bytes wide")
            }
            for i in 0..<count where o[i + 1] - o[i] != Int64(width) {
                throw .corrupt("DELTA_BYTE_ARRAY value \(i) is \(o[i + 1] - o[i]) bytes, not \(width)")
            }
            data.append(contentsOf: d)
        case (.byteStreamSplit, .float): try ByteStreamSplit.decodeFloat(&reader, count: count, into: &f32)
        case (.byteStreamSplit, .double): try ByteStreamSplit.decodeDouble(&reader, count: count, into: &f64)
        case (.byteStreamSplit, .int32): try ByteStreamSplit.decodeInt32(&reader, count: count, into: &i32)
        case (.byteStreamSplit, .int64): try ByteStreamSplit.decodeInt64(&reader, count: count, into: &i64)
        case (.byteStreamSplit, .fixedLenByteArray):
            var o: [Int64] = []
            try ByteStreamSplit.decodeFixedLenByteArray(&reader, width: width, count: count, offsets: &o, data: &data)
        default:
            throw .unsupported("value encoding \(encoding) for \(physical) values")
        }
    }
}
