import Columnar

/// Z-order (Morton) keys of rows, for `optimize --zorder`: each clustering column's value is mapped
/// order-preservingly to an unsigned 64-bit key, and a row's Z-value interleaves the bits of its keys, most
/// significant first (bit 63 of column 0, bit 63 of column 1, ..., then bit 62 of each). Sorting rows by their
/// Z-values keeps rows close in every column close in the file, so each file's min/max ranges stay narrow in all
/// the columns at once and a predicate on any of them skips most files.
///
/// The order-preserving images: signed integers, dates, times and timestamps with their sign bit flipped;
/// unsigned integers as they are; floats by their IEEE bits (negatives inverted, positives with the sign bit
/// set; NaN sorts last); decimals clamped to the 64-bit range of their unscaled value; strings and binaries by
/// their first 8 bytes, big-endian, zero-padded; booleans as 0 and 1. Nulls are 0 (first). Typed loops over the
/// column buffers, no per-cell boxing.
enum ZOrderKeys {
    /// The order-preserving 64-bit image of each row of `column`; nested types are refused.
    static func orderKeys(_ column: Column, name: String) throws(LakeError) -> [UInt64] {
        let n = column.count
        var out = [UInt64](repeating: 0, count: n)
        func signed<T: FixedWidthInteger & SignedInteger>(_ a: [T]) {
            for i in 0..<min(n, a.count) { out[i] = UInt64(bitPattern: Int64(a[i])) ^ (1 << 63) }
        }
        func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ a: [T]) {
            for i in 0..<min(n, a.count) { out[i] = UInt64(a[i]) }
        }
        switch column.values {
        case let .boolean(b): for i in 0..<min(n, b.count) where b[i] { out[i] = 1 }
        case let .int8(a): signed(a)
        case let .int16(a): signed(a)
        case let .int32(a): signed(a)
        case let .int64(a): signed(a)
        case let .uint8(a): unsigned(a)
        case let .uint16(a): unsigned(a)
        case let .uint32(a): unsigned(a)
        case let .uint64(a): unsigned(a)
        case let .float32(a): for i in 0..<min(n, a.count) { out[i] = floatKey(Double(a[i])) }
        case let .float64(a): for i in 0..<min(n, a.count) { out[i] = floatKey(a[i]) }
        case let .decimal(a):
            let lo = Int128(Int64.min), hi = Int128(Int64.max)
            for i in 0..<min(n, a.count) { out[i] = UInt64(bitPattern: Int64(min(max(a[i], lo), hi))) ^ (1 << 63) }
        case let .bytes(offsets, data):
            for i in 0..<n where i + 1 < offsets.count {
                let start = offsets[i], end = offsets[i + 1]
                guard start >= 0, start <= end, end <= Int64(data.count) else {
                    throw LakeError(.corruptTable, "column \(name): row \(i) has byte offsets \(start)..<\(end) outside its \(data.count) bytes")
                }
                var key: UInt64 = 0
                let s = Int(start), len = min(8, Int(end - start))
                for j in 0..<8 { key = key << 8 | (j < len ? UInt64(data[s + j]) : 0) }
                out[i] = key
            }
        case .list, .structure, .map:
            throw LakeError.invalidRequest("cannot Z-order by \(name): it is \(column.type.name); Z-order columns are numbers, dates, timestamps, strings or booleans")
        }
        if column.validity != nil {
            for i in 0..<n where column.isNull(i) { out[i] = 0 }
        }
        return out
    }

    /// A double's IEEE bits in an order-preserving form (-0.0 and 0.0 equal, NaN last).
    static func floatKey(_ d: Double) -> UInt64 {
        if d.isNaN { return .max }
        let bits = (d == 0 ? 0.0 : d).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The Z-values of `rows` rows from one key array per column: `keys.count` words per row, row after row.
    static func interleave(_ keys: [[UInt64]], rows: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: rows * keys.count)
        for (c, key) in keys.enumerated() { interleave(key, column: c, of: keys.count, into: &out) }
        return out
    }

    /// Adds column `c`'s keys (of `k` columns) into the Z-values `z` (`k` words per row): bit `level` of the key
    /// goes to position `(63 - level) * k + c` from the top of the row's words. One column at a time, so a
    /// Z-order holds one key array besides the Z-values.
    static func interleave(_ key: [UInt64], column c: Int, of k: Int, into z: inout [UInt64]) {
        guard k > 0, c >= 0, c < k else { return }
        let rows = min(key.count, z.count / k)
        if k == 1 {
            for r in 0..<rows { z[r] = key[r] }
            return
        }
        if k == 2 {
            // Spread each 32-bit half over the even bits and shift column 0 to the odd ones (bit 63 first).
            let shift = UInt64(1 - c)
            for r in 0..<rows {
                z[2 * r] |= spread(UInt32(truncatingIfNeeded: key[r] >> 32)) << shift
                z[2 * r + 1] |= spread(UInt32(truncatingIfNeeded: key[r])) << shift
            }
            return
        }
        for r in 0..<rows {
            let v = key[r]
            guard v != 0 else { continue }
            for level in stride(from: 63, through: 0, by: -1) where v >> UInt64(level) & 1 == 1 {
                let p = (63 - level) * k + c
                z[r * k + p / 64] |= 1 << UInt64(63 - p % 64)
            }
        }
    }

    /// The 32 bits of `x` at the even positions of a 64-bit word (bit i of x at bit 2i).
    static func spread(_ x: UInt32) -> UInt64 {
        var v = UInt64(x)
        v = (v | v << 16) & 0x0000_FFFF_0000_FFFF
        v = (v | v << 8) & 0x00FF_00FF_00FF_00FF
        v = (v | v << 4) & 0x0F0F_0F0F_0F0F_0F0F
        v = (v | v << 2) & 0x3333_3333_3333_3333
        v = (v | v << 1) & 0x5555_5555_5555_5555
        return v
    }

    /// The row order that sorts the rows by their Z-values (`width` words each); ties keep input order.
    static func order(_ z: [UInt64], width: Int, rows: Int) -> [Int] {
        guard width > 0 else { return Array(0..<rows) }
        var index = Array(0..<rows)
        index.sort { x, y in
            for w in 0..<width {
                let a = z[x * width + w], b = z[y * width + w]
                if a != b { return a < b }
            }
            return x < y
        }
        return index
    }
}
