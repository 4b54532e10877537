/// Limits that protect decoders from inputs whose declared sizes would make them allocate without bound.
public enum EncodingLimits {
    /// Most bytes one decode call may produce for variable-length values (DELTA_BYTE_ARRAY prefixes and
    /// dictionary gathers can expand far beyond their input). A page never legitimately needs more.
    public static let maxDecodedBytes = Int(Int32.max)
}

/// Grows `array` by `n` elements and lets `fill` write them in place, without a per-element append.
/// When `fill` throws, `array` is left as it was. `T` is trivial, so uninitialised tails need no cleanup.
@inline(__always)
func appendUninitialized<T: BitwiseCopyable>(
    _ array: inout [T], count n: Int, zero: T,
    _ fill: (UnsafeMutableBufferPointer<T>) throws(ParquetError) -> Void
) throws(ParquetError) {
    if n <= 0 { return }
    // A fresh array skips zero-filling, but would drop capacity the caller reserved for later appends.
    if array.isEmpty && array.capacity < n {
        var failure: ParquetError?
        let fresh = [T](unsafeUninitializedCapacity: n) { buf, initialized in
            do throws(ParquetError) {
                try fill(UnsafeMutableBufferPointer(rebasing: buf[0..<n]))
                initialized = n
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        array = fresh
        return
    }
    let old = array.count
    array.append(contentsOf: repeatElement(zero, count: n))
    var failure: ParquetError?
    array.withUnsafeMutableBufferPointer { buf in
        do throws(ParquetError) { try fill(UnsafeMutableBufferPointer(rebasing: buf[old..<old + n])) } catch { failure = error }
    }
    if let failure {
        array.removeLast(n)
        throw failure
    }
}

/// `a * b` for sizes read from a file, throwing instead of overflowing.
@inline(__always)
func checkedSize(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(ParquetError) -> Int {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    if o || a < 0 || b < 0 { throw .corrupt("\(what()) size overflows (\(a) x \(b))") }
    return r
}

/// Throws unless `count` is a usable value count.
@inline(__always)
func checkCount(_ count: Int, _ what: String) throws(ParquetError) {
    if count < 0 { throw ParquetError(.invalidArgument, "\(what): negative value count \(count)") }
}

/// Appends an unsigned LEB128 varint (Thrift compact integers and the encodings' headers alike).
@inlinable @inline(__always)
func appendVarUInt(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(truncatingIfNeeded: v))
}

/// Appends a zigzag varint (DELTA_BINARY_PACKED's signed header fields, Thrift compact integers).
@inlinable @inline(__always)
func appendZigZag(_ value: Int64, to out: inout [UInt8]) {
    appendVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &out)
}

/// Appends the little-endian bytes of `value`.
@inline(__always)
func appendLE<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}

/// Accumulates LSB-first bit-packed values (the RLE hybrid's and DELTA_BINARY_PACKED's order).
struct LSBBitWriter {
    var acc: UInt64 = 0
    var bits: Int = 0

    /// Appends the low `width` (0...64) bits of `value`, flushing whole bytes into `out`.
    @inline(__always)
    mutating func write(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        if width > 32 {
            write(value & 0xFFFF_FFFF, width: 32, to: &out)
            write(value >> 32, width: width - 32, to: &out)
            return
        }
        if width == 0 { return }
        let masked = width == 64 ? value : value & ((1 << UInt64(width)) &- 1)
        acc |= masked << UInt64(bits)
        bits += width
        while bits >= 8 {
            out.append(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            bits -= 8
        }
    }

    /// Writes the pending partial byte, zero-padded.
    mutating func flush(to out: inout [UInt8]) {
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
        acc = 0
        bits = 0
    }
}

/// Reads `width` (0...64) bits at `bitOffset` LSB-first from `base`, which has `limit` readable bytes.
/// Bits past `limit` read as zero; callers check beforehand that the bits they use are inside.
@inline(__always)
func readBitsLSB(_ base: UnsafeRawPointer, limit: Int, bitOffset: Int, width: Int) -> UInt64 {
    if width == 0 { return 0 }
    let byte = bitOffset >> 3
    let shift = UInt64(bitOffset & 7)
    var v: UInt64
    if byte + 9 <= limit {
        v = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> shift
        if Int(shift) + width > 64 {
            v |= UInt64(base.load(fromByteOffset: byte + 8, as: UInt8.self)) << (64 - shift)
        }
    } else {
        v = 0
        var i = 0
        while i < 9 && byte + i < limit {
            let b = UInt64(base.load(fromByteOffset: byte + i, as: UInt8.self))
            if i == 0 { v = b >> shift } else { v |= b << (UInt64(i * 8) - shift) }
            i += 1
        }
    }
    return width == 64 ? v : v & ((1 << UInt64(width)) &- 1)
}

/// `array.withUnsafeBytes` keeping the typed error (the standard library's version rethrows `any Error`).
@inline(__always)
func withBytes<T, R>(
    _ array: [T], _ body: (UnsafeRawBufferPointer) throws(ParquetError) -> R
) throws(ParquetError) -> R {
    let result = array.withUnsafeBytes { raw in Result { () throws(ParquetError) -> R in try body(raw) } }
    return try result.get()
}

/// `array.withUnsafeBufferPointer` keeping the typed error.
@inline(__always)
func withBuffer<T, R>(
    _ array: [T], _ body: (UnsafeBufferPointer<T>) throws(ParquetError) -> R
) throws(ParquetError) -> R {
    let result = array.withUnsafeBufferPointer { buf in Result { () throws(ParquetError) -> R in try body(buf) } }
    return try result.get()
}
