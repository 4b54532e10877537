import Columnar
import Dispatch

/// Runs two pieces of CPU work at once, on the machine's two cores. Each closure writes only its own
/// result, so no locking is needed.
enum Parallel {
    /// Row counts below this are not worth splitting (thread hand-off costs more than the work saved).
    static let threshold = 1 << 16

    /// `(a(), b())`, computed concurrently (one after the other when `LAKE_THREADS=1`).
    static func both<A, B>(_ a: () -> A, _ b: () -> B) -> (A, B) {
        if ThreadBudget.count < 2 { return (a(), b()) }
        var ra: A?
        var rb: B?
        withoutActuallyEscaping(a) { a in
            withoutActuallyEscaping(b) { b in
                let pa = UnsafeMutablePointer<A?>.allocate(capacity: 1)
                let pb = UnsafeMutablePointer<B?>.allocate(capacity: 1)
                pa.initialize(to: nil)
                pb.initialize(to: nil)
                let work = UnsafeSendable((a, b, pa, pb))
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    let (a, b, pa, pb) = work.value
                    if i == 0 { pa.pointee = a() } else { pb.pointee = b() }
                }
                ra = pa.move()
                rb = pb.move()
                pa.deallocate()
                pb.deallocate()
            }
        }
        // Both slots were filled by concurrentPerform, which returns only after every iteration ran.
        guard let ra, let rb else { return (a(), b()) }
        return (ra, rb)
    }

    /// Calls `body(range)` for two halves of `0..<count` items concurrently when the work covers at least
    /// `threshold` rows (`rows`, default `count`; e.g. 64 per bitmap word), else once for all of them.
    static func halves(_ count: Int, rows: Int? = nil, _ body: (Range<Int>) -> Void) {
        if (rows ?? count) < threshold || count < 2 {
            body(0..<count)
            return
        }
        let mid = count / 2
        _ = both({ body(0..<mid) }, { body(mid..<count) })
    }

    /// `[build(0), ..., build(count - 1)]`, one task per output column spread over the cores when the
    /// frame has at least `threshold` rows: building output columns (gathers) is independent per column
    /// and memory-bound.
    static func columns(_ count: Int, rows: Int, _ build: (Int) -> Column) -> [Column] {
        guard rows >= threshold, count > 1, ThreadBudget.count > 1 else { return (0..<count).map(build) }
        var out = [Column?](repeating: nil, count: count)
        withoutActuallyEscaping(build) { build in
            out.withUnsafeMutableBufferPointer { slots in
                // Each iteration writes only its own slot.
                let shared = UnsafeSendable((slots, build))
                DispatchQueue.concurrentPerform(iterations: count) { k in
                    let (slots, build) = shared.value
                    slots[k] = build(k)
                }
            }
        }
        // concurrentPerform returns only after every iteration ran, so every slot is filled.
        return out.enumerated().map { k, column in column ?? build(k) }
    }
}

/// Carries non-Sendable values into `concurrentPerform`, where the caller guarantees that the two
/// iterations touch disjoint memory.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The dense-id table of one key column, whatever its type: integers, dates, timestamps, booleans and
/// floats share the `Int64` table, decimals the `Int128` one, strings and binaries the byte table.
///
/// Equal SQL values get equal ids; null gets its own id when grouping (`assign`) and never matches when
/// probing (`probe`), as in SQL joins.
enum KeyColumnTable: Sendable {
    case fixed(FixedKeyTable<Int64>)
    case wide(FixedKeyTable<Int128>)
    case bytes(BytesKeyTable)

    /// An empty table for keys of `type`; throws for nested types, which cannot be keys yet.
    init(for type: DataType, expected: Int = 0) throws(DataFrameError) {
        switch type {
        case .decimal: self = .wide(FixedKeyTable(expected: expected, zero: 0))
        case .string, .binary, .fixedSizeBinary: self = .bytes(BytesKeyTable(expected: expected))
        case .list, .structure, .map:
            throw .invalidArgument("a \(type.name) column cannot be used as a grouping or join key")
        default: self = .fixed(FixedKeyTable(expected: expected, zero: 0))
        }
    }

    /// Number of distinct keys so far (null included).
    var count: Int {
        switch self {
        case let .fixed(t): t.count
        case let .wide(t): t.count
        case let .bytes(t): t.count
        }
    }

