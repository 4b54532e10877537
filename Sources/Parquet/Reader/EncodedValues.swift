/// Value encodings other than PLAIN, dictionary and boolean RLE, delegated to the Encodings decoders.
extension ValueAccumulator {
    /// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
    mutating func appendEncoded(_ buffer: UnsafeRawBufferPointer, encoding: Encoding, count: Int) throws(ParquetError) {
        throw .unsupported("value encoding \(encoding) for \(physical) values")
    }
}
