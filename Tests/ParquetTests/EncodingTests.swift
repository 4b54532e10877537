import Columnar
import Testing
@testable import Parquet

// Helpers -----------------------------------------------------------------------------------------------

/// Runs `body` with a reader over `bytes`.
private func reading<R>(_ bytes: [UInt8], _ body: (inout ByteReader) throws(ParquetError) -> R) throws(ParquetError) -> R {
    try withBytes(bytes) { (raw) throws(ParquetError) -> R in
        var r = ByteReader(raw)
        return try body(&r)
    }
}

/// Decodes every strict prefix of `bytes` and expects each to throw ParquetError (never trap).
private func expectTruncationsThrow(_ bytes: [UInt8], _ decode: (inout ByteReader) throws(ParquetError) -> Void) {
    for cut in 0..<bytes.count {
        let prefix = Array(bytes[0..<cut])
        var threw = false
        do throws(ParquetError) { try reading(prefix) { (r) throws(ParquetError) in try decode(&r) } } catch { threw = true }
        #expect(threw, "prefix of \(cut) of \(bytes.count) bytes decoded without error")
    }
}

private struct LCG {
    var s: UInt64
    mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s >> 11 }
}

private func rleRoundTrip(_ values: [Int32], bitWidth: Int) throws -> [UInt8] {
    var enc = [UInt8]()
    try RLEHybridEncoder.encode(values, bitWidth: bitWidth, into: &enc)
    // Whole decode into an array.
    var out = [Int32]()
    try enc.withUnsafeBytes { raw in
        var d = try RLEHybridDecoder(raw, bitWidth: bitWidth)
        try d.decode(count: values.count, appendingTo: &out)
    }
    #expect(out == values, "bit width \(bitWidth), \(values.count) values")
    // Piecewise decode in odd chunk sizes exercises the pending-group path.
    var pieces = [Int32]()
    try enc.withUnsafeBytes { raw in
        var d = try RLEHybridDecoder(raw, bitWidth: bitWidth)
        var left = values.count, step = 1
        while left > 0 {
            let n = min(step, left)
            try d.decode(count: n, appendingTo: &pieces)
            left -= n
            step = step % 13 + 2
        }
    }
    #expect(pieces == values)
    return enc
}

// RLE / bit-packed hybrid --------------------------------------------------------------------------------

@Test func rleHybridRoundTripsEveryBitWidthAndSize() throws {
    var rng = LCG(s: 42)
    for width in 0...32 {
        let maxV: UInt64 = width == 0 ? 0 : (width == 32 ? UInt64(UInt32.max) : (1 << UInt64(width)) - 1)
        for n in [0, 1, 7, 8, 9, 16, 513] {
            let random = (0..<n).map { _ in Int32(truncatingIfNeeded: maxV == 0 ? 0 : rng.next() % (maxV + 1)) }
            _ = try rleRoundTrip(random, bitWidth: width)
            let equal = [Int32](repeating: Int32(truncatingIfNeeded: maxV), count: n)
            _ = try rleRoundTrip(equal, bitWidth: width)
            // Mixed: short runs, long runs and noise.
            var mixed = [Int32]()
            while mixed.count < n {
                let v = Int32(truncatingIfNeeded: maxV == 0 ? 0 : rng.next() % (maxV + 1))
                mixed.append(contentsOf: repeatElement(v, count: Int(rng.next() % 20) + 1))
            }
            _ = try rleRoundTrip(Array(mixed.prefix(n)), bitWidth: width)
        }
    }
}

@Test func rleHybridUsesRLERunsForRepeats() throws {
    var enc = [UInt8]()
    try RLEHybridEncoder.encode([Int32](repeating: 3, count: 1000), bitWidth: 2, into: &enc)
    #expect(enc == [0xD0, 0x0F, 0x03])  // varint(1000 << 1), value byte
}

