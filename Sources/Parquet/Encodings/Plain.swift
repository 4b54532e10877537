import Columnar

// Fixed-width values are copied as memory, which is the PLAIN layout only on a little-endian host.
#if _endian(big)
#error("lake's Parquet encodings assume a little-endian host")
#endif

// PLAIN encoding (Encodings.md, "Plain: (PLAIN = 0)"): fixed-width values little-endian back to back,
// BOOLEAN bit-packed LSB first, BYTE_ARRAY as a 4-byte little-endian length then the bytes,
// FIXED_LEN_BYTE_ARRAY as the bytes alone. Dictionary pages use it too.

/// Decoders for PLAIN values. Each reads `count` values from `reader`, advances it past them, and appends
/// to the output. The byte size is validated once before any copying, so truncated data throws
/// `ParquetError.corrupt` and leaves the outputs unchanged.
public enum PlainDecoder {
    /// Decodes `count` bit-packed booleans (LSB first) and appends them to `into`.
    public static func decodeBoolean(_ reader: inout ByteReader, count: Int, into bits: inout Bitmap) throws(ParquetError) {
        try checkCount(count, "PLAIN BOOLEAN")
        let src = try reader.readBytes((count + 7) / 8)
        var words = [UInt64](repeating: 0, count: (count + 63) >> 6)
        words.withUnsafeMutableBytes { dst in
            // Little-endian words hold LSB-first bytes in order, so the bytes copy straight in.
            if let d = dst.baseAddress, let s = src.baseAddress { d.copyMemory(from: s, byteCount: src.count) }
        }
        let decoded = Bitmap(words: words, count: count)
        if bits.count == 0 { bits = decoded } else { bits.append(contentsOf: decoded) }
    }

    /// Decodes `count` INT32 values and appends them to `into`.
    public static func decodeInt32(_ reader: inout ByteReader, count: Int, into values: inout [Int32]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values, "INT32")
    }

    /// Decodes `count` INT64 values and appends them to `into`.
    public static func decodeInt64(_ reader: inout ByteReader, count: Int, into values: inout [Int64]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values, "INT64")
    }

    /// Decodes `count` FLOAT values and appends them to `into` (NaN payloads are kept bit for bit).
    public static func decodeFloat(_ reader: inout ByteReader, count: Int, into values: inout [Float]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values, "FLOAT")
    }

    /// Decodes `count` DOUBLE values and appends them to `into`.
    public static func decodeDouble(_ reader: inout ByteReader, count: Int, into values: inout [Double]) throws(ParquetError) {
        try decodeFixed(&reader, count: count, into: &values, "DOUBLE")
    }

    /// Decodes `count` INT96 values and appends their raw 12 bytes each to `into`.
    public static func decodeInt96(_ reader: inout ByteReader, count: Int, into raw: inout [UInt8]) throws(ParquetError) {
        try checkCount(count, "PLAIN INT96")
        let src = try reader.readBytes(try checkedSize(count, 12, "INT96 values"))
        raw.append(contentsOf: src)
    }

    /// Decodes `count` INT96 timestamps and appends them as nanoseconds since the Unix epoch.
    public static func decodeInt96Nanoseconds(_ reader: inout ByteReader, count: Int, into values: inout [Int64]) throws(ParquetError) {
        try checkCount(count, "PLAIN INT96")
        let src = try reader.readBytes(try checkedSize(count, 12, "INT96 values"))
        try appendUninitialized(&values, count: count, zero: 0) { (dst) throws(ParquetError) in
            for i in 0..<count {
                dst[i] = try Int96Timestamp.nanoseconds(UnsafeRawBufferPointer(rebasing: src[i * 12..<i * 12 + 12]))
            }
        }
    }

    /// Decodes `count` BYTE_ARRAY values (4-byte LE length + bytes each), appending value ends to `offsets`
    /// and bytes to `data`. If `offsets` is empty, `data.count` is appended first as the start offset, so
    /// value `i` ends up as `data[offsets[i]..<offsets[i+1]]` like Columnar's `.bytes(offsets:data:)`.
    public static func decodeByteArray(
        _ reader: inout ByteReader, count: Int, offsets: inout [Int64], data: inout [UInt8]
    ) throws(ParquetError) {
        try checkCount(count, "PLAIN BYTE_ARRAY")
        guard let base = reader.buffer.baseAddress else {
            if count > 0 { throw .corrupt("PLAIN BYTE_ARRAY needs \(count) values but the page is empty") }
            return
        }
        // Pass 1: walk the lengths, validating each against the bytes left, to size the outputs exactly.
        let start = reader.position
        let end = reader.buffer.count
        var p = start
        var total = 0
        for i in 0..<count {
            guard end - p >= 4 else {
                throw .corrupt("PLAIN BYTE_ARRAY value \(i) of \(count): length needs 4 bytes but \(end - p) remain")
            }
            let len = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            p += 4
            guard len <= end - p else {
                throw .corrupt("PLAIN BYTE_ARRAY value \(i) of \(count) has length \(len) but \(end - p) bytes remain")
            }
            p += len
            total += len
        }
        // Pass 2: copy, now without checks.
        if offsets.isEmpty { offsets.append(Int64(data.count)) }
        var running = Int64(data.count)
        try appendUninitialized(&offsets, count: count, zero: 0) { (dst) throws(ParquetError) in
            var q = start
            for i in 0..<count {
                let len = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: q, as: UInt32.self)))
                q += 4 + len
                running += Int64(len)
                dst[i] = running
            }
        }
        try appendUninitialized(&data, count: total, zero: 0) { (dst) throws(ParquetError) in
            guard let d = dst.baseAddress else { return }
            var q = start
            var o = 0
            for _ in 0..<count {
                let len = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: q, as: UInt32.self)))
                (UnsafeMutableRawPointer(d) + o).copyMemory(from: base + q + 4, byteCount: len)
                q += 4 + len
                o += len
            }
        }
        reader.position = p
    }

    /// Decodes `count` FIXED_LEN_BYTE_ARRAY values of `width` bytes into the same offsets/data form as
    /// `decodeByteArray`.
    public static func decodeFixedLenByteArray(
        _ reader: inout ByteReader, width: Int, count: Int, offsets: inout [Int64], data: inout [UInt8]
    ) throws(ParquetError) {
        try checkCount(count, "PLAIN FIXED_LEN_BYTE_ARRAY")
        guard width > 0 else { throw .corrupt("FIXED_LEN_BYTE_ARRAY width \(width) must be positive") }
        let src = try reader.readBytes(try checkedSize(count, width, "FIXED_LEN_BYTE_ARRAY values"))
        appendFixedOffsets(&offsets, dataCount: data.count, width: width, count: count)
        data.append(contentsOf: src)
    }

    /// Appends the offsets of `count` values of `width` bytes starting at `dataCount`.
    static func appendFixedOffsets(_ offsets: inout [Int64], dataCount: Int, width: Int, count: Int) {
        if offsets.isEmpty { offsets.append(Int64(dataCount)) }
        let first = Int64(dataCount)
        let w = Int64(width)
        try? appendUninitialized(&offsets, count: count, zero: 0) { dst in
            for i in 0..<count { dst[i] = first + Int64(i + 1) * w }
        }
    }

    /// Fixed-width little-endian values: one size check, then one copy.
    @inline(__always)
    static func decodeFixed<T: BitwiseCopyable>(
        _ reader: inout ByteReader, count: Int, into values: inout [T], _ name: String
    ) throws(ParquetError) {
        try checkCount(count, "PLAIN \(name)")
        let src = try reader.readBytes(try checkedSize(count, MemoryLayout<T>.size, "\(name) values"))
        try appendUninitialized(&values, count: count, zero: zeroBits(T.self)) { dst in
            if let d = dst.baseAddress, let s = src.baseAddress {
                UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: src.count)
            }
        }
    }
}

