import Columnar

/// A window function evaluated over the rows of a partition in a given order.
///
/// Running aggregates use Spark's default frame with ORDER BY: `RANGE BETWEEN UNBOUNDED PRECEDING AND
/// CURRENT ROW`, so rows tied on the order keys (peers) all get the value through the last peer. Without
/// ORDER BY the frame is the whole partition. Rolling aggregates use `ROWS BETWEEN n-1 PRECEDING AND
/// CURRENT ROW`. Aggregates skip nulls and are null when the frame holds no value.
public enum WindowFunction: Sendable, Hashable {
    /// 1, 2, 3, … in order (ties broken by input order).
    case rowNumber
    /// 1 + the number of rows before the row's peers (gaps after ties).
    case rank
    /// 1 + the number of distinct order values before the row (no gaps).
    case denseRank
    /// `(rank - 1) / (rows in partition - 1)`, 0 for a partition of one row.
    case percentRank
    /// The value `offset` rows earlier in the partition, or `default` when there is none.
    case lag(String, offset: Int = 1, default: Scalar = .null)
    /// The value `offset` rows later in the partition, or `default` when there is none.
    case lead(String, offset: Int = 1, default: Scalar = .null)
    /// Sum from the partition start through the row's last peer.
    case runningSum(String)
    /// Count of non-null values (or of rows, for `nil`) through the row's last peer.
    case runningCount(String?)
    /// Minimum through the row's last peer.
    case runningMin(String)
    /// Maximum through the row's last peer.
    case runningMax(String)
    /// Average through the row's last peer.
    case runningAvg(String)
    /// Sum of the last `rows` rows (the current one included).
    case rollingSum(String, rows: Int)
    /// Average of the last `rows` rows (the current one included).
    case rollingAvg(String, rows: Int)
}

extension DataFrame {
    /// This frame with a column `name` holding `fn` computed over (partition by, order by).
    ///
    /// Rows keep their input order. The rows are grouped into partitions by hash, sorted within each
    /// partition by `orderBy` (stable), then each partition is scanned once.
    public func withWindow(_ name: String, _ fn: WindowFunction, partitionBy: [String] = [],
                           orderBy: [SortKey] = []) throws(DataFrameError) -> DataFrame {
        let order = try windowOrder(partitionBy: partitionBy, orderBy: orderBy)
        let column = try WindowEval(frame: self, order: order).evaluate(fn)
        var fields = schema.fields, cols = columns
        let field = Field(name, column.type, nullable: true)
        if let i = schema.index(of: name) {
            fields[i] = field
            cols[i] = column
        } else {
            fields.append(field)
            cols.append(column)
        }
        return DataFrame(unchecked: Schema(fields, metadata: schema.metadata), columns: cols, rowCount: rowCount)
    }