@Test func rleHybridDecodesSpecExample() throws {
    // Encodings.md: values 0..7 at bit width 3, bit-packed: header (1 << 1) | 1, then 0x88 0xC6 0xFA.
    let out = try reading([0x03, 0x88, 0xC6, 0xFA]) { (r) throws(ParquetError) -> [Int32] in
        var d = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: r.buffer[0...]), bitWidth: 3)
        var v = [Int32]()
        try d.decode(count: 8, appendingTo: &v)
        return v
    }
    #expect(out == [0, 1, 2, 3, 4, 5, 6, 7])
}

@Test func rleHybridV1LengthPrefixAndDictionaryForms() throws {
    let levels: [Int32] = [1, 1, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0]
    var enc = [UInt8]()
    try levels.withUnsafeBufferPointer { try RLEHybridEncoder.encodeWithLengthPrefix($0, bitWidth: 2, into: &enc) }
    enc.append(0xEE)  // bytes after the levels must be left unread
    let (out, pos) = try reading(enc) { (r) throws(ParquetError) -> ([Int32], Int) in
        var d = try RLEHybridDecoder.levelsV1(&r, bitWidth: 2)
        var v = [Int32]()
        try d.decode(count: levels.count, appendingTo: &v)
        return (v, r.position)
    }
    #expect(out == levels)
    #expect(pos == enc.count - 1)

    var dict: [UInt8] = [5]
    try RLEHybridEncoder.encode([31, 0, 17, 17], bitWidth: 5, into: &dict)
    let idx = try reading(dict) { (r) throws(ParquetError) -> [Int32] in
        var d = try RLEHybridDecoder.dictionaryIndices(&r)
        var v = [Int32]()
        try d.decode(count: 4, appendingTo: &v)
        return v
    }
    #expect(idx == [31, 0, 17, 17])
}

@Test func rleHybridSkipThenDecode() throws {
    let values = (0..<300).map { Int32($0 % 7) }
    let enc = try rleRoundTrip(values, bitWidth: 3)
    try enc.withUnsafeBytes { raw in
        var d = try RLEHybridDecoder(raw, bitWidth: 3)
        try d.skip(101)
        var rest = [Int32]()
        try d.decode(count: 199, appendingTo: &rest)
        #expect(rest == Array(values[101...]))
    }
}

@Test func rleHybridRejectsTruncatedAndLyingInput() throws {
    let values = (0..<100).map { Int32($0 % 5) } + [Int32](repeating: 4, count: 50)
    let enc = try rleRoundTrip(values, bitWidth: 3)
    expectTruncationsThrow(enc) { (r) throws(ParquetError) in
        var d = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: r.buffer[0...]), bitWidth: 3)
        var v = [Int32]()
        try d.decode(count: values.count, appendingTo: &v)
    }
    // Asking for more values than encoded throws, and leaves the output untouched.
    var out: [Int32] = [9]
    #expect(throws: ParquetError.self) {
        try enc.withUnsafeBytes { raw in
            var d = try RLEHybridDecoder(raw, bitWidth: 3)
            try d.decode(count: values.count + 1, appendingTo: &out)
        }
    }
    #expect(out == [9])
    // Bad bit widths, an RLE value too wide for its width, a huge varint.
    #expect(throws: ParquetError.self) { try [UInt8]().withUnsafeBytes { _ = try RLEHybridDecoder($0, bitWidth: 33) } }
    for bad: [UInt8] in [[0x02, 0x09], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]] {
        #expect(throws: ParquetError.self) {
            try bad.withUnsafeBytes { raw in
                var d = try RLEHybridDecoder(raw, bitWidth: 3)
                var v = [Int32]()
                try d.decode(count: 1, appendingTo: &v)
            }
        }
    }
    // A bit-packed header claiming 2^62 groups over 3 bytes only yields the values those bytes hold.
    #expect(throws: ParquetError.self) {
        try ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3] as [UInt8]).withUnsafeBytes { raw in
            var d = try RLEHybridDecoder(raw, bitWidth: 3)
            var v = [Int32]()
            try d.decode(count: 9, appendingTo: &v)
        }
    }
}

