/// Min/max of a column chunk's present values in the column's sort order, as PLAIN bytes (without
/// the length prefix of byte arrays).
struct MinMax {
    var min: [UInt8]
    var max: [UInt8]
}

@inline(__always)
func littleEndianBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    withUnsafeBytes(of: v.littleEndian) { Array($0) }
}

/// Signed or unsigned min/max of integers at the given positions.
func integerMinMax<T: FixedWidthInteger, U: FixedWidthInteger>(
    _ values: UnsafeBufferPointer<T>, selection: UnsafeBufferPointer<Int>?, range: Range<Int>, as _: U.Type
) -> MinMax? where T.Magnitude == U.Magnitude {
    let n = selection?.count ?? range.count
    guard n > 0 else { return nil }
    var lo = U(truncatingIfNeeded: values[selection?[0] ?? range.lowerBound])
    var hi = lo
    if let selection {
        for p in selection {
            let v = U(truncatingIfNeeded: values[p])
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
    } else {
        for p in range {
            let v = U(truncatingIfNeeded: values[p])
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
    }
    return MinMax(min: littleEndianBytes(T(truncatingIfNeeded: lo)), max: littleEndianBytes(T(truncatingIfNeeded: hi)))
}

/// Min/max of floats ignoring NaN; nil when every value is NaN. A zero min is written as -0.0 and a
/// zero max as +0.0 (parquet.thrift ColumnOrder rules), so readers never prune a zero of the other sign.
func floatingMinMax<T: BinaryFloatingPoint & BitwiseCopyable>(
    _ values: UnsafeBufferPointer<T>, selection: UnsafeBufferPointer<Int>?, range: Range<Int>, nanCount: inout Int
) -> (T, T)? {
    var lo = T.infinity, hi = -T.infinity
    var any = false
    var nans = 0
    func visit(_ v: T) {
        if v.isNaN { nans += 1; return }
        any = true
        if v < lo { lo = v }
        if v > hi { hi = v }
    }
    if let selection { for p in selection { visit(values[p]) } } else { for p in range { visit(values[p]) } }
    nanCount = nans
    guard any else { return nil }
    if lo == 0 { lo = -0.0 }
    if hi == 0 { hi = 0.0 }
    return (lo, hi)
}

/// Min/max of byte values, unsigned lexicographic, or numeric for big-endian two's complement decimals.
func bytesMinMax(
    offsets: UnsafeBufferPointer<Int64>, data: UnsafeBufferPointer<UInt8>, selection: UnsafeBufferPointer<Int>?,
    range: Range<Int>, decimal: Bool
) -> MinMax? {
    let n = selection?.count ?? range.count
    guard n > 0 else { return nil }
    func slice(_ p: Int) -> UnsafeBufferPointer<UInt8> {
        let s = Int(offsets[p]), e = Int(offsets[p + 1])
        return UnsafeBufferPointer(rebasing: data[s..<e])
    }
    func less(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if decimal, let fa = a.first, let fb = b.first {
            // Same width: the sign bit decides first, then unsigned byte order.
            let na = fa & 0x80 != 0, nb = fb & 0x80 != 0
            if na != nb { return na }
        }
        let m = Swift.min(a.count, b.count)
        for i in 0..<m where a[i] != b[i] { return a[i] < b[i] }
        return a.count < b.count
    }
    var loSlice = slice(selection?[0] ?? range.lowerBound), hiSlice = loSlice
    func visit(_ p: Int) {
        let v = slice(p)
        if less(v, loSlice) { loSlice = v }
        if less(hiSlice, v) { hiSlice = v }
    }
    if let selection { for p in selection { visit(p) } } else { for p in range { visit(p) } }
    return MinMax(min: Array(loSlice), max: Array(hiSlice))
}

/// Truncation of byte-array statistics to `limit` bytes (parquet.thrift Statistics: bounds need not be
/// values that occur). For UTF-8 strings the cut falls on a character boundary and the max's last
/// character is incremented, so both bounds stay valid strings.
enum StatisticsTruncation {
    /// A prefix of at most `limit` bytes: still a lower bound.
    static func lowerBound(_ value: [UInt8], limit: Int, utf8: Bool) -> [UInt8] {
        guard value.count > limit else { return value }
        return Array(value[0..<boundary(value, limit, utf8: utf8)])
    }

    /// A value of at most `limit` bytes that is greater than or equal to `value`, or nil when none exists.
    static func upperBound(_ value: [UInt8], limit: Int, utf8: Bool) -> [UInt8]? {
        guard value.count > limit else { return value }
        var prefix = Array(value[0..<boundary(value, limit, utf8: utf8)])
        if utf8, String(validating: prefix, as: UTF8.self) != nil {
            var scalars = Array(String(decoding: prefix, as: UTF8.self).unicodeScalars)
            while let last = scalars.popLast() {
                var next = last.value + 1
                if next == 0xD800 { next = 0xE000 }  // skip the surrogate range
                if let s = Unicode.Scalar(next) {
                    scalars.append(s)
                    var out = [UInt8]()
                    for sc in scalars { out.append(contentsOf: String(sc).utf8) }
                    return out.count <= limit ? out : nil
                }
            }
            return nil
        }
        while let last = prefix.popLast() {
            if last < 0xff {
                prefix.append(last + 1)
                return prefix
            }
        }
        return nil
    }

    /// The cut position: `limit`, moved back off a UTF-8 continuation byte for strings.
    private static func boundary(_ value: [UInt8], _ limit: Int, utf8: Bool) -> Int {
        var end = Swift.max(0, limit)
        if utf8 { while end > 0 && end < value.count && value[end] & 0xC0 == 0x80 { end -= 1 } }
        return end
    }
}