/// All-zero bits of the size of `T` (used as the fill value for fixed-width numeric arrays).
@inline(__always)
func zeroBits<T: BitwiseCopyable>(_: T.Type) -> T {
    withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buf in
        guard let p = buf.baseAddress else { return buf[0] }
        UnsafeMutableRawPointer(p).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        return p.pointee
    }
}

/// Encoders for PLAIN values; each appends to `out`.
public enum PlainValueEncoder {
    /// Appends `bits` as LSB-first bit-packed booleans (`ceil(count / 8)` bytes).
    public static func encodeBoolean(_ bits: Bitmap, into out: inout [UInt8]) {
        let n = (bits.count + 7) / 8
        bits.words.withUnsafeBytes { raw in
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<n]))
        }
    }

    /// Appends INT32 values little-endian.
    public static func encodeInt32(_ values: UnsafeBufferPointer<Int32>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends INT64 values little-endian.
    public static func encodeInt64(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends FLOAT values as IEEE 754 little-endian.
    public static func encodeFloat(_ values: UnsafeBufferPointer<Float>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends DOUBLE values as IEEE 754 little-endian.
    public static func encodeDouble(_ values: UnsafeBufferPointer<Double>, into out: inout [UInt8]) { encodeFixed(values, &out) }
    /// Appends INT32 values little-endian.
    public static func encodeInt32(_ values: [Int32], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeFixed($0, &out) } }
    /// Appends INT64 values little-endian.
    public static func encodeInt64(_ values: [Int64], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeFixed($0, &out) } }
    /// Appends FLOAT values little-endian.
    public static func encodeFloat(_ values: [Float], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeFixed($0, &out) } }
    /// Appends DOUBLE values little-endian.
    public static func encodeDouble(_ values: [Double], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeFixed($0, &out) } }

    /// Appends nanosecond timestamps as INT96 (nanoseconds of day, then Julian day).
    public static func encodeInt96Nanoseconds(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + values.count * 12)
        for v in values {
            let (nanos, day) = Int96Timestamp.split(nanoseconds: v)
            appendLE(nanos, to: &out)
            appendLE(day, to: &out)
        }
    }

    /// Appends BYTE_ARRAY values `data[offsets[i]..<offsets[i+1]]` as length + bytes. Throws
    /// `invalidArgument` when the offsets are not non-decreasing within `data` or a value exceeds 4 GiB.
    public static func encodeByteArray(offsets: [Int64], data: [UInt8], into out: inout [UInt8]) throws(ParquetError) {
        let n = try validateOffsets(offsets, dataCount: data.count)
        guard n > 0 else { return }
        let total = Int(offsets[n] - offsets[0])
        out.reserveCapacity(out.count + total + 4 * n)
        data.withUnsafeBytes { raw in
            for i in 0..<n {
                let s = Int(offsets[i]), e = Int(offsets[i + 1])
                appendLE(UInt32(e - s), to: &out)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[s..<e]))
            }
        }
    }

    /// Appends FIXED_LEN_BYTE_ARRAY values; every value must be exactly `width` bytes.
    public static func encodeFixedLenByteArray(width: Int, offsets: [Int64], data: [UInt8], into out: inout [UInt8]) throws(ParquetError) {
        let n = try validateOffsets(offsets, dataCount: data.count)
        for i in 0..<n where offsets[i + 1] - offsets[i] != Int64(width) {
            throw ParquetError(.invalidArgument, "FIXED_LEN_BYTE_ARRAY value \(i) has \(offsets[i + 1] - offsets[i]) bytes, not \(width)")
        }
        guard n > 0 else { return }
        out.append(contentsOf: data[Int(offsets[0])..<Int(offsets[n])])
    }

    @inline(__always)
    static func encodeFixed<T: BitwiseCopyable>(_ values: UnsafeBufferPointer<T>, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    /// Checks `offsets` describe `offsets.count - 1` values inside `data`; returns that count.
    static func validateOffsets(_ offsets: [Int64], dataCount: Int) throws(ParquetError) -> Int {
        if offsets.isEmpty { return 0 }
        var prev = offsets[0]
        guard prev >= 0 else { throw ParquetError(.invalidArgument, "byte array offsets start at \(prev)") }
        for i in 1..<offsets.count {
            let o = offsets[i]
            guard o >= prev, o <= Int64(dataCount) else {
                throw ParquetError(.invalidArgument, "byte array offset \(i) (\(o)) is out of order or past \(dataCount) data bytes")
            }
            guard o - prev <= Int64(UInt32.max) else {
                throw ParquetError(.invalidArgument, "byte array value \(i - 1) is longer than 4 GiB")
            }
            prev = o
        }
        return offsets.count - 1
    }
}

