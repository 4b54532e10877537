import Columnar

// Dictionary encoding (Encodings.md, "Dictionary Encoding (PLAIN_DICTIONARY = 2 and RLE_DICTIONARY = 8)"):
// the dictionary page holds PLAIN values; data pages hold RLE/bit-packed indices into it. Gathering turns
// decoded indices back into values, and is the hottest step of reading low-cardinality columns.

/// Gathers fixed-width dictionary values by index. Every index is checked against the dictionary size
/// (in one vectorisable pass before copying); an index out of range throws `ParquetError.corrupt` and
/// leaves the output unchanged.
public enum DictionaryGather {
    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: UnsafeBufferPointer<Int32>, indices: UnsafeBufferPointer<Int32>, into out: inout [Int32]) throws(ParquetError) {
        try gatherFixed(dictionary, indices, &out)
    }
    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: UnsafeBufferPointer<Int64>, indices: UnsafeBufferPointer<Int32>, into out: inout [Int64]) throws(ParquetError) {
        try gatherFixed(dictionary, indices, &out)
    }
    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: UnsafeBufferPointer<Float>, indices: UnsafeBufferPointer<Int32>, into out: inout [Float]) throws(ParquetError) {
        try gatherFixed(dictionary, indices, &out)
    }
    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: UnsafeBufferPointer<Double>, indices: UnsafeBufferPointer<Int32>, into out: inout [Double]) throws(ParquetError) {
        try gatherFixed(dictionary, indices, &out)
    }

    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: [Int32], indices: [Int32], into out: inout [Int32]) throws(ParquetError) {
        try withPair(dictionary, indices) { (d, i) throws(ParquetError) in try gatherFixed(d, i, &out) }
    }
    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: [Int64], indices: [Int32], into out: inout [Int64]) throws(ParquetError) {
        try withPair(dictionary, indices) { (d, i) throws(ParquetError) in try gatherFixed(d, i, &out) }
    }
    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: [Float], indices: [Int32], into out: inout [Float]) throws(ParquetError) {
        try withPair(dictionary, indices) { (d, i) throws(ParquetError) in try gatherFixed(d, i, &out) }
    }
    /// Appends `dictionary[indices[i]]` for each index to `into`.
    public static func gather(_ dictionary: [Double], indices: [Int32], into out: inout [Double]) throws(ParquetError) {
        try withPair(dictionary, indices) { (d, i) throws(ParquetError) in try gatherFixed(d, i, &out) }
    }

    /// Appends `dictionary[indices[i]]` for each index to `into` (booleans, bit by bit).
    static func gather(_ dictionary: Bitmap, indices: UnsafeBufferPointer<Int32>, into out: inout Bitmap) throws(ParquetError) {
        try checkIndices(indices, count: dictionary.count)
        for i in indices { out.append(dictionary[Int(i)]) }
    }

    /// Appends the `width`-byte entries `indices` select from `dictionary` (dense fixed-width values: INT96,
    /// FIXED_LEN_BYTE_ARRAY) to `into`. Throws when the output would pass `EncodingLimits.maxDecodedBytes`.
    static func gather(
        fixedWidth width: Int, _ dictionary: UnsafeRawBufferPointer, indices: UnsafeBufferPointer<Int32>, into out: inout [UInt8]
    ) throws(ParquetError) {
        try checkIndices(indices, count: width > 0 ? dictionary.count / width : 0)
        let (total, o) = indices.count.multipliedReportingOverflow(by: width)
        guard !o, total <= EncodingLimits.maxDecodedBytes else {
            throw .corrupt("dictionary expands past \(EncodingLimits.maxDecodedBytes) bytes")
        }
        guard total > 0, let src = dictionary.baseAddress else { return }
        try appendUninitialized(&out, count: total, zero: 0) { dst in
            guard let d = dst.baseAddress.map(UnsafeMutableRawPointer.init) else { return }
            for (k, i) in indices.enumerated() {
                (d + k * width).copyMemory(from: src + Int(UInt32(bitPattern: i)) * width, byteCount: width)
            }
        }
    }

    /// Throws unless every index is in `0..<count`. Branch-free max so the loop vectorises.
    @inline(__always)
    static func checkIndices(_ indices: UnsafeBufferPointer<Int32>, count: Int) throws(ParquetError) {
        var maxIndex: UInt32 = 0
        for i in indices { maxIndex = max(maxIndex, UInt32(bitPattern: i)) }
        if !indices.isEmpty && Int(maxIndex) >= count {
            let bad = indices.first { Int(UInt32(bitPattern: $0)) >= count } ?? Int32(bitPattern: maxIndex)
            throw .corrupt("dictionary index \(bad) is out of range for a dictionary of \(count) values")
        }
    }

    @inline(__always)
    static func gatherFixed<T: BitwiseCopyable>(
        _ dictionary: UnsafeBufferPointer<T>, _ indices: UnsafeBufferPointer<Int32>, _ out: inout [T]
    ) throws(ParquetError) {
        try checkIndices(indices, count: dictionary.count)
        guard let dict = dictionary.baseAddress, let idx = indices.baseAddress else { return }
        try appendUninitialized(&out, count: indices.count, zero: zeroBits(T.self)) { dst in
            guard let d = dst.baseAddress else { return }
            for k in 0..<indices.count { d[k] = dict[Int(UInt32(bitPattern: idx[k]))] }
        }
    }

    @inline(__always)
    static func withPair<T>(
        _ dictionary: [T], _ indices: [Int32],
        _ body: (UnsafeBufferPointer<T>, UnsafeBufferPointer<Int32>) throws(ParquetError) -> Void
    ) throws(ParquetError) {
        try withBuffer(dictionary) { (d) throws(ParquetError) in
            try withBuffer(indices) { (i) throws(ParquetError) in try body(d, i) }
        }
    }
}

