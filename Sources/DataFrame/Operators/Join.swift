import Columnar
import Dispatch

/// Which rows a join keeps.
public enum JoinType: String, Sendable, Hashable, CaseIterable {
    /// Only pairs whose keys match (and pass the residual condition).
    case inner
    /// Every left row; right columns are null where nothing matched.
    case left
    /// Every right row; left columns are null where nothing matched.
    case right
    /// Every row of both sides.
    case full
    /// Left rows that have at least one match; left columns only, each row once.
    case semi
    /// Left rows that have no match; left columns only.
    case anti
}

extension DataFrame {
    /// A hash join on equal keys, with an optional residual condition.
    ///
    /// - Null keys never match (SQL `=`), so such rows appear only as unmatched rows of outer joins.
    /// - Key types must agree: equal types, integers of any width, floats, or decimals of one scale.
    ///   Floats compare with `-0.0 == 0.0` and `NaN == NaN`, as Spark's join does.
    /// - `condition` is evaluated on each key-matching pair, over the columns of both sides named as in the
    ///   output before key coalescing (left names, then right names, with `suffix` on a right name that
    ///   the left side already has). A pair matches only when it is true.
    /// - Output: the left columns, then the right columns except the right keys. A key column keeps the
    ///   left name; for right and full joins it holds the right key where the left row is missing. A right
    ///   key whose type differs from its left key is kept as a separate column.
    /// - Order: left row order (each left row's matches in right order); right and full joins then
    ///   append the unmatched right rows in right order.
    ///
    /// The hash table is built on the smaller side; probes of large inputs run on both cores.
    public func join(
        _ other: DataFrame, on keys: [(left: String, right: String)], how: JoinType = .inner,
        condition: Expr? = nil, suffix: String = "_right"
    ) throws(DataFrameError) -> DataFrame {
        guard !keys.isEmpty else { throw .invalidArgument("a join needs at least one pair of key columns") }
        var leftKeys = [Int](), rightKeys = [Int]()
        for k in keys {
            leftKeys.append(try columnIndex(k.left))
            rightKeys.append(try other.columnIndex(k.right))
        }
        for (li, ri) in zip(leftKeys, rightKeys) {
            try JoinKeyCheck.check(columns[li].type, schema.fields[li].name, other.columns[ri].type, other.schema.fields[ri].name)
        }
        let left = leftKeys.map { columns[$0] }
        let right = rightKeys.map { other.columns[$0] }

        let plan = JoinOutputPlan(left: self, right: other, leftKeys: leftKeys, rightKeys: rightKeys,
                                  how: how, suffix: suffix)

        // Fast path: no residual and the right side is the smaller one, so probing the left side in order
        // yields the left-ordered output directly (the common fact-to-dimension lookup).
        if condition == nil && (how == .left || how == .semi || how == .anti) && other.rowCount <= rowCount {
            let table = try JoinHashTable(build: right, rowCount: other.rowCount)
            switch how {
            case .left:
                let probe = try table.probe(left, rowCount: rowCount, mode: .keepUnmatched)
                return try plan.output(probe.probeRows, probe.buildRows,
                                       leftHasNulls: false, rightHasNulls: probe.sawUnmatched,
                                       leftIsIdentity: probe.oneToOne && probe.probeRows.count == rowCount)
            case .semi, .anti:
                let probe = try table.probe(left, rowCount: rowCount, mode: how == .semi ? .matchedOnce : .unmatchedOnly)
                return take(probe.probeRows)
            default: break
            }
        }

        var (l, r) = try JoinHashTable.matchPairs(left: left, leftCount: rowCount, right: right, rightCount: other.rowCount)
        if let condition {
            let candidates = plan.candidateFrame(l, r)
            let typed = try TypeChecker(schema: candidates.schema).checkPredicate(condition)
            let mask = Logic.isTrue(try candidates.evaluate(typed))
            if mask.setCount != l.count {
                let keep = BitmapOps.setIndices(mask)
                l = keep.map { l[$0] }
                r = keep.map { r[$0] }
            }
        }
        switch how {
        case .inner:
            return try plan.output(l, r, leftHasNulls: false, rightHasNulls: false, leftIsIdentity: false)
        case .semi, .anti:
            var matched = [Bool](repeating: false, count: rowCount)
            for i in l { matched[i] = true }
            return take(matched.indices.filter { matched[$0] == (how == .semi) })
        case .left, .right, .full:
            var outL = [Int](), outR = [Int]()
            var sawLeftNull = false, sawRightNull = false
            if how == .right {
                outL = l
                outR = r
            } else {
                // Pairs are sorted by left row, so unmatched left rows merge in with one linear pass.
                outL.reserveCapacity(max(l.count, rowCount))
                outR.reserveCapacity(max(l.count, rowCount))
                var p = 0
                for i in 0..<rowCount {
                    if p < l.count && l[p] == i {
                        while p < l.count && l[p] == i {
                            outL.append(i)
                            outR.append(r[p])
                            p += 1
                        }
                    } else {
                        outL.append(i)
                        outR.append(-1)
                        sawRightNull = true
                    }
                }
            }
            if how == .right || how == .full {
                var matched = [Bool](repeating: false, count: other.rowCount)
                for j in r { matched[j] = true }
                for j in 0..<other.rowCount where !matched[j] {
                    outL.append(-1)
                    outR.append(j)
                    sawLeftNull = true
                }
            }
            return try plan.output(outL, outR, leftHasNulls: sawLeftNull, rightHasNulls: sawRightNull,
                                   leftIsIdentity: false)
        }
    }