    /// Writes the id of rows `rows` of `column` into `ids[rows]`, numbering new keys in order of first appearance.
    mutating func assign(_ column: Column, rows: Range<Int>, into ids: UnsafeMutableBufferPointer<Int32>) throws(DataFrameError) {
        let validity = column.validity
        func fixed<E: KeyElement>(_ a: [E]) throws(DataFrameError) where E.Key == Int64 {
            guard case var .fixed(t) = self else { throw KeyColumnTable.mismatch(column) }
            self = .fixed(FixedKeyTable(expected: 0, zero: 0))
            a.withUnsafeBufferPointer { t.assign($0, validity: validity, rows: rows, into: ids) }
            self = .fixed(t)
        }
        switch column.values {
        case let .boolean(b): try fixed(b.asBytes)
        case let .int8(a): try fixed(a)
        case let .int16(a): try fixed(a)
        case let .int32(a): try fixed(a)
        case let .int64(a): try fixed(a)
        case let .uint8(a): try fixed(a)
        case let .uint16(a): try fixed(a)
        case let .uint32(a): try fixed(a)
        case let .uint64(a): try fixed(a)
        case let .float32(a): try fixed(a)
        case let .float64(a): try fixed(a)
        case let .decimal(a):
            guard case var .wide(t) = self else { throw KeyColumnTable.mismatch(column) }
            self = .wide(FixedKeyTable(expected: 0, zero: 0))
            a.withUnsafeBufferPointer { t.assign($0, validity: validity, rows: rows, into: ids) }
            self = .wide(t)
        case let .bytes(o, d):
            guard case var .bytes(t) = self else { throw KeyColumnTable.mismatch(column) }
            self = .bytes(BytesKeyTable())
            o.withUnsafeBufferPointer { o in
                d.withUnsafeBufferPointer { d in t.assign(offsets: o, data: d, validity: validity, rows: rows, into: ids) }
            }
            self = .bytes(t)
        case .list, .structure, .map:
            throw .invalidArgument("a \(column.type.name) column cannot be used as a grouping or join key")
        }
    }

    /// The id of each row of `column` without inserting; -1 for keys not in the table and for nulls.
    func probe(_ column: Column) throws(DataFrameError) -> [Int32] {
        var ids = [Int32](repeating: -1, count: column.count)
        let validity = column.validity
        func fixed<E: KeyElement>(_ a: [E]) throws(DataFrameError) where E.Key == Int64 {
            guard case let .fixed(t) = self else { throw KeyColumnTable.mismatch(column) }
            a.withUnsafeBufferPointer { a in ids.withUnsafeMutableBufferPointer { t.probe(a, validity: validity, into: $0) } }
        }
        switch column.values {
        case let .boolean(b): try fixed(b.asBytes)
        case let .int8(a): try fixed(a)
        case let .int16(a): try fixed(a)
        case let .int32(a): try fixed(a)
        case let .int64(a): try fixed(a)
        case let .uint8(a): try fixed(a)
        case let .uint16(a): try fixed(a)
        case let .uint32(a): try fixed(a)
        case let .uint64(a): try fixed(a)
        case let .float32(a): try fixed(a)
        case let .float64(a): try fixed(a)
        case let .decimal(a):
            guard case let .wide(t) = self else { throw KeyColumnTable.mismatch(column) }
            a.withUnsafeBufferPointer { a in ids.withUnsafeMutableBufferPointer { t.probe(a, validity: validity, into: $0) } }
        case let .bytes(o, d):
            guard case let .bytes(t) = self else { throw KeyColumnTable.mismatch(column) }
            o.withUnsafeBufferPointer { o in
                d.withUnsafeBufferPointer { d in
                    ids.withUnsafeMutableBufferPointer { t.probe(offsets: o, data: d, validity: validity, into: $0) }
                }
            }
        case .list, .structure, .map:
            throw .invalidArgument("a \(column.type.name) column cannot be used as a grouping or join key")
        }
        return ids
    }

    /// Adds the keys of `other` (same kind) and returns each of its ids' id here.
    mutating func absorb(_ other: KeyColumnTable) -> [Int32] {
        switch (self, other) {
        case (.fixed(var t), let .fixed(o)):
            self = .fixed(FixedKeyTable(expected: 0, zero: 0))
            let r = t.absorb(o)
            self = .fixed(t)
            return r
        case (.wide(var t), let .wide(o)):
            self = .wide(FixedKeyTable(expected: 0, zero: 0))
            let r = t.absorb(o)
            self = .wide(t)
            return r
        case (.bytes(var t), let .bytes(o)):
            self = .bytes(BytesKeyTable())
            let r = t.absorb(o)
            self = .bytes(t)
            return r
        default:
            return []
        }
    }

