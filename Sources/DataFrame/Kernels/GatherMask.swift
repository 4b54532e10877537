import Columnar

/// Gathers straight from a selection bitmap: no index array is built, outputs are allocated
/// uninitialized at their final size, and each 64-row word of the mask is handled at once
/// (an all-clear word is skipped, an all-set word is one block copy).
extension Kernels {
    /// The rows of `column` whose bit is set in `mask`, in row order. `mask.count` must equal
    /// `column.count` and `selected` must be `mask.setCount`.
    static func gather(_ column: Column, mask: Bitmap, selected: Int) -> Column {
        let words = mask.words
        guard words.count == (column.count + 63) >> 6 else {
            // Not expected (the mask comes from this column's frame); the index path checks nothing more
            // but stays correct for any in-range mask.
            return gather(column, BitmapOps.setIndices(mask))
        }
        let validity = column.validity.map { compressBits($0, words, selected: selected) }
        let values: ColumnValues
        switch column.values {
        case let .boolean(b): values = .boolean(compressBits(b, words, selected: selected))
        case let .int8(a): values = .int8(compress(a, words, selected: selected))
        case let .int16(a): values = .int16(compress(a, words, selected: selected))
        case let .int32(a): values = .int32(compress(a, words, selected: selected))
        case let .int64(a): values = .int64(compress(a, words, selected: selected))
        case let .uint8(a): values = .uint8(compress(a, words, selected: selected))
        case let .uint16(a): values = .uint16(compress(a, words, selected: selected))
        case let .uint32(a): values = .uint32(compress(a, words, selected: selected))
        case let .uint64(a): values = .uint64(compress(a, words, selected: selected))
        case let .float32(a): values = .float32(compress(a, words, selected: selected))
        case let .float64(a): values = .float64(compress(a, words, selected: selected))
        case let .decimal(a): values = .decimal(compress(a, words, selected: selected))
        case let .bytes(o, d):
            let (offsets, data) = compressBytes(o, d, words, selected: selected)
            values = .bytes(offsets: offsets, data: data)
        case .list, .structure, .map:
            // Nested columns are rare in filters; they reuse the index gather, which recurses into children.
            return gather(column, BitmapOps.setIndices(mask))
        }
        return Column(unchecked: column.type, count: selected, validity: validity, values: values)
    }

    /// The elements of `a` whose bit is set in `words`, written into an uninitialized buffer.
    @inline(__always)
    static func compress<T>(_ a: [T], _ words: [UInt64], selected: Int) -> [T] {
        [T](unsafeUninitializedCapacity: selected) { out, initialized in
            initialized = 0
            a.withUnsafeBufferPointer { src in
                words.withUnsafeBufferPointer { w in
                    guard let sb = src.baseAddress, let ob = out.baseAddress else { return }
                    let n = src.count
                    var k = 0
                    for wi in 0..<w.count {
                        var word = w[wi]
                        if word == 0 { continue }
                        let base = wi << 6
                        if word == ~0, base &+ 64 <= n, k &+ 64 <= selected {
                            (ob + k).initialize(from: sb + base, count: 64)
                            k &+= 64
                            continue
                        }
                        while word != 0 {
                            let i = base | word.trailingZeroBitCount
                            // The mask has no bits past the column (cleared tails); the check keeps a wrong
                            // caller from reading or writing out of bounds.
                            guard i < n, k < selected else { initialized = k; return }
                            (ob + k).initialize(to: sb[i])
                            k &+= 1
                            word &= word &- 1
                        }
                    }
                    initialized = k
                }
            }
        }
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

    /// The byte values whose bit is set in `words`: one pass for the new offsets, one for the bytes, which
    /// copies a run of 64 selected rows as one block and short values inline (no call per value).
    static func compressBytes(_ o: [Int64], _ d: [UInt8], _ words: [UInt64], selected: Int) -> ([Int64], [UInt8]) {
        var total = 0
        let offsets = [Int64](unsafeUninitializedCapacity: selected + 1) { out, initialized in
            initialized = 0
            o.withUnsafeBufferPointer { off in
                words.withUnsafeBufferPointer { w in
                    guard !out.isEmpty else { return }
                    out.initializeElement(at: 0, to: 0)
                    var k = 1
                    var t: Int64 = 0
                    let rows = off.count - 1
                    for wi in 0..<w.count {
                        var word = w[wi]
                        let base = wi << 6
                        while word != 0 {
                            let i = base | word.trailingZeroBitCount
                            guard i < rows, k < out.count else { initialized = k; total = Int(t); return }
                            t &+= off[i &+ 1] &- off[i]
                            out.initializeElement(at: k, to: t)
                            k &+= 1
                            word &= word &- 1
                        }
                    }
                    initialized = k
                    total = Int(t)
                }
            }
        }
        let data = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            initialized = 0
            d.withUnsafeBufferPointer { src in
                o.withUnsafeBufferPointer { off in
                    words.withUnsafeBufferPointer { w in
                        guard let sb = src.baseAddress, let ob = out.baseAddress else { return }
                        let rows = off.count - 1
                        let srcRaw = UnsafeRawPointer(sb), outRaw = UnsafeMutableRawPointer(ob)
                        var at = 0
                        for wi in 0..<w.count {
                            var word = w[wi]
                            if word == 0 { continue }
                            let base = wi << 6
                            if word == ~0, base &+ 64 <= rows {
                                let s = Int(off[base]), e = Int(off[base &+ 64])
                                guard s >= 0, s <= e, e <= src.count, at &+ (e - s) <= total else { initialized = at; return }
                                (outRaw + at).copyMemory(from: srcRaw + s, byteCount: e - s)
                                at &+= e - s
                                continue
                            }
                            while word != 0 {
                                let i = base | word.trailingZeroBitCount
                                word &= word &- 1
                                guard i < rows else { initialized = at; return }
                                let s = Int(off[i]), len = Int(off[i &+ 1]) - s
                                guard s >= 0, len >= 0, s &+ len <= src.count, at &+ len <= total else {
                                    initialized = at; return
                                }
                                if len <= 16 {
                                    var j = 0
                                    while j &+ 8 <= len {
                                        outRaw.storeBytes(of: srcRaw.loadUnaligned(fromByteOffset: s &+ j, as: UInt64.self), toByteOffset: at &+ j, as: UInt64.self)
                                        j &+= 8
                                    }
                                    while j < len {
                                        outRaw.storeBytes(of: srcRaw.load(fromByteOffset: s &+ j, as: UInt8.self), toByteOffset: at &+ j, as: UInt8.self)
                                        j &+= 1
                                    }
                                } else {
                                    (outRaw + at).copyMemory(from: srcRaw + s, byteCount: len)
                                }
                                at &+= len
                            }
                        }
                        initialized = at
                    }
                }
            }
        }
        return (offsets, data)
    }
}
