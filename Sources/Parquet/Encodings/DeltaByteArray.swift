// DELTA_LENGTH_BYTE_ARRAY (Encodings.md, "Delta-length byte array (= 6)"): all lengths DELTA_BINARY_PACKED,
// then all bytes concatenated. DELTA_BYTE_ARRAY ("Delta Strings (= 7)"): prefix lengths DELTA_BINARY_PACKED,
// then the suffixes DELTA_LENGTH_BYTE_ARRAY; value i = prefix of value i-1 + suffix i.

/// DELTA_LENGTH_BYTE_ARRAY decoding and encoding, in the offsets/data form of `PlainDecoder.decodeByteArray`.
public enum DeltaLengthByteArray {
    /// Decodes `count` values (the page's non-null count; the lengths header must hold exactly that many)
    /// and appends them to `offsets`/`data`.
    public static func decode(_ reader: inout ByteReader, count: Int, offsets: inout [Int64], data: inout [UInt8]) throws(ParquetError) {
        var r = reader
        let lengths = try readLengths(&r, count: count, "DELTA_LENGTH_BYTE_ARRAY")
        var total = 0
        for (i, len) in lengths.enumerated() {
            guard len >= 0 else { throw .corrupt("DELTA_LENGTH_BYTE_ARRAY value \(i) has negative length \(len)") }
            total += Int(len)
        }
        let bytes = try r.readBytes(total)
        appendLengths(lengths, &offsets, dataCount: data.count)
        data.append(contentsOf: bytes)
        reader = r
    }

    /// Appends the encoding of values `data[offsets[i]..<offsets[i+1]]`. Values must each be under 2 GiB.
    public static func encode(offsets: [Int64], data: [UInt8], into out: inout [UInt8]) throws(ParquetError) {
        let n = try PlainValueEncoder.validateOffsets(offsets, dataCount: data.count)
        var lengths = [Int32]()
        lengths.reserveCapacity(n)
        for i in 0..<n {
            let len = offsets[i + 1] - offsets[i]
            guard len <= Int64(Int32.max) else { throw ParquetError(.invalidArgument, "value \(i) is 2 GiB or longer") }
            lengths.append(Int32(len))
        }
        DeltaBinaryPacked.encodeInt32(lengths, into: &out)
        if n > 0 { out.append(contentsOf: data[Int(offsets[0])..<Int(offsets[n])]) }
    }

    /// Reads a DELTA_BINARY_PACKED length stream whose total must equal `count`.
    static func readLengths(_ r: inout ByteReader, count: Int, _ what: String) throws(ParquetError) -> [Int32] {
        try checkCount(count, what)
        let total = try DeltaBinaryPacked.totalCount(r)
        guard total == count else {
            throw .corrupt("\(what) lengths header holds \(total) values but the page has \(count)")
        }
        var lengths = [Int32]()
        try DeltaBinaryPacked.decodeInt32(&r, count: count, into: &lengths)
        return lengths
    }

    static func appendLengths(_ lengths: [Int32], _ offsets: inout [Int64], dataCount: Int) {
        if offsets.isEmpty { offsets.append(Int64(dataCount)) }
        var running = Int64(dataCount)
        try? appendUninitialized(&offsets, count: lengths.count, zero: 0) { dst in
            for i in 0..<lengths.count {
                running += Int64(lengths[i])
                dst[i] = running
            }
        }
    }
}

/// DELTA_BYTE_ARRAY (incremental / front coding) decoding and encoding.
public enum DeltaByteArray {
    /// Decodes `count` values and appends them to `offsets`/`data`. Each prefix length is checked against
    /// the previous value's length; the total output is capped at `EncodingLimits.maxDecodedBytes`.
    public static func decode(_ reader: inout ByteReader, count: Int, offsets: inout [Int64], data: inout [UInt8]) throws(ParquetError) {
        var r = reader
        let prefixes = try DeltaLengthByteArray.readLengths(&r, count: count, "DELTA_BYTE_ARRAY prefix")
        let suffixes = try DeltaLengthByteArray.readLengths(&r, count: count, "DELTA_BYTE_ARRAY suffix")
        // Pass 1: value lengths, validated, summed.
        var total = 0
        var suffixTotal = 0
        var previous = 0
        for i in 0..<count {
            let p = Int(prefixes[i]), s = Int(suffixes[i])
            guard p >= 0, p <= previous else {
                throw .corrupt("DELTA_BYTE_ARRAY value \(i) has prefix length \(p) but the previous value has \(previous) bytes")
            }
            guard s >= 0 else { throw .corrupt("DELTA_BYTE_ARRAY value \(i) has negative suffix length \(s)") }
            previous = p + s
            total += previous
            suffixTotal += s
            guard total <= EncodingLimits.maxDecodedBytes else {
                throw .corrupt("DELTA_BYTE_ARRAY values expand past \(EncodingLimits.maxDecodedBytes) bytes")
            }
        }
        let suffixBytes = try r.readBytes(suffixTotal)
        // Pass 2: one allocation; each value copies its prefix from the value just written.
        let start = data.count
        try appendUninitialized(&data, count: total, zero: 0) { dst in
            guard let d = dst.baseAddress else { return }
            let src = basePointer(suffixBytes)
            var w = 0, s = 0, prevStart = 0
            for i in 0..<count {
                let p = Int(prefixes[i]), sl = Int(suffixes[i])
                if p > 0 { (d + w).update(from: d + prevStart, count: p) }
                UnsafeMutableRawPointer(d + w + p).copyMemory(from: src + s, byteCount: sl)
                prevStart = w
                w += p + sl
                s += sl
            }
        }
        if offsets.isEmpty { offsets.append(Int64(start)) }
        var running = Int64(start)
        try appendUninitialized(&offsets, count: count, zero: 0) { dst in
            for i in 0..<count {
                running += Int64(prefixes[i]) + Int64(suffixes[i])
                dst[i] = running
            }
        }
        reader = r
    }

    /// Appends the encoding of values `data[offsets[i]..<offsets[i+1]]`, sharing each value's common prefix
    /// with the one before.
    public static func encode(offsets: [Int64], data: [UInt8], into out: inout [UInt8]) throws(ParquetError) {
        let n = try PlainValueEncoder.validateOffsets(offsets, dataCount: data.count)
        var prefixes = [Int32](), suffixOffsets = [Int64]()
        var suffixData = [UInt8]()
        prefixes.reserveCapacity(n)
        suffixOffsets.reserveCapacity(n + 1)
        suffixOffsets.append(0)
        var prevStart = 0, prevLen = 0
        try withBuffer(data) { (raw) throws(ParquetError) in
            for i in 0..<n {
                let s = Int(offsets[i]), len = Int(offsets[i + 1] - offsets[i])
                guard len <= Int(Int32.max) else { throw ParquetError(.invalidArgument, "value \(i) is 2 GiB or longer") }
                var p = 0
                let maxP = min(len, prevLen)
                while p < maxP && raw[s + p] == raw[prevStart + p] { p += 1 }
                prefixes.append(Int32(p))
                suffixData.append(contentsOf: raw[(s + p)..<(s + len)])
                suffixOffsets.append(Int64(suffixData.count))
                prevStart = s
                prevLen = len
            }
        }
        DeltaBinaryPacked.encodeInt32(prefixes, into: &out)
        try DeltaLengthByteArray.encode(offsets: suffixOffsets, data: suffixData, into: &out)
    }
}
