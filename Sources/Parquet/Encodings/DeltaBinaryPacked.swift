// DELTA_BINARY_PACKED (Encodings.md, "Delta Encoding (DELTA_BINARY_PACKED = 5)"):
//   header: <block size in values> <miniblocks per block> <total value count> <first value (zigzag)>
//   block:  <min delta (zigzag)> <one bit-width byte per miniblock> <miniblocks, LSB-first bit-packed>
// Deltas are (value[i] - value[i-1]) in the type's wrapping arithmetic; stored values are delta - minDelta.

/// Decoder and encoder for DELTA_BINARY_PACKED INT32 and INT64 values.
public enum DeltaBinaryPacked {
    /// Decodes the first `count` values of the stream at `reader` (`count` must not exceed the header's total)
    /// and appends them. `reader` ends just after the last miniblock used. Arithmetic wraps modulo 2^32,
    /// which gives the same values whichever width the writer computed deltas in.
    public static func decodeInt32(_ reader: inout ByteReader, count: Int, into values: inout [Int32]) throws(ParquetError) {
        try decode(&reader, count: count, into: &values)
    }

    /// Decodes the first `count` values of the stream at `reader` and appends them (wrapping modulo 2^64).
    public static func decodeInt64(_ reader: inout ByteReader, count: Int, into values: inout [Int64]) throws(ParquetError) {
        try decode(&reader, count: count, into: &values)
    }

    /// Reads just the header's total value count without consuming anything.
    public static func totalCount(_ reader: ByteReader) throws(ParquetError) -> Int {
        var r = reader
        return try Header(&r).total
    }

