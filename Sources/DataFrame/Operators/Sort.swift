import Columnar

/// One key of a sort: an expression (usually a column), its direction, and where nulls go.
///
/// Defaults follow Spark: ascending keys put nulls first, descending keys put them last. NaN sorts above
/// every other number (and below null when nulls are last), and -0.0 equals 0.0.
public struct SortKey: Sendable, Hashable {
    /// The value sorted on.
    public var expr: Expr
    /// True for descending order.
    public var descending: Bool
    /// True when nulls come before every value.
    public var nullsFirst: Bool

    /// A key on `expr`; `nullsFirst` defaults to Spark's choice for the direction.
    public init(_ expr: Expr, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.expr = expr
        self.descending = descending
        self.nullsFirst = nullsFirst ?? !descending
    }

    /// A key on the column called `name` (taken literally, not parsed).
    public init(_ name: String, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.init(.col(name), descending: descending, nullsFirst: nullsFirst)
    }

    /// Ascending on the column `name`.
    public static func asc(_ name: String, nullsFirst: Bool = true) -> SortKey {
        SortKey(name, descending: false, nullsFirst: nullsFirst)
    }

    /// Descending on the column `name`.
    public static func desc(_ name: String, nullsFirst: Bool = false) -> SortKey {
        SortKey(name, descending: true, nullsFirst: nullsFirst)
    }

    /// Parses `expression [ASC|DESC] [NULLS FIRST|LAST]` as written in SQL ORDER BY.
    public static func parse(_ sql: String) throws(DataFrameError) -> SortKey {
        var words = sql.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        var nullsFirst: Bool?
        if words.count >= 2, words[words.count - 2].uppercased() == "NULLS" {
            switch words[words.count - 1].uppercased() {
            case "FIRST": nullsFirst = true
            case "LAST": nullsFirst = false
            default: throw .parse(message: "expected FIRST or LAST after NULLS", sql: sql, offset: max(0, sql.utf8.count - words[words.count - 1].utf8.count))
            }
            words.removeLast(2)
        }
        var descending = false
        if let last = words.last?.uppercased(), last == "ASC" || last == "DESC" {
            descending = last == "DESC"
            words.removeLast()
        }
        guard !words.isEmpty else { throw .parse(message: "expected an expression to sort by", sql: sql, offset: 0) }
        return SortKey(try Expr.parse(words.joined(separator: " ")), descending: descending, nullsFirst: nullsFirst)
    }
}

extension DataFrame {
    /// The rows ordered by `keys` (first key first); rows with equal keys keep their input order.
    ///
    /// Computes one permutation with typed comparisons, then gathers every column once.
    public func sort(by keys: [SortKey]) throws(DataFrameError) -> DataFrame {
        if keys.isEmpty { return self }
        // Keys are checked even when there is nothing to reorder, so a bad key fails on any input.
        let permutation = try sortPermutation(keys)
        return rowCount < 2 ? self : take(permutation)
    }

    /// The rows ordered by the named columns, all ascending or all descending.
    public func sort(_ names: String..., descending: Bool = false) throws(DataFrameError) -> DataFrame {
        try sort(by: names.map { SortKey($0, descending: descending) })
    }

    /// The rows ordered by SQL ORDER BY items: `try frame.sort(sql: "region", "amount DESC NULLS FIRST")`.
    public func sort(sql items: String...) throws(DataFrameError) -> DataFrame {
        var keys = [SortKey]()
        for item in items { keys.append(try SortKey.parse(item)) }
        return try sort(by: keys)
    }

    /// The row order `sort(by:)` would produce: `permutation[i]` is the input row placed at position `i`.
    public func sortPermutation(_ keys: [SortKey]) throws(DataFrameError) -> [Int] {
        let checker = TypeChecker(schema: schema)
        var lanes = [SortLane]()
        for key in keys {
            let column = try evaluate(try checker.check(key.expr))
            try SortLane.append(column, descending: key.descending, nullsFirst: key.nullsFirst, to: &lanes, expression: key.expr)
        }
        return SortLane.permutation(lanes, rowCount: rowCount)
    }
}

/// One comparison lane of a sort: either a word per row whose unsigned order is the wanted order
/// (direction, nulls and NaN already folded in), or variable-length bytes compared lexicographically.
///
/// Every fixed-width type becomes words once, before sorting, so the comparator never switches on the
/// column type: it compares `UInt64`s, and only string keys take the byte path.
enum SortLane {
    case words([UInt64])
    case bytes(offsets: [Int64], data: [UInt8], descending: Bool)