@Test func rleHybridToleratesMissingPaddingInLastRun() throws {
    // 3 values at width 8 in a bit-packed run of 1 group whose 5 padding bytes are absent.
    try ([0x03, 10, 20, 30] as [UInt8]).withUnsafeBytes { raw in
        var d = try RLEHybridDecoder(raw, bitWidth: 8)
        var v = [Int32]()
        try d.decode(count: 3, appendingTo: &v)
        #expect(v == [10, 20, 30])
    }
}

@Test func legacyBitPackedLevelsRoundTripMSBFirst() throws {
    // Encodings.md example: 0..7 at width 3 is 0x05 0x39 0x77 MSB first.
    var enc = [UInt8]()
    try [Int32](0...7).withUnsafeBufferPointer { try BitPackedLevels.encode($0, bitWidth: 3, into: &enc) }
    #expect(enc == [0x05, 0x39, 0x77])
    for width in 0...32 {
        let vals = (0..<37).map { Int32(truncatingIfNeeded: width == 0 ? 0 : UInt32(truncatingIfNeeded: $0 * 2654435761) >> UInt32(32 - width)) }
        var e = [UInt8]()
        try vals.withUnsafeBufferPointer { try BitPackedLevels.encode($0, bitWidth: width, into: &e) }
        let back = try reading(e) { (r) throws(ParquetError) -> [Int32] in
            var v = [Int32]()
            try BitPackedLevels.decode(&r, bitWidth: width, count: vals.count, appendingTo: &v)
            return v
        }
        #expect(back == vals)
        if width > 0 {
            expectTruncationsThrow(e) { (r) throws(ParquetError) in
                var v = [Int32]()
                try BitPackedLevels.decode(&r, bitWidth: width, count: vals.count, appendingTo: &v)
            }
        }
    }
}

// PLAIN -----------------------------------------------------------------------------------------------

@Test func plainFixedWidthRoundTrips() throws {
    let i32: [Int32] = [0, 1, -1, .min, .max, 42]
    let i64: [Int64] = [0, 1, -1, .min, .max, 1 << 40]
    let f: [Float] = [0, -0.0, 1.5, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
    let d: [Double] = [0, -0.0, 1.5, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
    for n in [0, 1, 6] {
        var e = [UInt8]()
        PlainValueEncoder.encodeInt32(Array(i32.prefix(n)), into: &e)
        PlainValueEncoder.encodeInt64(Array(i64.prefix(n)), into: &e)
        PlainValueEncoder.encodeFloat(f, into: &e)
        PlainValueEncoder.encodeDouble(d, into: &e)
        let (a, b, c, g) = try reading(e) { (r) throws(ParquetError) in
            var a = [Int32](), b = [Int64](), c = [Float](), g = [Double]()
            try PlainDecoder.decodeInt32(&r, count: n, into: &a)
            try PlainDecoder.decodeInt64(&r, count: n, into: &b)
            try PlainDecoder.decodeFloat(&r, count: f.count, into: &c)
            try PlainDecoder.decodeDouble(&r, count: d.count, into: &g)
            #expect(r.remaining == 0)
            return (a, b, c, g)
        }
        #expect(a == Array(i32.prefix(n)))
        #expect(b == Array(i64.prefix(n)))
        #expect(c.map(\.bitPattern) == f.map(\.bitPattern))
        #expect(g.map(\.bitPattern) == d.map(\.bitPattern))
    }
    // Appending keeps what was there.
    var existing: [Int64] = [7]
    var e = [UInt8]()
    PlainValueEncoder.encodeInt64([8, 9], into: &e)
    try reading(e) { (r) throws(ParquetError) in try PlainDecoder.decodeInt64(&r, count: 2, into: &existing) }
    #expect(existing == [7, 8, 9])
    expectTruncationsThrow(e) { (r) throws(ParquetError) in
        var v = [Int64]()
        try PlainDecoder.decodeInt64(&r, count: 2, into: &v)
    }
    #expect(throws: ParquetError.self) {
        try reading(e) { (r) throws(ParquetError) in var v = [Int64](); try PlainDecoder.decodeInt64(&r, count: Int.max / 4, into: &v) }
    }
    #expect(throws: ParquetError.self) {
        try reading(e) { (r) throws(ParquetError) in var v = [Int64](); try PlainDecoder.decodeInt64(&r, count: -1, into: &v) }
    }
}