/// INT96 timestamps: 8 bytes little-endian nanoseconds within the day, then 4 bytes little-endian Julian
/// day number (Julian day 2,440,588 is 1970-01-01).
public enum Int96Timestamp {
    /// The Julian day number of the Unix epoch.
    public static let julianDayOfEpoch: Int64 = 2_440_588
    /// Nanoseconds in one day.
    public static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    /// Converts one 12-byte INT96 value to nanoseconds since the epoch; throws when it does not fit Int64.
    public static func nanoseconds(_ raw: UnsafeRawBufferPointer) throws(ParquetError) -> Int64 {
        guard raw.count == 12 else { throw .corrupt("INT96 value has \(raw.count) bytes, not 12") }
        let nanosOfDay = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        let julian = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: Int32.self)))
        return try nanoseconds(nanosOfDay: nanosOfDay, julianDay: julian)
    }

    /// Nanoseconds since the epoch of a Julian day plus nanoseconds within it, with overflow checked.
    public static func nanoseconds(nanosOfDay: Int64, julianDay: Int64) throws(ParquetError) -> Int64 {
        // In 128 bits the product cannot overflow, and near Int64.min the day's product alone can be out of
        // range while the sum is not.
        let total = Int128(julianDay - julianDayOfEpoch) * Int128(nanosecondsPerDay) + Int128(nanosOfDay)
        guard let result = Int64(exactly: total) else {
            throw .corrupt("INT96 timestamp (Julian day \(julianDay)) is outside the Int64 nanosecond range")
        }
        return result
    }

    /// Splits nanoseconds since the epoch into (nanoseconds of day, Julian day) for writing INT96.
    public static func split(nanoseconds: Int64) -> (nanosOfDay: Int64, julianDay: Int32) {
        var day = nanoseconds / nanosecondsPerDay
        var rem = nanoseconds % nanosecondsPerDay
        if rem < 0 { rem += nanosecondsPerDay; day -= 1 }
        // |day| <= 106,752 for any Int64, so the Julian day always fits Int32.
        return (rem, Int32(truncatingIfNeeded: day + julianDayOfEpoch))
    }
}