    /// Adds the lanes for one key column: a null-rank lane when the column has nulls, then its values.
    static func append(_ column: Column, descending: Bool, nullsFirst: Bool, to lanes: inout [SortLane],
                       expression: Expr) throws(DataFrameError) {
        let n = column.count
        let validity = column.validity
        if let v = validity {
            // 0 sorts first: nulls get 0 when they go first.
            let nullRank: UInt64 = nullsFirst ? 0 : 1, valueRank: UInt64 = nullsFirst ? 1 : 0
            var rank = [UInt64](repeating: valueRank, count: n)
            for i in 0..<n where !v[i] { rank[i] = nullRank }
            lanes.append(.words(rank))
        }
        let flip: UInt64 = descending ? ~0 : 0
        func ordered<T>(_ a: [T], _ encode: (T) -> UInt64) -> SortLane {
            var out = [UInt64](repeating: 0, count: n)
            out.withUnsafeMutableBufferPointer { o in
                a.withUnsafeBufferPointer { a in
                    for i in 0..<n { o[i] = encode(a[i]) ^ flip }
                }
            }
            // Null slots hold arbitrary values; zero them so rows equal on the null lane stay tied here too.
            if let v = validity { for i in 0..<n where !v[i] { out[i] = 0 } }
            return .words(out)
        }
        let signBit: UInt64 = 1 << 63
        @inline(__always) func double(_ x: Double) -> UInt64 {
            if x.isNaN { return ~0 }  // above +infinity
            let b = (x == 0 ? 0.0 : x).bitPattern
            return b & signBit != 0 ? ~b : b | signBit
        }
        switch column.values {
        case let .boolean(b):
            lanes.append(ordered(b.asBytes) { UInt64($0) })
        case let .int8(a): lanes.append(ordered(a) { UInt64(bitPattern: Int64($0)) ^ signBit })
        case let .int16(a): lanes.append(ordered(a) { UInt64(bitPattern: Int64($0)) ^ signBit })
        case let .int32(a): lanes.append(ordered(a) { UInt64(bitPattern: Int64($0)) ^ signBit })
        case let .int64(a): lanes.append(ordered(a) { UInt64(bitPattern: $0) ^ signBit })
        case let .uint8(a): lanes.append(ordered(a) { UInt64($0) })
        case let .uint16(a): lanes.append(ordered(a) { UInt64($0) })
        case let .uint32(a): lanes.append(ordered(a) { UInt64($0) })
        case let .uint64(a): lanes.append(ordered(a) { $0 })
        case let .float32(a): lanes.append(ordered(a) { double(Double($0)) })
        case let .float64(a): lanes.append(ordered(a, double))
        case let .decimal(a):
            // Two words: the high half (signed, so sign-flipped) decides, the low half breaks ties.
            lanes.append(ordered(a) { UInt64(truncatingIfNeeded: $0 >> 64) ^ signBit })
            lanes.append(ordered(a) { UInt64(truncatingIfNeeded: $0) })
        case let .bytes(o, d):
            if let v = validity {
                // Null slots compare as empty so they tie among themselves.
                var offsets = o
                for i in 0..<n where !v[i] { offsets[i + 1] = offsets[i] }
                var data = [UInt8]()
                var rebuilt = [Int64](repeating: 0, count: n + 1)
                data.reserveCapacity(Int(o[n] - o[0]))
                for i in 0..<n {
                    if v[i] { data.append(contentsOf: d[Int(o[i])..<Int(o[i + 1])]) }
                    rebuilt[i + 1] = Int64(data.count)
                }
                lanes.append(.bytes(offsets: rebuilt, data: data, descending: descending))
            } else {
                lanes.append(.bytes(offsets: o, data: d, descending: descending))
            }
        case .list, .structure, .map:
            throw .type(message: "cannot sort by a \(column.type.name) value", expression: expression.sql)
        }
    }

    /// The stable ascending order of rows under `lanes` (lexicographic over lanes, then row number).
    static func permutation(_ lanes: [SortLane], rowCount n: Int) -> [Int] {
        if n < 2 || lanes.isEmpty { return Array(0..<n) }
        let perm: [Int32]
        if lanes.count == 1, case let .words(w) = lanes[0] {
            perm = sortSingleWord(w, n)
        } else if lanes.count == 2, case let .words(a) = lanes[0], case let .words(b) = lanes[1] {
            perm = sortTwoWords(a, b, n)
        } else {
            perm = sortByComparator(lanes, n)
        }
        return perm.map { Int($0) }
    }

    /// One word key: sort (key, row) records, whose natural order is already stable.
    private static func sortSingleWord(_ w: [UInt64], _ n: Int) -> [Int32] {
        var records = [OneWord](repeating: OneWord(key: 0, row: 0), count: n)
        records.withUnsafeMutableBufferPointer { r in
            w.withUnsafeBufferPointer { w in
                for i in 0..<n { r[i] = OneWord(key: w[i], row: Int32(truncatingIfNeeded: i)) }
            }
        }
        return sortRecords(&records)
    }

