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
        try decodeFixedBytes(&reader, width: 12, count: count, into: &raw, "INT96")
    }

    /// Decodes `count` INT96 timestamps and appends them as nanoseconds since the Unix epoch (see
    /// `Int96Timestamp.nanoseconds` for out-of-range values).
    public static func decodeInt96Nanoseconds(_ reader: inout ByteReader, count: Int, into values: inout [Int64]) throws(ParquetError) {
        try checkCount(count, "PLAIN INT96")
        let src = try reader.readBytes(try checkedSize(count, 12, "INT96 values"))
        Int96Timestamp.appendNanoseconds(src, to: &values)
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
        let start = data.count
        try decodeFixedBytes(&reader, width: width, count: count, into: &data, "FIXED_LEN_BYTE_ARRAY")
        appendFixedOffsets(&offsets, dataCount: start, width: width, count: count)
    }

    /// Appends the bytes of `count` values of `width` bytes each (INT96, FIXED_LEN_BYTE_ARRAY) to `data`,
    /// without offsets: the reader keeps fixed-width bytes dense and slices them by width.
    static func decodeFixedBytes(
        _ reader: inout ByteReader, width: Int, count: Int, into data: inout [UInt8], _ name: String
    ) throws(ParquetError) {
        try checkCount(count, "PLAIN \(name)")
        let src = try reader.readBytes(try checkedSize(count, width, "\(name) values"))
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

/// Which elements of a column an encoder takes, in order: the `k`-th value (for `k` in `values`) is element
/// `selection[k]` when there is a selection (a column with nulls), else element `start + k`. This lets the
/// writer encode a page of present values straight from the column, without gathering them first.
struct ValuePositions {
    var selection: UnsafeBufferPointer<Int>?
    var start: Int
    var values: Range<Int>

    /// All `count` elements from the first.
    static func all(_ count: Int) -> ValuePositions { ValuePositions(selection: nil, start: 0, values: 0..<count) }

    /// The element index of the `k`-th value.
    @inline(__always) func position(_ k: Int) -> Int { selection?[k] ?? start &+ k }
}

/// Encoders for PLAIN values; each appends to `out`.
public enum PlainValueEncoder {
    /// Appends `bits` as LSB-first bit-packed booleans (`ceil(count / 8)` bytes).
    public static func encodeBoolean(_ bits: Bitmap, into out: inout [UInt8]) {
        encodeBoolean(bits, .all(bits.count), into: &out)
    }

    /// Appends INT32 values little-endian.
    public static func encodeInt32(_ values: UnsafeBufferPointer<Int32>, into out: inout [UInt8]) { encodeFixed(values, .all(values.count), into: &out) }
    /// Appends INT64 values little-endian.
    public static func encodeInt64(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) { encodeFixed(values, .all(values.count), into: &out) }
    /// Appends FLOAT values as IEEE 754 little-endian.
    public static func encodeFloat(_ values: UnsafeBufferPointer<Float>, into out: inout [UInt8]) { encodeFixed(values, .all(values.count), into: &out) }
    /// Appends DOUBLE values as IEEE 754 little-endian.
    public static func encodeDouble(_ values: UnsafeBufferPointer<Double>, into out: inout [UInt8]) { encodeFixed(values, .all(values.count), into: &out) }
    /// Appends INT32 values little-endian.
    public static func encodeInt32(_ values: [Int32], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeInt32($0, into: &out) } }
    /// Appends INT64 values little-endian.
    public static func encodeInt64(_ values: [Int64], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeInt64($0, into: &out) } }
    /// Appends FLOAT values little-endian.
    public static func encodeFloat(_ values: [Float], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeFloat($0, into: &out) } }
    /// Appends DOUBLE values little-endian.
    public static func encodeDouble(_ values: [Double], into out: inout [UInt8]) { values.withUnsafeBufferPointer { encodeDouble($0, into: &out) } }

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
        withBuffers(offsets, data) { o, d in encodeBytes(offsets: o, data: d, .all(n), lengthPrefix: true, into: &out) }
    }

    /// Appends FIXED_LEN_BYTE_ARRAY values; every value must be exactly `width` bytes.
    public static func encodeFixedLenByteArray(width: Int, offsets: [Int64], data: [UInt8], into out: inout [UInt8]) throws(ParquetError) {
        let n = try validateOffsets(offsets, dataCount: data.count)
        for i in 0..<n where offsets[i + 1] - offsets[i] != Int64(width) {
            throw ParquetError(.invalidArgument, "FIXED_LEN_BYTE_ARRAY value \(i) has \(offsets[i + 1] - offsets[i]) bytes, not \(width)")
        }
        withBuffers(offsets, data) { o, d in encodeBytes(offsets: o, data: d, .all(n), lengthPrefix: false, into: &out) }
    }

    // The writer's entry points: values picked by `ValuePositions`, inputs trusted (the writer built them).

    /// Appends the booleans at `positions`, bit-packed LSB first.
    static func encodeBoolean(_ bits: Bitmap, _ positions: ValuePositions, into out: inout [UInt8]) {
        let n = positions.values.count
        let first = positions.start &+ positions.values.lowerBound
        if positions.selection == nil && first & 7 == 0 {
            // Byte-aligned run: the bitmap's little-endian words already are the PLAIN bytes.
            let byteCount = (n + 7) / 8
            bits.words.withUnsafeBytes { raw in
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(first >> 3)..<((first >> 3) + byteCount)]))
            }
            // Bits past the run (the rest of the column) must not leak into the last byte's padding.
            if n & 7 != 0, let last = out.indices.last { out[last] &= UInt8((1 << (n & 7)) - 1) }
            return
        }
        var acc: UInt8 = 0
        var bit = 0
        out.reserveCapacity(out.count + n / 8 + 1)
        for k in positions.values {
            if bits[positions.position(k)] { acc |= 1 << UInt8(bit) }
            bit += 1
            if bit == 8 { out.append(acc); acc = 0; bit = 0 }
        }
        if bit > 0 { out.append(acc) }
    }

    /// Appends the fixed-width values at `positions` little-endian: one copy for a contiguous run, one
    /// per value through a selection.
    static func encodeFixed<T: BitwiseCopyable>(_ values: UnsafeBufferPointer<T>, _ positions: ValuePositions, into out: inout [UInt8]) {
        let width = MemoryLayout<T>.stride
        let raw = UnsafeRawBufferPointer(values)
        guard let sel = positions.selection else {
            let first = (positions.start + positions.values.lowerBound) * width
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[first..<(first + positions.values.count * width)]))
            return
        }
        guard let s = raw.baseAddress else { return }
        try? appendUninitialized(&out, count: positions.values.count * width, zero: 0) { dst in
            guard let d = dst.baseAddress else { return }
            var at = 0
            for k in positions.values {
                (UnsafeMutableRawPointer(d) + at).copyMemory(from: s + sel[k] * width, byteCount: width)
                at += width
            }
        }
    }

    /// Appends the byte values at `positions`, each preceded by its 4-byte length for BYTE_ARRAY
    /// (`lengthPrefix`) or bare for FIXED_LEN_BYTE_ARRAY. Sizes the output once, then copies.
    static func encodeBytes(
        offsets: UnsafeBufferPointer<Int64>, data: UnsafeBufferPointer<UInt8>, _ positions: ValuePositions,
        lengthPrefix: Bool, into out: inout [UInt8]
    ) {
        let prefix = lengthPrefix ? 4 : 0
        var total = 0
        for k in positions.values {
            let p = positions.position(k)
            total += Int(offsets[p + 1] - offsets[p]) + prefix
        }
        try? appendUninitialized(&out, count: total, zero: 0) { dst in
            guard let base = dst.baseAddress.map(UnsafeMutableRawPointer.init) else { return }
            var at = 0
            for k in positions.values {
                let p = positions.position(k)
                let s = Int(offsets[p]), len = Int(offsets[p + 1]) - s
                if lengthPrefix {
                    base.storeBytes(of: UInt32(truncatingIfNeeded: len).littleEndian, toByteOffset: at, as: UInt32.self)
                    at += 4
                }
                if len > 0, let src = data.baseAddress {
                    (base + at).copyMemory(from: src + s, byteCount: len)
                }
                at += len
            }
        }
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

/// Calls `body` with buffers over `offsets` and `data`.
@inline(__always)
private func withBuffers<R>(_ offsets: [Int64], _ data: [UInt8], _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<UInt8>) -> R) -> R {
    offsets.withUnsafeBufferPointer { o in data.withUnsafeBufferPointer { d in body(o, d) } }
}