@Test func plainBooleanRoundTripsIntoBitmap() throws {
    for n in [0, 1, 8, 9, 64, 65, 513] {
        let bits = Bitmap((0..<n).map { $0 % 3 == 0 || $0 % 7 == 1 })
        var e = [UInt8]()
        PlainValueEncoder.encodeBoolean(bits, into: &e)
        #expect(e.count == (n + 7) / 8)
        let back = try reading(e) { (r) throws(ParquetError) -> Bitmap in
            var b = Bitmap(count: 0, value: false)
            try PlainDecoder.decodeBoolean(&r, count: n, into: &b)
            return b
        }
        #expect(back == bits)
        // Appending at a non-word boundary.
        var prefixed = Bitmap([true, false, true])
        try reading(e) { (r) throws(ParquetError) in try PlainDecoder.decodeBoolean(&r, count: n, into: &prefixed) }
        #expect(prefixed.count == n + 3)
        #expect((0..<n).allSatisfy { prefixed[$0 + 3] == bits[$0] })
    }
}

@Test func plainByteArrayRoundTripsWithEmptyValues() throws {
    let strings = ["", "a", "", "hello world", String(repeating: "x", count: 1000), ""]
    var offsets: [Int64] = [0]
    var data = [UInt8]()
    for s in strings { data.append(contentsOf: Array(s.utf8)); offsets.append(Int64(data.count)) }
    var e = [UInt8]()
    try PlainValueEncoder.encodeByteArray(offsets: offsets, data: data, into: &e)
    let (o, d) = try reading(e) { (r) throws(ParquetError) -> ([Int64], [UInt8]) in
        var o = [Int64](), d = [UInt8]()
        try PlainDecoder.decodeByteArray(&r, count: strings.count, offsets: &o, data: &d)
        return (o, d)
    }
    #expect(o == offsets)
    #expect(d == data)
    expectTruncationsThrow(e) { (r) throws(ParquetError) in
        var o = [Int64](), d = [UInt8]()
        try PlainDecoder.decodeByteArray(&r, count: strings.count, offsets: &o, data: &d)
    }
    // A length that lies past the end throws.
    #expect(throws: ParquetError.self) {
        try reading([0xFF, 0xFF, 0xFF, 0x7F, 1, 2]) { (r) throws(ParquetError) in
            var o = [Int64](), d = [UInt8]()
            try PlainDecoder.decodeByteArray(&r, count: 1, offsets: &o, data: &d)
        }
    }
    // Appending continues the offsets.
    var o2: [Int64] = [0, 2], d2: [UInt8] = [9, 9]
    try reading(e) { (r) throws(ParquetError) in try PlainDecoder.decodeByteArray(&r, count: 2, offsets: &o2, data: &d2) }
    #expect(o2 == [0, 2, 2, 3])
    #expect(d2 == [9, 9, UInt8(ascii: "a")])
}

