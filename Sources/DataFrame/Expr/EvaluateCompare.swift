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
            return try num(T.self, c)
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
            bits = a.withUnsafeBufferPointer { x in ordered(op, n, { x[$0] }, { _ in c }, lt: floatLess, eq: floatEqual) }
        case let (.float64(a), .double(c)):
            bits = a.withUnsafeBufferPointer { x in ordered(op, n, { x[$0] }, { _ in c }, lt: floatLess, eq: floatEqual) }
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

    private static func compareBytesToConstant(_ op: ComparisonOp, _ o: [Int64], _ d: [UInt8], _ c: [UInt8]) -> Bitmap {
        let n = o.count - 1
        return d.withUnsafeBufferPointer { x in c.withUnsafeBufferPointer { y in o.withUnsafeBufferPointer { p in
            if op == .equal || op == .notEqual {
                // Equality checks the length first, which rejects most rows without touching their bytes.
                let want = op == .equal
                return BitmapOps.pack(n) { i in
                    let s = Int(p[i]), e = Int(p[i + 1])
                    return (e - s == y.count && compareBytes(x, s..<e, y, 0..<y.count) == 0) == want
                }
            }
            return orderedBytes(op, n) { i in compareBytes(x, Int(p[i])..<Int(p[i + 1]), y, 0..<y.count) }
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
        let m = min(ra.count, rb.count)
        if m > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let c = memcmp(pa + ra.lowerBound, pb + rb.lowerBound, m)
            if c != 0 { return Int(c) }
        }
        return ra.count - rb.count
    }
}