    /// A join on columns that have the same names on both sides.
    public func join(
        _ other: DataFrame, on names: [String], how: JoinType = .inner,
        condition: Expr? = nil, suffix: String = "_right"
    ) throws(DataFrameError) -> DataFrame {
        try join(other, on: names.map { (left: $0, right: $0) }, how: how, condition: condition, suffix: suffix)
    }

    /// A join on one column that has the same name on both sides.
    public func join(
        _ other: DataFrame, on name: String, how: JoinType = .inner,
        condition: Expr? = nil, suffix: String = "_right"
    ) throws(DataFrameError) -> DataFrame {
        try join(other, on: [name], how: how, condition: condition, suffix: suffix)
    }
}

// MARK: - output assembly

/// Decides the output columns of a join once, then gathers them from left/right row-index arrays.
private struct JoinOutputPlan {
    let left: DataFrame
    let right: DataFrame
    let leftKeys: [Int]
    let how: JoinType
    /// Right columns that appear in the output (keys of the same type are coalesced into the left key).
    let rightKept: [Int]
    /// Output name of every right column (suffixed when the left side has the name).
    let rightNames: [String]
    /// For coalesced keys: left key column -> right key column.
    let coalesced: [Int: Int]

    init(left: DataFrame, right: DataFrame, leftKeys: [Int], rightKeys: [Int], how: JoinType, suffix: String) {
        self.left = left
        self.right = right
        self.leftKeys = leftKeys
        self.how = how
        var coalesced = [Int: Int]()
        var dropped = Set<Int>()
        for (li, ri) in zip(leftKeys, rightKeys) where left.columns[li].type == right.columns[ri].type {
            if coalesced[li] == nil { coalesced[li] = ri }
            dropped.insert(ri)
        }
        self.coalesced = coalesced
        rightKept = right.columns.indices.filter { !dropped.contains($0) }
        let leftNames = Set(left.schema.names)
        rightNames = right.schema.names.map { leftNames.contains($0) ? $0 + suffix : $0 }
    }

    /// Every left and right column gathered at the candidate pairs (no nulls added), for the residual condition.
    func candidateFrame(_ l: [Int], _ r: [Int]) -> DataFrame {
        let cols = gatherAll(left.columns, l) + gatherAll(right.columns, r)
        let fields = left.schema.fields + right.schema.fields.enumerated().map { i, f in
            Field(rightNames[i], f.type, nullable: f.nullable, metadata: f.metadata)
        }
        return DataFrame(unchecked: Schema(fields), columns: cols, rowCount: l.count)
    }