@Test func plainFixedLenByteArrayAndInt96() throws {
    var e = [UInt8]()
    try PlainValueEncoder.encodeFixedLenByteArray(width: 3, offsets: [0, 3, 6], data: [1, 2, 3, 4, 5, 6], into: &e)
    let (o, d) = try reading(e) { (r) throws(ParquetError) -> ([Int64], [UInt8]) in
        var o = [Int64](), d = [UInt8]()
        try PlainDecoder.decodeFixedLenByteArray(&r, width: 3, count: 2, offsets: &o, data: &d)
        return (o, d)
    }
    #expect(o == [0, 3, 6] && d == [1, 2, 3, 4, 5, 6])
    #expect(throws: ParquetError.self) {
        try PlainValueEncoder.encodeFixedLenByteArray(width: 3, offsets: [0, 2], data: [1, 2], into: &e)
    }

    let stamps: [Int64] = [0, 1, -1, 86_400_000_000_000, -86_400_000_000_001, 1_700_000_000_123_456_789, .max, .min]
    var raw = [UInt8]()
    stamps.withUnsafeBufferPointer { PlainValueEncoder.encodeInt96Nanoseconds($0, into: &raw) }
    let back = try reading(raw) { (r) throws(ParquetError) -> [Int64] in
        var v = [Int64]()
        try PlainDecoder.decodeInt96Nanoseconds(&r, count: stamps.count, into: &v)
        return v
    }
    #expect(back == stamps)
    // Known value: 1970-01-02 00:00:00.000000001 is Julian day 2440589, 1 ns.
    let one: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0] + [0x8D, 0x3D, 0x25, 0x00]
    #expect(try one.withUnsafeBytes { try Int96Timestamp.nanoseconds($0) } == 86_400_000_000_001)
    let rawValues = try reading(one) { (r) throws(ParquetError) -> [UInt8] in
        var v = [UInt8]()
        try PlainDecoder.decodeInt96(&r, count: 1, into: &v)
        return v
    }
    #expect(rawValues == one)
    // A Julian day far outside the Int64 nanosecond range wraps as in pyarrow (Spark writes such values;
    // parquet-testing's int96_from_spark.parquet holds some), and a value not 12 bytes long throws.
    let far: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0] + [0xFF, 0xFF, 0xFF, 0x7F]
    #expect(try far.withUnsafeBytes { try Int96Timestamp.nanoseconds($0) } == -2_717_410_959_865_085_952)
    #expect(throws: ParquetError.self) { try Array(far.prefix(11)).withUnsafeBytes { _ = try Int96Timestamp.nanoseconds($0) } }
}

// Dictionary gather ----------------------------------------------------------------------------------

@Test func dictionaryGatherFixedAndBytes() throws {
    var out = [Int64]()
    try DictionaryGather.gather([10, 20, 30], indices: [2, 0, 0, 1], into: &out)
    #expect(out == [30, 10, 10, 20])
    var f = [Double]()
    try DictionaryGather.gather([.nan, 1], indices: [1, 0], into: &f)
    #expect(f[0] == 1 && f[1].isNaN)
    var i32: [Int32] = [5]
    #expect(throws: ParquetError.self) { try DictionaryGather.gather([1, 2, 3] as [Int32], indices: [0, 3], into: &i32) }
    #expect(throws: ParquetError.self) { try DictionaryGather.gather([1, 2, 3] as [Int32], indices: [-1], into: &i32) }
    #expect(i32 == [5])
    var fl = [Float]()
    #expect(throws: ParquetError.self) { try DictionaryGather.gather([] as [Float], indices: [0], into: &fl) }

    let dict = try ByteArrayDictionary(offsets: [5, 5, 8, 9], data: Array("xxxxxabcd".utf8))  // "", "abc", "d"
    var o = [Int64](), d = [UInt8]()
    try dict.gather(indices: [1, 0, 2, 1, 1], offsets: &o, data: &d)
    #expect(o == [0, 3, 3, 4, 7, 10])
    #expect(String(decoding: d, as: UTF8.self) == "abcdabcabc")
    var o2: [Int64] = [0, 1], d2: [UInt8] = [0]
    #expect(throws: ParquetError.self) { try dict.gather(indices: [0, 3], offsets: &o2, data: &d2) }
    #expect(o2 == [0, 1] && d2 == [0])
    #expect(throws: ParquetError.self) { _ = try ByteArrayDictionary(offsets: [0, 4], data: [1, 2]) }
    #expect(throws: ParquetError.self) { _ = try ByteArrayDictionary(offsets: [2, 1], data: [1, 2]) }
}

