// The RLE / bit-packed hybrid encoding (Encodings.md, "Run Length Encoding / Bit-Packing Hybrid (RLE = 3)"),
// used for repetition and definition levels, dictionary indices and PLAIN-like booleans in v2 pages.
//
//   rle-bit-packed-hybrid: <run>*
//   run := bit-packed-run | rle-run          header varint: LSB 1 = bit-packed, 0 = RLE
//   bit-packed-run: (header >> 1) groups of 8 values, each group `bitWidth` bytes, LSB first
//   rle-run: (header >> 1) repeats of one value stored in ceil(bitWidth / 8) little-endian bytes

/// Streaming decoder of the RLE / bit-packed hybrid for bit widths 0...32.
///
/// The decoder reads from a buffer the caller keeps alive. Every run header is checked against the bytes
/// that remain, and a request for more values than the data holds throws `ParquetError.corrupt`.
/// A final bit-packed run shorter than its header claims is accepted as long as the values actually
/// requested are present (some writers omit trailing padding).
public struct RLEHybridDecoder {
    /// The encoded bytes.
    public let buffer: UnsafeRawBufferPointer
    /// Bits per value, 0...32.
    public let bitWidth: Int
    /// Offset of the next run header.
    @usableFromInline var position: Int
    /// Values left in the current RLE run.
    @usableFromInline var rleLeft: Int = 0
    @usableFromInline var rleValue: Int32 = 0
    /// Values left in the current bit-packed run, not counting `pending`.
    @usableFromInline var packedLeft: Int = 0
    /// Offset of the next undecoded group of the current bit-packed run.
    @usableFromInline var packedPosition: Int = 0
    /// One decoded group of which only part was handed out yet.
    @usableFromInline var pending = SIMD8<Int32>()
    @usableFromInline var pendingStart = 0
    @usableFromInline var pendingEnd = 0