/// INT96 timestamps: 8 bytes little-endian nanoseconds within the day, then 4 bytes little-endian Julian
/// day number (Julian day 2,440,588 is 1970-01-01).
public enum Int96Timestamp {
    /// The Julian day number of the Unix epoch.
    public static let julianDayOfEpoch: Int64 = 2_440_588
    /// Nanoseconds in one day.
    public static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    /// Converts one 12-byte INT96 value to nanoseconds since the epoch. The Julian day is unsigned and the
    /// arithmetic wraps, as in pyarrow (`Int96GetNanoSeconds`): Spark writes dates outside the Int64
    /// nanosecond range, and pyarrow, the reference reader, returns their wrapped values rather than failing.
    public static func nanoseconds(_ raw: UnsafeRawBufferPointer) throws(ParquetError) -> Int64 {
        guard raw.count == 12, let base = raw.baseAddress else { throw .corrupt("INT96 value has \(raw.count) bytes, not 12") }
        return nanoseconds(base)
    }

    /// Converts the 12-byte INT96 value at `p`.
    @inline(__always)
    static func nanoseconds(_ p: UnsafeRawPointer) -> Int64 {
        let nanosOfDay = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        let julian = Int64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        return (julian &- julianDayOfEpoch) &* nanosecondsPerDay &+ nanosOfDay
    }

