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
    @inline(__always)
    static func pack(_ count: Int, _ bit: (Int) -> Bool) -> Bitmap {
        var words = [UInt64](repeating: 0, count: (count + 63) >> 6)
        words.withUnsafeMutableBufferPointer { w in
            for wi in 0..<w.count {
                let base = wi << 6
                let end = min(64, count - base)
                var word: UInt64 = 0
                for j in 0..<end where bit(base + j) { word |= 1 << UInt64(j) }
                w[wi] = word
            }
        }
        return Bitmap(words: words, count: count)
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
