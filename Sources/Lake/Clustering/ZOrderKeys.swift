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
        let k = keys.count
        guard k > 0 else { return [] }
        var out = [UInt64](repeating: 0, count: rows * k)
        if k == 1 {
            for r in 0..<rows { out[r] = keys[0][r] }
            return out
        }
        if k == 2 {
            // Two columns: spread each 32-bit half and merge (bit 63 of column 0 lands at the top of word 0).
            let a = keys[0], b = keys[1]
            for r in 0..<rows {
                out[2 * r] = spread(UInt32(truncatingIfNeeded: a[r] >> 32)) << 1 | spread(UInt32(truncatingIfNeeded: b[r] >> 32))
                out[2 * r + 1] = spread(UInt32(truncatingIfNeeded: a[r])) << 1 | spread(UInt32(truncatingIfNeeded: b[r]))
            }
            return out
        }
        for r in 0..<rows {
            var bit = 0
            for level in stride(from: 63, through: 0, by: -1) {
                for c in 0..<k {
                    if keys[c][r] >> UInt64(level) & 1 == 1 {
                        out[r * k + bit / 64] |= 1 << UInt64(63 - bit % 64)
                    }
                    bit += 1
                }
            }
        }
        return out
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
