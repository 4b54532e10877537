import Columnar

/// Column-at-a-time aggregation into typed accumulators indexed by group id.
///
/// Each kernel switches on the input's storage once, then runs one typed loop over the rows with
/// `ids[row]` choosing the accumulator slot: no boxing, no per-row dictionaries.
enum AggregateKernels {
    /// Rows per group (`count(*)`).
    static func countRows(_ ids: [Int32], groups: Int) -> [Int64] {
        var out = [Int64](repeating: 0, count: groups)
        out.withUnsafeMutableBufferPointer { o in
            ids.withUnsafeBufferPointer { g in for r in 0..<g.count { o[Int(g[r])] &+= 1 } }
        }
        return out
    }

    /// Non-null values per group (`count(x)`).
    static func countValid(_ ids: [Int32], _ validity: Bitmap?, groups: Int) -> [Int64] {
        guard let v = validity else { return countRows(ids, groups: groups) }
        var out = [Int64](repeating: 0, count: groups)
        out.withUnsafeMutableBufferPointer { o in
            ids.withUnsafeBufferPointer { g in for r in 0..<g.count where v[r] { o[Int(g[r])] &+= 1 } }
        }
        return out
    }

    /// Sum of integers per group as Int64; throws when a group's sum leaves Int64.
    static func sumInteger<T: BinaryInteger>(_ values: [T], _ validity: Bitmap?, _ ids: [Int32], groups: Int,
                                              name: String) throws(DataFrameError) -> [Int64] {
        var out = [Int64](repeating: 0, count: groups)
        var overflow = false
        out.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { a in
                ids.withUnsafeBufferPointer { g in
                    for r in 0..<g.count {
                        if let v = validity, !v[r] { continue }
                        guard let x = Int64(exactly: a[r]) else { overflow = true; return }
                        let (s, o1) = o[Int(g[r])].addingReportingOverflow(x)
                        if o1 { overflow = true; return }
                        o[Int(g[r])] = s
                    }
                }
            }
        }
        if overflow { throw .arithmeticOverflow(expression: name) }
        return out
    }

    /// Sum per group as Double (floats; also the running sum of `avg` over integers, as Spark averages in double).
    static func sumDouble(_ values: [Double], _ validity: Bitmap?, _ ids: [Int32], groups: Int) -> [Double] {
        var out = [Double](repeating: 0, count: groups)
        out.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { a in
                ids.withUnsafeBufferPointer { g in
                    if let v = validity {
                        for r in 0..<g.count where v[r] { o[Int(g[r])] += a[r] }
                    } else {
                        for r in 0..<g.count { o[Int(g[r])] += a[r] }
                    }
                }
            }
        }
        return out
    }

    /// Sum of unscaled decimals per group; throws when a sum leaves Int128 or `precision` digits.
    static func sumDecimal(_ values: [Int128], _ validity: Bitmap?, _ ids: [Int32], groups: Int, precision: Int,
                           name: String) throws(DataFrameError) -> [Int128] {
        var out = [Int128](repeating: 0, count: groups)
        var overflow = false
        out.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { a in
                ids.withUnsafeBufferPointer { g in
                    for r in 0..<g.count {
                        if let v = validity, !v[r] { continue }
                        let (s, o1) = o[Int(g[r])].addingReportingOverflow(a[r])
                        if o1 { overflow = true; return }
                        o[Int(g[r])] = s
                    }
                }
            }
        }
        if overflow || out.contains(where: { !DecimalMath.fits($0, precision: precision) }) {
            throw .arithmeticOverflow(expression: name)
        }
        return out
    }

    /// The input as doubles (for avg, stddev, variance); decimals are scaled.
    static func doubles(_ column: Column, name: String) throws(DataFrameError) -> [Double] {
        func conv<T: BinaryInteger>(_ a: [T]) -> [Double] { a.map { Double($0) } }
        switch (column.type, column.values) {
        case let (_, .int8(a)): return conv(a)
        case let (_, .int16(a)): return conv(a)
        case let (_, .int32(a)): return conv(a)
        case let (_, .int64(a)): return conv(a)
        case let (_, .uint8(a)): return conv(a)
        case let (_, .uint16(a)): return conv(a)
        case let (_, .uint32(a)): return conv(a)
        case let (_, .uint64(a)): return conv(a)
        case let (_, .float32(a)): return a.map { Double($0) }
        case let (_, .float64(a)): return a
        case let (.decimal(_, s), .decimal(a)):
            let scale = Double(sign: .plus, exponent: 0, significand: 1) * pow10Double(s)
            return a.map { Double($0) / scale }
        default:
            throw .type(message: "needs a numeric argument, not \(column.type.name)", expression: name)
        }
    }

    /// 10^n as a double.
    static func pow10Double(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
    }

    /// Sample variance per group by two passes (mean, then squared deviations), which stays accurate
    /// when values are large and close together; nil entries where a group has fewer than two values.
    static func variance(_ values: [Double], _ validity: Bitmap?, _ ids: [Int32], groups: Int) -> ([Double], Bitmap) {
        let counts = countValid(ids, validity, groups: groups)
        let sums = sumDouble(values, validity, ids, groups: groups)
        var means = [Double](repeating: 0, count: groups)
        for g in 0..<groups where counts[g] > 0 { means[g] = sums[g] / Double(counts[g]) }
        var m2 = [Double](repeating: 0, count: groups)
        m2.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { a in
                ids.withUnsafeBufferPointer { g in
                    for r in 0..<g.count {
                        if let v = validity, !v[r] { continue }
                        let d = a[r] - means[Int(g[r])]
                        o[Int(g[r])] += d * d
                    }
                }
            }
        }
        var valid = Bitmap(count: groups, value: false)
        for g in 0..<groups where counts[g] >= 2 {
            m2[g] /= Double(counts[g] - 1)
            valid[g] = true
        }
        return (m2, valid)
    }

    /// Min or max per group of a fixed-width column, with `less` as the order; nil slots where a group has no value.
    @inline(__always)
    static func extreme<T>(_ values: [T], _ validity: Bitmap?, _ ids: [Int32], groups: Int, max: Bool,
                           zero: T, less: (T, T) -> Bool) -> ([T], Bitmap) {
        var out = [T](repeating: zero, count: groups)
        var has = [Bool](repeating: false, count: groups)
        out.withUnsafeMutableBufferPointer { o in
            has.withUnsafeMutableBufferPointer { h in
                values.withUnsafeBufferPointer { a in
                    ids.withUnsafeBufferPointer { g in
                        for r in 0..<g.count {
                            if let v = validity, !v[r] { continue }
                            let k = Int(g[r]), x = a[r]
                            if !h[k] {
                                h[k] = true
                                o[k] = x
                            } else if max ? less(o[k], x) : less(x, o[k]) {
                                o[k] = x
                            }
                        }
                    }
                }
            }
        }
        return (out, Bitmap(has))
    }

    /// Min or max per group of any orderable column, as a column of the same type.
    static func minMax(_ column: Column, _ ids: [Int32], groups: Int, max: Bool, name: String) throws(DataFrameError) -> Column {
        let validity = column.validity
        func fixed<T: ColumnElement & Comparable>(_ a: [T], zero: T) -> Column {
            let (vals, has) = extreme(a, validity, ids, groups: groups, max: max, zero: zero, less: <)
            return Kernels.column(column.type, vals, validity: has)
        }
        func float<T: ColumnElement & BinaryFloatingPoint>(_ a: [T]) -> Column {
            // NaN above every number: max picks NaN when present, min only when all values are NaN.
            let (vals, has) = extreme(a, validity, ids, groups: groups, max: max, zero: 0) { x, y in
                x < y || (y.isNaN && !x.isNaN)
            }
            return Kernels.column(column.type, vals, validity: has)
        }
        switch column.values {
        case let .boolean(b):
            let (vals, has) = extreme(b.asBytes, validity, ids, groups: groups, max: max, zero: 0, less: <)
            return Kernels.boolean(Bitmap(vals.map { $0 != 0 }), validity: has)
        case let .int8(a): return fixed(a, zero: 0)
        case let .int16(a): return fixed(a, zero: 0)
        case let .int32(a): return fixed(a, zero: 0)
        case let .int64(a): return fixed(a, zero: 0)
        case let .uint8(a): return fixed(a, zero: 0)
        case let .uint16(a): return fixed(a, zero: 0)
        case let .uint32(a): return fixed(a, zero: 0)
        case let .uint64(a): return fixed(a, zero: 0)
        case let .float32(a): return float(a)
        case let .float64(a): return float(a)
        case let .decimal(a): return fixed(a, zero: 0)
        case let .bytes(o, d):
            // Track the best row per group, then gather: strings are compared in place, never copied per row.
            var best = [Int](repeating: -1, count: groups)
            for r in 0..<ids.count {
                if let v = validity, !v[r] { continue }
                let k = Int(ids[r]), cur = best[k]
                if cur < 0 {
                    best[k] = r
                } else {
                    let c = LaneComparator.compareBytes(o, d, r, cur)
                    if max ? c > 0 : c < 0 { best[k] = r }
                }
            }
            return gatherOptional(column, best)
        case .list, .structure, .map:
            throw .type(message: "cannot take min or max of a \(column.type.name) value", expression: name)
        }
    }

    /// Rows `rows` of `column`, where -1 gives null.
    static func gatherOptional(_ column: Column, _ rows: [Int]) -> Column {
        if !rows.contains(where: { $0 < 0 }) { return Kernels.gather(column, rows) }
        if column.count == 0 { return Kernels.nulls(column.type, count: rows.count) }
        let gathered = Kernels.gather(column, rows.map { Swift.max(0, $0) })
        let present = BitmapOps.pack(rows.count) { rows[$0] >= 0 }
        let validity = BitmapOps.and(gathered.validity, present)
        return Column(unchecked: column.type, count: rows.count, validity: Kernels.normalized(validity), values: gathered.values)
    }

    /// Distinct values per group: `count(DISTINCT x)` (nulls excluded) or `n_unique(x)` (null counts once).
    ///
    /// Values are numbered by the typed hash table, rows are bucketed by group (a counting sort, so each
    /// group's value ids are contiguous), and each group counts ids whose stamp is not yet its own: one
    /// small array of stamps replaces a hash set per group. The two halves of the groups run on two cores.
    static func distinctCounts(_ column: Column, _ ids: [Int32], groups: Int, countNull: Bool) throws(DataFrameError) -> [Int64] {
        let n = ids.count
        var counts = [Int64](repeating: 0, count: groups)
        if n == 0 || groups == 0 { return counts }
        let (vids, vcount) = try RowGrouping.columnIds(column, rowCount: n)
        var nullVid: Int32 = -1
        if let v = column.validity, let r = (0..<n).first(where: { !v[$0] }) { nullVid = vids[r] }
        if !countNull, nullVid >= 0 {
            // Drop null rows up front so the counting loop has no branch for them.
            nullVid = -2
        }
        // Counting sort of value ids by group.
        var starts = [Int](repeating: 0, count: groups + 1)
        ids.withUnsafeBufferPointer { g in for r in 0..<n { starts[Int(g[r]) + 1] += 1 } }
        for k in 0..<groups { starts[k + 1] += starts[k] }
        var bucketed = [Int32](repeating: 0, count: n)
        var fill = starts
        let nullRows = nullVid == -2 ? column.validity : nil
        bucketed.withUnsafeMutableBufferPointer { b in
            ids.withUnsafeBufferPointer { g in
                vids.withUnsafeBufferPointer { v in
                    fill.withUnsafeMutableBufferPointer { f in
                        for r in 0..<n {
                            let k = Int(g[r])
                            // Excluded nulls become -1, which the stamp loop skips.
                            b[f[k]] = (nullRows.map { !$0[r] } ?? false) ? -1 : v[r]
                            f[k] += 1
                        }
                    }
                }
            }
        }
        let stampsNeeded = vcount
        func run(_ range: Range<Int>, _ out: UnsafeMutableBufferPointer<Int64>) {
            var stamps = [Int32](repeating: -1, count: stampsNeeded)
            stamps.withUnsafeMutableBufferPointer { s in
                bucketed.withUnsafeBufferPointer { b in
                    for k in range {
                        var c: Int64 = 0
                        let stamp = Int32(truncatingIfNeeded: k)
                        for i in starts[k]..<starts[k + 1] {
                            let v = b[i]
                            if v >= 0 && s[Int(v)] != stamp { s[Int(v)] = stamp; c += 1 }
                        }
                        out[k] = c
                    }
                }
            }
        }
        counts.withUnsafeMutableBufferPointer { out in
            if n < Parallel.threshold || groups < 2 {
                run(0..<groups, out)
            } else {
                let shared = UnsafeSendable(out)
                let mid = groups / 2
                _ = Parallel.both({ run(0..<mid, shared.value) }, { run(mid..<groups, shared.value) })
            }
        }
        return counts
    }
}