// DELTA_BINARY_PACKED --------------------------------------------------------------------------------

@Test func deltaBinaryPackedRoundTripsEdgeCases() throws {
    var rng = LCG(s: 7)
    var cases64: [[Int64]] = [[], [5], [.min], [.max, .min, .max, .min], (0..<8).map { Int64($0) }, [Int64](repeating: -3, count: 513)]
    cases64.append((0..<513).map { _ in Int64(bitPattern: rng.next() << 11 ^ rng.next()) })  // needs width 64
    for width in 0...63 {  // deltas of exactly `width` bits
        cases64.append((0..<200).map { i in Int64(bitPattern: i % 2 == 0 ? 0 : (width == 0 ? 0 : (UInt64(1) << UInt64(width)) - 1)) })
    }
    cases64.append((0..<1000).map { Int64($0) * 1_000_003 - 500 })
    for values in cases64 {
        var e = [UInt8]()
        DeltaBinaryPacked.encodeInt64(values, into: &e)
        e.append(0xAB)
        let (back, rest) = try reading(e) { (r) throws(ParquetError) -> ([Int64], Int) in
            var v = [Int64]()
            try DeltaBinaryPacked.decodeInt64(&r, count: values.count, into: &v)
            return (v, r.remaining)
        }
        #expect(back == values)
        #expect(rest == 1, "decoder must stop right after the last miniblock")
    }
    let cases32: [[Int32]] = [[], [1], [.min, .max, .min, 0, .max], (0..<513).map { Int32(truncatingIfNeeded: $0 &* 2654435761) }, [Int32](repeating: 9, count: 129)]
    for values in cases32 {
        var e = [UInt8]()
        DeltaBinaryPacked.encodeInt32(values, into: &e)
        let back = try reading(e) { (r) throws(ParquetError) -> [Int32] in
            var v = [Int32]()
            try DeltaBinaryPacked.decodeInt32(&r, count: values.count, into: &v)
            #expect(r.remaining == 0)
            return v
        }
        #expect(back == values)
    }
}

@Test func deltaBinaryPackedDecodesSpecExampleAndRejectsBadInput() throws {
    // Encodings.md example 1: 1..5 -> header 128 4 5 zigzag(1), min delta 1, widths 0.
    let e: [UInt8] = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00]
    let v = try reading(e) { (r) throws(ParquetError) -> [Int32] in
        var v = [Int32]()
        try DeltaBinaryPacked.decodeInt32(&r, count: 5, into: &v)
        return v
    }
    #expect(v == [1, 2, 3, 4, 5])

    // Every prefix either throws or, when only the last miniblock's padding is cut (accepted, as some
    // writers omit it), still yields exactly the original values.
    let original = (0..<300).map { Int64($0 * $0) }
    var enc = [UInt8]()
    DeltaBinaryPacked.encodeInt64(original, into: &enc)
    var accepted = 0
    for cut in 0..<enc.count {
        do throws(ParquetError) {
            let v = try reading(Array(enc[0..<cut])) { (r) throws(ParquetError) -> [Int64] in
                var v = [Int64]()
                try DeltaBinaryPacked.decodeInt64(&r, count: 300, into: &v)
                return v
            }
            #expect(v == original)
            accepted += 1
        } catch {}
    }
    #expect(accepted < 40)
    let bad: [[UInt8]] = [
        [0x00, 0x04, 0x05, 0x02],              // block size 0
        [0x80, 0x01, 0x03, 0x05, 0x02],        // 3 miniblocks do not divide 128
        [0x80, 0x01, 0x00, 0x05, 0x02],        // 0 miniblocks
        [0x80, 0x01, 0x04, 0x02, 0x02, 0x02, 65, 0, 0, 0],  // bit width 65
        [0x80, 0x01, 0x04, 0x01, 0x02],        // fewer values than asked
    ]
    for b in bad {
        #expect(throws: ParquetError.self) {
            try reading(b) { (r) throws(ParquetError) in var v = [Int64](); try DeltaBinaryPacked.decodeInt64(&r, count: 2, into: &v) }
        }
    }
}

// DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY ----------------------------------------------------------

private func offsetsData(_ strings: [String]) -> ([Int64], [UInt8]) {
    var o: [Int64] = [0], d = [UInt8]()
    for s in strings { d.append(contentsOf: Array(s.utf8)); o.append(Int64(d.count)) }
    return (o, d)
}

@Test func deltaByteArraysRoundTrip() throws {
    let cases: [[String]] = [[], [""], ["", "", ""], ["Hello", "World", "Foobar", "ABCDEF"],
                             ["axis", "axle", "babble", "babyhood", "babyhood", "", "b"],
                             (0..<513).map { "prefix/common/\($0 / 7)/\($0)" }]
    for strings in cases {
        let (o, d) = offsetsData(strings)
        for dba in [false, true] {
            var e = [UInt8]()
            if dba { try DeltaByteArray.encode(offsets: o, data: d, into: &e) } else { try DeltaLengthByteArray.encode(offsets: o, data: d, into: &e) }
            let (o2, d2) = try reading(e) { (r) throws(ParquetError) -> ([Int64], [UInt8]) in
                var o2 = [Int64](), d2 = [UInt8]()
                if dba {
                    try DeltaByteArray.decode(&r, count: strings.count, offsets: &o2, data: &d2)
                } else {
                    try DeltaLengthByteArray.decode(&r, count: strings.count, offsets: &o2, data: &d2)
                }
                #expect(r.remaining == 0)
                return (o2, d2)
            }
            #expect(o2 == o && d2 == d, "\(dba ? "DELTA_BYTE_ARRAY" : "DELTA_LENGTH_BYTE_ARRAY") \(strings.prefix(3))")
            if strings.count > 1 && strings.count < 10 {
                expectTruncationsThrow(e) { (r) throws(ParquetError) in
                    var o2 = [Int64](), d2 = [UInt8]()
                    if dba {
                        try DeltaByteArray.decode(&r, count: strings.count, offsets: &o2, data: &d2)
                    } else {
                        try DeltaLengthByteArray.decode(&r, count: strings.count, offsets: &o2, data: &d2)
                    }
                }
            }
        }
    }
}

@Test func deltaByteArrayRejectsBadPrefixes() throws {
    // Prefix length 3 on the first value (previous value is empty).
    var e = [UInt8]()
    DeltaBinaryPacked.encodeInt32([3], into: &e)
    try DeltaLengthByteArray.encode(offsets: [0, 1], data: [65], into: &e)
    #expect(throws: ParquetError.self) {
        try reading(e) { (r) throws(ParquetError) in var o = [Int64](), d = [UInt8](); try DeltaByteArray.decode(&r, count: 1, offsets: &o, data: &d) }
    }
    // Huge prefix lengths that each fit the previous value but would expand without bound: 1 MiB value
    // repeated 4096 times through prefixes = 4 GiB, over the limit.
    var big = [UInt8]()
    DeltaBinaryPacked.encodeInt32([0] + [Int32](repeating: 1 << 20, count: 4096), into: &big)
    var suffixOffsets: [Int64] = [0, 1 << 20]
    suffixOffsets += [Int64](repeating: 1 << 20, count: 4096)
    try DeltaLengthByteArray.encode(offsets: suffixOffsets, data: [UInt8](repeating: 7, count: 1 << 20), into: &big)
    #expect(throws: ParquetError.self) {
        try reading(big) { (r) throws(ParquetError) in var o = [Int64](), d = [UInt8](); try DeltaByteArray.decode(&r, count: 4097, offsets: &o, data: &d) }
    }
    // A lengths header whose count differs from the page's.
    var l = [UInt8]()
    try DeltaLengthByteArray.encode(offsets: [0, 1, 2], data: [1, 2], into: &l)
    #expect(throws: ParquetError.self) {
        try reading(l) { (r) throws(ParquetError) in var o = [Int64](), d = [UInt8](); try DeltaLengthByteArray.decode(&r, count: 3, offsets: &o, data: &d) }
    }
}

