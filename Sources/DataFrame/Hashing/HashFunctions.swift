import Columnar

/// Hash functions for typed keys, shared by group-by, unique and joins.
///
/// Every function is deterministic within a process (no per-run seed): partitioning by hash and
/// merging tables built on different cores must agree on where a key goes.
enum KeyHash {
    /// Finalizer of a 64-bit key (the murmur3 / splitmix mix): cheap, and spreads keys that differ only in
    /// low or high bits across the whole word, which a power-of-two table indexed by the top bits needs.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// Combines a running row hash with the hash of the next key column (order matters).
    @inline(__always)
    static func combine(_ seed: UInt64, _ h: UInt64) -> UInt64 {
        mix(seed &* 0x9E37_79B9_7F4A_7C15 ^ h)
    }

    /// Hash of a byte string read 8 bytes at a time; the length is mixed in so that prefixes padded
    /// with zero bytes do not collide with shorter strings.
    @inline(__always)
    static func bytes(_ base: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(truncatingIfNeeded: count)
        guard let base, count > 0 else { return mix(h) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= count {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h = (h << 29) | (h >> 35)
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < count {
                tail |= UInt64(base[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        }
        return mix(h)
    }

    /// Whether two byte ranges hold the same bytes.
    @inline(__always)
    static func equalBytes(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        guard count > 0 else { return true }
        guard let a, let b else { return false }
        var i = 0
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}

/// A fixed-width key a `FixedKeyTable` can store: compared bit-for-bit, hashed through `KeyHash.mix`.
protocol TableKey: Equatable, Sendable {
    /// The key's 64-bit hash.
    var tableHash: UInt64 { get }
}

extension Int64: TableKey {
    /// The mixed 64-bit value.
    @inline(__always) var tableHash: UInt64 { KeyHash.mix(UInt64(bitPattern: self)) }
}

extension Int128: TableKey {
    /// Both halves folded, then mixed.
    @inline(__always) var tableHash: UInt64 {
        KeyHash.mix(UInt64(truncatingIfNeeded: self) ^ (UInt64(truncatingIfNeeded: self >> 64) &* 0x9E37_79B9_7F4A_7C15))
    }
}

/// A column element that maps to a `TableKey` such that equal SQL values give equal keys.
///
/// Integers widen to `Int64` (so an `int` key matches a `long` key); floats use their bit pattern with
/// `-0.0` folded onto `0.0` and every NaN onto one NaN, because SQL grouping and joins treat those as
/// equal (Spark normalizes them the same way); decimals keep their unscaled `Int128` (the caller makes
/// scales agree).
protocol KeyElement: ColumnElement {
    /// The table key type this element maps to.
    associatedtype Key: TableKey
    /// The canonical key of this value.
    var tableKey: Key { get }
}

extension Int8: KeyElement { @inline(__always) var tableKey: Int64 { Int64(self) } }
extension Int16: KeyElement { @inline(__always) var tableKey: Int64 { Int64(self) } }
extension Int32: KeyElement { @inline(__always) var tableKey: Int64 { Int64(self) } }
extension Int64: KeyElement { @inline(__always) var tableKey: Int64 { self } }
extension UInt8: KeyElement { @inline(__always) var tableKey: Int64 { Int64(self) } }
extension UInt16: KeyElement { @inline(__always) var tableKey: Int64 { Int64(self) } }
extension UInt32: KeyElement { @inline(__always) var tableKey: Int64 { Int64(self) } }
/// Bit pattern: uint64 keys only ever meet uint64 keys, so reinterpreting keeps equality exact.
extension UInt64: KeyElement { @inline(__always) var tableKey: Int64 { Int64(bitPattern: self) } }
extension Double: KeyElement {
    @inline(__always) var tableKey: Int64 {
        if isNaN { return Int64(bitPattern: Double.nan.bitPattern) }
        return self == 0 ? 0 : Int64(bitPattern: bitPattern)
    }
}
extension Float: KeyElement {
    /// Widened to Double first so float and double keys agree.
    @inline(__always) var tableKey: Int64 { Double(self).tableKey }
}
extension Int128: KeyElement { @inline(__always) var tableKey: Int128 { self } }
