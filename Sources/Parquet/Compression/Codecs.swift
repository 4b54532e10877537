import CCompression

/// Page compression and decompression for every Parquet codec lake supports (parquet.thrift
/// `CompressionCodec`): UNCOMPRESSED, SNAPPY, GZIP, BROTLI, LZ4 (Hadoop framing, raw fallback), ZSTD, LZ4_RAW.
///
/// The uncompressed size passed to `decompress` comes from an untrusted page header, so it is checked
/// before anything is allocated: it must be in `0...maxUncompressedSize` and within the most the codec can
/// expand its input. The output must then be exactly that size.
public enum ParquetCompression {
    /// The largest uncompressed page accepted (page header sizes are thrift i32).
    public static let maxUncompressedSize = Int(Int32.max)

    /// Whether `codec` can be compressed and decompressed by this build.
    public static func isSupported(_ codec: CompressionCodec) -> Bool {
        switch codec {
        case .uncompressed, .snappy, .gzip, .brotli, .lz4, .zstd, .lz4Raw: true
        default: false
        }
    }

    /// Decompresses `input` (one page body) that `codec` compressed, producing exactly `uncompressedSize` bytes.
    /// Throws `.corrupt` for bad data or a size mismatch and `.unsupported` for LZO and unknown codecs.
    public static func decompress(
        _ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, uncompressedSize: Int
    ) throws(ParquetError) -> [UInt8] {
        guard uncompressedSize >= 0 else { throw .corrupt("negative uncompressed page size \(uncompressedSize)") }
        guard uncompressedSize <= maxUncompressedSize else {
            throw .corrupt("uncompressed page size \(uncompressedSize) exceeds the \(maxUncompressedSize)-byte limit")
        }
        if codec == .uncompressed {
            guard input.count == uncompressedSize else {
                throw .corrupt("uncompressed page has \(input.count) bytes but its header says \(uncompressedSize)")
            }
            return Array(input)
        }
        guard isSupported(codec) else { throw unsupported(codec) }
        if input.isEmpty {
            if uncompressedSize == 0 { return [] }
            throw .corrupt("\(codec) page is empty but should decompress to \(uncompressedSize) bytes")
        }
        if let ratio = maxExpansion(codec) {
            let (bound, o) = input.count.multipliedReportingOverflow(by: ratio)
            if !o && uncompressedSize > bound &+ 1024 {
                throw .corrupt("\(codec) page of \(input.count) bytes cannot decompress to \(uncompressedSize) bytes")
            }
        }
        switch codec {
        case .snappy: return try Snappy.decompress(input, uncompressedSize)
        case .gzip: return try Gzip.decompress(input, uncompressedSize)
        case .zstd: return try Zstd.decompress(input, uncompressedSize)
        case .lz4Raw: return try LZ4Block.decompressRaw(input, uncompressedSize)
        case .lz4: return try LZ4Block.decompressHadoopOrRaw(input, uncompressedSize)
        case .brotli: return try Brotli.decompress(input, uncompressedSize)
        default: throw unsupported(codec)
        }
    }

    /// Decompresses `bytes[range]`; convenience for page readers holding a whole column chunk.
    public static func decompress(
        _ codec: CompressionCodec, bytes: [UInt8], range: Range<Int>, uncompressedSize: Int
    ) throws(ParquetError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw .corrupt("page range \(range) is outside the \(bytes.count)-byte column chunk")
        }
        return try withBytes(bytes) { (raw) throws(ParquetError) -> [UInt8] in
            try decompress(codec, UnsafeRawBufferPointer(rebasing: raw[range]), uncompressedSize: uncompressedSize)
        }
    }

    /// Compresses `input` with `codec`. `level` is the codec's own scale (GZIP 0...9, default 6; ZSTD
    /// `ZSTD_minCLevel()...ZSTD_maxCLevel()`, default 3; BROTLI 0...11, default 5); SNAPPY and LZ4 ignore it.
    /// LZ4 output uses the Hadoop framing, LZ4_RAW a bare LZ4 block.
    public static func compress(
        _ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, level: Int? = nil
    ) throws(ParquetError) -> [UInt8] {
        guard input.count <= maxUncompressedSize else {
            throw ParquetError(.invalidArgument, "page of \(input.count) bytes is too large to compress")
        }
        switch codec {
        case .uncompressed: return Array(input)
        case .snappy: return try Snappy.compress(input)
        case .gzip: return try Gzip.compress(input, level: level ?? 6)
        case .zstd: return try Zstd.compress(input, level: level ?? 3)
        case .lz4Raw: return try LZ4Block.compressRaw(input)
        case .lz4: return try LZ4Block.compressHadoop(input)
        case .brotli: return try Brotli.compress(input, quality: level ?? 5)
        default: throw unsupported(codec)
        }
    }

    /// Compresses `input`; convenience for `[UInt8]` pages.
    public static func compress(_ codec: CompressionCodec, _ input: [UInt8], level: Int? = nil) throws(ParquetError) -> [UInt8] {
        try withBytes(input) { (raw) throws(ParquetError) -> [UInt8] in
            try compress(codec, raw, level: level)
        }
    }

    static func unsupported(_ codec: CompressionCodec) -> ParquetError {
        codec == .lzo ? .unsupported("LZO codec is not supported") : .unsupported("compression codec \(codec) is not supported")
    }

    /// The most each codec's format can expand one input byte, so a header claiming more is a lie that must
    /// not be allocated. nil: no useful bound (BROTLI, ZSTD without content sizes), handled by growing output.
    static func maxExpansion(_ codec: CompressionCodec) -> Int? {
        switch codec {
        case .snappy: 32      // a 3-byte copy op yields at most 64 bytes
        case .lz4, .lz4Raw: 256  // each 0xFF length byte adds 255 bytes
        case .gzip: 1040      // deflate's limit is 1032:1
        case .zstd: 32_768    // a 4-byte RLE block yields at most 128 KiB
        default: nil
        }
    }
}

