/// Delta's 64-bit deletion vector bitmap (PROTOCOL.md "Deletion Vector Format"): a magic number, then
/// 32-bit Roaring bitmaps in the portable format, each under the high 32 bits of its row indexes.
///
/// Every count and length is checked against the bytes, so a malformed DV throws instead of trapping or
/// allocating without bound.
public enum RoaringBitmapArray {
    /// The little-endian magic number opening the portable serialization.
    public static let magic: UInt32 = 1_681_511_377

    /// Decodes a serialized bitmap array into sorted, distinct row indexes.
    ///
    /// At most `limit` rows are produced: a run container's runs are checked against it before they are
    /// expanded, so a few bytes claiming 2^32 rows fail at once instead of exhausting memory. Callers pass
    /// the descriptor's cardinality (bounded by the data file's row count).
    public static func decode(_ bytes: [UInt8], limit: Int = Int.max) throws(DeltaError) -> [Int64] {
        var r = ByteReader(bytes: bytes)
        guard try r.u32() == magic else { throw .invalidDeletionVector("bad magic number (not a RoaringBitmapArray)") }
        let count = try r.u64()
        guard count <= UInt64(bytes.count) else { throw .invalidDeletionVector("claims \(count) bitmaps in \(bytes.count) bytes") }
        var out: [Int64] = []
        var lastKey: Int64 = -1
        for _ in 0..<Int(count) {
            let key = Int64(try r.u32())
            guard key > lastKey else { throw .invalidDeletionVector("bitmap keys are not increasing") }
            // Row indexes are non-negative 64-bit integers: the high 32 bits cannot exceed Int32.max.
            guard key <= Int64(Int32.max) else { throw .invalidDeletionVector("bitmap key \(key) puts row indexes beyond 2^63") }
            lastKey = key
            try decodeRoaring32(&r, high: key << 32, limit: limit, into: &out)
        }
        return out
    }

    /// Decodes one 32-bit Roaring bitmap in the portable format (RoaringFormatSpec) at the reader's position.
    static func decodeRoaring32(_ r: inout ByteReader, high: Int64, limit: Int = Int.max, into out: inout [Int64]) throws(DeltaError) {
        func tooMany(_ more: Int) -> DeltaError {
            .invalidDeletionVector("the bitmap holds more than the \(limit) rows its cardinality allows (\(out.count + more) at least)")
        }
        let cookie = try r.u32()
        let containers: Int
        var runBits: [UInt8] = []
        let hasRuns = cookie & 0xFFFF == 12347
        if hasRuns {
            containers = Int(cookie >> 16) + 1
            runBits = try r.bytes((containers + 7) / 8)
        } else if cookie == 12346 {
            let n = try r.u32()
            guard n <= 65536 else { throw .invalidDeletionVector("roaring bitmap claims \(n) containers") }
            containers = Int(n)
        } else {
            throw .invalidDeletionVector("unknown roaring cookie \(cookie)")
        }
        guard containers * 4 <= r.remaining else { throw .invalidDeletionVector("roaring header is truncated") }
        var keys: [UInt16] = [], cards: [Int] = []
        keys.reserveCapacity(containers)
        cards.reserveCapacity(containers)
        for _ in 0..<containers {
            keys.append(try r.u16())
            cards.append(Int(try r.u16()) + 1)
        }
        // The offset header is present without runs, or with at least 4 containers (NO_OFFSET_THRESHOLD).
        if !hasRuns || containers >= 4 { _ = try r.bytes(containers * 4) }
        var lastKey = -1
        for i in 0..<containers {
            let base = high | Int64(keys[i]) << 16
            guard Int(keys[i]) > lastKey else { throw .invalidDeletionVector("roaring container keys are not increasing") }
            lastKey = Int(keys[i])
            let isRun = hasRuns && (runBits[i / 8] >> (i % 8)) & 1 == 1
            if isRun {
                let runs = Int(try r.u16())
                guard runs * 4 <= r.remaining else { throw .invalidDeletionVector("run container is truncated") }
                var prevEnd = -1
                var found = 0
                for _ in 0..<runs {
                    let start = Int(try r.u16()), length = Int(try r.u16())
                    guard start > prevEnd, start + length <= 0xFFFF else {
                        throw .invalidDeletionVector("run container runs are unsorted, overlap or pass 65535 (run at \(start), length \(length))")
                    }
                    prevEnd = start + length
                    // Bounded before expanding: the header's cardinality and the caller's row limit.
                    found += length + 1
                    guard found <= cards[i] else {
                        throw .invalidDeletionVector("run container holds more than the \(cards[i]) values its header says")
                    }
                    guard length + 1 <= limit - out.count else { throw tooMany(length + 1) }
                    for v in start...(start + length) { out.append(base | Int64(v)) }
                }
                guard found == cards[i] else {
                    throw .invalidDeletionVector("run container holds \(found) values, header says \(cards[i])")
                }
            } else if cards[i] <= 4096 {
                guard cards[i] * 2 <= r.remaining else { throw .invalidDeletionVector("array container is truncated") }
                guard cards[i] <= limit - out.count else { throw tooMany(cards[i]) }
                var prev = -1
                for _ in 0..<cards[i] {
                    let v = Int(try r.u16())
                    guard v > prev else { throw .invalidDeletionVector("array container values are not increasing") }
                    prev = v
                    out.append(base | Int64(v))
                }
            } else {
                guard cards[i] <= limit - out.count else { throw tooMany(cards[i]) }
                let words = try r.bytes(8192)
                var found = 0
                for w in 0..<1024 {
                    var word: UInt64 = 0
                    for b in 0..<8 { word |= UInt64(words[w * 8 + b]) << (8 * UInt64(b)) }
                    while word != 0 {
                        let bit = word.trailingZeroBitCount
                        out.append(base | Int64(w * 64 + bit))
                        word &= word &- 1
                        found += 1
                    }
                }
                guard found == cards[i] else { throw .invalidDeletionVector("bitmap container holds \(found) values, header says \(cards[i])") }
            }
        }
    }

