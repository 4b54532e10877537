import Columnar

/// String kernels over UTF-8 buffers. Positions and lengths count Unicode code points, as Spark does.
enum Strings {
    /// Bytes in the UTF-8 sequence that starts with `lead` (1 for stray continuation bytes).
    @inline(__always)
    static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// Applies `transform` to every non-null value; `transform` appends the new value's bytes.
    @inline(__always)
    static func map(_ c: Column, _ transform: (UnsafeBufferPointer<UInt8>, Int, Int, inout StringBuilder) -> Void) throws(DataFrameError) -> Column {
        let (o, d) = try Kernels.bytes(c)
        var b = StringBuilder(capacity: c.count, bytes: d.count)
        d.withUnsafeBufferPointer { s in
            o.withUnsafeBufferPointer { off in
                for i in 0..<c.count {
                    if c.isNull(i) { b.appendEmpty(); continue }
                    transform(s, Int(off[i]), Int(off[i + 1]), &b)
                }
            }
        }
        return b.column(c.type, validity: c.validity)
    }

    /// Lowercase (ASCII in place; other text through Swift's Unicode case mapping).
    static func lowered(_ c: Column) -> Column {
        (try? changeCase(c, upper: false)) ?? c
    }

    static func changeCase(_ c: Column, upper: Bool) throws(DataFrameError) -> Column {
        try map(c) { s, start, end, b in
            var ascii = true
            for i in start..<end where s[i] >= 0x80 { ascii = false; break }
            if ascii {
                for i in start..<end {
                    let x = s[i]
                    let isLower = x >= UInt8(ascii: "a") && x <= UInt8(ascii: "z")
                    let isUpper = x >= UInt8(ascii: "A") && x <= UInt8(ascii: "Z")
                    b.extendByte(upper ? (isLower ? x - 32 : x) : (isUpper ? x + 32 : x))
                }
                b.close()
            } else {
                let text = String(decoding: UnsafeBufferPointer(rebasing: s[start..<end]), as: UTF8.self)
                b.append(Array((upper ? text.uppercased() : text.lowercased()).utf8))
            }
        }
    }

    /// Number of code points (bytes for binary).
    static func length(_ c: Column) throws(DataFrameError) -> Column {
        let (o, d) = try Kernels.bytes(c)
        var out = [Int32](repeating: 0, count: c.count)
        let binary = c.type != .string
        d.withUnsafeBufferPointer { s in
            o.withUnsafeBufferPointer { off in
                for i in 0..<c.count {
                    let start = Int(off[i]), end = Int(off[i + 1])
                    if binary { out[i] = Int32(truncatingIfNeeded: end - start); continue }
                    var n: Int32 = 0
                    for k in start..<end where s[k] & 0xC0 != 0x80 { n &+= 1 }
                    out[i] = n
                }
            }
        }
        return Kernels.column(.int32, out, validity: c.validity)
    }

    /// Removes spaces (U+0020 only, as Spark's trim) from the chosen ends.
    static func trim(_ c: Column, leading: Bool, trailing: Bool) throws(DataFrameError) -> Column {
        try map(c) { s, start, end, b in
            var a = start, z = end
            if leading { while a < z && s[a] == 0x20 { a += 1 } }
            if trailing { while z > a && s[z - 1] == 0x20 { z -= 1 } }
            b.append(s, a..<z)
        }
    }

    /// Spark's `substring(str, pos[, len])`: 1-based; 0 acts as 1; a negative position counts from the end;
    /// a negative length gives an empty string.
    static func substring(_ c: Column, _ pos: Column, _ len: Column?) throws(DataFrameError) -> Column {
        let (o, d) = try Kernels.bytes(c)
        let p = try Kernels.buffer(pos, as: Int64.self)
        let l = try len.map { (x: Column) throws(DataFrameError) -> [Int64] in try Kernels.buffer(x, as: Int64.self) }
        let validity = BitmapOps.and([c.validity, pos.validity, len?.validity])
        var b = StringBuilder(capacity: c.count, bytes: d.count)
        var starts = [Int]()
        d.withUnsafeBufferPointer { s in
            o.withUnsafeBufferPointer { off in
                for i in 0..<c.count {
                    if validity.map({ !$0[i] }) ?? false { b.appendEmpty(); continue }
                    let start = Int(off[i]), end = Int(off[i + 1])
                    // Byte offset of each code point, so positions count characters.
                    starts.removeAll(keepingCapacity: true)
                    var k = start
                    while k < end { starts.append(k); k += scalarLength(s[k]) }
                    let chars = Int64(starts.count)
                    let position = p[i]
                    let length = l?[i] ?? Int64.max
                    var from = position > 0 ? position - 1 : position < 0 ? chars + position : 0
                    let (sum, overflow) = from.addingReportingOverflow(length)
                    var to = overflow ? (length > 0 ? Int64.max : Int64.min) : sum
                    from = max(from, 0)
                    to = min(to, chars)
                    if from >= to { b.appendEmpty(); continue }
                    let a = starts[Int(from)], z = to == chars ? end : starts[Int(to)]
                    b.append(s, a..<min(z, end))
                }
            }
        }
        return b.column(.string, validity: validity)
    }

    /// Concatenation; null when any argument is null (Spark's `concat`).
    static func concat(_ parts: [Column], count: Int) throws(DataFrameError) -> Column {
        let validity = BitmapOps.and(parts.map(\.validity))
        var buffers = [([Int64], [UInt8])]()
        for p in parts { buffers.append(try Kernels.bytes(p)) }
        var total = 0
        for (_, d) in buffers { total += d.count }
        var b = StringBuilder(capacity: count, bytes: total)
        for i in 0..<count {
            if validity.map({ !$0[i] }) ?? false { b.appendEmpty(); continue }
            for (o, d) in buffers {
                d.withUnsafeBufferPointer { s in b.extend(s, Int(o[i])..<Int(o[i + 1])) }
            }
            b.close()
        }
        return b.column(.string, validity: validity)
    }
}

extension StringBuilder {
    /// Appends one byte to the value being built.
    @inline(__always)
    mutating func extendByte(_ byte: UInt8) {
        extend(byte)
    }
}