/// Builds an exactly-sized output array: `produce` writes into `size` bytes and returns how many it wrote,
/// which must equal `size`.
@inline(__always)
func withOutput(
    _ size: Int, _ codec: CompressionCodec,
    _ produce: (UnsafeMutableRawPointer, Int) throws(ParquetError) -> Int
) throws(ParquetError) -> [UInt8] {
    var failure: ParquetError?
    let out = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buf, initialized in
        initialized = 0
        guard let p = buf.baseAddress else { failure = .corrupt("cannot allocate \(size) bytes"); return }
        do throws(ParquetError) {
            let n = try produce(UnsafeMutableRawPointer(p), size)
            if n != size {
                failure = .corrupt("\(codec) page decompressed to \(n) bytes but its header says \(size)")
            } else {
                initialized = n
            }
        } catch { failure = error }
    }
    if let failure { throw failure }
    return out
}

/// A non-nil pointer for `buffer` (empty buffers may have none; C codecs want one even for length 0).
@inline(__always)
func basePointer(_ buffer: UnsafeRawBufferPointer) -> UnsafeRawPointer {
    buffer.baseAddress ?? UnsafeRawPointer(emptyByte)
}

private nonisolated(unsafe) let emptyByte = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)

enum Snappy {
    static func decompress(_ input: UnsafeRawBufferPointer, _ size: Int) throws(ParquetError) -> [UInt8] {
        let src = basePointer(input).assumingMemoryBound(to: CChar.self)
        var declared = 0
        guard snappy_uncompressed_length(src, input.count, &declared) == SNAPPY_OK else {
            throw .corrupt("SNAPPY page has a malformed length header")
        }
        guard declared == size else {
            throw .corrupt("SNAPPY page decompresses to \(declared) bytes but its header says \(size)")
        }
        return try withOutput(size, .snappy) { (dst, cap) throws(ParquetError) in
            var outLen = cap
            guard snappy_uncompress(src, input.count, dst.assumingMemoryBound(to: CChar.self), &outLen) == SNAPPY_OK else {
                throw .corrupt("SNAPPY page data is corrupt")
            }
            return outLen
        }
    }