/// A dictionary of variable-length values (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, or raw INT96) in offsets/data
/// form, validated once so that gathering many pages against it needs no per-value bounds checks.
public struct ByteArrayDictionary: Sendable {
    /// Value ends: value `i` is `data[offsets[i]..<offsets[i+1]]`.
    public let offsets: [Int64]
    /// The concatenated value bytes.
    public let data: [UInt8]
    /// Number of values.
    public var count: Int { offsets.isEmpty ? 0 : offsets.count - 1 }

    /// A dictionary over `offsets` (count + 1 non-decreasing entries inside `data`) and `data`, as produced
    /// by `PlainDecoder.decodeByteArray`. Throws `.corrupt` when the offsets are inconsistent.
    public init(offsets: [Int64], data: [UInt8]) throws(ParquetError) {
        do {
            _ = try PlainValueEncoder.validateOffsets(offsets, dataCount: data.count)
        } catch {
            throw .corrupt("dictionary: \(error.message)")
        }
        self.offsets = offsets
        self.data = data
    }

    /// Appends the values at `indices` to `offsets`/`data` (same convention as `decodeByteArray`: an empty
    /// `offsets` first gets `data.count` as its start). Two passes: sum lengths and write offsets, then one
    /// allocation and one copy per value. Throws on an index out of range or an output over
    /// `EncodingLimits.maxDecodedBytes`, leaving the outputs unchanged.
    public func gather(indices: UnsafeBufferPointer<Int32>, offsets outOffsets: inout [Int64], data outData: inout [UInt8]) throws(ParquetError) {
        let n = count
        try DictionaryGather.checkIndices(indices, count: n)
        guard let idx = indices.baseAddress, !indices.isEmpty else {
            if outOffsets.isEmpty { outOffsets.append(Int64(outData.count)) }
            return
        }
        let hadOffsets = !outOffsets.isEmpty
        if !hadOffsets { outOffsets.append(Int64(outData.count)) }
        let base = Int64(outData.count)
        var total: Int64 = 0
        do {
            try withBuffer(offsets) { (dictOffsets) throws(ParquetError) in
                guard let o = dictOffsets.baseAddress else { return }
                try appendUninitialized(&outOffsets, count: indices.count, zero: 0) { (dst) throws(ParquetError) in
                    var running: Int64 = 0
                    for k in 0..<indices.count {
                        let j = Int(UInt32(bitPattern: idx[k]))
                        running &+= o[j + 1] &- o[j]
                        dst[k] = base &+ running
                    }
                    // Each length is < 2^32 and count < 2^62 / 2^32, so `running` has not wrapped here.
                    if running > Int64(EncodingLimits.maxDecodedBytes) {
                        // A page cannot legitimately expand this far, so the file is corrupt.
                        throw .corrupt("dictionary gather would produce \(running) bytes, over the \(EncodingLimits.maxDecodedBytes)-byte limit")
                    }
                    total = running
                }
            }
        } catch {
            if !hadOffsets { outOffsets.removeAll() }
            throw error
        }
        try appendUninitialized(&outData, count: Int(total), zero: 0) { (dst) throws(ParquetError) in
            guard let d = dst.baseAddress else { return }
            withBuffer2(offsets, data) { o, src in
                var w = UnsafeMutableRawPointer(d)
                for k in 0..<indices.count {
                    let j = Int(UInt32(bitPattern: idx[k]))
                    let s = Int(o[j])
                    let len = Int(o[j + 1] &- o[j])
                    w.copyMemory(from: src + s, byteCount: len)
                    w += len
                }
            }
        }
    }

    /// Appends the values at `indices` (array form).
    public func gather(indices: [Int32], offsets outOffsets: inout [Int64], data outData: inout [UInt8]) throws(ParquetError) {
        try withBuffer(indices) { (i) throws(ParquetError) in try gather(indices: i, offsets: &outOffsets, data: &outData) }
    }
}

/// Both buffers' base pointers (data may be empty: a non-null dummy is passed since no byte is read).
@inline(__always)
private func withBuffer2(_ offsets: [Int64], _ data: [UInt8], _ body: (UnsafePointer<Int64>, UnsafeRawPointer) -> Void) {
    offsets.withUnsafeBufferPointer { o in
        data.withUnsafeBytes { d in
            guard let op = o.baseAddress else { return }
            body(op, basePointer(d))
        }
    }
}

