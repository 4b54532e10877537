/// A packed bit vector, least significant bit first within each 64-bit word.
/// Used for validity (1 = value present) and for boolean values.
public struct Bitmap: Sendable, Hashable {
    /// The packed words; bits past `count` are always zero.
    public var words: [UInt64] { storage }
    /// Number of bits.
    public var count: Int { bitCount }
    @usableFromInline var storage: [UInt64]
    @usableFromInline var bitCount: Int

    /// A bitmap of `count` bits all set to `value`.
    public init(count: Int, value: Bool) {
        bitCount = count
        storage = [UInt64](repeating: value ? ~0 : 0, count: (count + 63) >> 6)
        if value { clearTail() }
    }

    /// A bitmap from a sequence of booleans.
    public init<S: Sequence>(_ bits: S) where S.Element == Bool {
        self.init(count: 0, value: false)
        for b in bits { append(b) }
    }

    /// A bitmap over already packed words; bits past `count` are cleared.
    public init(words: [UInt64], count: Int) {
        var w = words
        let needed = (count + 63) >> 6
        if w.count < needed { w.append(contentsOf: repeatElement(0, count: needed - w.count)) }
        if w.count > needed { w.removeLast(w.count - needed) }
        storage = w
        bitCount = count
        clearTail()
    }

    private mutating func clearTail() {
        let rem = bitCount & 63
        if rem != 0, !storage.isEmpty { storage[storage.count - 1] &= (1 << UInt64(rem)) &- 1 }
    }

    /// Reserves room for `bits` bits.
    public mutating func reserveCapacity(_ bits: Int) {
        storage.reserveCapacity((bits + 63) >> 6)
    }

    /// The bit at `index`; `index` must be in `0..<count`.
    @inlinable
    public subscript(index: Int) -> Bool {
        get { (storage[index >> 6] >> UInt64(index & 63)) & 1 == 1 }
        set {
            let mask: UInt64 = 1 << UInt64(index & 63)
            if newValue { storage[index >> 6] |= mask } else { storage[index >> 6] &= ~mask }
        }
    }

    /// Appends one bit.
    @inlinable
    public mutating func append(_ bit: Bool) {
        if bitCount & 63 == 0 { storage.append(0) }
        if bit { storage[bitCount >> 6] |= 1 << UInt64(bitCount & 63) }
        bitCount += 1
    }

    /// Appends `n` copies of `bit`.
    public mutating func append(repeating bit: Bool, count n: Int) {
        guard n > 0 else { return }
        if !bit {
            bitCount += n
            let needed = (bitCount + 63) >> 6
            if storage.count < needed { storage.append(contentsOf: repeatElement(0, count: needed - storage.count)) }
            return
        }
        for _ in 0..<n { append(true) }
    }

    /// Number of set bits.
    public var setCount: Int {
        storage.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// True when every bit is set.
    public var allSet: Bool { setCount == bitCount }

    /// The bits in `range`, as a new bitmap.
    public func slice(_ range: Range<Int>) -> Bitmap {
        if range.lowerBound & 63 == 0 {
            let start = range.lowerBound >> 6
            let end = min(storage.count, start + ((range.count + 63) >> 6))
            return Bitmap(words: Array(storage[start..<end]), count: range.count)
        }
        var out = Bitmap(count: range.count, value: false)
        for (j, i) in range.enumerated() where self[i] { out[j] = true }
        return out
    }

    /// Appends the bits of `other`.
    public mutating func append(contentsOf other: Bitmap) {
        if bitCount & 63 == 0 {
            storage.append(contentsOf: other.storage)
            bitCount += other.bitCount
            return
        }
        reserveCapacity(bitCount + other.bitCount)
        for i in 0..<other.bitCount { append(other[i]) }
    }
}