    private static func mismatch(_ column: Column) -> DataFrameError {
        .columnar(.invalid("key column of type \(column.type.name) does not match the key table"))
    }
}

extension Bitmap {
    /// One byte (0 or 1) per bit, so boolean keys can go through the integer table.
    var asBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count where self[i] { out[i] = 1 }
        return out
    }
}

/// Dense group ids for the rows of a set of key columns.
///
/// `ids[row]` is in `0..<count`; rows with equal keys (null equal to null, NaN equal to NaN, -0.0 equal to
/// 0.0) share an id. Groups are numbered in order of first appearance, so `firstRows` is increasing.
struct GroupIds: Sendable {
    /// The group of each row.
    var ids: [Int32]
    /// Number of groups.
    var count: Int
    /// The first row of each group (a representative for gathering the key values).
    var firstRows: [Int]
}

/// Assigns group ids to rows: the shared entry point for group-by, unique and the build side of joins.
enum RowGrouping {
    /// Group ids of the rows of `columns` (all of the same length; at least one column).
    ///
    /// One column is one pass of its typed table. Several columns are numbered one at a time and their
    /// ids combined pairwise (`previous * count + next`) through an `Int64` table, which keeps every key
    /// exact (no hash-only equality) and every table typed. Large inputs are split in two halves
    /// numbered concurrently, then the second half's table is merged into the first.
    static func groupIds(_ columns: [Column], rowCount: Int) throws(DataFrameError) -> GroupIds {
        guard !columns.isEmpty else {
            // No key: everything is one group (a global aggregate), or none for an empty input.
            return GroupIds(ids: [Int32](repeating: 0, count: rowCount), count: rowCount > 0 ? 1 : 0,
                            firstRows: rowCount > 0 ? [0] : [])
        }
        var (ids, count) = try columnIds(columns[0], rowCount: rowCount)
        for column in columns.dropFirst() {
            let (next, nextCount) = try columnIds(column, rowCount: rowCount)
            let combined = Self.combine(ids, count, next, nextCount)
            (ids, count) = try columnIds(Kernels.column(.int64, combined, validity: nil), rowCount: rowCount)
        }
        var firstRows = [Int](repeating: -1, count: count)
        ids.withUnsafeBufferPointer { g in
            firstRows.withUnsafeMutableBufferPointer { f in
                var seen = 0
                for r in 0..<g.count where f[Int(g[r])] < 0 {
                    f[Int(g[r])] = r
                    seen += 1
                    if seen == f.count { break }
                }
            }
        }
        return GroupIds(ids: ids, count: count, firstRows: firstRows)
    }

    /// `a * bCount + b` per row: a unique Int64 for each pair of ids (both are below 2^31).
    static func combine(_ a: [Int32], _ aCount: Int, _ b: [Int32], _ bCount: Int) -> [Int64] {
        var out = [Int64](repeating: 0, count: a.count)
        let m = Int64(bCount)
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for i in 0..<o.count { o[i] = Int64(a[i]) &* m &+ Int64(b[i]) }
                }
            }
        }
        return out
    }

    /// Dense ids of one column, numbering two halves concurrently for large columns.
    static func columnIds(_ column: Column, rowCount: Int) throws(DataFrameError) -> ([Int32], Int) {
        var ids = [Int32](repeating: 0, count: rowCount)
        var table = try KeyColumnTable(for: column.type)
        if rowCount < Parallel.threshold {
            try ids.withUnsafeMutableBufferPointer { (p) throws(DataFrameError) in try table.assign(column, rows: 0..<rowCount, into: p) }
            return (ids, table.count)
        }
        let mid = rowCount / 2
        var second = table
        var failure: DataFrameError?
        ids.withUnsafeMutableBufferPointer { p in
            let shared = UnsafeSendable(p)
            let (e1, e2) = Parallel.both({ () -> DataFrameError? in
                do throws(DataFrameError) { try table.assign(column, rows: 0..<mid, into: shared.value) } catch { return error }
                return nil
            }, { () -> DataFrameError? in
                do throws(DataFrameError) { try second.assign(column, rows: mid..<rowCount, into: shared.value) } catch { return error }
                return nil
            })
            failure = e1 ?? e2
        }
        if let failure { throw failure }
        let remap = table.absorb(second)
        ids.withUnsafeMutableBufferPointer { p in
            remap.withUnsafeBufferPointer { m in
                for r in mid..<rowCount { p[r] = m[Int(p[r])] }
            }
        }
        return (ids, table.count)
    }
}

