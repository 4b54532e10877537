/// Renders a Variant (the `metadata` and `value` binaries of the Variant binary encoding, parquet-format
/// VariantEncoding.md) as JSON text following lake's NDJSON conventions: objects, arrays, numbers,
/// strings and booleans as JSON; decimals as JSON numbers at their scale; dates, times, timestamps and
/// UUIDs as strings; binary as base64. Every offset and length is checked against the bytes, nesting is
/// bounded, and bad bytes throw.
public enum VariantJSON {
    /// Deepest nesting of objects and arrays accepted.
    public static let maxDepth = 256

    /// Appends the JSON text of the variant to `out`.
    public static func append(metadata: ArraySlice<UInt8>, value: ArraySlice<UInt8>, to out: inout [UInt8]) throws(ColumnarError) {
        let names = try Dictionary(Array(metadata))
        let reader = Reader(bytes: Array(value), names: names)
        try reader.appendValue(at: 0, end: reader.bytes.count, depth: 0, to: &out)
    }

    /// The JSON text of one variant.
    public static func json(metadata: [UInt8], value: [UInt8]) throws(ColumnarError) -> String {
        var out: [UInt8] = []
        try append(metadata: metadata[...], value: value[...], to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func bad(_ what: String) -> ColumnarError { .invalid("variant: \(what)") }

    /// Little-endian unsigned integer of `size` (1...4) bytes at `pos`, bounds-checked.
    static func uint(_ b: [UInt8], _ pos: Int, _ size: Int) throws(ColumnarError) -> Int {
        guard pos >= 0, size >= 1, size <= 8, pos <= b.count - size else {
            throw bad("\(size)-byte integer at offset \(pos) runs past the \(b.count) bytes")
        }
        var v: UInt64 = 0
        for k in 0..<size { v |= UInt64(b[pos + k]) << (8 * UInt64(k)) }
        guard v <= UInt64(Int32.max) else { throw bad("size or offset \(v) is out of range") }
        return Int(v)
    }

    /// The metadata's field-name dictionary, as byte ranges into the metadata.
    struct Dictionary {
        let bytes: [UInt8]
        let ranges: [Range<Int>]

        init(_ m: [UInt8]) throws(ColumnarError) {
            guard let header = m.first else { throw bad("the metadata is empty") }
            guard header & 0x0F == 1 else { throw bad("metadata version \(header & 0x0F); only version 1 is known") }
            let size = Int((header >> 6) & 0x03) + 1
            let count = try uint(m, 1, size)
            // Each name needs an offset of `size` bytes: a count beyond the metadata's size is corrupt.
            guard count <= (m.count - 1) / size else { throw bad("the metadata claims \(count) names in \(m.count) bytes") }
            let base = 1 + size * (count + 2)
            guard base <= m.count else { throw bad("the metadata's \(count + 1) offsets run past its \(m.count) bytes") }
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(count)
            var previous = try uint(m, 1 + size, size)
            guard previous == 0 else { throw bad("the first name offset is \(previous), not 0") }
            if count > 0 {
                for i in 1...count {
                    let next = try uint(m, 1 + size * (i + 1), size)
                    guard next >= previous, next <= m.count - base else { throw bad("name offset \(next) is out of order or past the metadata") }
                    ranges.append((base + previous)..<(base + next))
                    previous = next
                }
            }
            bytes = m
            self.ranges = ranges
        }

        func name(_ id: Int) throws(ColumnarError) -> ArraySlice<UInt8> {
            guard id >= 0, id < ranges.count else { throw bad("field id \(id) is not in the \(ranges.count)-name dictionary") }
            return bytes[ranges[id]]
        }
    }

    struct Reader {
        let bytes: [UInt8]
        let names: Dictionary

        /// Appends the value starting at `pos`, which must lie before `end`.
        func appendValue(at pos: Int, end: Int, depth: Int, to out: inout [UInt8]) throws(ColumnarError) {
            guard depth <= VariantJSON.maxDepth else { throw bad("values nest deeper than \(VariantJSON.maxDepth) levels") }
            guard pos >= 0, pos < end, end <= bytes.count else { throw bad("a value at offset \(pos) lies outside its \(end)-byte container") }
            let header = bytes[pos]
            let basic = header & 0x03, head = Int(header >> 2)
            switch basic {
            case 1:
                try appendString(from: pos + 1, count: head, end: end, to: &out)
            case 2:
                let offsetSize = (head & 0x03) + 1, idSize = ((head >> 2) & 0x03) + 1, large = (head >> 4) & 1 == 1
                let countSize = large ? 4 : 1
                let n = try uint(bytes, pos + 1, countSize)
                let ids = pos + 1 + countSize
                guard n <= (end - ids) / (idSize + offsetSize) else { throw bad("an object claims \(n) fields in \(end - ids) bytes") }
                let offsets = ids + n * idSize
                let values = offsets + (n + 1) * offsetSize
                guard values <= end else { throw bad("an object's field table runs past its bytes") }
                // The last offset is the size of the field values: every field lies inside them.
                let valuesEnd = values + (try uint(bytes, offsets + n * offsetSize, offsetSize))
                guard valuesEnd <= end else { throw bad("an object's field values run past its bytes") }
                out.append(UInt8(ascii: "{"))
                for i in 0..<n {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    ValueText.appendJSONString(try names.name(try uint(bytes, ids + i * idSize, idSize)), to: &out)
                    out.append(UInt8(ascii: ":"))
                    let at = values + (try uint(bytes, offsets + i * offsetSize, offsetSize))
                    try appendValue(at: at, end: valuesEnd, depth: depth + 1, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            case 3:
                let offsetSize = (head & 0x03) + 1, large = (head >> 2) & 1 == 1
                let countSize = large ? 4 : 1
                let n = try uint(bytes, pos + 1, countSize)
                let offsets = pos + 1 + countSize
                guard n <= (end - offsets) / offsetSize else { throw bad("an array claims \(n) elements in \(end - offsets) bytes") }
                let values = offsets + (n + 1) * offsetSize
                guard values <= end else { throw bad("an array's offset table runs past its bytes") }
                let valuesEnd = values + (try uint(bytes, offsets + n * offsetSize, offsetSize))
                guard valuesEnd <= end else { throw bad("an array's elements run past its bytes") }
                out.append(UInt8(ascii: "["))
                for i in 0..<n {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    let at = values + (try uint(bytes, offsets + i * offsetSize, offsetSize))
                    try appendValue(at: at, end: valuesEnd, depth: depth + 1, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            default:
                try appendPrimitive(type: head, at: pos + 1, end: end, to: &out)
            }
        }

        func appendString(from start: Int, count: Int, end: Int, to out: inout [UInt8]) throws(ColumnarError) {
            guard count >= 0, start <= end, count <= end - start else { throw bad("a \(count)-byte string runs past its bytes") }
            ValueText.appendJSONString(bytes[start..<(start + count)], to: &out)
        }

        /// The `size`-byte little-endian two's-complement integer at `p`.
        func signed(_ p: Int, _ size: Int, end: Int) throws(ColumnarError) -> Int128 {
            guard p >= 0, p <= end - size else { throw bad("a \(size)-byte value runs past its bytes") }
            var v: UInt128 = bytes[p + size - 1] & 0x80 != 0 ? ~0 : 0
            for k in stride(from: size - 1, through: 0, by: -1) { v = (v << 8) | UInt128(bytes[p + k]) }
            return Int128(bitPattern: v)
        }

        func appendPrimitive(type: Int, at p: Int, end: Int, to out: inout [UInt8]) throws(ColumnarError) {
            func text(_ s: String) { out.append(contentsOf: Array(s.utf8)) }
            func quoted(_ body: (inout [UInt8]) -> Void) {
                out.append(UInt8(ascii: "\""))
                body(&out)
                out.append(UInt8(ascii: "\""))
            }
            switch type {
            case 0: text("null")
            case 1: text("true")
            case 2: text("false")
            case 3: text(String(try signed(p, 1, end: end)))
            case 4: text(String(try signed(p, 2, end: end)))
            case 5: text(String(try signed(p, 4, end: end)))
            case 6: text(String(try signed(p, 8, end: end)))
            case 7:
                let d = Double(bitPattern: UInt64(truncatingIfNeeded: try signed(p, 8, end: end)))
                text(d.isFinite ? d.description : (d.isNaN ? "\"NaN\"" : (d > 0 ? "\"Infinity\"" : "\"-Infinity\"")))
            case 14:
                let f = Float(bitPattern: UInt32(truncatingIfNeeded: try signed(p, 4, end: end)))
                text(f.isFinite ? f.description : (f.isNaN ? "\"NaN\"" : (f > 0 ? "\"Infinity\"" : "\"-Infinity\"")))
            case 8, 9, 10:
                let width = type == 8 ? 4 : (type == 9 ? 8 : 16)
                guard p < end else { throw bad("a decimal runs past its bytes") }
                let scale = Int(bytes[p])
                guard scale <= 38 else { throw bad("decimal scale \(scale) is above 38") }
                text(ValueText.decimalString(try signed(p + 1, width, end: end), scale: scale))
            case 11:
                let days = try signed(p, 4, end: end)
                quoted { CivilTime.appendDate(days: Int64(days), to: &$0) }
            case 12, 13, 18, 19:
                let v = Int64(try signed(p, 8, end: end))
                quoted { CivilTime.appendTimestamp(v, unit: type < 18 ? .microsecond : .nanosecond, utc: type == 12 || type == 18, to: &$0) }
            case 17:
                let v = Int64(try signed(p, 8, end: end))
                guard v >= 0, v < 86_400_000_000 else { throw bad("time of day \(v) µs is outside one day") }
                quoted { CivilTime.appendTimeOfDay(v, unit: .microsecond, to: &$0) }
            case 15:
                let n = try uint(bytes, p, 4)
                guard n <= end - p - 4 else { throw bad("a \(n)-byte binary runs past its bytes") }
                let slice = bytes[(p + 4)..<(p + 4 + n)]
                quoted { dst in slice.withUnsafeBufferPointer { ValueText.appendBase64($0, to: &dst) } }
            case 16:
                let n = try uint(bytes, p, 4)
                try appendString(from: p + 4, count: n, end: end, to: &out)
            case 20:
                guard p >= 0, p <= end - 16 else { throw bad("a UUID runs past its bytes") }
                let hex = Array("0123456789abcdef".utf8)
                quoted { dst in
                    for k in 0..<16 {
                        if k == 4 || k == 6 || k == 8 || k == 10 { dst.append(UInt8(ascii: "-")) }
                        dst.append(hex[Int(bytes[p + k] >> 4)])
                        dst.append(hex[Int(bytes[p + k] & 0x0F)])
                    }
                }
            default:
                throw bad("unknown primitive type \(type)")
            }
        }
    }
}

extension VariantJSON {
    /// Appends row `row` of `column` (described by `field`) as JSON like `ValueText` does, except that every
    /// variant, at any depth, is its JSON value rather than the struct of its binaries.
    public static func appendRenderingVariants(_ column: Column, row: Int, field: Field, to out: inout [UInt8]) throws(ColumnarError) {
        if column.isNull(row) { out.append(contentsOf: Array("null".utf8)); return }
        if field.isVariant, case let .structure(children) = column.values, case let .structure(fields) = column.type {
            guard let m = fields.firstIndex(where: { $0.name == "metadata" }), let v = fields.firstIndex(where: { $0.name == "value" }),
                  case let .bytes(mo, md) = children[m].values, case let .bytes(vo, vd) = children[v].values,
                  !children[m].isNull(row), !children[v].isNull(row) else {
                throw bad("column \(field.name) is marked variant but has no metadata and value binaries")
            }
            try append(metadata: md[Int(mo[row])..<Int(mo[row + 1])], value: vd[Int(vo[row])..<Int(vo[row + 1])], to: &out)
            return
        }
        switch (column.type, column.values) {
        case let (.structure(fields), .structure(children)):
            out.append(UInt8(ascii: "{"))
            for (k, (f, c)) in zip(fields, children).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                ValueText.appendJSONString(Array(f.name.utf8), to: &out)
                out.append(UInt8(ascii: ":"))
                try appendRenderingVariants(c, row: row, field: f, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let (.list(element), .list(offsets, child)):
            out.append(UInt8(ascii: "["))
            for (k, i) in (Int(offsets[row])..<Int(offsets[row + 1])).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                try appendRenderingVariants(child, row: i, field: element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let (.map(keyField, valueField), .map(offsets, keys, values)):
            out.append(UInt8(ascii: "["))
            for (k, i) in (Int(offsets[row])..<Int(offsets[row + 1])).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: Array(#"{"key":"#.utf8))
                try appendRenderingVariants(keys, row: i, field: keyField, to: &out)
                out.append(contentsOf: Array(#","value":"#.utf8))
                try appendRenderingVariants(values, row: i, field: valueField, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        default:
            ValueText.append(column, row: row, style: .json, to: &out)
        }
    }
}

extension BatchText {
    /// NDJSON like `ndjson`, with every variant column (at any depth) printed as its JSON value instead
    /// of the struct of its `metadata` and `value` binaries. Throws when a variant's bytes are corrupt.
    public static func ndjsonRenderingVariants(_ batch: RecordBatch, to out: inout [UInt8]) throws(ColumnarError) {
        let keys = jsonKeys(batch.schema)
        for row in 0..<batch.rowCount {
            out.append(UInt8(ascii: "{"))
            for (c, column) in batch.columns.enumerated() {
                if c > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: keys[c])
                try VariantJSON.appendRenderingVariants(column, row: row, field: batch.schema.fields[c], to: &out)
            }
            out.append(contentsOf: [UInt8(ascii: "}"), 0x0a])
        }
    }
}