    static func compress(_ input: UnsafeRawBufferPointer) throws(ParquetError) -> [UInt8] {
        let bound = snappy_max_compressed_length(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        var outLen = bound
        let status = out.withUnsafeMutableBytes { dst in
            snappy_compress(basePointer(input).assumingMemoryBound(to: CChar.self), input.count,
                            dst.baseAddress?.assumingMemoryBound(to: CChar.self), &outLen)
        }
        guard status == SNAPPY_OK else { throw ParquetError(.invalidArgument, "SNAPPY compression failed") }
        out.removeLast(bound - outLen)
        return out
    }
}

enum Gzip {
    /// Inflates one or more concatenated gzip (or zlib) members; windowBits 15 + 32 auto-detects the header.
    static func decompress(_ input: UnsafeRawBufferPointer, _ size: Int) throws(ParquetError) -> [UInt8] {
        guard input.count <= Int(UInt32.max) else { throw .corrupt("GZIP page is too large") }
        return try withOutput(size, .gzip) { (dst, cap) throws(ParquetError) in
            var strm = z_stream()
            guard inflateInit2_(&strm, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw .corrupt("cannot initialise zlib")
            }
            defer { inflateEnd(&strm) }
            strm.next_in = UnsafeMutablePointer(mutating: basePointer(input).assumingMemoryBound(to: Bytef.self))
            strm.avail_in = UInt32(input.count)
            strm.next_out = dst.assumingMemoryBound(to: Bytef.self)
            strm.avail_out = UInt32(cap)
            while true {
                let ret = inflate(&strm, Z_NO_FLUSH)
                if ret == Z_STREAM_END {
                    if strm.avail_in == 0 { break }
                    // Another gzip member follows (concatenated streams are valid gzip).
                    guard inflateReset(&strm) == Z_OK else { throw .corrupt("cannot reset zlib") }
                    continue
                }
                if ret == Z_OK { continue }
                if ret == Z_BUF_ERROR {
                    if strm.avail_out == 0 {
                        throw .corrupt("GZIP page decompresses to more than its header's \(size) bytes")
                    }
                    throw .corrupt("GZIP page is truncated")
                }
                let detail = strm.msg.map { String(cString: $0) } ?? "error \(ret)"
                throw .corrupt("GZIP page data is corrupt: \(detail)")
            }
            return cap - Int(strm.avail_out)
        }
    }

    /// Deflates `input` as one gzip member (windowBits 15 + 16).
    static func compress(_ input: UnsafeRawBufferPointer, level: Int) throws(ParquetError) -> [UInt8] {
        guard (0...9).contains(level) else { throw ParquetError(.invalidArgument, "GZIP level \(level) is outside 0...9") }
        guard input.count <= Int(UInt32.max) else { throw ParquetError(.invalidArgument, "page too large for GZIP") }
        var strm = z_stream()
        guard deflateInit2_(&strm, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError(.invalidArgument, "cannot initialise zlib deflate")
        }
        defer { deflateEnd(&strm) }
        let bound = Int(deflateBound(&strm, UInt(input.count))) + 32
        var out = [UInt8](repeating: 0, count: bound)
        let ret = out.withUnsafeMutableBytes { dst -> Int32 in
            strm.next_in = UnsafeMutablePointer(mutating: basePointer(input).assumingMemoryBound(to: Bytef.self))
            strm.avail_in = UInt32(input.count)
            strm.next_out = dst.baseAddress?.assumingMemoryBound(to: Bytef.self)
            strm.avail_out = UInt32(bound)
            return deflate(&strm, Z_FINISH)
        }
        guard ret == Z_STREAM_END else { throw ParquetError(.invalidArgument, "GZIP compression failed (\(ret))") }
        out.removeLast(Int(strm.avail_out))
        return out
    }
}

enum Zstd {
    /// Decompresses one or more zstd frames. When every frame declares its content size, the sum must equal
    /// `size` before anything is allocated; otherwise the output grows as data is produced, up to `size`.
    static func decompress(_ input: UnsafeRawBufferPointer, _ size: Int) throws(ParquetError) -> [UInt8] {
        let src = basePointer(input)
        var offset = 0
        var declared: UInt64 = 0
        var allKnown = true
        while offset < input.count {
            let frameSrc = src + offset
            let left = input.count - offset
            let frameSize = ZSTD_findFrameCompressedSize(frameSrc, left)
            if ZSTD_isError(frameSize) != 0 || frameSize == 0 || frameSize > left {
                throw .corrupt("ZSTD page has a malformed frame")
            }
            let content = ZSTD_getFrameContentSize(frameSrc, left)
            if content == ZSTD_CONTENTSIZE_ERROR { throw .corrupt("ZSTD page has a malformed frame header") }
            if content == ZSTD_CONTENTSIZE_UNKNOWN {
                allKnown = false
            } else {
                let (s, o) = declared.addingReportingOverflow(content)
                if o || s > UInt64(size) {
                    throw .corrupt("ZSTD frames declare more than the page header's \(size) bytes")
                }
                declared = s
            }
            offset += frameSize
        }
        if allKnown {
            guard declared == UInt64(size) else {
                throw .corrupt("ZSTD frames declare \(declared) bytes but the page header says \(size)")
            }
            return try withOutput(size, .zstd) { (dst, cap) throws(ParquetError) in
                let n = ZSTD_decompress(dst, cap, src, input.count)
                if ZSTD_isError(n) != 0 {
                    throw .corrupt("ZSTD page data is corrupt: \(String(cString: ZSTD_getErrorName(n)))")
                }
                return n
            }
        }
        return try streaming(input, size)
    }

