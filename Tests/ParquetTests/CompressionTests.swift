import Testing
@testable import Parquet

private let codecs: [CompressionCodec] = [.uncompressed, .snappy, .gzip, .zstd, .lz4, .lz4Raw, .brotli]

/// Sample pages: empty, one byte, highly repetitive, pseudo-random (incompressible), text.
private func samples() -> [[UInt8]] {
    var s: UInt64 = 99
    let random = (0..<70_000).map { _ -> UInt8 in s = s &* 6364136223846793005 &+ 1; return UInt8(truncatingIfNeeded: s >> 33) }
    let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog 0123456789\n", count: 500).utf8)
    return [[], [42], [UInt8](repeating: 0, count: 1 << 20), random, text]
}

private func decompress(_ codec: CompressionCodec, _ data: [UInt8], _ size: Int) throws(ParquetError) -> [UInt8] {
    try ParquetCompression.decompress(codec, bytes: data, range: 0..<data.count, uncompressedSize: size)
}

@Test func everyCodecRoundTrips() throws {
    for codec in codecs {
        for page in samples() {
            let packed = try ParquetCompression.compress(codec, page)
            let back = try decompress(codec, packed, page.count)
            #expect(back == page, "\(codec) round trip of \(page.count) bytes")
        }
    }
}

@Test func compressionLevelsAreHonouredAndValidated() throws {
    let page = samples()[4]
    for (codec, level) in [(CompressionCodec.zstd, 1), (.zstd, 19), (.gzip, 1), (.gzip, 9), (.brotli, 0), (.brotli, 11)] {
        let packed = try ParquetCompression.compress(codec, page, level: level)
        #expect(try decompress(codec, packed, page.count) == page)
    }
    #expect(throws: ParquetError.self) { _ = try ParquetCompression.compress(.gzip, page, level: 10) }
    #expect(throws: ParquetError.self) { _ = try ParquetCompression.compress(.brotli, page, level: 12) }
    #expect(throws: ParquetError.self) { _ = try ParquetCompression.compress(.zstd, page, level: 1000) }
}

@Test func unsupportedCodecsSayWhich() {
    do {
        _ = try decompress(.lzo, [1, 2, 3], 3)
        Issue.record("LZO decompressed")
    } catch {
        #expect(error.kind == .unsupported && error.message == "LZO codec is not supported")
    }
    do {
        _ = try ParquetCompression.compress(CompressionCodec(rawValue: 42), [1])
        Issue.record("unknown codec compressed")
    } catch {
        #expect(error.kind == .unsupported && error.message.contains("UNKNOWN(42)"))
    }
}

@Test func gzipDecodesConcatenatedMembers() throws {
    let a = Array("first member; ".utf8), b = Array("second member".utf8), c = [UInt8](repeating: 7, count: 5000)
    var joined = try ParquetCompression.compress(.gzip, a)
    joined += try ParquetCompression.compress(.gzip, b)
    joined += try ParquetCompression.compress(.gzip, c, level: 9)
    #expect(try decompress(.gzip, joined, a.count + b.count + c.count) == a + b + c)
    // The page header must count all members.
    #expect(throws: ParquetError.self) { _ = try decompress(.gzip, joined, a.count + b.count) }
}

@Test func lz4HadoopFramingMultipleFramesAndRawFallback() throws {
    let parts: [[UInt8]] = [Array("hadoop frame one ".utf8), [UInt8](repeating: 1, count: 3000), Array("three".utf8)]
    var framed = [UInt8]()
    for p in parts {
        let block = try ParquetCompression.compress(.lz4Raw, p)
        for v in [UInt32(p.count), UInt32(block.count)] { withUnsafeBytes(of: v.bigEndian) { framed += $0 } }
        framed += block
    }
    let all = parts.flatMap { $0 }
    #expect(try decompress(.lz4, framed, all.count) == all)
    // One frame holding two chunks (Hadoop's block stream form).
    let c1 = try ParquetCompression.compress(.lz4Raw, parts[0]), c2 = try ParquetCompression.compress(.lz4Raw, parts[1])
    var chunked = [UInt8]()
    for v in [UInt32(parts[0].count + parts[1].count), UInt32(c1.count)] { withUnsafeBytes(of: v.bigEndian) { chunked += $0 } }
    chunked += c1
    withUnsafeBytes(of: UInt32(c2.count).bigEndian) { chunked += $0 }
    chunked += c2
    #expect(try decompress(.lz4, chunked, parts[0].count + parts[1].count) == parts[0] + parts[1])
    // Older parquet-cpp wrote bare LZ4 blocks under the LZ4 id.
    let raw = try ParquetCompression.compress(.lz4Raw, all)
    #expect(try decompress(.lz4, raw, all.count) == all)
    // Our LZ4 output is one Hadoop frame.
    let ours = try ParquetCompression.compress(.lz4, all)
    #expect(Array(ours[0..<4]) == [0, 0, 0x0B, 0xCE])  // 3022 big-endian
}

@Test func corruptInputThrows() throws {
    let page = samples()[4]
    for codec in codecs where codec != .uncompressed {
        let packed = try ParquetCompression.compress(codec, page)
        // Every truncation of a small page, and byte flips.
        for cut in stride(from: 0, to: packed.count, by: max(1, packed.count / 40)) {
            #expect(throws: ParquetError.self, "\(codec) cut at \(cut)") { _ = try decompress(codec, Array(packed[0..<cut]), page.count) }
        }
        var garbage = packed
        for i in stride(from: 0, to: garbage.count, by: 3) { garbage[i] ^= 0x5A }
        #expect(throws: ParquetError.self, "\(codec) garbage") { _ = try decompress(codec, garbage, page.count) }
    }
}

@Test func lyingUncompressedSizeThrows() throws {
    let page = samples()[4]
    for codec in codecs {
        let packed = try ParquetCompression.compress(codec, page)
        for size in [page.count - 1, page.count + 1, 0, -1, Int(Int32.max) + 1, Int.max] {
            #expect(throws: ParquetError.self, "\(codec) size \(size)") { _ = try decompress(codec, packed, size) }
        }
    }
    // A tiny page claiming 2 GiB is refused before allocating (bounded-ratio codecs).
    for codec in [CompressionCodec.snappy, .gzip, .lz4, .lz4Raw, .zstd] {
        let tiny = try ParquetCompression.compress(codec, [1, 2, 3])
        #expect(throws: ParquetError.self) { _ = try decompress(codec, tiny, Int(Int32.max)) }
    }
    #expect(throws: ParquetError.self) { _ = try ParquetCompression.decompress(.snappy, bytes: [1, 2], range: 1..<5, uncompressedSize: 1) }
}