    /// The joined frame for row pairs `l`/`r`, where -1 stands for a missing row of that side.
    func output(_ l: [Int], _ r: [Int], leftHasNulls: Bool, rightHasNulls: Bool,
                leftIsIdentity: Bool) throws(DataFrameError) -> DataFrame {
        var fields = [Field](), jobs = [(Column, Bool, Int)]()  // column, side is right, which
        for (i, f) in left.schema.fields.enumerated() {
            var field = f
            if leftHasNulls && coalesced[i] == nil { field.nullable = true }
            if let ri = coalesced[i], leftHasNulls {
                field.nullable = f.nullable || right.schema.fields[ri].nullable
            }
            fields.append(field)
            jobs.append((left.columns[i], false, i))
        }
        for j in rightKept {
            var field = right.schema.fields[j]
            field.name = rightNames[j]
            if rightHasNulls { field.nullable = true }
            fields.append(field)
            jobs.append((right.columns[j], true, j))
        }
        try DataFrame.checkUniqueNames(fields.map(\.name))
        let n = l.count
        func build(_ k: Int) -> Column {
            let (column, isRight, which) = jobs[k]
            if isRight { return joinGather(column, r, hasNulls: rightHasNulls) }
            if let ri = coalesced[which], leftHasNulls { return coalesce(column, right.columns[ri], l, r) }
            if leftIsIdentity { return column }
            return joinGather(column, l, hasNulls: leftHasNulls)
        }
        let columns = Parallel.columns(jobs.count, rows: n, build)
        return DataFrame(unchecked: Schema(fields), columns: columns, rowCount: n)
    }

    /// A key column that takes the left key where the left row exists, else the right key.
    private func coalesce(_ lc: Column, _ rc: Column, _ l: [Int], _ r: [Int]) -> Column {
        guard let both = try? Column.concatenate([lc, rc]) else { return joinGather(lc, l, hasNulls: true) }
        let offset = lc.count
        var idx = [Int](repeating: 0, count: l.count)
        for i in 0..<l.count { idx[i] = l[i] >= 0 ? l[i] : (r[i] >= 0 ? offset + r[i] : -1) }
        return joinGather(both, idx, hasNulls: idx.contains(-1))
    }

    private func gatherAll(_ cols: [Column], _ idx: [Int]) -> [Column] {
        cols.map { Kernels.gather($0, idx) }
    }
}

/// Rows `indices` of `column`, where -1 gives a null (the missing side of an outer join).
/// Reuses the gather kernel with -1 mapped to row 0, then clears the validity of those rows.
func joinGather(_ column: Column, _ indices: [Int], hasNulls: Bool) -> Column {
    guard hasNulls else { return Kernels.gather(column, indices) }
    let n = indices.count
    if column.count == 0 { return Kernels.nulls(column.type, count: n) }
    let safe = indices.map { $0 < 0 ? 0 : $0 }
    let gathered = Kernels.gather(column, safe)
    let present = indices.withUnsafeBufferPointer { idx in BitmapOps.pack(n) { idx[$0] >= 0 } }
    let validity = BitmapOps.and(gathered.validity, present)
    return Column(unchecked: column.type, count: n, validity: Kernels.normalized(validity), values: gathered.values)
}

// MARK: - keys

/// Checks that join key columns can be compared by value in the shared key tables (`Hashing/`), which
/// compare canonical keys exactly: integers of any width widen to Int64 and floats to Double, but an
/// integer never equals a float there, and decimals compare unscaled, so those pairs are refused here
/// with a message instead of silently never matching.
enum JoinKeyCheck {
    private enum Kind: Equatable { case integer, unsigned64, float, decimal(Int), temporal, string, binary, boolean }

    private static func kind(_ t: DataType) -> Kind? {
        switch t {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32: .integer
        case .uint64: .unsigned64
        case .float32, .float64: .float
        case let .decimal(_, s): .decimal(s)
        case .date, .time, .timestamp: .temporal
        case .string: .string
        case .binary, .fixedSizeBinary: .binary
        case .boolean: .boolean
        case .list, .structure, .map: nil
        }
    }

    /// Throws a type error when `a` and `b` cannot be join keys of each other.
    static func check(_ a: DataType, _ an: String, _ b: DataType, _ bn: String) throws(DataFrameError) {
        guard let ka = kind(a), let kb = kind(b), ka == kb, ka != .temporal || a == b else {
            throw .type(message: "join keys `\(an)` (\(a.name)) and `\(bn)` (\(b.name)) have incompatible types; cast one of them",
                        expression: "\(an) = \(bn)")
        }
    }
}

// MARK: - hash index

/// The build side of a join (a `RowKeyIndex` from `Hashing/`) plus the probe loop that turns the
/// matched build groups into row pairs.
struct JoinHashTable {
    enum ProbeMode { case pairs, keepUnmatched, matchedOnce, unmatchedOnly }