    /// Appends the encoding of `values` (blocks of 128 values, 4 miniblocks of 32).
    public static func encodeInt32(_ values: UnsafeBufferPointer<Int32>, into out: inout [UInt8]) { encode(values, into: &out) }
    /// Appends the encoding of `values` (blocks of 128 values, 4 miniblocks of 32).
    public static func encodeInt64(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) { encode(values, into: &out) }
    /// Appends the encoding of `values`.
    public static func encodeInt32(_ values: [Int32], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encode($0, into: &out) } }
    /// Appends the encoding of `values`.
    public static func encodeInt64(_ values: [Int64], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encode($0, into: &out) } }

    struct Header {
        var blockSize: Int
        var miniblocks: Int
        var perMiniblock: Int
        var total: Int
        var first: Int64

        init(_ r: inout ByteReader) throws(ParquetError) {
            let block = try r.readVarUInt()
            let mini = try r.readVarUInt()
            let total = try r.readVarUInt()
            first = try r.readZigZag()
            // The spec asks for multiples of 128 and 32; accept any multiple of 8 (all our unpacking needs),
            // and cap sizes so later arithmetic cannot overflow.
            guard block > 0, block % 8 == 0, block <= 1 << 24 else {
                throw .corrupt("DELTA_BINARY_PACKED block size \(block) is not a positive multiple of 8 up to 2^24")
            }
            guard mini > 0, mini <= block, block % mini == 0, (block / mini) % 8 == 0 else {
                throw .corrupt("DELTA_BINARY_PACKED has \(mini) miniblocks per \(block)-value block; each must hold a multiple of 8 values")
            }
            guard total <= UInt64(Int.max) else { throw .corrupt("DELTA_BINARY_PACKED total count \(total) is too large") }
            blockSize = Int(block)
            miniblocks = Int(mini)
            perMiniblock = Int(block / mini)
            self.total = Int(total)
        }
    }

    static func decode<T: FixedWidthInteger & BitwiseCopyable>(
        _ reader: inout ByteReader, count: Int, into values: inout [T]
    ) throws(ParquetError) {
        try checkCount(count, "DELTA_BINARY_PACKED")
        var r = reader
        let h = try Header(&r)
        guard count <= h.total else {
            throw .corrupt("DELTA_BINARY_PACKED holds \(h.total) values but \(count) were expected")
        }
        try appendUninitialized(&values, count: count, zero: 0) { (dst) throws(ParquetError) in
            try decodeBlocks(&r, h, dst)
        }
        reader = r
    }

    /// Decodes `dst.count` values, block by block.
    static func decodeBlocks<T: FixedWidthInteger>(
        _ r: inout ByteReader, _ h: Header, _ dst: UnsafeMutableBufferPointer<T>
    ) throws(ParquetError) {
        let n = dst.count
        guard n > 0, let out = dst.baseAddress else { return }
        var last = UInt64(bitPattern: h.first)
        out[0] = T(truncatingIfNeeded: last)
        var i = 1
        let limit = r.buffer.count
        while i < n {
            let minDelta = UInt64(bitPattern: try r.readZigZag())
            let widths = try r.readBytes(h.miniblocks)
            for m in 0..<h.miniblocks where i < n {
                let w = Int(widths[m])
                guard w <= 64 else { throw .corrupt("DELTA_BINARY_PACKED miniblock bit width \(w) exceeds 64") }
                let take = min(h.perMiniblock, n - i)
                let fullBytes = h.perMiniblock * w / 8
                try r.require((take * w + 7) / 8, "a DELTA_BINARY_PACKED miniblock")
                if w == 0 {
                    for k in 0..<take {
                        last = last &+ minDelta
                        out[i + k] = T(truncatingIfNeeded: last)
                    }
                } else if let base = r.buffer.baseAddress {
                    let src = base + r.position
                    let avail = limit - r.position
                    for k in 0..<take {
                        last = last &+ minDelta &+ readBitsLSB(src, limit: avail, bitOffset: k * w, width: w)
                        out[i + k] = T(truncatingIfNeeded: last)
                    }
                }
                i += take
                // A last miniblock may omit its padding; take what is there.
                r.position += min(fullBytes, r.remaining)
            }
        }
    }

    static func encode<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, into out: inout [UInt8]) {
        let blockSize = 128, miniblocks = 4, per = 32
        appendVarUInt(UInt64(blockSize), to: &out)
        appendVarUInt(UInt64(miniblocks), to: &out)
        appendVarUInt(UInt64(values.count), to: &out)
        guard let first = values.first else {
            appendZigZag(0, to: &out)
            return
        }
        appendZigZag(Int64(first), to: &out)
        var deltas = [T](repeating: 0, count: blockSize)
        var i = 1
        while i < values.count {
            let n = min(blockSize, values.count - i)
            var minDelta = T.max
            for k in 0..<n {
                let d = values[i + k] &- values[i + k - 1]
                deltas[k] = d
                minDelta = Swift.min(minDelta, d)
            }
            appendZigZag(Int64(minDelta), to: &out)
            // Stored values are (delta - minDelta) as unsigned bits of T's width.
            var widths = [Int](repeating: 0, count: miniblocks)
            for m in 0..<miniblocks {
                var acc: UInt64 = 0
                var k = m * per
                while k < Swift.min((m + 1) * per, n) {
                    acc |= unsignedBits(deltas[k] &- minDelta)
                    k += 1
                }
                widths[m] = 64 - acc.leadingZeroBitCount
                out.append(UInt8(widths[m]))
            }
            var bw = LSBBitWriter()
            for m in 0..<miniblocks where m * per < n {
                for k in (m * per)..<((m + 1) * per) {
                    let v = k < n ? unsignedBits(deltas[k] &- minDelta) : 0
                    bw.write(v, width: widths[m], to: &out)
                }
                bw.flush(to: &out)
            }
            i += n
        }
    }

    @inline(__always)
    static func unsignedBits<T: FixedWidthInteger>(_ v: T) -> UInt64 {
        T.bitWidth == 64 ? UInt64(truncatingIfNeeded: v) : UInt64(truncatingIfNeeded: v) & ((1 << UInt64(T.bitWidth)) &- 1)
    }
}