    /// Rows grouped by partition and sorted within each, plus where each partition and peer group starts.
    func windowOrder(partitionBy: [String], orderBy: [SortKey]) throws(DataFrameError) -> WindowOrder {
        let n = rowCount
        var keyColumns = [Column]()
        for p in partitionBy { keyColumns.append(try column(p)) }
        let groups = try RowGrouping.groupIds(keyColumns, rowCount: n)
        // Stable counting sort by partition: rows of one partition stay in input order.
        var starts = [Int](repeating: 0, count: groups.count + 1)
        for g in groups.ids { starts[Int(g) + 1] += 1 }
        for g in 0..<groups.count { starts[g + 1] += starts[g] }
        var perm = [Int](repeating: 0, count: n)
        var fill = starts
        for r in 0..<n {
            let g = Int(groups.ids[r])
            perm[fill[g]] = r
            fill[g] += 1
        }
        var lanes = [SortLane]()
        let checker = TypeChecker(schema: schema)
        for key in orderBy {
            let c = try evaluate(try checker.check(key.expr))
            try SortLane.append(c, descending: key.descending, nullsFirst: key.nullsFirst, to: &lanes, expression: key.expr)
        }
        if lanes.count == 1, case let .words(w) = lanes[0] {
            // One fixed-width order key: sort (key, row) pairs, contiguous per partition, instead of loading
            // both rows' keys from the whole column on every comparison; partitions split over the cores.
            var peerStart = [Bool](repeating: false, count: n)
            Self.sortPartitions(perm: &perm, peerStart: &peerStart, starts: starts, keys: w)
            return WindowOrder(perm: perm, partitionStarts: starts, peerStart: peerStart, ordered: true)
        }
        if !lanes.isEmpty {
            let comparator = LaneComparator(lanes)
            perm.withUnsafeMutableBufferPointer { p in
                for g in 0..<groups.count where starts[g + 1] - starts[g] > 1 {
                    var part = UnsafeMutableBufferPointer(rebasing: p[starts[g]..<starts[g + 1]])
                    part.sort { comparator.less(Int32(truncatingIfNeeded: $0), Int32(truncatingIfNeeded: $1)) }
                }
            }
        }
        // A peer group starts where any order lane differs from the previous row of the same partition.
        var peerStart = [Bool](repeating: false, count: n)
        for g in 0..<groups.count where starts[g + 1] > starts[g] {
            peerStart[starts[g]] = true
            if lanes.isEmpty { continue }
            for k in (starts[g] + 1)..<starts[g + 1] where !Self.sameOrder(lanes, perm[k - 1], perm[k]) {
                peerStart[k] = true
            }
        }
        return WindowOrder(perm: perm, partitionStarts: starts, peerStart: peerStart, ordered: !lanes.isEmpty)
    }

    /// One row's order key and row number; ties keep row order, so the sort is stable.
    private struct KeyedRow: Comparable {
        let key: UInt64
        let row: Int
        static func < (a: KeyedRow, b: KeyedRow) -> Bool { a.key != b.key ? a.key < b.key : a.row < b.row }
    }

    /// Sorts each partition's rows of `perm` (`starts` delimits them, rows ascending within each) by
    /// `keys[row]`, and marks where each peer group (equal keys) starts.
    private static func sortPartitions(perm: inout [Int], peerStart: inout [Bool], starts: [Int], keys: [UInt64]) {
        let n = perm.count
        let partitions = starts.count - 1
        guard n > 0, partitions > 0 else { return }
        // Split at the partition boundary nearest half the rows.
        var mid = 0
        while mid < partitions && starts[mid] < n / 2 { mid += 1 }
        var pairs = [KeyedRow](unsafeUninitializedCapacity: n) { out, initialized in
            perm.withUnsafeBufferPointer { p in
                keys.withUnsafeBufferPointer { w in
                    for k in 0..<min(p.count, out.count) {
                        let r = p[k]
                        out.initializeElement(at: k, to: KeyedRow(key: r < w.count ? w[r] : 0, row: r))
                    }
                }
            }
            initialized = min(perm.count, out.count)
        }
        pairs.withUnsafeMutableBufferPointer { pairs in
            perm.withUnsafeMutableBufferPointer { p in
                peerStart.withUnsafeMutableBufferPointer { peers in
                    let shared = UnsafeSendable((pairs, p, peers))
                    let sortRange = { (groups: Range<Int>) in
                        let (pairs, p, peers) = shared.value
                        for g in groups {
                            let lo = starts[g], hi = starts[g + 1]
                            guard lo < hi else { continue }
                            var part = UnsafeMutableBufferPointer(rebasing: pairs[lo..<hi])
                            if hi - lo > 1 { part.sort() }
                            peers[lo] = true
                            p[lo] = pairs[lo].row
                            for k in (lo + 1)..<hi {
                                p[k] = pairs[k].row
                                peers[k] = pairs[k].key != pairs[k - 1].key
                            }
                        }
                    }
                    if n < Parallel.threshold {
                        sortRange(0..<partitions)
                    } else {
                        _ = Parallel.both({ sortRange(0..<mid) }, { sortRange(mid..<partitions) })
                    }
                }
            }
        }
    }

    private static func sameOrder(_ lanes: [SortLane], _ a: Int, _ b: Int) -> Bool {
        for lane in lanes {
            switch lane {
            case let .words(w): if w[a] != w[b] { return false }
            case let .bytes(o, d, _): if LaneComparator.compareBytes(o, d, a, b) != 0 { return false }
            }
        }
        return true
    }
}