    struct ProbeResult {
        var probeRows: [Int] = []
        var buildRows: [Int] = []
        var sawUnmatched = false
        /// No probe row matched more than once.
        var oneToOne = true
    }

    let index: RowKeyIndex

    init(build: [Column], rowCount: Int) throws(DataFrameError) {
        index = try RowKeyIndex(build: build, rowCount: rowCount)
    }

    /// Probes rows `range` of the probe key columns; row numbers in the result are absolute.
    private func probe(_ keys: [Column], _ range: Range<Int>, whole: Bool, mode: ProbeMode) throws(DataFrameError) -> ProbeResult {
        let part = whole ? keys : keys.map { $0.slice(range) }
        let groups = try index.probe(part, rowCount: range.count)
        var out = ProbeResult()
        let pairs = mode == .pairs || mode == .keepUnmatched
        out.probeRows.reserveCapacity(range.count)
        if pairs { out.buildRows.reserveCapacity(range.count) }
        let base = range.lowerBound
        groups.withUnsafeBufferPointer { g in
            index.starts.withUnsafeBufferPointer { starts in
                index.rows.withUnsafeBufferPointer { rows in
                    for k in 0..<g.count {
                        let group = Int(g[k])
                        switch mode {
                        case .pairs, .keepUnmatched:
                            if group < 0 {
                                if mode == .keepUnmatched {
                                    out.probeRows.append(base + k)
                                    out.buildRows.append(-1)
                                    out.sawUnmatched = true
                                }
                                continue
                            }
                            let s = starts[group], e = starts[group + 1]
                            if e - s > 1 { out.oneToOne = false }
                            for j in s..<e {
                                out.probeRows.append(base + k)
                                out.buildRows.append(rows[j])
                            }
                        case .matchedOnce: if group >= 0 { out.probeRows.append(base + k) }
                        case .unmatchedOnly: if group < 0 { out.probeRows.append(base + k) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Probes every row of the probe key columns, in two concurrent halves when large; results in probe order.
    func probe(_ keys: [Column], rowCount n: Int, mode: ProbeMode) throws(DataFrameError) -> ProbeResult {
        if n < 2 * Parallel.threshold { return try probe(keys, 0..<n, whole: true, mode: mode) }
        let mid = n / 2
        typealias Outcome = Result<ProbeResult, DataFrameError>
        func run(_ r: Range<Int>) -> Outcome {
            do throws(DataFrameError) { return .success(try probe(keys, r, whole: false, mode: mode)) } catch { return .failure(error) }
        }
        let (a, b) = Parallel.both({ run(0..<mid) }, { run(mid..<n) })
        var first = try a.get()
        let second = try b.get()
        first.probeRows.append(contentsOf: second.probeRows)
        first.buildRows.append(contentsOf: second.buildRows)
        first.sawUnmatched = first.sawUnmatched || second.sawUnmatched
        first.oneToOne = first.oneToOne && second.oneToOne
        return first
    }

    /// All matching (left, right) row pairs, sorted by left row and then right row.
    /// Builds on the smaller side; when that is the left side the pairs are counting-sorted back to left order.
    static func matchPairs(left: [Column], leftCount: Int, right: [Column], rightCount: Int) throws(DataFrameError) -> ([Int], [Int]) {
        if rightCount <= leftCount {
            let r = try JoinHashTable(build: right, rowCount: rightCount).probe(left, rowCount: leftCount, mode: .pairs)
            return (r.probeRows, r.buildRows)
        }
        let r = try JoinHashTable(build: left, rowCount: leftCount).probe(right, rowCount: rightCount, mode: .pairs)
        // Probe order is right order; a stable counting sort by left row keeps right order within a left row.
        var starts = [Int](repeating: 0, count: leftCount + 1)
        for l in r.buildRows { starts[l + 1] += 1 }
        for i in 0..<leftCount { starts[i + 1] += starts[i] }
        var ls = [Int](repeating: 0, count: r.buildRows.count)
        var rs = [Int](repeating: 0, count: r.buildRows.count)
        for (k, l) in r.buildRows.enumerated() {
            let at = starts[l]
            ls[at] = l
            rs[at] = r.probeRows[k]
            starts[l] = at + 1
        }
        return (ls, rs)
    }
}
