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

    /// Serializes sorted, distinct non-negative row indexes in the portable format.
    ///
    /// Each container takes the smallest of its encodings, as Roaring's `runOptimize` chooses: an array
    /// (2 bytes a value, at most 4096 values), a bitmap (8 KiB), or runs (2 bytes plus 4 a run) when strictly
    /// smaller, so a deleted range of a million rows costs a few dozen bytes. A bitmap without run containers
    /// keeps the run-less layout (cookie 12346). Spark does not run-optimize its vectors, so its bytes and
    /// these agree wherever runs do not pay (scattered rows; runs of up to three).
    public static func encode(_ rows: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        func put32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        func put16(_ v: UInt16) { out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8)) }
        put32(magic)
        // The 32-bit bitmaps: consecutive ranges of `rows` sharing their high 32 bits.
        var groups: [(key: UInt32, range: Range<Int>)] = []
        var start = 0
        while start < rows.count {
            guard rows[start] >= 0 else { start += 1; continue }
            let key = UInt32(truncatingIfNeeded: rows[start] >> 32)
            var end = start + 1
            while end < rows.count, rows[end] >> 32 == Int64(key) { end += 1 }
            groups.append((key, start..<end))
            start = end
        }
        let n = UInt64(groups.count)
        put32(UInt32(truncatingIfNeeded: n)); put32(UInt32(truncatingIfNeeded: n >> 32))
        for g in groups {
            put32(g.key)
            let containers = Self.containers(rows[g.range])
            let hasRuns = containers.contains { $0.kind == .run }
            if hasRuns {
                put32(12347 | UInt32(containers.count - 1) << 16)
                var flags = [UInt8](repeating: 0, count: (containers.count + 7) / 8)
                for (i, c) in containers.enumerated() where c.kind == .run { flags[i / 8] |= 1 << UInt8(i % 8) }
                out += flags
            } else {
                put32(12346)
                put32(UInt32(containers.count))
            }
            for c in containers { put16(c.key); put16(UInt16(c.values.count - 1)) }
            // The offset header: always without runs, with runs from 4 containers on (NO_OFFSET_THRESHOLD).
            if !hasRuns || containers.count >= 4 {
                let header = hasRuns ? 4 + (containers.count + 7) / 8 + containers.count * 8 : 8 + containers.count * 8
                var offset = UInt32(header)
                for c in containers {
                    put32(offset)
                    offset += UInt32(c.size)
                }
            }
            for c in containers {
                switch c.kind {
                case .array:
                    for v in c.values { put16(v) }
                case .bitmap:
                    var words = [UInt64](repeating: 0, count: 1024)
                    for v in c.values { words[Int(v >> 6)] |= 1 << UInt64(v & 63) }
                    for w in words { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(i)))) } }
                case .run:
                    put16(UInt16(c.runs.count))
                    for r in c.runs { put16(r.start); put16(r.length) }
                }
            }
        }
        return out
    }

    /// One 16-bit container of a 32-bit bitmap, with the encoding `encode` chose.
    struct Container {
        enum Kind { case array, bitmap, run }
        var key: UInt16
        var values: ArraySlice<UInt16>
        var runs: [(start: UInt16, length: UInt16)]
        var kind: Kind
        /// Bytes of the container's data.
        var size: Int {
            switch kind {
            case .array: values.count * 2
            case .bitmap: 8192
            case .run: 2 + runs.count * 4
            }
        }
    }

    /// The containers of sorted values sharing their high 32 bits, each in its smallest encoding.
    static func containers(_ rows: ArraySlice<Int64>) -> [Container] {
        let lows = rows.map { UInt32(truncatingIfNeeded: $0) }
        var out: [Container] = []
        var start = 0
        while start < lows.count {
            let key = UInt16(lows[start] >> 16)
            var end = start + 1
            while end < lows.count, UInt16(lows[end] >> 16) == key { end += 1 }
            let values = lows[start..<end].map { UInt16(truncatingIfNeeded: $0) }
            var runs: [(start: UInt16, length: UInt16)] = []
            for v in values {
                if let last = runs.last, Int(last.start) + Int(last.length) + 1 == Int(v) {
                    runs[runs.count - 1].length += 1
                } else {
                    runs.append((v, 0))
                }
            }
            let plain: Container.Kind = values.count <= 4096 ? .array : .bitmap
            var c = Container(key: key, values: values[...], runs: runs, kind: plain)
            let plainSize = c.size
            c.kind = .run
            if c.size >= plainSize { c.kind = plain }
            if c.kind != .run { c.runs = [] }
            out.append(c)
            start = end
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