/// The sorted row order of a window: `perm[partitionStarts[g]..<partitionStarts[g + 1]]` are the rows of
/// partition `g` in window order; `peerStart[k]` marks the first position of each group of tied rows.
struct WindowOrder {
    let perm: [Int]
    let partitionStarts: [Int]
    let peerStart: [Bool]
    let ordered: Bool

    /// Calls `body(range)` for each partition's positions in `perm`.
    func forEachPartition(_ body: (Range<Int>) -> Void) {
        for g in 0..<(partitionStarts.count - 1) where partitionStarts[g + 1] > partitionStarts[g] {
            body(partitionStarts[g]..<partitionStarts[g + 1])
        }
    }

    /// The last position of the peer group containing position `k` within `part`.
    func peerEnds(_ part: Range<Int>) -> [Int] {
        var ends = [Int](repeating: 0, count: part.count)
        var end = part.upperBound - 1
        var k = part.upperBound - 1
        while k >= part.lowerBound {
            ends[k - part.lowerBound] = ordered ? end : part.upperBound - 1
            if peerStart[k] { end = k - 1 }
            k -= 1
        }
        return ends
    }
}

/// Computes one window function into a column in input row order.
private struct WindowEval {
    let frame: DataFrame
    let order: WindowOrder

    var n: Int { frame.rowCount }

    func evaluate(_ fn: WindowFunction) throws(DataFrameError) -> Column {
        switch fn {
        case .rowNumber, .rank, .denseRank:
            var out = [Int32](repeating: 0, count: n)
            order.forEachPartition { part in
                var rank: Int32 = 0, dense: Int32 = 0
                for k in part {
                    let pos = Int32(truncatingIfNeeded: k - part.lowerBound + 1)
                    if order.peerStart[k] { rank = pos; dense += 1 }
                    switch fn {
                    case .rowNumber: out[order.perm[k]] = pos
                    case .rank: out[order.perm[k]] = order.ordered ? rank : 1
                    default: out[order.perm[k]] = order.ordered ? dense : 1
                    }
                }
            }
            return Kernels.column(.int32, out, validity: nil)
        case .percentRank:
            var out = [Double](repeating: 0, count: n)
            order.forEachPartition { part in
                var rank = 0
                for k in part {
                    if order.peerStart[k] { rank = k - part.lowerBound + 1 }
                    out[order.perm[k]] = part.count > 1 && order.ordered ? Double(rank - 1) / Double(part.count - 1) : 0
                }
            }
            return Kernels.column(.float64, out, validity: nil)
        case let .lag(name, offset, value), let .lead(name, offset, value):
            let isLag: Bool = { if case .lag = fn { return true } else { return false } }()
            let column = try frame.column(name)
            var source = [Int](repeating: -1, count: n)
            order.forEachPartition { part in
                for k in part {
                    // The offset is user input: an overflowing one points outside every partition.
                    let (j, o) = isLag ? k.subtractingReportingOverflow(offset) : k.addingReportingOverflow(offset)
                    if !o && j >= part.lowerBound && j < part.upperBound { source[order.perm[k]] = order.perm[j] }
                }
            }
            if value == .null { return joinGather(column, source, hasNulls: source.contains(-1)) }
            let fill = try Kernels.broadcast(value, column.type, count: 1)
            let both: Column
            do { both = try Column.concatenate([column, fill]) } catch { throw .columnar(error) }
            return Kernels.gather(both, source.map { $0 < 0 ? column.count : $0 })
        case let .runningCount(name):
            let validity = try name.map { (c) throws(DataFrameError) in try frame.column(c).validity } ?? nil
            var out = [Int64](repeating: 0, count: n)
            order.forEachPartition { part in
                let ends = order.peerEnds(part)
                var counts = [Int64](repeating: 0, count: part.count)
                var c: Int64 = 0
                for k in part {
                    if validity.map({ $0[order.perm[k]] }) ?? true { c += 1 }
                    counts[k - part.lowerBound] = c
                }
                for k in part { out[order.perm[k]] = counts[ends[k - part.lowerBound] - part.lowerBound] }
            }
            return Kernels.column(.int64, out, validity: nil)
        case let .runningSum(name), let .runningAvg(name), let .rollingSum(name, _), let .rollingAvg(name, _):
            return try numeric(fn, try frame.column(name), name)
        case let .runningMin(name), let .runningMax(name):
            let isMin: Bool = { if case .runningMin = fn { return true } else { return false } }()
            return try extreme(try frame.column(name), isMin: isMin, name: name)
        }
    }

