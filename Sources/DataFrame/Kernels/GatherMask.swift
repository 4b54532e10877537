import Columnar

/// Gathers straight from a selection bitmap: no index array is built, outputs are allocated
/// uninitialized at their final size, and each 64-row word of the mask is handled at once
/// (an all-clear word is skipped, an all-set word is one block copy).
///
/// Large columns are split at a word of the mask into two halves that the two cores compress at the same
/// time, each into its own part of the one output buffer: the second half starts at the number of rows
/// the first half selects (and, for strings, at the number of bytes they hold).
extension Kernels {
    /// The rows of `column` whose bit is set in `mask`, in row order. `mask.count` must equal
    /// `column.count` and `selected` must be `mask.setCount`.
    static func gather(_ column: Column, mask: Bitmap, selected: Int) -> Column {
        let words = mask.words
        guard words.count == (column.count + 63) >> 6, let halves = MaskHalves(words, rows: column.count, selected: selected)
        else {
            // Not expected (the mask comes from this column's frame); the index path checks nothing more
            // but stays correct for any in-range mask.
            return gather(column, BitmapOps.setIndices(mask))
        }
        let validity = column.validity.map { compressBits($0, words, selected: selected) }
        let compressed: ColumnValues?
        switch column.values {
        case let .boolean(b): compressed = .boolean(compressBits(b, words, selected: selected))
        case let .int8(a): compressed = compress(a, words, halves).map { .int8($0) }
        case let .int16(a): compressed = compress(a, words, halves).map { .int16($0) }
        case let .int32(a): compressed = compress(a, words, halves).map { .int32($0) }
        case let .int64(a): compressed = compress(a, words, halves).map { .int64($0) }
        case let .uint8(a): compressed = compress(a, words, halves).map { .uint8($0) }
        case let .uint16(a): compressed = compress(a, words, halves).map { .uint16($0) }
        case let .uint32(a): compressed = compress(a, words, halves).map { .uint32($0) }
        case let .uint64(a): compressed = compress(a, words, halves).map { .uint64($0) }
        case let .float32(a): compressed = compress(a, words, halves).map { .float32($0) }
        case let .float64(a): compressed = compress(a, words, halves).map { .float64($0) }
        case let .decimal(a): compressed = compress(a, words, halves).map { .decimal($0) }
        case let .bytes(o, d): compressed = compressBytes(o, d, words, halves).map { .bytes(offsets: $0.0, data: $0.1) }
        case .list, .structure, .map:
            // Nested columns are rare in filters; they reuse the index gather, which recurses into children.
            compressed = nil
        }
        // A mask that disagrees with its own count (never built by this module) also takes the index path.
        guard let compressed else { return gather(column, BitmapOps.setIndices(mask)) }
        return Column(unchecked: column.type, count: selected, validity: validity, values: compressed)
    }

    /// The elements of `a` whose bit is set in `words`, or nil when the mask selects other than
    /// `halves.selected` rows of `a`.
    static func compress<T: BitwiseCopyable>(_ a: [T], _ words: [UInt64], _ halves: MaskHalves) -> [T]? {
        var complete = false
        let out = [T](unsafeUninitializedCapacity: halves.selected) { out, initialized in
            initialized = 0
            a.withUnsafeBufferPointer { src in
                words.withUnsafeBufferPointer { w in
                    guard let sb = src.baseAddress, let ob = out.baseAddress else { return }
                    let shared = UnsafeSendable((sb, ob, w, src.count))
                    let (c0, c1) = halves.run { part in
                        let (sb, ob, w, n) = shared.value
                        return compressRange(sb, n, w, part, into: ob)
                    }
                    complete = c0 && c1
                }
            }
            // Every slot is written when both halves wrote exactly their rows (the elements are plain bits).
            initialized = complete ? halves.selected : 0
        }
        return complete ? out : nil
    }

