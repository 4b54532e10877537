import Columnar

/// An open-addressing hash table that numbers distinct fixed-width keys densely (0, 1, 2, … in the order
/// they were first inserted). The building block of group-by, unique and hash joins.
///
/// Slots hold the key inline next to its id so a probe touches one cache line; linear probing; the
/// table doubles when half full. A null value never enters the slots: `nullId()` numbers it like any
/// other key so grouping keeps first-appearance order, while `find` never returns it (join semantics).
struct FixedKeyTable<Key: TableKey>: Sendable {
    /// One slot: `id == -1` means empty.
    @usableFromInline struct Slot: Sendable {
        var key: Key
        var id: Int32
    }

    private var slots: [Slot]
    private var shift: UInt64
    /// The distinct keys in id order (the null id's entry holds `zero` and means nothing).
    private(set) var keys: [Key]
    /// The id given to null, or -1 when no null was seen.
    private(set) var nullIdValue: Int32 = -1
    private let zero: Key

    /// Number of distinct keys, null included.
    var count: Int { keys.count }

    /// An empty table sized for about `expected` distinct keys; `zero` fills empty slots.
    init(expected: Int = 0, zero: Key) {
        self.zero = zero
        var capacity = 1024
        while capacity < expected * 2 { capacity <<= 1 }
        slots = [Slot](repeating: Slot(key: zero, id: -1), count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        keys = []
        keys.reserveCapacity(expected)
    }

    /// The id of null, numbered now if this is the first null.
    mutating func nullId() -> Int32 {
        if nullIdValue < 0 {
            nullIdValue = Int32(truncatingIfNeeded: keys.count)
            keys.append(zero)
        }
        return nullIdValue
    }

    /// Grows so that `extra` more keys fit under half load; called before a batch so the batch loop
    /// never has to stop and rehash.
    private mutating func reserve(_ extra: Int) {
        guard (keys.count + extra) * 2 > slots.count else { return }
        var capacity = slots.count
        while capacity < (keys.count + extra) * 2 { capacity <<= 1 }
        var fresh = [Slot](repeating: Slot(key: zero, id: -1), count: capacity)
        let newShift = UInt64(64 - capacity.trailingZeroBitCount)
        let mask = capacity - 1
        fresh.withUnsafeMutableBufferPointer { s in
            keys.withUnsafeBufferPointer { k in
                for id in 0..<k.count where Int32(id) != nullIdValue {
                    var i = Int(truncatingIfNeeded: k[id].tableHash >> newShift)
                    while s[i].id >= 0 { i = (i + 1) & mask }
                    s[i] = Slot(key: k[id], id: Int32(truncatingIfNeeded: id))
                }
            }
        }
        slots = fresh
        shift = newShift
    }

    /// The id of `key`, inserting it when new.
    mutating func insert(_ key: Key) -> Int32 {
        reserve(1)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: key.tableHash >> shift)
        while true {
            let s = slots[i]
            if s.id < 0 {
                let id = Int32(truncatingIfNeeded: keys.count)
                slots[i] = Slot(key: key, id: id)
                keys.append(key)
                return id
            }
            if s.key == key { return s.id }
            i = (i + 1) & mask
        }
    }