    /// Serializes sorted, distinct non-negative row indexes (array and bitmap containers, no runs).
    public static func encode(_ rows: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        func put32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        func put16(_ v: UInt16) { out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8)) }
        put32(magic)
        var groups: [(key: UInt32, values: [UInt32])] = []
        for r in rows where r >= 0 {
            let key = UInt32(truncatingIfNeeded: r >> 32), low = UInt32(truncatingIfNeeded: r)
            if groups.last?.key == key { groups[groups.count - 1].values.append(low) } else { groups.append((key, [low])) }
        }
        let n = UInt64(groups.count)
        put32(UInt32(truncatingIfNeeded: n)); put32(UInt32(truncatingIfNeeded: n >> 32))
        for g in groups {
            put32(g.key)
            var containers: [(key: UInt16, values: [UInt16])] = []
            for v in g.values {
                let k = UInt16(v >> 16), l = UInt16(truncatingIfNeeded: v)
                if containers.last?.key == k { containers[containers.count - 1].values.append(l) } else { containers.append((k, [l])) }
            }
            put32(12346)
            put32(UInt32(containers.count))
            for c in containers { put16(c.key); put16(UInt16(c.values.count - 1)) }
            var offset = UInt32(8 + containers.count * 8)
            for c in containers {
                put32(offset)
                offset += c.values.count <= 4096 ? UInt32(c.values.count * 2) : 8192
            }
            for c in containers {
                if c.values.count <= 4096 {
                    for v in c.values { put16(v) }
                } else {
                    var words = [UInt64](repeating: 0, count: 1024)
                    for v in c.values { words[Int(v >> 6)] |= 1 << UInt64(v & 63) }
                    for w in words { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(i)))) } }
                }
            }
        }
        return out
    }
}

/// Little-endian reads over untrusted bytes; every read is bounds-checked.
struct ByteReader {
    let bytes: [UInt8]
    var pos = 0

    var remaining: Int { bytes.count - pos }

    mutating func bytes(_ n: Int) throws(DeltaError) -> [UInt8] {
        guard n >= 0, n <= remaining else { throw .invalidDeletionVector("truncated: needs \(n) bytes at offset \(pos), \(remaining) left") }
        defer { pos += n }
        return Array(bytes[pos..<pos + n])
    }

    mutating func u16() throws(DeltaError) -> UInt16 {
        guard remaining >= 2 else { throw .invalidDeletionVector("truncated at offset \(pos)") }
        defer { pos += 2 }
        return UInt16(bytes[pos]) | UInt16(bytes[pos + 1]) << 8
    }

    mutating func u32() throws(DeltaError) -> UInt32 {
        guard remaining >= 4 else { throw .invalidDeletionVector("truncated at offset \(pos)") }
        defer { pos += 4 }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[pos + i]) << (8 * UInt32(i)) }
        return v
    }

    mutating func u64() throws(DeltaError) -> UInt64 {
        let lo = try u32(), hi = try u32()
        return UInt64(hi) << 32 | UInt64(lo)
    }
}

/// CRC-32 (IEEE 802.3, as `java.util.zip.CRC32`), which guards each DV stored in a file.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