    /// Sums and averages. Integer sums are `long` and raise on overflow (Spark's ANSI sum); float sums and
    /// every average are `double`.
    private func numeric(_ fn: WindowFunction, _ column: Column, _ name: String) throws(DataFrameError) -> Column {
        var rolling = 0
        var average = false
        switch fn {
        case .runningAvg: average = true
        case let .rollingSum(_, r): rolling = r
        case let .rollingAvg(_, r): rolling = r; average = true
        default: break
        }
        if case .rollingSum = fn, rolling < 1 { throw .invalidArgument("a rolling window needs at least 1 row, not \(rolling)") }
        if case .rollingAvg = fn, rolling < 1 { throw .invalidArgument("a rolling window needs at least 1 row, not \(rolling)") }
        let validity = column.validity
        // Integer sums stay exact in Int64; everything else accumulates in Double.
        var ints: [Int64]? = nil
        var doubles: [Double]? = nil
        switch column.values {
        case let .int8(a): ints = a.map { Int64($0) }
        case let .int16(a): ints = a.map { Int64($0) }
        case let .int32(a) where column.type == .int32: ints = a.map { Int64($0) }
        case let .int64(a) where column.type == .int64: ints = a
        case let .float32(a) where column.type == .float32: doubles = a.map { Double($0) }
        case let .float64(a) where column.type == .float64: doubles = a
        case let .decimal(a):
            if case let .decimal(_, s) = column.type {
                var scale = 1.0
                for _ in 0..<s { scale *= 10 }
                doubles = a.map { Double($0) / scale }
            }
        default: break
        }
        if average, let i = ints { doubles = i.map { Double($0) }; ints = nil }
        guard ints != nil || doubles != nil else {
            throw .type(message: "a window sum or average needs a numeric column, not \(column.type.name)", expression: name)
        }
        if rolling == 0 { return try running(ints: ints, doubles: doubles, validity: validity, average: average, name: name) }
        // Rolling windows: the last `rolling` rows of the partition up to this one.
        var outI = [Int64](repeating: 0, count: ints == nil ? 0 : n)
        var outD = [Double](repeating: 0, count: doubles == nil ? 0 : n)
        var valid = Bitmap(count: n, value: true)
        var overflow = false
        order.forEachPartition { part in
            var sumI = [Int64](repeating: 0, count: part.count + 1)
            var cnt = [Int](repeating: 0, count: part.count + 1)
            for k in part {
                let r = order.perm[k], j = k - part.lowerBound
                let present = validity.map { $0[r] } ?? true
                cnt[j + 1] = cnt[j] + (present ? 1 : 0)
                if let a = ints {
                    let (s, o) = sumI[j].addingReportingOverflow(present ? a[r] : 0)
                    if o { overflow = true }
                    sumI[j + 1] = s
                }
            }
            for k in part {
                let j = k - part.lowerBound
                let hi = j + 1
                let lo = max(0, j + 1 - rolling)
                let r = order.perm[k]
                let c = cnt[hi] - cnt[lo]
                if c == 0 { valid[r] = false; continue }
                if ints != nil {
                    let (s, o) = sumI[hi].subtractingReportingOverflow(sumI[lo])
                    if o { overflow = true }
                    outI[r] = s
                } else {
                    // Prefix differences for rolling windows of doubles would accumulate rounding error
                    // across a long partition; re-add the window instead.
                    var s = 0.0
                    for t in lo..<hi {
                        let row = order.perm[part.lowerBound + t]
                        if validity.map({ $0[row] }) ?? true, let a = doubles { s += a[row] }
                    }
                    outD[r] = average ? s / Double(c) : s
                }
            }
        }
        if overflow { throw .arithmeticOverflow(expression: "sum(\(name)) over window") }
        if ints != nil { return Kernels.column(.int64, outI, validity: valid) }
        return Kernels.column(.float64, outD, validity: valid)
    }