    /// Appends the nanoseconds of every whole 12-byte value in `raw` to `values`.
    static func appendNanoseconds(_ raw: UnsafeRawBufferPointer, to values: inout [Int64]) {
        let n = raw.count / 12
        guard n > 0, let base = raw.baseAddress else { return }
        try? appendUninitialized(&values, count: n, zero: 0) { dst in
            for i in 0..<n { dst[i] = nanoseconds(base + i * 12) }
        }
    }

    /// Converts the 12-byte INT96 value at `p` to `unit` since the epoch exactly: the Julian day times the
    /// unit's day length plus the nanoseconds of day divided by the unit's length in nanoseconds, rounded
    /// toward negative infinity. Nil when the result does not fit an Int64 (a Julian day no real writer
    /// produces). Unlike `nanoseconds`, nothing wraps: microseconds cover every Julian day up to year 294,000.
    @inline(__always)
    static func value(_ p: UnsafeRawPointer, unit: TimeUnit) -> Int64? {
        let nanosOfDay = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        let julian = Int64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        let nanosPerUnit = 1_000_000_000 / unit.perSecond
        let (days, dayOverflow) = (julian - julianDayOfEpoch).multipliedReportingOverflow(by: 86_400 * unit.perSecond)
        var within = nanosOfDay / nanosPerUnit
        if nanosOfDay % nanosPerUnit < 0 { within -= 1 }
        let (sum, sumOverflow) = days.addingReportingOverflow(within)
        return dayOverflow || sumOverflow ? nil : sum
    }

    /// Appends every whole 12-byte value in `raw` converted to `unit` (see `value(_:unit:)`); nanoseconds
    /// keep `nanoseconds`' wrapping. Throws when a value does not fit an Int64 in `unit`.
    static func appendValues(_ raw: UnsafeRawBufferPointer, unit: TimeUnit, to values: inout [Int64]) throws(ParquetError) {
        if unit == .nanosecond { return appendNanoseconds(raw, to: &values) }
        let n = raw.count / 12
        guard n > 0, let base = raw.baseAddress else { return }
        try appendUninitialized(&values, count: n, zero: 0) { (dst) throws(ParquetError) in
            for i in 0..<n {
                let p = base + i * 12
                guard let v = value(p, unit: unit) else {
                    let julian = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
                    let nanos = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self))
                    throw .corrupt("INT96 value \(i) (Julian day \(julian), \(nanos) ns of day) is outside the range of \(unit.rawValue) timestamps")
                }
                dst[i] = v
            }
        }
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
