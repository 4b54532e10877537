import Columnar
import Foundation

extension ComparisonOp {
    /// The operator with its operands swapped (`5 < x` is `x > 5`).
    var flipped: ComparisonOp {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }
}

/// Comparisons of two same-typed columns, or a column with a constant, into boolean columns.
/// Floating point follows Spark: NaN equals NaN and is larger than every other value; strings and
/// binary compare bytewise (UTF-8 byte order is code point order).
enum Compare {
    static func compare(_ op: ComparisonOp, _ l: Column, _ r: Column) throws(DataFrameError) -> Column {
        let n = l.count
        let validity = BitmapOps.and(l.validity, r.validity)
        func num<T: Comparable & ColumnElement>(_: T.Type) throws(DataFrameError) -> Bitmap {
            let a = try Kernels.buffer(l, as: T.self), b = try Kernels.buffer(r, as: T.self)
            return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
                ordered(op, n, { x[$0] }, { y[$0] }, lt: { $0 < $1 }, eq: { $0 == $1 })
            } }
        }
        func float<T: BinaryFloatingPoint & ColumnElement>(_: T.Type) throws(DataFrameError) -> Bitmap {
            let a = try Kernels.buffer(l, as: T.self), b = try Kernels.buffer(r, as: T.self)
            return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
                ordered(op, n, { x[$0] }, { y[$0] }, lt: floatLess, eq: floatEqual)
            } }
        }
        let bits: Bitmap
        switch l.values {
        case .boolean:
            let a = try Kernels.bits(l), b = try Kernels.bits(r)
            bits = ordered(op, n, { a[$0] ? 1 : 0 }, { b[$0] ? 1 : 0 }, lt: { (x: UInt8, y: UInt8) in x < y }, eq: { $0 == $1 })
        case .int8: bits = try num(Int8.self)
        case .int16: bits = try num(Int16.self)
        case .int32: bits = try num(Int32.self)
        case .int64: bits = try num(Int64.self)
        case .uint8: bits = try num(UInt8.self)
        case .uint16: bits = try num(UInt16.self)
        case .uint32: bits = try num(UInt32.self)
        case .uint64: bits = try num(UInt64.self)
        case .decimal: bits = try num(Int128.self)
        case .float32: bits = try float(Float.self)
        case .float64: bits = try float(Double.self)
        case let .bytes(o1, d1):
            let (o2, d2) = try Kernels.bytes(r)
            bits = d1.withUnsafeBufferPointer { x in d2.withUnsafeBufferPointer { y in
                o1.withUnsafeBufferPointer { p in o2.withUnsafeBufferPointer { q in
                    orderedBytes(op, n) { i in
                        compareBytes(x, Int(p[i])..<Int(p[i + 1]), y, Int(q[i])..<Int(q[i + 1]))
                    }
                } }
            } }
        default:
            throw .type(message: "cannot compare values of type \(l.type.name)", expression: l.type.name)
        }
        return Kernels.boolean(bits, validity: validity)
    }

    /// `column op constant`, without materializing the constant as a column.
    static func compare(_ op: ComparisonOp, _ l: Column, scalar v: Scalar) throws(DataFrameError) -> Column {
        let n = l.count
        func num<T: Comparable & ColumnElement>(_: T.Type, _ c: T?) throws(DataFrameError) -> Bitmap {
            guard let c else { throw .columnar(.invalid("constant \(v) does not fit \(l.type.name)")) }
            let a = try Kernels.buffer(l, as: T.self)
            return a.withUnsafeBufferPointer { x in ordered(op, n, { x[$0] }, { _ in c }, lt: { $0 < $1 }, eq: { $0 == $1 }) }
        }
        func int<T: FixedWidthInteger & ColumnElement>(_: T.Type) throws(DataFrameError) -> Bitmap {
            let c: T?
            switch v {
            case let .int(x): c = T(exactly: x)
            case let .uint(x): c = T(exactly: x)
            default: c = nil
            }
            guard let c else { throw .columnar(.invalid("constant \(v) does not fit \(l.type.name)")) }
            return integerToConstant(op, try Kernels.buffer(l, as: T.self), c)
        }
        let bits: Bitmap
        switch (l.values, v) {
        case let (.boolean(a), .boolean(c)):
            let k: UInt8 = c ? 1 : 0
            bits = ordered(op, n, { a[$0] ? 1 : 0 }, { _ in k }, lt: { (x: UInt8, y: UInt8) in x < y }, eq: { $0 == $1 })
        case (.int8, _): bits = try int(Int8.self)
        case (.int16, _): bits = try int(Int16.self)
        case (.int32, _): bits = try int(Int32.self)
        case (.int64, _): bits = try int(Int64.self)
        case (.uint8, _): bits = try int(UInt8.self)
        case (.uint16, _): bits = try int(UInt16.self)
        case (.uint32, _): bits = try int(UInt32.self)
        case (.uint64, _): bits = try int(UInt64.self)
        case let (.decimal, .decimal(c)): bits = try num(Int128.self, c)
        case let (.float32(a), .float(c)):
            bits = floatToConstant(op, a, c)
        case let (.float64(a), .double(c)):
            bits = floatToConstant(op, a, c)
        case let (.bytes(o, d), .string(s)):
            bits = compareBytesToConstant(op, o, d, Array(s.utf8))
        case let (.bytes(o, d), .bytes(c)):
            bits = compareBytesToConstant(op, o, d, c)
        default:
            // Unusual constant representations: fall back to the general kernel.
            return try compare(op, l, try Kernels.broadcast(v, l.type, count: n))
        }
        return Kernels.boolean(bits, validity: l.validity)
    }

    /// `x op c` for a float column and constant with Spark's NaN order (NaN equals NaN and is above everything).
    ///
    /// When `c` is not NaN each Spark comparison equals one plain IEEE comparison, which the optimizer can
    /// vectorize: `x > c` is `!(x <= c)` (true for NaN `x`), `x >= c` is `!(x < c)`, and `<`, `<=`, `=`, `<>`
    /// are already false/false/false/true for NaN `x`, as Spark wants. A NaN constant keeps the general path.
    private static func floatToConstant<T: BinaryFloatingPoint>(_ op: ComparisonOp, _ a: [T], _ c: T) -> Bitmap {
        let n = a.count
        return a.withUnsafeBufferPointer { x in
            guard !c.isNaN else { return ordered(op, n, { x[$0] }, { _ in c }, lt: { floatLess($0, $1) }, eq: { floatEqual($0, $1) }) }
            switch op {
            case .equal: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] == c } }
            case .notEqual: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] != c } }
            case .less: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] < c } }
            case .lessOrEqual: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] <= c } }
            case .greater: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { !(x[$0] <= c) } }
            case .greaterOrEqual: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { !(x[$0] < c) } }
            }
        }
    }

    /// `x op c` for an integer column and constant, split over the cores.
    private static func integerToConstant<T: FixedWidthInteger>(_ op: ComparisonOp, _ a: [T], _ c: T) -> Bitmap {
        let n = a.count
        return a.withUnsafeBufferPointer { x in
            switch op {
            case .equal: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] == c } }
            case .notEqual: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] != c } }
            case .less: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] < c } }
            case .lessOrEqual: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] <= c } }
            case .greater: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] > c } }
            case .greaterOrEqual: return BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] >= c } }
            }
        }
    }

    private static func compareBytesToConstant(_ op: ComparisonOp, _ o: [Int64], _ d: [UInt8], _ c: [UInt8]) -> Bitmap {
        let n = o.count - 1
        return d.withUnsafeBufferPointer { x in c.withUnsafeBufferPointer { y in o.withUnsafeBufferPointer { p in
            guard let xb = x.baseAddress, let yb = y.baseAddress else {
                // An empty data buffer (every value empty) or an empty constant: only lengths matter.
                return orderedBytes(op, n) { i in Int(p[i + 1] - p[i]) - y.count }
            }
            let raw = UnsafeRawPointer(xb), craw = UnsafeRawPointer(yb)
            let m = y.count
            if op == .equal || op == .notEqual {
                // Equality checks the length first, which rejects most rows without touching their bytes;
                // equal-length rows compare inline, 8 bytes per load, with no call per row.
                let want = op == .equal
                if m >= 1 && m <= 16 {
                    // Constants of up to 16 bytes: two overlapping 8-byte loads (one masked load below 8 bytes)
                    // compare every row without a data-dependent branch, so random lengths and values cost no
                    // mispredictions. The loads may read past a shorter value into its neighbours, never past
                    // the data buffer: rows too close to its end take the exact path.
                    let width = max(m, 8)
                    let second = max(m - 8, 0)
                    let mask: UInt64 = m >= 8 ? ~0 : UInt64(littleEndian: (1 &<< UInt64(8 * m)) &- 1)
                    let c0 = loadPrefix(craw, m) & mask
                    let c1 = m > 8 ? craw.loadUnaligned(fromByteOffset: second, as: UInt64.self) : c0
                    let limit = x.count - width
                    let flip: UInt64 = want ? 0 : 1
                    return BitmapOps.packSplit(n) { words, out in BitmapOps.fill(n, words, out) { i in
                        let s = Int(p[i]), len = Int(p[i + 1]) &- s
                        if s <= limit {
                            let a = raw.loadUnaligned(fromByteOffset: s, as: UInt64.self) & mask
                            let b = m > 8 ? raw.loadUnaligned(fromByteOffset: s &+ second, as: UInt64.self) : a
                            let diff = (a ^ c0) | (b ^ c1) | UInt64(truncatingIfNeeded: len ^ m)
                            return ((diff == 0 ? 1 : 0) ^ flip) != 0
                        }
                        return (len == m && equalBytes(raw + s, craw, m)) == want
                    } }
                }
                return BitmapOps.pack(n) { i in
                    let s = Int(p[i])
                    return (Int(p[i + 1]) - s == m && equalBytes(raw + s, craw, m)) == want
                }
            }
            return orderedBytes(op, n) { i in
                let s = Int(p[i])
                return compareBytes(raw + s, Int(p[i + 1]) - s, craw, m)
            }
        } } }
    }

    // MARK: - kernels

    @inline(__always)
    static func floatLess<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Bool { a < b || (b.isNaN && !a.isNaN) }

    @inline(__always)
    static func floatEqual<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Bool { a == b || (a.isNaN && b.isNaN) }

    /// Packs `x(i) op y(i)` using a strict total order `lt` and equality `eq`.
    @inline(__always)
    static func ordered<T>(_ op: ComparisonOp, _ n: Int, _ x: (Int) -> T, _ y: (Int) -> T,
                           lt: (T, T) -> Bool, eq: (T, T) -> Bool) -> Bitmap {
        switch op {
        case .equal: BitmapOps.pack(n) { eq(x($0), y($0)) }
        case .notEqual: BitmapOps.pack(n) { !eq(x($0), y($0)) }
        case .less: BitmapOps.pack(n) { lt(x($0), y($0)) }
        case .lessOrEqual: BitmapOps.pack(n) { !lt(y($0), x($0)) }
        case .greater: BitmapOps.pack(n) { lt(y($0), x($0)) }
        case .greaterOrEqual: BitmapOps.pack(n) { !lt(x($0), y($0)) }
        }
    }

    @inline(__always)
    private static func orderedBytes(_ op: ComparisonOp, _ n: Int, _ cmp: (Int) -> Int) -> Bitmap {
        switch op {
        case .equal: BitmapOps.pack(n) { cmp($0) == 0 }
        case .notEqual: BitmapOps.pack(n) { cmp($0) != 0 }
        case .less: BitmapOps.pack(n) { cmp($0) < 0 }
        case .lessOrEqual: BitmapOps.pack(n) { cmp($0) <= 0 }
        case .greater: BitmapOps.pack(n) { cmp($0) > 0 }
        case .greaterOrEqual: BitmapOps.pack(n) { cmp($0) >= 0 }
        }
    }

    /// Lexicographic comparison of two byte ranges: negative, zero or positive.
    @inline(__always)
    static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ ra: Range<Int>, _ b: UnsafeBufferPointer<UInt8>, _ rb: Range<Int>) -> Int {
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return ra.count - rb.count }
        return compareBytes(UnsafeRawPointer(pa + ra.lowerBound), ra.count, UnsafeRawPointer(pb + rb.lowerBound), rb.count)
    }

    /// Lexicographic comparison of `la` bytes at `a` with `lb` bytes at `b`, inline: whole 8-byte words
    /// first (compared as big-endian integers, which is byte order), then the tail. Only bytes inside both
    /// ranges are read.
    @inline(__always)
    static func compareBytes(_ a: UnsafeRawPointer, _ la: Int, _ b: UnsafeRawPointer, _ lb: Int) -> Int {
        let m = min(la, lb)
        var k = 0
        while k &+ 8 <= m {
            let u = a.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            let v = b.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            if u != v { return UInt64(bigEndian: u) < UInt64(bigEndian: v) ? -1 : 1 }
            k &+= 8
        }
        while k < m {
            let u = a.load(fromByteOffset: k, as: UInt8.self), v = b.load(fromByteOffset: k, as: UInt8.self)
            if u != v { return u < v ? -1 : 1 }
            k &+= 1
        }
        return la - lb
    }

    /// The first `min(count, 8)` bytes at `p` as a little-endian word, zero-padded, reading only those bytes.
    @inline(__always)
    static func loadPrefix(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
        if count >= 8 { return p.loadUnaligned(as: UInt64.self) }
        var w: UInt64 = 0
        for k in 0..<count { w |= UInt64(p.load(fromByteOffset: k, as: UInt8.self)) &<< UInt64(8 * k) }
        return UInt64(littleEndian: w)
    }

    /// Whether the `count` bytes at `a` and `b` are equal, compared inline 8 bytes per load.
    @inline(__always)
    static func equalBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        var k = 0
        var diff: UInt64 = 0
        while k &+ 8 <= count {
            diff |= a.loadUnaligned(fromByteOffset: k, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            k &+= 8
        }
        while k < count {
            diff |= UInt64(a.load(fromByteOffset: k, as: UInt8.self) ^ b.load(fromByteOffset: k, as: UInt8.self))
            k &+= 1
        }
        return diff == 0
    }
}
