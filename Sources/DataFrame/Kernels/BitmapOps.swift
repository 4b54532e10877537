import Columnar

/// Word-at-a-time operations on validity and boolean bitmaps.
enum BitmapOps {
    /// Intersection of two validity bitmaps; `nil` stands for "all valid".
    static func and(_ a: Bitmap?, _ b: Bitmap?) -> Bitmap? {
        guard let a else { return b }
        guard let b else { return a }
        return combine(a, b) { $0 & $1 }
    }

    /// Intersection of several validity bitmaps.
    static func and(_ all: [Bitmap?]) -> Bitmap? {
        all.reduce(nil as Bitmap?) { and($0, $1) }
    }

    /// Applies `op` to each pair of words. Both bitmaps must have the same count.
    @inline(__always)
    static func combine(_ a: Bitmap, _ b: Bitmap, _ op: (UInt64, UInt64) -> UInt64) -> Bitmap {
        let wa = a.words, wb = b.words
        var out = [UInt64](repeating: 0, count: wa.count)
        out.withUnsafeMutableBufferPointer { o in
            wa.withUnsafeBufferPointer { x in
                wb.withUnsafeBufferPointer { y in
                    for i in 0..<min(o.count, x.count, y.count) { o[i] = op(x[i], y[i]) }
                }
            }
        }
        return Bitmap(words: out, count: a.count)
    }

    /// Bitwise complement (tail bits are cleared by `Bitmap(words:count:)`).
    static func not(_ a: Bitmap) -> Bitmap {
        Bitmap(words: a.words.map { ~$0 }, count: a.count)
    }

    /// Packs `bit(i)` for `i` in `0..<count` into a bitmap, 64 rows per word.
    ///
    /// Each bit is OR-ed in without a branch, so a simple `bit` (a comparison of a loaded value) lets the
    /// optimizer vectorize the 64 evaluations of a word; the output is written once, never zero-filled.
    @inline(__always)
    static func pack(_ count: Int, _ bit: (Int) -> Bool) -> Bitmap {
        let wordCount = (count + 63) >> 6
        let words = [UInt64](unsafeUninitializedCapacity: wordCount) { w, initialized in
            initialized = 0
            guard let wb = w.baseAddress else { return }
            fill(count, 0..<wordCount, wb, bit)
            initialized = wordCount
        }
        return Bitmap(words: words, count: count)
    }

    /// A bitmap of `count` rows whose words are filled by `part(words, out)` for two halves of the word
    /// range at once, on the two cores (once, for all words, below `Parallel.threshold` rows).
    ///
    /// `part` is meant to call `fill` with a closure literal, so that the per-row test is inlined into the
    /// code each core runs (a test passed in as a closure value would be called per row):
    /// `BitmapOps.packSplit(n) { BitmapOps.fill(n, $0, $1) { x[$0] < c } }`.
    static func packSplit(_ count: Int, _ part: (Range<Int>, UnsafeMutablePointer<UInt64>) -> Void) -> Bitmap {
        let wordCount = (count + 63) >> 6
        let words = [UInt64](unsafeUninitializedCapacity: wordCount) { w, initialized in
            initialized = 0
            guard let wb = w.baseAddress else { return }
            let out = UnsafeSendable(wb)
            Parallel.halves(wordCount, rows: count) { range in part(range, out.value) }
            initialized = wordCount
        }
        return Bitmap(words: words, count: count)
    }

    /// Writes the words `words` of the bitmap of `bit(i)` for `i` in `0..<count` to `out`, branch-free as in
    /// `pack`; every word of the range is initialized.
    @inline(__always)
    static func fill(_ count: Int, _ words: Range<Int>, _ out: UnsafeMutablePointer<UInt64>, _ bit: (Int) -> Bool) {
        for wi in words {
            let base = wi << 6
            var word: UInt64 = 0
            if base &+ 64 <= count {
                for j in 0..<64 { word |= UInt64(truncatingIfNeeded: bit(base &+ j) ? 1 : 0) &<< UInt64(j) }
            } else {
                for j in 0..<max(0, count &- base) { word |= UInt64(truncatingIfNeeded: bit(base &+ j) ? 1 : 0) &<< UInt64(j) }
            }
            (out + wi).initialize(to: word)
        }
    }

    /// Row indices whose bit is set, ascending.
    static func setIndices(_ a: Bitmap) -> [Int] {
        var out = [Int]()
        out.reserveCapacity(a.setCount)
        let words = a.words
        for (wi, w0) in words.enumerated() {
            var w = w0
            while w != 0 {
                out.append(wi << 6 | w.trailingZeroBitCount)
                w &= w &- 1
            }
        }
        return out
    }
}