/// A hash index over the key columns of one frame (the build side of a join), probed with the key
/// columns of another frame. Keys are compared exactly by value; the caller casts both sides' key
/// columns to common types first (an `int` column matches a `long` column as is, a decimal needs equal
/// scales). Null keys never match.
struct RowKeyIndex: Sendable {
    /// Per key column: the table numbering its values.
    private var columnTables: [KeyColumnTable]
    /// Per extra key column: the table numbering combined (previous, next) id pairs, and the next column's count.
    private var pairTables: [(table: FixedKeyTable<Int64>, count: Int)]
    /// Group ids of the build rows (null keys included, as their own groups).
    let groups: GroupIds
    /// Build rows by group: rows of group `g` are `rows[starts[g]..<starts[g + 1]]`, ascending.
    let starts: [Int]
    /// See `starts`.
    let rows: [Int]

    /// Indexes the rows of `columns` (at least one).
    init(build columns: [Column], rowCount: Int) throws(DataFrameError) {
        guard !columns.isEmpty else { throw .invalidArgument("a join needs at least one key column") }
        var tables = [KeyColumnTable]()
        var pairs = [(table: FixedKeyTable<Int64>, count: Int)]()
        var ids = [Int32](), count = 0
        for (k, column) in columns.enumerated() {
            var t = try KeyColumnTable(for: column.type)
            var next = [Int32](repeating: 0, count: rowCount)
            try next.withUnsafeMutableBufferPointer { (p) throws(DataFrameError) in try t.assign(column, rows: 0..<rowCount, into: p) }
            tables.append(t)
            if k == 0 {
                ids = next
                count = t.count
            } else {
                let combined = RowGrouping.combine(ids, count, next, t.count)
                var pt = FixedKeyTable<Int64>(expected: 0, zero: 0)
                combined.withUnsafeBufferPointer { c in
                    ids.withUnsafeMutableBufferPointer { pt.assign(c, validity: nil, rows: 0..<rowCount, into: $0) }
                }
                pairs.append((pt, t.count))
                count = pt.count
            }
        }
        columnTables = tables
        pairTables = pairs
        var firstRows = [Int](repeating: -1, count: count)
        var sizes = [Int](repeating: 0, count: count + 1)
        for r in 0..<rowCount {
            let g = Int(ids[r])
            if firstRows[g] < 0 { firstRows[g] = r }
            sizes[g + 1] += 1
        }
        for g in 0..<count { sizes[g + 1] += sizes[g] }
        var fill = sizes
        var byGroup = [Int](repeating: 0, count: rowCount)
        for r in 0..<rowCount {
            let g = Int(ids[r])
            byGroup[fill[g]] = r
            fill[g] += 1
        }
        groups = GroupIds(ids: ids, count: count, firstRows: firstRows)
        starts = sizes
        rows = byGroup
    }

    /// For each row of the probe columns (same count and kinds as the build columns), the build group
    /// it matches, or -1 when none does (or any of its keys is null).
    func probe(_ columns: [Column], rowCount: Int) throws(DataFrameError) -> [Int32] {
        guard columns.count == columnTables.count else {
            throw .invalidArgument("join has \(columnTables.count) build keys but \(columns.count) probe keys")
        }
        var ids = try columnTables[0].probe(columns[0])
        for k in 1..<max(1, columns.count) where k < columns.count {
            let next = try columnTables[k].probe(columns[k])
            let (table, n) = pairTables[k - 1]
            for r in 0..<rowCount {
                let a = ids[r], b = next[r]
                ids[r] = (a < 0 || b < 0) ? -1 : table.find(Int64(a) &* Int64(n) &+ Int64(b))
            }
        }
        // A build group whose key holds a null must not match: the probe side already maps any null to -1
        // per column, and a build-side null id is never returned by `find`, so nothing more to do here.
        return ids
    }
}