    /// Copies the elements of `src` selected by the words of `part` to `out` from `part.start`; false when
    /// the words select a row past `n` or other than `part.count` rows.
    @inline(__always)
    static func compressRange<T: BitwiseCopyable>(
        _ src: UnsafePointer<T>, _ n: Int, _ w: UnsafeBufferPointer<UInt64>, _ part: MaskHalves.Part,
        into out: UnsafeMutablePointer<T>
    ) -> Bool {
        var k = part.start
        let end = part.start &+ part.count
        for wi in part.words {
            var word = w[wi]
            if word == 0 { continue }
            let base = wi << 6
            if word == ~0, base &+ 64 <= n, k &+ 64 <= end {
                (out + k).initialize(from: src + base, count: 64)
                k &+= 64
                continue
            }
            while word != 0 {
                let i = base | word.trailingZeroBitCount
                guard i < n, k < end else { return false }
                (out + k).initialize(to: src[i])
                k &+= 1
                word &= word &- 1
            }
        }
        return k == end
    }

    /// The bits of `bits` at the positions set in `words`, packed.
    static func compressBits(_ bits: Bitmap, _ words: [UInt64], selected: Int) -> Bitmap {
        let outWords = [UInt64](unsafeUninitializedCapacity: (selected + 63) >> 6) { out, initialized in
            initialized = 0
            bits.words.withUnsafeBufferPointer { src in
                words.withUnsafeBufferPointer { w in
                    var acc: UInt64 = 0
                    var fill = 0  // bits in `acc`
                    var at = 0
                    for wi in 0..<min(w.count, src.count) {
                        var m = w[wi]
                        if m == 0 { continue }
                        let s = src[wi]
                        // Extract the selected bits of `s` (a software PEXT), then append them to the output.
                        var packed: UInt64 = 0
                        var got = 0
                        if m == ~0 {
                            packed = s
                            got = 64
                        } else {
                            while m != 0 {
                                packed |= ((s &>> UInt64(m.trailingZeroBitCount)) & 1) &<< UInt64(got)
                                got &+= 1
                                m &= m &- 1
                            }
                        }
                        acc |= packed &<< UInt64(fill)
                        let room = 64 - fill
                        if got >= room {
                            if at < out.count { out.initializeElement(at: at, to: acc) }
                            at &+= 1
                            acc = room == 64 ? 0 : packed &>> UInt64(room)
                            fill = got - room
                        } else {
                            fill &+= got
                        }
                    }
                    if fill > 0, at < out.count {
                        out.initializeElement(at: at, to: acc)
                        at &+= 1
                    }
                    initialized = min(at, out.count)
                }
            }
        }
        return Bitmap(words: outWords, count: selected)
    }

