#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed-width physical value usable as a dictionary key through its bit pattern, so that +0.0 and
/// -0.0 (and distinct NaN payloads) stay distinct entries, as PLAIN would keep them.
protocol DictionaryScalar: BitwiseCopyable {
    var dictionaryBits: UInt64 { get }
}

extension Int32: DictionaryScalar { var dictionaryBits: UInt64 { UInt64(UInt32(bitPattern: self)) } }
extension Int64: DictionaryScalar { var dictionaryBits: UInt64 { UInt64(bitPattern: self) } }
extension Float: DictionaryScalar { var dictionaryBits: UInt64 { UInt64(bitPattern) } }
extension Double: DictionaryScalar { var dictionaryBits: UInt64 { bitPattern } }

@inline(__always)
private func mix(_ x: UInt64) -> UInt64 {
    var z = x &* 0x9E37_79B9_7F4A_7C15
    z ^= z >> 29
    z = z &* 0xBF58_476D_1CE4_E5B9
    return z ^ (z >> 32)
}

/// Dictionary encoding of one column chunk: the distinct values in first-seen order and, per present
/// value, its dictionary index.
struct DictionaryEncoded<Values> {
    /// The distinct values.
    var dictionary: Values
    /// Number of distinct values.
    var count: Int
    /// Index of each present value.
    var indices: [Int32]
    /// Bytes of the PLAIN-encoded dictionary page.
    var plainSize: Int
}

/// Builds the dictionary of fixed-width values with an open-addressing table. Returns nil as soon as
/// the dictionary's PLAIN size passes `limit` (the caller then writes PLAIN).
func buildFixedDictionary<T: DictionaryScalar>(
    _ values: UnsafeBufferPointer<T>, selection: UnsafeBufferPointer<Int>?, range: Range<Int>, limit: Int
) -> DictionaryEncoded<[T]>? {
    let n = selection?.count ?? range.count
    let width = MemoryLayout<T>.size
    var dict = [T]()
    var slots = [Int32](repeating: 0, count: 1024)
    var mask = slots.count - 1
    var indices = [Int32](repeating: 0, count: n)
    var failed = false
    indices.withUnsafeMutableBufferPointer { out in
        for k in 0..<n {
            let v = values[selection?[k] ?? range.lowerBound &+ k]
            let bits = v.dictionaryBits
            var h = Int(truncatingIfNeeded: mix(bits)) & mask
            while true {
                let s = slots[h]
                if s == 0 {
                    dict.append(v)
                    slots[h] = Int32(dict.count)
                    out[k] = Int32(dict.count - 1)
                    if dict.count * width > limit { failed = true; return }
                    if dict.count * 2 > slots.count { rehash(&slots, &mask) { dict[$0].dictionaryBits } }
                    break
                }
                if dict[Int(s) - 1].dictionaryBits == bits { out[k] = s - 1; break }
                h = (h + 1) & mask
            }
        }
    }
    if failed { return nil }
    return DictionaryEncoded(dictionary: dict, count: dict.count, indices: indices, plainSize: dict.count * width)
}

/// Doubles the table and reinserts every entry; `key(i)` is entry i's key.
private func rehash(_ slots: inout [Int32], _ mask: inout Int, key: (Int) -> UInt64) {
    let old = slots
    slots = [Int32](repeating: 0, count: old.count * 2)
    mask = slots.count - 1
    for s in old where s != 0 {
        var h = Int(truncatingIfNeeded: mix(key(Int(s) - 1))) & mask
        while slots[h] != 0 { h = (h + 1) & mask }
        slots[h] = s
    }
}

/// Hashes a byte range 8 bytes at a time.
@inline(__always)
func hashBytes(_ base: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
    var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(count)
    guard let base else { return mix(h) }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i + 8 <= count {
        h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01B3
        h ^= h >> 31
        i += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while i < count {
        tail |= UInt64(base[i]) << shift
        shift += 8
        i += 1
    }
    return mix(h ^ tail)
}

/// Builds the dictionary of variable-length (or fixed-length) byte values. The dictionary is returned
/// as offsets into a byte buffer. Returns nil once the PLAIN size (with 4-byte length prefixes for
/// BYTE_ARRAY) passes `limit`.
func buildBytesDictionary(
    offsets: UnsafeBufferPointer<Int64>, data: UnsafeBufferPointer<UInt8>, selection: UnsafeBufferPointer<Int>?,
    range: Range<Int>, fixed: Bool, limit: Int
) -> DictionaryEncoded<(offsets: [Int64], data: [UInt8])>? {
    let n = selection?.count ?? range.count
    var dOffsets: [Int64] = [0]
    var dData = [UInt8]()
    var hashes = [UInt64]()
    var slots = [Int32](repeating: 0, count: 1024)
    var mask = slots.count - 1
    var indices = [Int32](repeating: 0, count: n)
    var plainSize = 0
    var failed = false
    let base = data.baseAddress
    // Rows often repeat the previous value; checking it first skips hashing.
    var lastStart = -1, lastLength = -1
    var lastIndex: Int32 = 0
    indices.withUnsafeMutableBufferPointer { out in
        for k in 0..<n {
            let pos = selection?[k] ?? range.lowerBound &+ k
            let start = Int(offsets[pos]), length = Int(offsets[pos + 1]) &- start
            let p = base.map { $0 + start }
            if length == lastLength, lastStart >= 0, memcmpEqual(p, base.map { $0 + lastStart }, length) {
                out[k] = lastIndex
                continue
            }
            let h = hashBytes(p, length)
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let s = slots[slot]
                if s == 0 {
                    dData.append(contentsOf: UnsafeBufferPointer(start: p, count: p == nil ? 0 : length))
                    dOffsets.append(Int64(dData.count))
                    hashes.append(h)
                    slots[slot] = Int32(hashes.count)
                    out[k] = Int32(hashes.count - 1)
                    plainSize += length + (fixed ? 0 : 4)
                    if plainSize > limit { failed = true; return }
                    if hashes.count * 2 > slots.count { rehash(&slots, &mask) { hashes[$0] } }
                    break
                }
                let e = Int(s) - 1
                if hashes[e] == h {
                    let es = Int(dOffsets[e]), el = Int(dOffsets[e + 1]) - es
                    let equal = el == length && dData.withUnsafeBufferPointer { memcmpEqual($0.baseAddress.map { $0 + es }, p, length) }
                    if equal { out[k] = s - 1; break }
                }
                slot = (slot + 1) & mask
            }
            lastStart = start
            lastLength = length
            lastIndex = out[k]
        }
    }
    if failed { return nil }
    return DictionaryEncoded(dictionary: (dOffsets, dData), count: hashes.count, indices: indices, plainSize: plainSize)
}

/// Whether `count` bytes at `a` and `b` are equal (nil pointers only for zero counts).
@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
    if count == 0 { return true }
    guard let a, let b else { return false }
    return memcmp(a, b, count) == 0
}
