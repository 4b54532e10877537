import Columnar
import DataFrame
import Dispatch

/// One row's Z-value: `width` 64-bit words compared most significant first (the interleaved bits of one
/// order-preserving key per clustering column, `ZOrderKeys`). Written into `add.tags` as hex so a later
/// optimize knows the range of Z-values a clustered file holds.
struct ZValue: Sendable, Hashable, Comparable {
    /// The words, most significant first.
    var words: [UInt64]

    static func < (a: ZValue, b: ZValue) -> Bool {
        for (x, y) in zip(a.words, b.words) where x != y { return x < y }
        return a.words.count < b.words.count
    }

    /// Sixteen lowercase hex digits per word.
    var hex: String {
        words.map { w in
            let digits = String(w, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// Parses `hex`; nil unless it is `width` words of sixteen hex digits each.
    init?(hex: String, width: Int) {
        let bytes = Array(hex.utf8)
        guard width > 0, bytes.count == 16 * width else { return nil }
        var words: [UInt64] = []
        for w in 0..<width {
            guard let word = UInt64(String(decoding: bytes[(16 * w)..<(16 * w + 16)], as: UTF8.self), radix: 16) else { return nil }
            words.append(word)
        }
        self.words = words
    }

    /// A Z-value of these words.
    init(words: [UInt64]) { self.words = words }
}

/// The Z-values of a batch of rows, `width` words per row, row after row, with the comparisons and the
/// multi-core sort that Z-order needs. Typed buffers throughout: no per-row allocation.
struct ZValues: Sendable {
    /// Words per row (one per clustering column).
    let width: Int
    /// The words, row after row.
    let words: [UInt64]

    /// Rows held.
    var count: Int { width == 0 ? 0 : words.count / width }

    /// Z-values of `width` words per row.
    init(width: Int, words: [UInt64]) {
        self.width = width
        self.words = words
    }

    /// The Z-values of `frame`'s rows by its `columns` (in clustering order).
    init(_ frame: DataFrame, columns: [String]) throws(LakeError) {
        var z = [UInt64](repeating: 0, count: frame.rowCount * columns.count)
        for (c, name) in columns.enumerated() {
            let column: Column
            do { column = try frame.column(name) } catch { throw LakeError(error) }
            ZOrderKeys.interleave(try ZOrderKeys.orderKeys(column, name: name), column: c, of: columns.count, into: &z)
        }
        width = columns.count
        words = z
    }

    /// Row `i`'s Z-value.
    func value(_ i: Int) -> ZValue { ZValue(words: Array(words[(i * width)..<(i * width + width)])) }

    /// Compares row `i` with `z`: -1, 0 or 1.
    func compare(_ i: Int, _ z: ZValue) -> Int {
        for w in 0..<min(width, z.words.count) {
            let a = words[i * width + w], b = z.words[w]
            if a != b { return a < b ? -1 : 1 }
        }
        return 0
    }

    /// The row order that sorts the rows by Z-value, ties in input order; the sort runs on `threads` cores
    /// (sorted runs merged pairwise). Row numbers are 32-bit and the sort compares the Z-values in place, so
    /// it holds 8 bytes per row besides the Z-values (a Z-order's memory is mostly the rows themselves).
    func sortedOrder(threads: Int) -> [UInt32] {
        let n = count
        guard n > 1 else { return (0..<UInt32(max(0, n))).map { $0 } }
        guard n < Int(UInt32.max) else { return ZOrderKeys.order(words, width: width, rows: n).map { UInt32(truncatingIfNeeded: $0) } }
        var order = (0..<UInt32(n)).map { $0 }
        let width = self.width
        words.withUnsafeBufferPointer { w in
            nonisolated(unsafe) let z = w
            // a before b: the Z-value words in order, then the row number.
            let less: @Sendable (UInt32, UInt32) -> Bool = { a, b in
                let x = Int(a) * width, y = Int(b) * width
                for i in 0..<width where z[x + i] != z[y + i] { return z[x + i] < z[y + i] }
                return a < b
            }
            let runs = max(1, min(threads, n / 65_536))
            if runs == 1 {
                order.sort(by: less)
                return
            }
            let bounds = (0...runs).map { n * $0 / runs }
            order.withUnsafeMutableBufferPointer { all in
                nonisolated(unsafe) let base = all
                DispatchQueue.concurrentPerform(iterations: runs) { r in
                    var run = UnsafeMutableBufferPointer(rebasing: base[bounds[r]..<bounds[r + 1]])
                    run.sort(by: less)
                }
            }
            order = Self.merge(order, bounds: bounds, less: less)
        }
        return order
    }

    /// Merges the sorted runs `rows[bounds[r]..<bounds[r + 1]]` into one sorted array.
    private static func merge(_ rows: [UInt32], bounds: [Int], less: @Sendable (UInt32, UInt32) -> Bool) -> [UInt32] {
        var runs = (0..<(bounds.count - 1)).map { bounds[$0]..<bounds[$0 + 1] }
        var source = rows
        var target = [UInt32](repeating: 0, count: rows.count)
        while runs.count > 1 {
            var next: [Range<Int>] = []
            var r = 0
            while r < runs.count {
                guard r + 1 < runs.count else {
                    for i in runs[r] { target[i] = source[i] }
                    next.append(runs[r])
                    break
                }
                let a = runs[r], b = runs[r + 1]
                var i = a.lowerBound, j = b.lowerBound, k = a.lowerBound
                while i < a.upperBound && j < b.upperBound {
                    if less(source[j], source[i]) { target[k] = source[j]; j += 1 } else { target[k] = source[i]; i += 1 }
                    k += 1
                }
                while i < a.upperBound { target[k] = source[i]; i += 1; k += 1 }
                while j < b.upperBound { target[k] = source[j]; j += 1; k += 1 }
                next.append(a.lowerBound..<b.upperBound)
                r += 2
            }
            swap(&source, &target)
            runs = next
        }
        return source
    }
}