    /// A decoder over `buffer` (no length prefix; the data page v2 form and dictionary-index form after the
    /// bit-width byte).
    public init(_ buffer: UnsafeRawBufferPointer, bitWidth: Int) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else {
            throw .corrupt("RLE/bit-packed hybrid bit width \(bitWidth) is outside 0...32")
        }
        self.buffer = buffer
        self.bitWidth = bitWidth
        self.position = 0
    }

    /// A decoder for data page v1 levels: reads the 4-byte little-endian length prefix and that many bytes
    /// from `reader`, leaving `reader` just after them.
    public static func levelsV1(_ reader: inout ByteReader, bitWidth: Int) throws(ParquetError) -> RLEHybridDecoder {
        let length = try reader.readLE(UInt32.self)
        let body = try reader.readBytes(Int(length))
        return try RLEHybridDecoder(body, bitWidth: bitWidth)
    }

    /// A decoder for dictionary indices of an RLE_DICTIONARY / PLAIN_DICTIONARY data page: reads the one-byte
    /// bit width, then takes the rest of `reader` as the hybrid data.
    public static func dictionaryIndices(_ reader: inout ByteReader) throws(ParquetError) -> RLEHybridDecoder {
        let width = Int(try reader.readByte())
        let body = try reader.readBytes(reader.remaining)
        return try RLEHybridDecoder(body, bitWidth: width)
    }

    /// Decodes exactly `out.count` values into `out`; throws if the data holds fewer.
    public mutating func decode(into out: UnsafeMutableBufferPointer<Int32>) throws(ParquetError) {
        guard let dst = out.baseAddress else { return }
        let n = out.count
        var i = 0
        while i < n {
            if pendingStart < pendingEnd {
                let take = min(pendingEnd - pendingStart, n - i)
                for k in 0..<take { dst[i + k] = pending[pendingStart + k] }
                pendingStart += take
                i += take
                continue
            }
            if rleLeft > 0 {
                let take = min(rleLeft, n - i)
                (dst + i).update(repeating: rleValue, count: take)
                rleLeft -= take
                i += take
                continue
            }
            if packedLeft > 0 {
                let want = min(packedLeft, n - i)
                if want >= 8 {
                    let groups = want >> 3
                    unpackGroups(groups, into: dst + i)
                    packedLeft -= groups << 3
                    i += groups << 3
                } else {
                    unpackPendingGroup()
                }
                continue
            }
            try readRunHeader(decoded: i, of: n)
        }
    }

    /// Decodes `count` values and appends them to `values`; on error `values` is unchanged.
    public mutating func decode(count: Int, appendingTo values: inout [Int32]) throws(ParquetError) {
        try checkCount(count, "RLE/bit-packed hybrid")
        try appendUninitialized(&values, count: count, zero: 0) { (buf) throws(ParquetError) in
            try self.decode(into: buf)
        }
    }

    /// Skips `count` values.
    public mutating func skip(_ count: Int) throws(ParquetError) {
        try checkCount(count, "RLE/bit-packed hybrid skip")
        var left = count
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256) { (scratch) throws(ParquetError) in
            while left > 0 {
                let n = min(left, 256)
                try decode(into: UnsafeMutableBufferPointer(rebasing: scratch[0..<n]))
                left -= n
            }
        }
    }

    /// Parses the next run header and sets up its state.
    @usableFromInline
    mutating func readRunHeader(decoded: Int, of total: Int) throws(ParquetError) {
        var r = ByteReader(buffer, position: position)
        guard r.remaining > 0 else {
            throw .corrupt("RLE/bit-packed hybrid data ended after \(decoded) of \(total) values")
        }
        let header = try r.readVarUInt()
        let runCount = header >> 1
        if header & 1 == 1 {
            // Bit-packed: runCount groups of 8 values, bitWidth bytes each.
            let groups = Int(runCount)
            if bitWidth == 0 {
                packedLeft = groups > Int.max / 8 ? Int.max & ~7 : groups << 3
                position = r.position
                packedPosition = position
                return
            }
            let declared = groups > Int.max / bitWidth ? Int.max : groups * bitWidth
            let available = min(declared, r.remaining)
            // Values whose bits are fully present; a truncated last run is cut down to them.
            let fullValues = groups > Int.max / 8 ? Int.max : groups << 3
            packedLeft = min(fullValues, available * 8 / bitWidth)
            packedPosition = r.position
            position = r.position + available
        } else {
            let byteCount = (bitWidth + 7) >> 3
            try r.require(byteCount, "an RLE run value")
            var v: UInt32 = 0
            for k in 0..<byteCount { v |= UInt32(r.buffer[r.position + k]) << UInt32(8 * k) }
            if bitWidth < 32 && v >> UInt32(bitWidth) != 0 {
                throw .corrupt("RLE run value \(v) does not fit bit width \(bitWidth)")
            }
            rleValue = Int32(bitPattern: v)
            rleLeft = runCount > UInt64(Int.max) ? Int.max : Int(runCount)
            position = r.position + byteCount
        }
    }

    /// Unpacks `groups` whole groups of the current bit-packed run straight into `dst`.
    @usableFromInline
    mutating func unpackGroups(_ groups: Int, into dst: UnsafeMutablePointer<Int32>) {
        let w = bitWidth
        if w == 0 {
            dst.update(repeating: 0, count: groups << 3)
            return
        }
        guard let base = buffer.baseAddress else { return }
        // Groups that can be read with 8-byte loads without running off the buffer take the fast path.
        let slack = buffer.count - 8 - packedPosition
        let fast = slack < 0 ? 0 : min(groups, slack / w)
        if fast > 0 {
            BitUnpack.unpack(base + packedPosition, width: w, groups: fast, into: dst)
            packedPosition += fast * w
        }
        for g in fast..<groups {
            unpackPaddedGroup(base, into: dst + (g << 3))
        }
    }

    /// Unpacks one group near the end of the buffer through a zero-padded copy.
    @inline(__always)
    mutating func unpackPaddedGroup(_ base: UnsafeRawPointer, into dst: UnsafeMutablePointer<Int32>) {
        let w = bitWidth
        let avail = max(0, min(w, buffer.count - packedPosition))
        withUnsafeTemporaryAllocation(byteCount: 48, alignment: 8) { tmp in
            tmp.initializeMemory(as: UInt8.self, repeating: 0)
            if avail > 0, let t = tmp.baseAddress {
                t.copyMemory(from: base + packedPosition, byteCount: avail)
            }
            if let t = tmp.baseAddress { BitUnpack.unpack(UnsafeRawPointer(t), width: w, groups: 1, into: dst) }
        }
        packedPosition += w
    }

    /// Decodes the next group into `pending` when fewer than 8 values are wanted from it.
    @usableFromInline
    mutating func unpackPendingGroup() {
        var group = SIMD8<Int32>()
        withUnsafeMutableBytes(of: &group) { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: Int32.self) else { return }
            if bitWidth == 0 {
                p.update(repeating: 0, count: 8)
            } else if let base = buffer.baseAddress {
                unpackPaddedGroup(base, into: p)
            }
        }
        pending = group
        pendingStart = 0
        pendingEnd = min(8, packedLeft)
        packedLeft -= pendingEnd
    }
}

