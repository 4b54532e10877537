extension Column {
    /// Rows `range` as a new column. String, binary and nested children are shared, not copied:
    /// only the offsets are sliced (which is why offsets need not start at zero).
    public func slice(_ range: Range<Int>) -> Column {
        let validity = self.validity.map { $0.slice(range) }
        let values: ColumnValues
        switch self.values {
        case let .boolean(b): values = .boolean(b.slice(range))
        case let .int8(a): values = .int8(Array(a[range]))
        case let .int16(a): values = .int16(Array(a[range]))
        case let .int32(a): values = .int32(Array(a[range]))
        case let .int64(a): values = .int64(Array(a[range]))
        case let .uint8(a): values = .uint8(Array(a[range]))
        case let .uint16(a): values = .uint16(Array(a[range]))
        case let .uint32(a): values = .uint32(Array(a[range]))
        case let .uint64(a): values = .uint64(Array(a[range]))
        case let .float32(a): values = .float32(Array(a[range]))
        case let .float64(a): values = .float64(Array(a[range]))
        case let .decimal(a): values = .decimal(Array(a[range]))
        case let .bytes(o, d): values = .bytes(offsets: Array(o[range.lowerBound...range.upperBound]), data: d)
        case let .list(o, c): values = .list(offsets: Array(o[range.lowerBound...range.upperBound]), child: c)
        case let .structure(cs): values = .structure(cs.map { $0.slice(range) })
        case let .map(o, k, v): values = .map(offsets: Array(o[range.lowerBound...range.upperBound]), keys: k, values: v)
        }
        return Column(unchecked: type, count: range.count, validity: validity, values: values)
    }

    /// The columns one after another. All must have the same type; the result's buffers are allocated once.
    public static func concatenate(_ parts: [Column]) throws(ColumnarError) -> Column {
        guard let first = parts.first else { throw .invalid("nothing to concatenate") }
        if parts.count == 1 { return first }
        for p in parts where p.type != first.type {
            throw .invalid("cannot concatenate \(p.type.name) with \(first.type.name)")
        }
        let total = parts.reduce(0) { $0 + $1.count }
        var validity: Bitmap?
        if parts.contains(where: { $0.validity != nil }) {
            var v = Bitmap(count: 0, value: false)
            v.reserveCapacity(total)
            for p in parts {
                if let pv = p.validity { v.append(contentsOf: pv) } else { v.append(repeating: true, count: p.count) }
            }
            validity = v
        }
        func flat<T>(_ get: (ColumnValues) -> [T]?) throws(ColumnarError) -> [T] {
            var out = [T]()
            out.reserveCapacity(total)
            for p in parts {
                guard let a = get(p.values) else { throw .invalid("storage does not match type \(first.type.name)") }
                out.append(contentsOf: a)
            }
            return out
        }
        /// Offsets rebased to start at zero across parts, plus each part's referenced child range.
        func rebased(_ offsetsOf: (ColumnValues) -> [Int64]?) throws(ColumnarError) -> ([Int64], [Range<Int>]) {
            var out: [Int64] = [0]
            out.reserveCapacity(total + 1)
            var ranges = [Range<Int>]()
            for p in parts {
                guard let o = offsetsOf(p.values) else { throw .invalid("storage does not match type \(first.type.name)") }
                let base = o[0], shift = out[out.count - 1] - base
                for x in o.dropFirst() { out.append(x + shift) }
                ranges.append(Int(base)..<Int(o[o.count - 1]))
            }
            return (out, ranges)
        }
        let values: ColumnValues
        switch first.values {
        case .boolean:
            var b = Bitmap(count: 0, value: false)
            b.reserveCapacity(total)
            for p in parts { if case let .boolean(pb) = p.values { b.append(contentsOf: pb) } }
            values = .boolean(b)
        case .int8: values = .int8(try flat { if case let .int8(a) = $0 { a } else { nil } })
        case .int16: values = .int16(try flat { if case let .int16(a) = $0 { a } else { nil } })
        case .int32: values = .int32(try flat { if case let .int32(a) = $0 { a } else { nil } })
        case .int64: values = .int64(try flat { if case let .int64(a) = $0 { a } else { nil } })
        case .uint8: values = .uint8(try flat { if case let .uint8(a) = $0 { a } else { nil } })
        case .uint16: values = .uint16(try flat { if case let .uint16(a) = $0 { a } else { nil } })
        case .uint32: values = .uint32(try flat { if case let .uint32(a) = $0 { a } else { nil } })
        case .uint64: values = .uint64(try flat { if case let .uint64(a) = $0 { a } else { nil } })
        case .float32: values = .float32(try flat { if case let .float32(a) = $0 { a } else { nil } })
        case .float64: values = .float64(try flat { if case let .float64(a) = $0 { a } else { nil } })
        case .decimal: values = .decimal(try flat { if case let .decimal(a) = $0 { a } else { nil } })
        case .bytes:
            let (offsets, ranges) = try rebased { if case let .bytes(o, _) = $0 { o } else { nil } }
            var data = [UInt8]()
            data.reserveCapacity(ranges.reduce(0) { $0 + $1.count })
            for (p, r) in zip(parts, ranges) { if case let .bytes(_, d) = p.values { data.append(contentsOf: d[r]) } }
            values = .bytes(offsets: offsets, data: data)
        case .list:
            let (offsets, ranges) = try rebased { if case let .list(o, _) = $0 { o } else { nil } }
            var children = [Column]()
            for (p, r) in zip(parts, ranges) { if case let .list(_, c) = p.values { children.append(c.slice(r)) } }
            values = .list(offsets: offsets, child: try concatenate(children))
        case let .structure(firstChildren):
            var merged = [Column]()
            for j in firstChildren.indices {
                var column = [Column]()
                for p in parts { if case let .structure(cs) = p.values { column.append(cs[j]) } }
                merged.append(try concatenate(column))
            }
            values = .structure(merged)
        case .map:
            let (offsets, ranges) = try rebased { if case let .map(o, _, _) = $0 { o } else { nil } }
            var ks = [Column](), vs = [Column]()
            for (p, r) in zip(parts, ranges) { if case let .map(_, k, v) = p.values { ks.append(k.slice(r)); vs.append(v.slice(r)) } }
            values = .map(offsets: offsets, keys: try concatenate(ks), values: try concatenate(vs))
        }
        return Column(unchecked: first.type, count: total, validity: validity, values: values)
    }
}

extension RecordBatch {
    /// The first `n` rows (all rows when `n` is at least the row count).
    public func prefix(_ n: Int) throws(ColumnarError) -> RecordBatch {
        let end = Swift.max(0, Swift.min(n, rowCount))
        return try RecordBatch(schema: schema, columns: columns.map { $0.slice(0..<end) })
    }

    /// Rows `range` of the batch.
    public func slice(_ range: Range<Int>) throws(ColumnarError) -> RecordBatch {
        try RecordBatch(schema: schema, columns: columns.map { $0.slice(range) })
    }

    /// The batches one after another; each must have `schema`'s types. No batches gives an empty batch.
    public static func concatenate(_ batches: [RecordBatch], schema: Schema) throws(ColumnarError) -> RecordBatch {
        if batches.isEmpty { return RecordBatch(emptyOf: schema) }
        if batches.count == 1 { return try RecordBatch(schema: schema, columns: batches[0].columns) }
        var columns = [Column]()
        for i in schema.fields.indices {
            columns.append(try Column.concatenate(batches.map { $0.columns[i] }))
        }
        return try RecordBatch(schema: schema, columns: columns)
    }
}