    /// The id of `key`, or -1 when it was never inserted.
    func find(_ key: Key) -> Int32 {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: key.tableHash >> shift)
        while true {
            let s = slots[i]
            if s.id < 0 { return -1 }
            if s.key == key { return s.id }
            i = (i + 1) & mask
        }
    }

    /// Writes the id of each value of `values[rows]` to `ids[rows]`, inserting new keys; null rows get
    /// `nullId()`. This is the hot loop of grouping: typed, no boxing, one probe per row.
    mutating func assign<E: KeyElement>(_ values: UnsafeBufferPointer<E>, validity: Bitmap?, rows: Range<Int>,
                                        into ids: UnsafeMutableBufferPointer<Int32>) where E.Key == Key {
        let chunk = 8192
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(rows.upperBound, start + chunk)
            reserve(end - start)
            let mask = slots.count - 1, shift = self.shift
            // Moved into locals so the loop owns them uniquely (no copy-on-write checks, no exclusivity
            // checks on `self`).
            var slots = self.slots, keys = self.keys, nullIdValue = self.nullIdValue
            self.slots = []
            self.keys = []
            let zero = self.zero
            slots.withUnsafeMutableBufferPointer { s in
                for r in start..<end {
                    if let v = validity, !v[r] {
                        if nullIdValue < 0 {
                            nullIdValue = Int32(truncatingIfNeeded: keys.count)
                            keys.append(zero)
                        }
                        ids[r] = nullIdValue
                        continue
                    }
                    let key = values[r].tableKey
                    var i = Int(truncatingIfNeeded: key.tableHash >> shift)
                    while true {
                        let slot = s[i]
                        if slot.id < 0 {
                            let id = Int32(truncatingIfNeeded: keys.count)
                            s[i] = Slot(key: key, id: id)
                            keys.append(key)
                            ids[r] = id
                            break
                        }
                        if slot.key == key { ids[r] = slot.id; break }
                        i = (i + 1) & mask
                    }
                }
            }
            self.slots = slots
            self.keys = keys
            self.nullIdValue = nullIdValue
            start = end
        }
    }

    /// Ids of each value of `values` (no inserts); -1 for unknown values and for nulls (null keys never match).
    func probe<E: KeyElement>(_ values: UnsafeBufferPointer<E>, validity: Bitmap?, into ids: UnsafeMutableBufferPointer<Int32>) where E.Key == Key {
        for r in 0..<values.count {
            if let v = validity, !v[r] { ids[r] = -1; continue }
            ids[r] = find(values[r].tableKey)
        }
    }

    /// Adds every key of `other` (built on another part of the same column) and returns, for each id of
    /// `other`, the id it has here. Used to merge tables built concurrently on row ranges.
    mutating func absorb(_ other: FixedKeyTable<Key>) -> [Int32] {
        var remap = [Int32](repeating: 0, count: other.count)
        for id in 0..<other.count {
            remap[id] = Int32(id) == other.nullIdValue ? nullId() : insert(other.keys[id])
        }
        return remap
    }
}

/// An open-addressing table numbering distinct byte strings (string, binary, fixed binary) densely.
///
/// The distinct keys are copied into the table's own arena, so a table built on one column can be
/// probed with another (the other side of a join). Slots hold the full 64-bit hash so most mismatches
/// are rejected without touching the bytes.
struct BytesKeyTable: Sendable {
    @usableFromInline struct Slot: Sendable {
        var hash: UInt64
        var id: Int32
    }

    private var slots: [Slot]
    private var shift: UInt64
    /// Key `id` is `keyData[keyOffsets[id]..<keyOffsets[id + 1]]`.
    private(set) var keyOffsets: [Int64] = [0]
    private(set) var keyData: [UInt8] = []
    private var hashes: [UInt64] = []
    /// The id given to null, or -1 when no null was seen.
    private(set) var nullIdValue: Int32 = -1

    /// Number of distinct keys, null included.
    var count: Int { hashes.count }