/// LSB-first unpacking of groups of 8 values, one loop per bit width so shifts and masks are constants.
enum BitUnpack {
    /// Unpacks `groups` groups of 8 `width`-bit values (1...32) from `src` into `dst`.
    /// `src` must be readable for `groups * width + 8` bytes.
    static func unpack(_ src: UnsafeRawPointer, width: Int, groups: Int, into dst: UnsafeMutablePointer<Int32>) {
        switch width {
        case 1: loop(src, dst, groups, 1)
        case 2: loop(src, dst, groups, 2)
        case 3: loop(src, dst, groups, 3)
        case 4: loop(src, dst, groups, 4)
        case 5: loop(src, dst, groups, 5)
        case 6: loop(src, dst, groups, 6)
        case 7: loop(src, dst, groups, 7)
        case 8: loop(src, dst, groups, 8)
        case 9: loop(src, dst, groups, 9)
        case 10: loop(src, dst, groups, 10)
        case 11: loop(src, dst, groups, 11)
        case 12: loop(src, dst, groups, 12)
        case 13: loop(src, dst, groups, 13)
        case 14: loop(src, dst, groups, 14)
        case 15: loop(src, dst, groups, 15)
        case 16: loop(src, dst, groups, 16)
        case 17: loop(src, dst, groups, 17)
        case 18: loop(src, dst, groups, 18)
        case 19: loop(src, dst, groups, 19)
        case 20: loop(src, dst, groups, 20)
        case 21: loop(src, dst, groups, 21)
        case 22: loop(src, dst, groups, 22)
        case 23: loop(src, dst, groups, 23)
        case 24: loop(src, dst, groups, 24)
        case 25: loop(src, dst, groups, 25)
        case 26: loop(src, dst, groups, 26)
        case 27: loop(src, dst, groups, 27)
        case 28: loop(src, dst, groups, 28)
        case 29: loop(src, dst, groups, 29)
        case 30: loop(src, dst, groups, 30)
        case 31: loop(src, dst, groups, 31)
        case 32: loop(src, dst, groups, 32)
        default: dst.update(repeating: 0, count: groups << 3)
        }
    }