    /// Running sum or average: each row gets the total of its partition up to the end of its peer group
    /// (the whole partition when the window has no order). One forward pass over window order keeps the
    /// totals at each position, one backward pass hands every row the totals at its peer group's end.
    private func running(ints: [Int64]?, doubles: [Double]?, validity: Bitmap?, average: Bool, name: String) throws(DataFrameError) -> Column {
        let useInts = ints != nil
        var outI = [Int64](repeating: 0, count: useInts ? n : 0)
        var outD = [Double](repeating: 0, count: useInts ? 0 : n)
        var valid = Bitmap(count: n, value: true)
        var totalI = [Int64](repeating: 0, count: useInts ? n : 0)
        var totalD = [Double](repeating: 0, count: useInts ? 0 : n)
        var counts = [Int](repeating: 0, count: n)
        let ints = ints ?? [], doubles = doubles ?? []
        let perm = order.perm, peerStart = order.peerStart, starts = order.partitionStarts, ordered = order.ordered
        var overflow = false
        for g in 0..<max(0, starts.count - 1) where starts[g] < starts[g + 1] {
            let lo = starts[g], hi = starts[g + 1]
            var sumI: Int64 = 0, sumD = 0.0, count = 0
            for k in lo..<hi {
                let r = perm[k]
                if validity?[r] ?? true {
                    count += 1
                    if useInts {
                        let (s, o) = sumI.addingReportingOverflow(ints[r])
                        overflow = overflow || o
                        sumI = s
                    } else {
                        sumD += doubles[r]
                    }
                }
                counts[k] = count
                if useInts { totalI[k] = sumI } else { totalD[k] = sumD }
            }
            var end = hi - 1
            var k = hi - 1
            while k >= lo {
                let r = perm[k], e = ordered ? end : hi - 1
                let c = counts[e]
                if c == 0 {
                    valid[r] = false
                } else if useInts {
                    outI[r] = totalI[e]
                } else {
                    outD[r] = average ? totalD[e] / Double(c) : totalD[e]
                }
                if peerStart[k] { end = k - 1 }
                k -= 1
            }
        }
        if overflow { throw .arithmeticOverflow(expression: "sum(\(name)) over window") }
        if useInts { return Kernels.column(.int64, outI, validity: valid) }
        return Kernels.column(.float64, outD, validity: valid)
    }

    /// Running min / max of any orderable type: track the row holding the extreme, then gather it.
    private func extreme(_ column: Column, isMin: Bool, name: String) throws(DataFrameError) -> Column {
        var lanes = [SortLane]()
        try SortLane.append(column, descending: !isMin, nullsFirst: true, to: &lanes, expression: .col(name))
        guard let lane = lanes.last else { return Kernels.nulls(column.type, count: n) }
        let validity = column.validity
        func better(_ a: Int, _ b: Int) -> Bool {
            switch lane {
            case let .words(w): return w[a] < w[b]
            case let .bytes(o, d, descending):
                let c = LaneComparator.compareBytes(o, d, a, b)
                return descending ? c > 0 : c < 0
            }
        }
        var source = [Int](repeating: -1, count: n)
        order.forEachPartition { part in
            let ends = order.peerEnds(part)
            var best = [Int](repeating: -1, count: part.count)
            var current = -1
            for k in part {
                let r = order.perm[k]
                if validity.map({ $0[r] }) ?? true, current < 0 || better(r, current) { current = r }
                best[k - part.lowerBound] = current
            }
            for k in part { source[order.perm[k]] = best[ends[k - part.lowerBound] - part.lowerBound] }
        }
        return joinGather(column, source, hasNulls: source.contains(-1))
    }
}