    /// An empty table sized for about `expected` distinct keys.
    init(expected: Int = 0) {
        var capacity = 1024
        while capacity < expected * 2 { capacity <<= 1 }
        slots = [Slot](repeating: Slot(hash: 0, id: -1), count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    /// The id of null, numbered now if this is the first null.
    mutating func nullId() -> Int32 {
        if nullIdValue < 0 {
            nullIdValue = Int32(truncatingIfNeeded: hashes.count)
            hashes.append(0)
            keyOffsets.append(Int64(keyData.count))
        }
        return nullIdValue
    }

    private mutating func reserve(_ extra: Int) {
        guard (count + extra) * 2 > slots.count else { return }
        var capacity = slots.count
        while capacity < (count + extra) * 2 { capacity <<= 1 }
        var fresh = [Slot](repeating: Slot(hash: 0, id: -1), count: capacity)
        let newShift = UInt64(64 - capacity.trailingZeroBitCount)
        let mask = capacity - 1
        for id in 0..<hashes.count where Int32(id) != nullIdValue {
            var i = Int(truncatingIfNeeded: hashes[id] >> newShift)
            while fresh[i].id >= 0 { i = (i + 1) & mask }
            fresh[i] = Slot(hash: hashes[id], id: Int32(truncatingIfNeeded: id))
        }
        slots = fresh
        shift = newShift
    }

    /// Core probe: the slot index holding `bytes`, or the empty slot where it would go.
    @inline(__always)
    private func locate(_ h: UInt64, _ base: UnsafePointer<UInt8>?, _ length: Int,
                        _ s: UnsafeBufferPointer<Slot>, _ ko: UnsafeBufferPointer<Int64>,
                        _ kd: UnsafeBufferPointer<UInt8>) -> Int {
        let mask = s.count - 1
        var i = Int(truncatingIfNeeded: h >> shift)
        while true {
            let slot = s[i]
            if slot.id < 0 { return i }
            if slot.hash == h {
                let id = Int(slot.id)
                let ks = Int(ko[id]), ke = Int(ko[id + 1])
                if ke - ks == length && KeyHash.equalBytes(kd.baseAddress.map { $0 + ks }, base, length) { return i }
            }
            i = (i + 1) & mask
        }
    }

    /// Writes the id of each value of rows `rows` of a byte column to `ids`, inserting new keys.
    mutating func assign(offsets: UnsafeBufferPointer<Int64>, data: UnsafeBufferPointer<UInt8>, validity: Bitmap?,
                         rows: Range<Int>, into ids: UnsafeMutableBufferPointer<Int32>) {
        let chunk = 8192
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(rows.upperBound, start + chunk)
            reserve(end - start)
            var slots = self.slots
            self.slots = []
            for r in start..<end {
                if let v = validity, !v[r] { ids[r] = nullId(); continue }
                let s0 = Int(offsets[r]), length = Int(offsets[r + 1]) - s0
                let base = data.baseAddress.map { $0 + s0 }
                let h = KeyHash.bytes(base, length)
                let found: Int32 = slots.withUnsafeMutableBufferPointer { s in
                    keyOffsets.withUnsafeBufferPointer { ko in
                        keyData.withUnsafeBufferPointer { kd in
                            let i = locate(h, base, length, UnsafeBufferPointer(s), ko, kd)
                            return s[i].id < 0 ? -Int32(truncatingIfNeeded: i) - 1 : s[i].id
                        }
                    }
                }
                if found >= 0 {
                    ids[r] = found
                } else {
                    let slot = Int(-(found + 1))
                    let id = Int32(truncatingIfNeeded: hashes.count)
                    slots[slot] = Slot(hash: h, id: id)
                    hashes.append(h)
                    if length > 0 { keyData.append(contentsOf: UnsafeBufferPointer(rebasing: data[s0..<(s0 + length)])) }
                    keyOffsets.append(Int64(keyData.count))
                    ids[r] = id
                }
            }
            self.slots = slots
            start = end
        }
    }

    /// The id of one byte string, or -1 when absent.
    func find(_ base: UnsafePointer<UInt8>?, _ length: Int) -> Int32 {
        let h = KeyHash.bytes(base, length)
        return slots.withUnsafeBufferPointer { s in
            keyOffsets.withUnsafeBufferPointer { ko in
                keyData.withUnsafeBufferPointer { kd in
                    let i = locate(h, base, length, s, ko, kd)
                    return s[i].id
                }
            }
        }
    }

    /// Ids of each value of a byte column (no inserts); -1 for unknown values and nulls.
    func probe(offsets: UnsafeBufferPointer<Int64>, data: UnsafeBufferPointer<UInt8>, validity: Bitmap?,
               into ids: UnsafeMutableBufferPointer<Int32>) {
        slots.withUnsafeBufferPointer { s in
            keyOffsets.withUnsafeBufferPointer { ko in
                keyData.withUnsafeBufferPointer { kd in
                    for r in 0..<ids.count {
                        if let v = validity, !v[r] { ids[r] = -1; continue }
                        let s0 = Int(offsets[r]), length = Int(offsets[r + 1]) - s0
                        let base = data.baseAddress.map { $0 + s0 }
                        let i = locate(KeyHash.bytes(base, length), base, length, s, ko, kd)
                        ids[r] = s[i].id
                    }
                }
            }
        }
    }

    /// Adds every key of `other` and returns, for each id of `other`, its id here.
    mutating func absorb(_ other: BytesKeyTable) -> [Int32] {
        var remap = [Int32](repeating: 0, count: other.count)
        for id in 0..<other.count {
            if Int32(id) == other.nullIdValue { remap[id] = nullId(); continue }
            let s = Int(other.keyOffsets[id]), e = Int(other.keyOffsets[id + 1])
            other.keyData.withUnsafeBufferPointer { d in
                let offs: [Int64] = [0, Int64(e - s)]
                var one: Int32 = 0
                offs.withUnsafeBufferPointer { o in
                    withUnsafeMutablePointer(to: &one) { p in
                        let slice = UnsafeBufferPointer(rebasing: d[s..<e])
                        assign(offsets: o, data: slice, validity: nil, rows: 0..<1, into: UnsafeMutableBufferPointer(start: p, count: 1))
                    }
                }
                remap[id] = one
            }
        }
        return remap
    }
}