    /// The per-width loop; inlined into each `case` above with `w` a literal.
    @inline(__always)
    static func loop(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Int32>, _ groups: Int, _ w: Int) {
        let mask: UInt64 = (1 << UInt64(w)) &- 1
        var s = src
        var d = dst
        for _ in 0..<groups {
            // 8 values: value k starts at bit k*w; one unaligned 64-bit load covers it (w <= 32, shift <= 7).
            for k in 0..<8 {
                let bit = k * w
                let word = UInt64(littleEndian: s.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                d[k] = Int32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
            }
            s += w
            d += 8
        }
    }
}

/// Encoder of the RLE / bit-packed hybrid: runs of 8 or more equal values become RLE runs, everything else
/// bit-packed groups of 8 (the last group zero-padded).
public enum RLEHybridEncoder {
    /// Appends the hybrid encoding of `values` at `bitWidth` (0...32) to `out`, without a length prefix.
    /// Throws `invalidArgument` when a value does not fit in `bitWidth` bits.
    public static func encode(
        _ values: UnsafeBufferPointer<Int32>, bitWidth: Int, into out: inout [UInt8]
    ) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else {
            throw ParquetError(.invalidArgument, "RLE bit width \(bitWidth) is outside 0...32")
        }
        if bitWidth < 32 {
            let limit = UInt32(1) << UInt32(bitWidth)
            for v in values where UInt32(bitPattern: v) >= limit {
                throw ParquetError(.invalidArgument, "value \(v) does not fit RLE bit width \(bitWidth)")
            }
        }
        let n = values.count
        out.reserveCapacity(out.count + n * bitWidth / 8 + 16)
        var i = 0
        var packStart = -1
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            var run = j - i
            if packStart >= 0 {
                // Complete the pending bit-packed groups with values from this run first, since bit-packed
                // runs must hold whole groups of 8 unless they end the data.
                let fill = (8 - (i - packStart) & 7) & 7
                if run >= fill + 8 {
                    i += fill
                    run -= fill
                    writePacked(values, packStart..<i, bitWidth: bitWidth, into: &out)
                    packStart = -1
                    writeRLE(v, count: run, bitWidth: bitWidth, into: &out)
                }
                i += run
            } else if run >= 8 {
                writeRLE(v, count: run, bitWidth: bitWidth, into: &out)
                i += run
            } else {
                packStart = i
                i += run
            }
        }
        if packStart >= 0 { writePacked(values, packStart..<n, bitWidth: bitWidth, into: &out) }
    }

    /// Appends the hybrid encoding of `values` to `out`.
    public static func encode(_ values: [Int32], bitWidth: Int, into out: inout [UInt8]) throws(ParquetError) {
        try withBuffer(values) { (buf) throws(ParquetError) in try encode(buf, bitWidth: bitWidth, into: &out) }
    }

    /// Appends the data page v1 level form: a 4-byte little-endian length, then the hybrid encoding.
    public static func encodeWithLengthPrefix(
        _ values: UnsafeBufferPointer<Int32>, bitWidth: Int, into out: inout [UInt8]
    ) throws(ParquetError) {
        let start = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        try encode(values, bitWidth: bitWidth, into: &out)
        let length = UInt32(truncatingIfNeeded: out.count - start - 4)
        for k in 0..<4 { out[start + k] = UInt8(truncatingIfNeeded: length >> UInt32(8 * k)) }
    }

    /// The smallest bit width holding every value in `0...maxValue` (0 for a max of 0).
    public static func bitWidth(forMaxValue maxValue: Int) -> Int {
        maxValue <= 0 ? 0 : Int.bitWidth - maxValue.leadingZeroBitCount
    }

    static func writeRLE(_ v: Int32, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        appendVarUInt(UInt64(count) << 1, to: &out)
        let u = UInt32(bitPattern: v)
        for k in 0..<((bitWidth + 7) >> 3) { out.append(UInt8(truncatingIfNeeded: u >> UInt32(8 * k))) }
    }

    static func writePacked(_ values: UnsafeBufferPointer<Int32>, _ range: Range<Int>, bitWidth: Int, into out: inout [UInt8]) {
        let groups = (range.count + 7) >> 3
        appendVarUInt(UInt64(groups) << 1 | 1, to: &out)
        var w = LSBBitWriter()
        for k in 0..<(groups << 3) {
            let idx = range.lowerBound + k
            let v = idx < range.upperBound ? UInt64(UInt32(bitPattern: values[idx])) : 0
            w.write(v, width: bitWidth, to: &out)
        }
        w.flush(to: &out)
    }
}

/// The deprecated BIT_PACKED level encoding: values packed MSB first with no header, `ceil(count * width / 8)`
/// bytes in all.
public enum BitPackedLevels {
    /// Decodes `count` values of `bitWidth` (0...32) bits from `reader` and appends them to `values`.
    public static func decode(
        _ reader: inout ByteReader, bitWidth: Int, count: Int, appendingTo values: inout [Int32]
    ) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else { throw .corrupt("BIT_PACKED bit width \(bitWidth) is outside 0...32") }
        try checkCount(count, "BIT_PACKED")
        let bits = try checkedSize(count, bitWidth, "BIT_PACKED levels")
        let bytes = try reader.readBytes((bits + 7) / 8)
        try appendUninitialized(&values, count: count, zero: 0) { (dst) throws(ParquetError) in
            var bit = 0
            for i in 0..<count {
                var v: UInt32 = 0
                for _ in 0..<bitWidth {
                    let b = (bytes[bit >> 3] >> UInt8(7 - (bit & 7))) & 1
                    v = v << 1 | UInt32(b)
                    bit += 1
                }
                dst[i] = Int32(bitPattern: v)
            }
        }
    }

    /// Appends the BIT_PACKED (MSB-first) encoding of `values` at `bitWidth` bits.
    public static func encode(_ values: UnsafeBufferPointer<Int32>, bitWidth: Int, into out: inout [UInt8]) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else {
            throw ParquetError(.invalidArgument, "BIT_PACKED bit width \(bitWidth) is outside 0...32")
        }
        var acc: UInt8 = 0
        var used = 0
        for v in values {
            let u = UInt32(bitPattern: v)
            if bitWidth < 32 && u >> UInt32(bitWidth) != 0 {
                throw ParquetError(.invalidArgument, "value \(v) does not fit BIT_PACKED width \(bitWidth)")
            }
            var k = bitWidth - 1
            while k >= 0 {
                acc = acc << 1 | UInt8(truncatingIfNeeded: (u >> UInt32(k)) & 1)
                used += 1
                if used == 8 { out.append(acc); acc = 0; used = 0 }
                k -= 1
            }
        }
        if used > 0 { out.append(acc << UInt8(8 - used)) }
    }
}
