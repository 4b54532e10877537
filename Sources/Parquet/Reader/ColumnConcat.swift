import Columnar

/// Concatenates columns of one type (the row groups of a column) with one allocation per buffer, so
/// reading many row groups stays linear in the total size.
enum ColumnConcat {
    static func concat(_ parts: [Column]) throws(ParquetError) -> Column {
        guard let first = parts.first else { throw .corrupt("nothing to concatenate") }
        if parts.count == 1 { return first }
        let type = first.type
        let count = parts.reduce(0) { $0 + $1.count }
        var validity: Bitmap?
        if parts.contains(where: { $0.validity != nil }) {
            var bits = Bitmap(count: 0, value: false)
            bits.reserveCapacity(count)
            for p in parts {
                bits.append(contentsOf: p.validity ?? Bitmap(count: p.count, value: true))
            }
            validity = bits
        }
        let values: ColumnValues
        switch first.values {
        case .boolean:
            var b = Bitmap(count: 0, value: false)
            b.reserveCapacity(count)
            for p in parts { if case let .boolean(x) = p.values { b.append(contentsOf: x) } }
            values = .boolean(b)
        case .int8: values = .int8(flat(parts) { if case let .int8(a) = $0 { a } else { nil } })
        case .int16: values = .int16(flat(parts) { if case let .int16(a) = $0 { a } else { nil } })
        case .int32: values = .int32(flat(parts) { if case let .int32(a) = $0 { a } else { nil } })
        case .int64: values = .int64(flat(parts) { if case let .int64(a) = $0 { a } else { nil } })
        case .uint8: values = .uint8(flat(parts) { if case let .uint8(a) = $0 { a } else { nil } })
        case .uint16: values = .uint16(flat(parts) { if case let .uint16(a) = $0 { a } else { nil } })
        case .uint32: values = .uint32(flat(parts) { if case let .uint32(a) = $0 { a } else { nil } })
        case .uint64: values = .uint64(flat(parts) { if case let .uint64(a) = $0 { a } else { nil } })
        case .float32: values = .float32(flat(parts) { if case let .float32(a) = $0 { a } else { nil } })
        case .float64: values = .float64(flat(parts) { if case let .float64(a) = $0 { a } else { nil } })
        case .decimal: values = .decimal(flat(parts) { if case let .decimal(a) = $0 { a } else { nil } })
        case .bytes:
            var offsets: [Int64] = [0]
            offsets.reserveCapacity(count + 1)
            var total = 0
            for p in parts { if case let .bytes(o, _) = p.values, let a = o.first, let b = o.last { total += Int(b - a) } }
            var data: [UInt8] = []
            data.reserveCapacity(total)
            for p in parts {
                guard case let .bytes(o, d) = p.values, let lo = o.first, let hi = o.last else { continue }
                let shift = Int64(data.count) - lo
                for i in 1..<o.count { offsets.append(o[i] + shift) }
                data.append(contentsOf: d[Int(lo)..<Int(hi)])
            }
            values = .bytes(offsets: offsets, data: data)
        case .list:
            var children: [Column] = []
            let offsets = nestedOffsets(parts, count: count) { v in
                if case let .list(o, c) = v { children.append(c); return o }
                return nil
            }
            values = .list(offsets: offsets, child: try concat(children))
        case .map:
            var keys: [Column] = [], vals: [Column] = []
            let offsets = nestedOffsets(parts, count: count) { v in
                if case let .map(o, k, x) = v { keys.append(k); vals.append(x); return o }
                return nil
            }
            values = .map(offsets: offsets, keys: try concat(keys), values: try concat(vals))
        case let .structure(firstChildren):
            var children: [Column] = []
            for k in firstChildren.indices {
                var parts2: [Column] = []
                for p in parts { if case let .structure(c) = p.values { parts2.append(c[k]) } }
                children.append(try concat(parts2))
            }
            values = .structure(children)
        }
        return Column(unchecked: type, count: count, validity: validity, values: values)
    }

    private static func flat<T>(_ parts: [Column], _ get: (ColumnValues) -> [T]?) -> [T] {
        var out: [T] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { if let a = get(p.values) { out.append(contentsOf: a) } }
        return out
    }

    /// Offsets of the concatenation; every part's children are taken whole (the reader's lists start at
    /// child 0 and end at the child's end), so each part is shifted by the children before it.
    private static func nestedOffsets(_ parts: [Column], count: Int, _ get: (ColumnValues) -> [Int64]?) -> [Int64] {
        var offsets: [Int64] = [0]
        offsets.reserveCapacity(count + 1)
        var base: Int64 = 0
        for p in parts {
            guard let o = get(p.values), let lo = o.first, let hi = o.last else { continue }
            for i in 1..<o.count { offsets.append(o[i] - lo + base) }
            base += hi - lo
        }
        return offsets
    }
}
