import Columnar

extension Kernels {
    /// The rows `indices` of `column`, in that order. Every index must be in `0..<column.count`
    /// (callers derive them from the column's own length).
    static func gather(_ column: Column, _ indices: [Int]) -> Column {
        let n = indices.count
        let validity: Bitmap? = column.validity.map { v in BitmapOps.pack(n) { v[indices[$0]] } }
        func flat<T: ColumnElement>(_ a: [T]) -> ColumnValues {
            var out = [T]()
            out.reserveCapacity(n)
            a.withUnsafeBufferPointer { src in
                indices.withUnsafeBufferPointer { idx in
                    for i in idx { out.append(src[i]) }
                }
            }
            return T.values(out)
        }
        let values: ColumnValues
        switch column.values {
        case let .boolean(b): values = .boolean(BitmapOps.pack(n) { b[indices[$0]] })
        case let .int8(a): values = flat(a)
        case let .int16(a): values = flat(a)
        case let .int32(a): values = flat(a)
        case let .int64(a): values = flat(a)
        case let .uint8(a): values = flat(a)
        case let .uint16(a): values = flat(a)
        case let .uint32(a): values = flat(a)
        case let .uint64(a): values = flat(a)
        case let .float32(a): values = flat(a)
        case let .float64(a): values = flat(a)
        case let .decimal(a): values = flat(a)
        case let .bytes(o, d):
            let (offsets, data) = gatherBytes(o, d, indices)
            values = .bytes(offsets: offsets, data: data)
        case let .list(o, child):
            let (offsets, childRows) = gatherRanges(o, indices)
            values = .list(offsets: offsets, child: gather(child, childRows))
        case let .structure(children):
            values = .structure(children.map { gather($0, indices) })
        case let .map(o, k, v):
            let (offsets, childRows) = gatherRanges(o, indices)
            values = .map(offsets: offsets, keys: gather(k, childRows), values: gather(v, childRows))
        }
        return Column(unchecked: column.type, count: n, validity: validity, values: values)
    }

    /// Gathers variable-length byte values: one pass for the sizes, one for the copies.
    static func gatherBytes(_ o: [Int64], _ d: [UInt8], _ indices: [Int]) -> ([Int64], [UInt8]) {
        var offsets = [Int64]()
        offsets.reserveCapacity(indices.count + 1)
        offsets.append(0)
        var total: Int64 = 0
        o.withUnsafeBufferPointer { off in
            for i in indices {
                total += off[i + 1] - off[i]
                offsets.append(total)
            }
        }
        var data = [UInt8](repeating: 0, count: Int(total))
        data.withUnsafeMutableBufferPointer { dst in
            d.withUnsafeBufferPointer { src in
                o.withUnsafeBufferPointer { off in
                    var at = 0
                    for i in indices {
                        let s = Int(off[i]), e = Int(off[i + 1])
                        if e > s, let db = dst.baseAddress, let sb = src.baseAddress {
                            (db + at).update(from: sb + s, count: e - s)
                        }
                        at += e - s
                    }
                }
            }
        }
        return (offsets, data)
    }

    /// New zero-based offsets for the selected rows of a list/map, plus the child rows they reference.
    private static func gatherRanges(_ o: [Int64], _ indices: [Int]) -> ([Int64], [Int]) {
        var offsets: [Int64] = [0]
        offsets.reserveCapacity(indices.count + 1)
        var rows = [Int]()
        for i in indices {
            let s = Int(o[i]), e = Int(o[i + 1])
            rows.append(contentsOf: s..<e)
            offsets.append(Int64(rows.count))
        }
        return (offsets, rows)
    }
}