    /// Two word keys (two columns, or one nullable column): records hold both words inline, so each
    /// comparison reads one contiguous record instead of two scattered lanes.
    private static func sortTwoWords(_ a: [UInt64], _ b: [UInt64], _ n: Int) -> [Int32] {
        var records = [TwoWords](repeating: TwoWords(a: 0, b: 0, row: 0), count: n)
        records.withUnsafeMutableBufferPointer { r in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for i in 0..<n { r[i] = TwoWords(a: a[i], b: b[i], row: Int32(truncatingIfNeeded: i)) }
                }
            }
        }
        return sortRecords(&records)
    }

    /// Sorts records (two halves concurrently for large inputs, then one merge) and returns their rows.
    private static func sortRecords<R: SortRecord>(_ records: inout [R]) -> [Int32] {
        let n = records.count
        if n >= Parallel.threshold {
            let mid = n / 2
            records.withUnsafeMutableBufferPointer { p in
                let shared = UnsafeSendable(p)
                _ = Parallel.both({ var h = UnsafeMutableBufferPointer(rebasing: shared.value[0..<mid]); h.sort() },
                                  { var h = UnsafeMutableBufferPointer(rebasing: shared.value[mid..<n]); h.sort() })
            }
            return records.withUnsafeBufferPointer { p in merge(n, mid) { p[$0].row } less: { p[$0] < p[$1] } }
        }
        records.sort()
        return records.map(\.row)
    }

    /// Several lanes or strings: sort row numbers with a comparator that walks the lanes.
    private static func sortByComparator(_ lanes: [SortLane], _ n: Int) -> [Int32] {
        let comparator = LaneComparator(lanes)
        var rows = (0..<n).map { Int32(truncatingIfNeeded: $0) }
        if n >= Parallel.threshold {
            let mid = n / 2
            rows.withUnsafeMutableBufferPointer { p in
                let shared = UnsafeSendable((p, comparator))
                let c = shared.value.1
                _ = Parallel.both({ var h = UnsafeMutableBufferPointer(rebasing: shared.value.0[0..<mid]); h.sort { c.less($0, $1) } },
                                  { var h = UnsafeMutableBufferPointer(rebasing: shared.value.0[mid..<n]); h.sort { c.less($0, $1) } })
            }
            return merge(n, mid) { rows[$0] } less: { comparator.less(rows[$0], rows[$1]) }
        }
        rows.sort { comparator.less($0, $1) }
        return rows
    }

    /// Merges the sorted runs `0..<mid` and `mid..<n` (positions), taking from the left on ties (stability).
    private static func merge(_ n: Int, _ mid: Int, row: (Int) -> Int32, less: (Int, Int) -> Bool) -> [Int32] {
        var out = [Int32](repeating: 0, count: n)
        var i = 0, j = mid, k = 0
        while i < mid && j < n {
            if less(j, i) { out[k] = row(j); j += 1 } else { out[k] = row(i); i += 1 }
            k += 1
        }
        while i < mid { out[k] = row(i); i += 1; k += 1 }
        while j < n { out[k] = row(j); j += 1; k += 1 }
        return out
    }
}

/// A sort record: the key words of one row and the row number, ordered by keys then row (so any
/// sort algorithm is stable on them).
protocol SortRecord: Comparable {
    /// The input row.
    var row: Int32 { get }
}

/// One key word and its row.
struct OneWord: SortRecord {
    var key: UInt64
    var row: Int32
    @inline(__always) static func < (x: OneWord, y: OneWord) -> Bool { x.key < y.key || (x.key == y.key && x.row < y.row) }
}

/// Two key words and their row.
struct TwoWords: SortRecord {
    var a: UInt64
    var b: UInt64
    var row: Int32
    @inline(__always) static func < (x: TwoWords, y: TwoWords) -> Bool {
        if x.a != y.a { return x.a < y.a }
        if x.b != y.b { return x.b < y.b }
        return x.row < y.row
    }
}

/// Compares two rows across sort lanes, falling back to row order so the sort is stable whatever
/// algorithm runs it.
struct LaneComparator {
    let lanes: [SortLane]
    /// True when every lane is words: the common case takes a loop with no enum switch.
    let allWords: [[UInt64]]?

    init(_ lanes: [SortLane]) {
        self.lanes = lanes
        var words = [[UInt64]]()
        for lane in lanes { if case let .words(w) = lane { words.append(w) } }
        allWords = words.count == lanes.count ? words : nil
    }

    @inline(__always)
    func less(_ a: Int32, _ b: Int32) -> Bool {
        let x = Int(a), y = Int(b)
        if let allWords {
            for w in allWords {
                let u = w[x], v = w[y]
                if u != v { return u < v }
            }
            return a < b
        }
        for lane in lanes {
            switch lane {
            case let .words(w):
                let u = w[x], v = w[y]
                if u != v { return u < v }
            case let .bytes(o, d, descending):
                let c = Self.compareBytes(o, d, x, y)
                if c != 0 { return descending ? c > 0 : c < 0 }
            }
        }
        return a < b
    }

    /// Lexicographic byte comparison (UTF-8 byte order is code point order, as Spark compares strings).
    @inline(__always)
    static func compareBytes(_ o: [Int64], _ d: [UInt8], _ x: Int, _ y: Int) -> Int {
        let xs = Int(o[x]), xe = Int(o[x + 1]), ys = Int(o[y]), ye = Int(o[y + 1])
        let lx = xe - xs, ly = ye - ys
        let m = min(lx, ly)
        return d.withUnsafeBufferPointer { p in
            var i = 0
            while i < m {
                let u = p[xs + i], v = p[ys + i]
                if u != v { return u < v ? -1 : 1 }
                i += 1
            }
            return lx == ly ? 0 : (lx < ly ? -1 : 1)
        }
    }
}