// BYTE_STREAM_SPLIT ----------------------------------------------------------------------------------

@Test func byteStreamSplitRoundTrips() throws {
    let f: [Float] = [1.5, .nan, -0.0, .infinity, 3]
    let d: [Double] = [1.5, .nan, -0.0, .infinity, 3, .pi]
    let i: [Int64] = [.min, .max, 0, -1]
    var e = [UInt8]()
    f.withUnsafeBufferPointer { ByteStreamSplit.encodeFloat($0, into: &e) }
    d.withUnsafeBufferPointer { ByteStreamSplit.encodeDouble($0, into: &e) }
    i.withUnsafeBufferPointer { ByteStreamSplit.encodeInt64($0, into: &e) }
    try ByteStreamSplit.encodeFixedLenByteArray(width: 2, offsets: [0, 2, 4, 6], data: [1, 2, 3, 4, 5, 6], into: &e)
    try reading(e) { (r) throws(ParquetError) in
        var f2 = [Float](), d2 = [Double](), i2 = [Int64](), o = [Int64](), b = [UInt8]()
        try ByteStreamSplit.decodeFloat(&r, count: f.count, into: &f2)
        try ByteStreamSplit.decodeDouble(&r, count: d.count, into: &d2)
        try ByteStreamSplit.decodeInt64(&r, count: i.count, into: &i2)
        try ByteStreamSplit.decodeFixedLenByteArray(&r, width: 2, count: 3, offsets: &o, data: &b)
        #expect(f2.map(\.bitPattern) == f.map(\.bitPattern))
        #expect(d2.map(\.bitPattern) == d.map(\.bitPattern))
        #expect(i2 == i)
        #expect(o == [0, 2, 4, 6] && b == [1, 2, 3, 4, 5, 6])
        #expect(r.remaining == 0)
    }
    // Layout: two floats 1.0 (0x3F800000) and 2.0 (0x40000000) -> streams [00 00][00 00][80 00][3F 40].
    var two = [UInt8]()
    [Float(1), 2].withUnsafeBufferPointer { ByteStreamSplit.encodeFloat($0, into: &two) }
    #expect(two == [0, 0, 0, 0, 0x80, 0, 0x3F, 0x40])
    expectTruncationsThrow(two) { (r) throws(ParquetError) in var v = [Float](); try ByteStreamSplit.decodeFloat(&r, count: 2, into: &v) }
    for width in [1, 3, 5, 16] {
        let n = 7
        let data = (0..<(n * width)).map { UInt8(truncatingIfNeeded: $0 * 31) }
        let offsets = (0...n).map { Int64($0 * width) }
        var enc = [UInt8]()
        try ByteStreamSplit.encodeFixedLenByteArray(width: width, offsets: offsets, data: data, into: &enc)
        let back = try reading(enc) { (r) throws(ParquetError) -> [UInt8] in
            var o = [Int64](), b = [UInt8]()
            try ByteStreamSplit.decodeFixedLenByteArray(&r, width: width, count: n, offsets: &o, data: &b)
            return b
        }
        #expect(back == data)
    }
}