    static func streaming(_ input: UnsafeRawBufferPointer, _ size: Int) throws(ParquetError) -> [UInt8] {
        guard let ctx = ZSTD_createDCtx() else { throw .corrupt("cannot create a zstd context") }
        defer { ZSTD_freeDCtx(ctx) }
        var out = [UInt8](repeating: 0, count: min(size, max(1 << 16, input.count * 8)))
        var produced = 0
        var inBuf = ZSTD_inBuffer(src: basePointer(input), size: input.count, pos: 0)
        var lastRet = 1
        while inBuf.pos < inBuf.size || lastRet != 0 {
            if produced == out.count {
                guard out.count < size else {
                    throw .corrupt("ZSTD page decompresses to more than its header's \(size) bytes")
                }
                out.append(contentsOf: repeatElement(0, count: min(size - out.count, max(out.count, 1 << 16))))
            }
            let before = (inBuf.pos, produced)
            let ret = out.withUnsafeMutableBytes { dst -> Int in
                var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: produced)
                let r = ZSTD_decompressStream(ctx, &outBuf, &inBuf)
                produced = outBuf.pos
                return r
            }
            if ZSTD_isError(ret) != 0 {
                throw .corrupt("ZSTD page data is corrupt: \(String(cString: ZSTD_getErrorName(ret)))")
            }
            lastRet = ret
            if before == (inBuf.pos, produced) && produced < out.count {
                throw .corrupt("ZSTD page is truncated")
            }
        }
        guard produced == size else {
            throw .corrupt("ZSTD page decompressed to \(produced) bytes but its header says \(size)")
        }
        return out
    }

    static func compress(_ input: UnsafeRawBufferPointer, level: Int) throws(ParquetError) -> [UInt8] {
        guard level >= Int(ZSTD_minCLevel()), level <= Int(ZSTD_maxCLevel()) else {
            throw ParquetError(.invalidArgument, "ZSTD level \(level) is outside \(ZSTD_minCLevel())...\(ZSTD_maxCLevel())")
        }
        let bound = ZSTD_compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBytes { dst in
            ZSTD_compress(dst.baseAddress, bound, basePointer(input), input.count, Int32(level))
        }
        guard ZSTD_isError(n) == 0 else { throw ParquetError(.invalidArgument, "ZSTD compression failed") }
        out.removeLast(bound - n)
        return out
    }
}

enum LZ4Block {
    static func decompressRaw(_ input: UnsafeRawBufferPointer, _ size: Int) throws(ParquetError) -> [UInt8] {
        guard input.count <= Int(Int32.max) else { throw .corrupt("LZ4 page is too large") }
        return try withOutput(size, .lz4Raw) { (dst, cap) throws(ParquetError) in
            let n = LZ4_decompress_safe(basePointer(input).assumingMemoryBound(to: CChar.self),
                                        dst.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(cap))
            guard n >= 0 else { throw .corrupt("LZ4 page data is corrupt") }
            return Int(n)
        }
    }

    /// LZ4 as Hadoop frames it: repeated [4-byte BE uncompressed size][4-byte BE compressed size][LZ4 block]
    /// (a frame may hold several [compressed size][block] chunks). Writers that emitted a bare LZ4 block
    /// under this codec id are handled by retrying the whole input as one raw block, as parquet-cpp does.
    static func decompressHadoopOrRaw(_ input: UnsafeRawBufferPointer, _ size: Int) throws(ParquetError) -> [UInt8] {
        guard input.count <= Int(Int32.max) else { throw .corrupt("LZ4 page is too large") }
        var framed = true
        let out = try withOutput(size, .lz4) { (dst, cap) throws(ParquetError) in
            if let n = hadoopFrames(input, dst, cap) { return n }
            framed = false
            return cap
        }
        if framed { return out }
        do {
            return try decompressRaw(input, size)
        } catch {
            throw .corrupt("LZ4 page is neither Hadoop-framed nor a valid LZ4 block of \(size) bytes")
        }
    }