    /// The byte values whose bit is set in `words`, or nil when the mask or the offsets are inconsistent.
    ///
    /// Two passes, each split over the cores: the first writes every half's offsets relative to the half's
    /// own start and sums its bytes; the second copies the bytes (the second half from the first half's
    /// byte count, shifting its offsets by it as it goes). Values of up to 16 bytes are copied as two
    /// 8-byte words with no length-dependent branch; the copy may run past the value into the next one's
    /// place, never past the half's own bytes or the source buffer.
    static func compressBytes(_ o: [Int64], _ d: [UInt8], _ words: [UInt64], _ halves: MaskHalves) -> ([Int64], [UInt8])? {
        var data: [UInt8] = []
        var complete = false
        let offsets = [Int64](unsafeUninitializedCapacity: halves.selected + 1) { out, initialized in
            initialized = 0
            o.withUnsafeBufferPointer { off in
                words.withUnsafeBufferPointer { w in
                    guard let ob = out.baseAddress, let offBase = off.baseAddress else { return }
                    let rows = off.count - 1
                    let sourceBytes = Int64(d.count)
                    let shared = UnsafeSendable((ob, offBase, w))
                    // Pass 1: out[k + 1] = bytes selected in this half up to and including row k.
                    let (t0, t1) = halves.run { part -> Int64? in
                        let (ob, off, w) = shared.value
                        var k = part.start
                        let end = part.start &+ part.count
                        var t: Int64 = 0
                        for wi in part.words {
                            var word = w[wi]
                            let base = wi << 6
                            while word != 0 {
                                let i = base | word.trailingZeroBitCount
                                guard i < rows, k < end else { return nil }
                                let s = off[i], e = off[i &+ 1]
                                guard s >= 0, s <= e, e <= sourceBytes else { return nil }
                                t &+= e &- s
                                (ob + (k &+ 1)).initialize(to: t)
                                k &+= 1
                                word &= word &- 1
                            }
                        }
                        return k == end ? t : nil
                    }
                    guard let t0, let t1 else { return }
                    ob.initialize(to: 0)
                    initialized = halves.selected + 1
                    let total = Int(t0 &+ t1)
                    // Pass 2: the bytes. 16 bytes of slack let the last value be copied as two words.
                    data = [UInt8](unsafeUninitializedCapacity: total &+ 16) { bytes, written in
                        written = 0
                        d.withUnsafeBufferPointer { src in
                            guard let db = bytes.baseAddress, let sb = src.baseAddress else {
                                // No bytes at all (every value empty): the offsets only need the shift.
                                complete = true
                                return
                            }
                            let first = Int(t0)
                            let shared = UnsafeSendable((ob, offBase, w, UnsafeRawPointer(sb), UnsafeMutableRawPointer(db), src.count))
                            let (c0, c1) = halves.run { part -> Bool in
                                let (ob, off, w, srcRaw, outRaw, srcCount) = shared.value
                                let isFirst = part.isFirst
                                let shift: Int64 = isFirst ? 0 : t0
                                var at = isFirst ? 0 : first
                                let limit = isFirst ? first : total &+ 16
                                var k = part.start
                                for wi in part.words {
                                    var word = w[wi]
                                    if word == 0 { continue }
                                    let base = wi << 6
                                    while word != 0 {
                                        let i = base | word.trailingZeroBitCount
                                        word &= word &- 1
                                        // Pass 1 checked every offset of the rows selected here.
                                        let s = Int(off[i]), len = Int(off[i &+ 1] &- off[i])
                                        if len <= 16, s &+ 16 <= srcCount, at &+ 16 <= limit {
                                            outRaw.storeBytes(of: srcRaw.loadUnaligned(fromByteOffset: s, as: UInt64.self), toByteOffset: at, as: UInt64.self)
                                            outRaw.storeBytes(of: srcRaw.loadUnaligned(fromByteOffset: s &+ 8, as: UInt64.self), toByteOffset: at &+ 8, as: UInt64.self)
                                        } else {
                                            guard at &+ len <= limit else { return false }
                                            (outRaw + at).copyMemory(from: srcRaw + s, byteCount: len)
                                        }
                                        at &+= len
                                        if shift != 0 { ob[k &+ 1] &+= shift }
                                        k &+= 1
                                    }
                                }
                                return at == (isFirst ? first : total)
                            }
                            complete = c0 && c1
                            written = complete ? total : 0
                        }
                    }
                }
            }
        }
        return complete ? (offsets, data) : nil
    }
}

/// A mask's words cut in two parts, one per core, with the output row where each part starts.
struct MaskHalves: Sendable {
    /// One part: whether it is the first, its words, its first output row and how many rows it selects.
    struct Part: Sendable {
        let isFirst: Bool
        let words: Range<Int>
        let start: Int
        let count: Int
    }

    /// Rows the whole mask selects.
    let selected: Int
    let first: Part
    /// Nil when the column is too small to be worth splitting.
    let second: Part?

    /// Nil when `words` does not select exactly `selected` rows.
    init?(_ words: [UInt64], rows: Int, selected: Int) {
        let mid = rows < Parallel.threshold ? words.count : words.count / 2
        var before = 0, after = 0
        for (i, w) in words.enumerated() {
            if i < mid { before &+= w.nonzeroBitCount } else { after &+= w.nonzeroBitCount }
        }
        guard before &+ after == selected else { return nil }
        self.selected = selected
        first = Part(isFirst: true, words: 0..<mid, start: 0, count: before)
        second = mid < words.count ? Part(isFirst: false, words: mid..<words.count, start: before, count: after) : nil
    }

    /// `body` of both parts, on both cores when there are two (the second result of a single part is
    /// the neutral value `body` returns for an empty part).
    func run<R>(_ body: (Part) -> R) -> (R, R) {
        guard let second else { return (body(first), body(Part(isFirst: false, words: 0..<0, start: selected, count: 0))) }
        return Parallel.both({ body(first) }, { body(second) })
    }
}