    /// Decodes Hadoop frames into `dst`; nil when the framing does not parse or does not fill exactly `cap`.
    static func hadoopFrames(_ input: UnsafeRawBufferPointer, _ dst: UnsafeMutableRawPointer, _ cap: Int) -> Int? {
        let src = basePointer(input)
        var ip = 0
        var op = 0
        func be32(_ at: Int) -> Int { Int(UInt32(bigEndian: src.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        while ip < input.count {
            guard input.count - ip >= 8 else { return nil }
            let blockSize = be32(ip)
            ip += 4
            guard blockSize <= cap - op else { return nil }
            let blockEnd = op + blockSize
            repeat {
                guard input.count - ip >= 4 else { return nil }
                let chunk = be32(ip)
                ip += 4
                guard chunk <= input.count - ip else { return nil }
                let n = LZ4_decompress_safe((src + ip).assumingMemoryBound(to: CChar.self),
                                            (dst + op).assumingMemoryBound(to: CChar.self),
                                            Int32(chunk), Int32(blockEnd - op))
                guard n >= 0, n > 0 || chunk > 0 || blockSize == 0 else { return nil }
                ip += chunk
                op += Int(n)
                if n == 0 { break }
            } while op < blockEnd
            guard op == blockEnd else { return nil }
        }
        return op == cap ? op : nil
    }

    static func compressRaw(_ input: UnsafeRawBufferPointer) throws(ParquetError) -> [UInt8] {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else { throw ParquetError(.invalidArgument, "page too large for LZ4") }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var out = [UInt8](repeating: 0, count: max(bound, 1))
        let n = out.withUnsafeMutableBytes { dst in
            LZ4_compress_default(basePointer(input).assumingMemoryBound(to: CChar.self),
                                 dst.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(bound))
        }
        guard n > 0 || input.isEmpty else { throw ParquetError(.invalidArgument, "LZ4 compression failed") }
        out.removeLast(out.count - Int(n))
        return out
    }

    /// One Hadoop frame holding the whole page as one chunk (what parquet-cpp and arrow-rs write).
    static func compressHadoop(_ input: UnsafeRawBufferPointer) throws(ParquetError) -> [UInt8] {
        let block = try compressRaw(input)
        var out = [UInt8]()
        out.reserveCapacity(block.count + 8)
        for v in [UInt32(input.count), UInt32(block.count)] {
            withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: block)
        return out
    }
}

enum Brotli {
    /// Brotli can expand its input almost without bound, so output grows as it is produced, capped at `size`.
    static func decompress(_ input: UnsafeRawBufferPointer, _ size: Int) throws(ParquetError) -> [UInt8] {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else { throw .corrupt("cannot create a brotli decoder") }
        defer { BrotliDecoderDestroyInstance(state) }
        var out = [UInt8](repeating: 0, count: min(size, max(1 << 16, input.count * 8)))
        var produced = 0
        var availIn = input.count
        var nextIn: UnsafePointer<UInt8>? = basePointer(input).assumingMemoryBound(to: UInt8.self)
        while true {
            let result = out.withUnsafeMutableBytes { dst -> BrotliDecoderResult in
                var availOut = dst.count - produced
                var nextOut: UnsafeMutablePointer<UInt8>? = dst.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + produced }
                let r = BrotliDecoderDecompressStream(state, &availIn, &nextIn, &availOut, &nextOut, nil)
                produced = dst.count - availOut
                return r
            }
            if result == BROTLI_DECODER_RESULT_SUCCESS { break }
            if result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT {
                guard out.count < size else {
                    throw .corrupt("BROTLI page decompresses to more than its header's \(size) bytes")
                }
                out.append(contentsOf: repeatElement(0, count: min(size - out.count, max(out.count, 1 << 16))))
                continue
            }
            if result == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT { throw .corrupt("BROTLI page is truncated") }
            throw .corrupt("BROTLI page data is corrupt")
        }
        guard availIn == 0 else { throw .corrupt("BROTLI page has \(availIn) bytes after the end of its stream") }
        guard produced == size else {
            throw .corrupt("BROTLI page decompressed to \(produced) bytes but its header says \(size)")
        }
        out.removeLast(out.count - produced)
        return out
    }

    static func compress(_ input: UnsafeRawBufferPointer, quality: Int) throws(ParquetError) -> [UInt8] {
        guard (0...11).contains(quality) else { throw ParquetError(.invalidArgument, "BROTLI quality \(quality) is outside 0...11") }
        let bound = BrotliEncoderMaxCompressedSize(input.count)
        guard bound > 0 else { throw ParquetError(.invalidArgument, "page too large for BROTLI") }
        var out = [UInt8](repeating: 0, count: bound)
        var encoded = bound
        let ok = out.withUnsafeMutableBytes { dst in
            BrotliEncoderCompress(Int32(quality), 22, BROTLI_MODE_GENERIC, input.count,
                                  basePointer(input).assumingMemoryBound(to: UInt8.self), &encoded,
                                  dst.baseAddress?.assumingMemoryBound(to: UInt8.self))
        }
        guard ok != 0 else { throw ParquetError(.invalidArgument, "BROTLI compression failed") }
        out.removeLast(bound - encoded)
        return out
    }
}
