import Columnar

/// Runs `body` over the bytes of `array` with typed errors (the standard library closure API loses the error type).
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws(TextFault) -> R) throws(TextFault) -> R {
    let result: Result<R, TextFault> = array.withUnsafeBufferPointer { buf in
        do throws(TextFault) { return .success(try body(buf)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Converts the cells of one column (spans of one input buffer) into a typed `Column` of a given type, a whole
/// column at a time. CSV cells are text to parse; NDJSON cells are JSON values. (Types are inferred before,
/// by `CSVTypeGuess` and `JSONTypeGuess`, so every chunk of an input converts to the same types.)
///
/// The rules, as Spark and DuckDB apply them to an INSERT of text: timestamps through `TemporalText` (a zone
/// shifts a UTC-adjusted `timestamp` and is ignored by `timestamp_ntz`; a date alone is midnight), dates
/// (a time part is ignored), decimals exactly at the column's scale (rounded half up, wider than the
/// precision an error), integers range-checked for their width, floats (also NaN and the infinities),
/// booleans, binary from base64, and in NDJSON structs from objects, lists from arrays and maps from objects
/// or arrays of `{"key", "value"}`. A value that does not convert is an error naming the column and the value.
final class TextColumnBuilder {
    let b: UnsafeBufferPointer<UInt8>
    let isCSV: Bool
    let scanner: JSONScanner
    /// Decoded text of the current escaped cell; reused so escaped cells cost no allocation.
    private var scratch = [UInt8]()

    init(_ bytes: UnsafeBufferPointer<UInt8>, isCSV: Bool) {
        b = bytes
        self.isCSV = isCSV
        scanner = JSONScanner(b: bytes)
    }

    // MARK: - cell text

    /// Calls `body` with the cell's value text (escapes resolved).
    @inline(__always)
    func text<R>(_ kind: CellKind, _ s: Int, _ e: Int, _ body: (UnsafeBufferPointer<UInt8>, Int, Int) -> R) -> R {
        switch kind {
        case .csvEscaped:
            scratch.removeAll(keepingCapacity: true)
            var i = s
            while i < e {
                scratch.append(b[i])
                // Inside a quoted CSV field every quote is doubled; keep one.
                i += b[i] == UInt8(ascii: "\"") && i + 1 < e && b[i + 1] == UInt8(ascii: "\"") ? 2 : 1
            }
            return scratch.withUnsafeBufferPointer { body($0, 0, $0.count) }
        case .jsonEscaped:
            scratch.removeAll(keepingCapacity: true)
            scanner.unescape(s, e, into: &scratch)
            return scratch.withUnsafeBufferPointer { body($0, 0, $0.count) }
        default:
            return body(b, s, e)
        }
    }

    /// The cell's value text as a `String`, shortened for messages.
    func shown(_ kind: CellKind, _ s: Int, _ e: Int) -> String {
        let t = text(kind, s, e) { buf, s, e in String(decoding: UnsafeBufferPointer(rebasing: buf[s..<min(e, s + 60)]), as: UTF8.self) }
        return "\"" + t + (e - s > 60 ? "…" : "") + "\""
    }

    /// How a message names what a cell holds.
    func kindName(_ k: CellKind) -> String {
        switch k {
        case .null: "null"
        case .text, .csvEscaped, .jsonEscaped: "a string"
        case .jsonInt: "an integer"
        case .jsonFloat: "a number with a fraction"
        case .jsonTrue, .jsonFalse: "a boolean"
        case .jsonArray: "an array"
        case .jsonObject: "an object"
        }
    }

    private func isText(_ k: CellKind) -> Bool { k == .text || k == .csvEscaped || k == .jsonEscaped }

    private func cannot(_ c: TextCells, _ i: Int, _ type: DataType, _ path: String) -> TextFault {
        let k = c.kinds[i]
        let numeric: Bool
        switch type {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float32, .float64, .decimal: numeric = true
        default: numeric = false
        }
        if !isCSV && !isText(k) && !(numeric && (k == .jsonInt || (k == .jsonFloat && type != .int64))) {
            return TextFault(c.starts[i], "\(path): expected \(type.name) but found \(kindName(k))")
        }
        return TextFault(c.starts[i], "\(path): cannot read \(shown(k, c.starts[i], c.ends[i])) as \(type.name)")
    }

    // MARK: - given types

    /// The validity of `c` (nil when nothing is null). In CSV an empty field of a non-string type is null too.
    private func validity(_ c: TextCells, _ type: DataType, nullable: Bool, path: String) throws(TextFault) -> Bitmap? {
        let emptyIsNull = isCSV && !(type == .string || type == .binary)
        var bits: Bitmap?
        for i in 0..<c.count {
            let k = c.kinds[i]
            guard k == .null || (emptyIsNull && c.starts[i] == c.ends[i]) else { continue }
            guard nullable else { throw TextFault(c.starts[i], "\(path): null in a column declared not null") }
            if bits == nil { bits = Bitmap(count: c.count, value: true) }
            bits?[i] = false
        }
        return bits
    }

    /// Builds column `path` of `type` from `c`; every non-null cell must convert.
    func build(_ c: TextCells, _ type: DataType, nullable: Bool, path: String) throws(TextFault) -> Column {
        if isCSV && type.isNested { return try buildNestedFromCSV(c, type, nullable: nullable, path: path) }
        let n = c.count
        let valid = try validity(c, type, nullable: nullable, path: path)
        @inline(__always) func present(_ i: Int) -> Bool { valid.map { $0[i] } ?? true }

        func integers<T: FixedWidthInteger>(_: T.Type) throws(TextFault) -> [T] {
            var out = [T](repeating: 0, count: n)
            for i in 0..<n where present(i) {
                let k = c.kinds[i]
                guard isCSV || k == .jsonInt,
                      let v = text(k, c.starts[i], c.ends[i], { TextValues.parseInt64($0, $1, $2) }) else { throw cannot(c, i, type, path) }
                guard let x = T(exactly: v) else {
                    throw TextFault(c.starts[i], "\(path): \(v) is out of range for \(type.name) (\(T.min) to \(T.max))")
                }
                out[i] = x
            }
            return out
        }
        /// Numbers for float columns: JSON numbers, and strings holding NaN / Infinity (lake's convention).
        func floatText(_ i: Int) -> Bool {
            isCSV || c.kinds[i] == .jsonInt || c.kinds[i] == .jsonFloat || isText(c.kinds[i])
        }
        /// Values that are strings in JSON (dates, timestamps, decimals, binary).
        func stringish(_ i: Int) -> Bool { isCSV || isText(c.kinds[i]) }

        let values: ColumnValues
        switch type {
        case .boolean:
            var bits = Bitmap(count: n, value: false)
            for i in 0..<n where present(i) {
                let k = c.kinds[i]
                let v: Bool?
                if isCSV {
                    v = text(k, c.starts[i], c.ends[i]) { buf, s, e in NumberText.parseBool(UnsafeBufferPointer(rebasing: buf[s..<e])) }
                } else {
                    v = k == .jsonTrue ? true : k == .jsonFalse ? false : nil
                }
                guard let v else { throw cannot(c, i, type, path) }
                if v { bits[i] = true }
            }
            values = .boolean(bits)
        case .int8: values = .int8(try integers(Int8.self))
        case .int16: values = .int16(try integers(Int16.self))
        case .int32: values = .int32(try integers(Int32.self))
        case .int64: values = .int64(try integers(Int64.self))
        case .uint8: values = .uint8(try integers(UInt8.self))
        case .uint16: values = .uint16(try integers(UInt16.self))
        case .uint32: values = .uint32(try integers(UInt32.self))
        case .uint64: values = .uint64(try integers(UInt64.self))
        case .float64:
            var out = [Double](repeating: 0, count: n)
            for i in 0..<n where present(i) {
                guard floatText(i), let v = text(c.kinds[i], c.starts[i], c.ends[i], { TextValues.parseDouble($0, $1, $2) })
                else { throw cannot(c, i, type, path) }
                out[i] = v
            }
            values = .float64(out)
        case .float32:
            var out = [Float](repeating: 0, count: n)
            for i in 0..<n where present(i) {
                // Parse straight to Float (not via Double) so the shortest float text round-trips exactly.
                let v: Float? = text(c.kinds[i], c.starts[i], c.ends[i]) { buf, s, e in
                    guard let d = TextValues.parseDouble(buf, s, e) else { return nil }
                    if !d.isFinite { return Float(d) }
                    return Float(String(decoding: UnsafeBufferPointer(rebasing: buf[s..<e]), as: UTF8.self))
                }
                guard floatText(i), let v else { throw cannot(c, i, type, path) }
                out[i] = v
            }
            values = .float32(out)
        case let .decimal(p, s):
            var out = [Int128](repeating: 0, count: n)
            for i in 0..<n where present(i) {
                let k = c.kinds[i]
                guard isCSV || isText(k) || k == .jsonInt || k == .jsonFloat,
                      let v = text(k, c.starts[i], c.ends[i], { buf, a, e in
                          NumberText.parseDecimal(UnsafeBufferPointer(rebasing: buf[a..<e]), precision: p, scale: s) })
                else { throw cannot(c, i, type, path) }
                out[i] = v
            }
            values = .decimal(out)
        case .date:
            var out = [Int32](repeating: 0, count: n)
            for i in 0..<n where present(i) {
                guard stringish(i), let v = text(c.kinds[i], c.starts[i], c.ends[i], { buf, s, e in
                    TemporalText.parseDate(UnsafeBufferPointer(rebasing: buf[s..<e])) }) else { throw cannot(c, i, type, path) }
                out[i] = v
            }
            values = .int32(out)
        case let .timestamp(unit, utc):
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n where present(i) {
                guard stringish(i), let micros = text(c.kinds[i], c.starts[i], c.ends[i], { buf, s, e in
                    TemporalText.parseTimestamp(UnsafeBufferPointer(rebasing: buf[s..<e]), utc: utc) }) else { throw cannot(c, i, type, path) }
                switch unit {
                case .microsecond: out[i] = micros
                case .millisecond: out[i] = CivilTime.floorDivMod(micros, 1000).0
                case .nanosecond:
                    let (v, o) = micros.multipliedReportingOverflow(by: 1000)
                    guard !o else { throw cannot(c, i, type, path) }
                    out[i] = v
                }
            }
            values = .int64(out)
        case let .time(unit):
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n where present(i) {
                guard stringish(i), let v = text(c.kinds[i], c.starts[i], c.ends[i], { TextValues.parseTimeOfDay($0, $1, $2, unit: unit) })
                else { throw cannot(c, i, type, path) }
                out[i] = v
            }
            values = .int64(out)
        case .string:
            var offsets = [Int64](repeating: 0, count: n + 1)
            var data = [UInt8]()
            var total = 0
            for i in 0..<n { total += c.ends[i] - c.starts[i] }
            data.reserveCapacity(total)
            for i in 0..<n {
                if present(i) {
                    // A JSON value that is not a string keeps its JSON text (the schema asked for a string).
                    text(c.kinds[i], c.starts[i], c.ends[i]) { buf, s, e in data.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<e])) }
                }
                offsets[i + 1] = Int64(data.count)
            }
            values = .bytes(offsets: offsets, data: data)
        case .binary, .fixedSizeBinary:
            var offsets = [Int64](repeating: 0, count: n + 1)
            var data = [UInt8]()
            for i in 0..<n {
                if present(i) {
                    let before = data.count
                    guard stringish(i), text(c.kinds[i], c.starts[i], c.ends[i], { TextValues.decodeBase64($0, $1, $2, into: &data) })
                    else { throw cannot(c, i, type, path) }
                    if case let .fixedSizeBinary(w) = type, data.count - before != w {
                        throw TextFault(c.starts[i], "\(path): \(type.name) value has \(data.count - before) bytes")
                    }
                } else if case let .fixedSizeBinary(w) = type {
                    data.append(contentsOf: repeatElement(0, count: w))
                }
                offsets[i + 1] = Int64(data.count)
            }
            values = .bytes(offsets: offsets, data: data)
        case let .list(field):
            let (offsets, children) = try collectElements(c, valid, path: path)
            values = .list(offsets: offsets, child: try build(children, field.type, nullable: field.nullable, path: path + "[]"))
        case let .structure(fields):
            let children = try collectFields(c, valid, names: fields.map { Array($0.name.utf8) }, path: path)
            var columns = [Column]()
            for (f, cells) in zip(fields, children) {
                // A NOT NULL child is null wherever its struct is: only rows with a struct value must have it.
                let child = try build(cells, f.type, nullable: f.nullable || valid != nil, path: path + "." + f.name)
                if !f.nullable, let valid, let childValid = child.validity {
                    for i in 0..<n where valid[i] && !childValid[i] {
                        throw TextFault(cells.starts[i], "\(path).\(f.name): null in a column declared not null")
                    }
                }
                columns.append(child)
            }
            values = .structure(columns)
        case let .map(keyField, valueField):
            let (offsets, keys, vals) = try collectEntries(c, valid, path: path)
            values = .map(offsets: offsets,
                          keys: try build(keys, keyField.type, nullable: false, path: path + ".key"),
                          values: try build(vals, valueField.type, nullable: valueField.nullable, path: path + ".value"))
        }
        return Column(unchecked: type, count: n, validity: valid, values: values)
    }

    /// CSV cells of nested columns hold JSON (as `BatchText.csv` writes them): parse each cell's text as one JSON
    /// value in a side buffer, build from that, and report problems at the CSV cell.
    private func buildNestedFromCSV(_ c: TextCells, _ type: DataType, nullable: Bool, path: String) throws(TextFault) -> Column {
        var side = [UInt8]()
        var sideStarts = [Int]()
        sideStarts.reserveCapacity(c.count + 1)
        for i in 0..<c.count {
            sideStarts.append(side.count)
            if c.kinds[i] != .null {
                text(c.kinds[i], c.starts[i], c.ends[i]) { buf, s, e in side.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<e])) }
            }
        }
        sideStarts.append(side.count)
        do throws(TextFault) {
            return try withBytes(side) { sb throws(TextFault) -> Column in
                let sub = TextColumnBuilder(sb, isCSV: false)
                var cells = TextCells()
                cells.reserve(c.count)
                for i in 0..<c.count {
                    let s = sideStarts[i], e = sideStarts[i + 1]
                    let from = sub.scanner.skipSpace(s, e)
                    if c.kinds[i] == .null || from == e { cells.append(.null, s, s); continue }
                    let v = try sub.scanner.value(at: from, end: e)
                    guard sub.scanner.skipSpace(v.next, e) == e else { throw TextFault(v.next, "unexpected text after the JSON value") }
                    cells.append(v.kind, v.start, v.end)
                }
                return try sub.build(cells, type, nullable: nullable, path: path)
            }
        } catch {
            // Map the side-buffer offset back to the cell it came from.
            var lo = 0, hi = c.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if sideStarts[mid] <= error.offset { lo = mid } else { hi = mid - 1 }
            }
            throw TextFault(c.count > 0 ? c.starts[lo] : 0, "\(path): in the JSON value of this field: \(error.message)")
        }
    }

    // MARK: - nested collection

    /// The elements of every array cell as one child column of cells, with list offsets.
    func collectElements(_ c: TextCells, _ valid: Bitmap?, path: String) throws(TextFault) -> ([Int64], TextCells) {
        var offsets = [Int64](repeating: 0, count: c.count + 1)
        var children = TextCells()
        for i in 0..<c.count {
            if valid.map({ $0[i] }) ?? true {
                guard c.kinds[i] == .jsonArray else { throw cannot(c, i, .list(Field("element", .string)), path) }
                _ = try scanner.forEachElement(c.starts[i], end: c.ends[i], depth: 0) { k, s, e throws(TextFault) in
                    children.append(k, s, e)
                }
            }
            offsets[i + 1] = Int64(children.count)
        }
        return (offsets, children)
    }

    /// The key `b[s..<e]` with escapes resolved.
    func keyBytes(_ s: Int, _ e: Int, _ escaped: Bool) -> [UInt8] {
        text(escaped ? .jsonEscaped : .text, s, e) { buf, a, z in Array(UnsafeBufferPointer(rebasing: buf[a..<z])) }
    }

    /// Whether the key `b[s..<e]` (escaped or not) equals `name`.
    func keyEquals(_ name: [UInt8], _ s: Int, _ e: Int, _ escaped: Bool) -> Bool {
        if escaped { return text(.jsonEscaped, s, e) { buf, a, z in z - a == name.count && (0..<name.count).allSatisfy { buf[a + $0] == name[$0] } } }
        guard e - s == name.count else { return false }
        for k in 0..<name.count where b[s + k] != name[k] { return false }
        return true
    }

    /// For each of `names`, the values of that key in every object cell (missing keys are null; keys not in
    /// `names` are ignored; a repeated key keeps its last value). With `slots`, key `names[j]` fills child
    /// `slots[j]` of `width` children instead of child `j`, so several spellings of a name can fill one column.
    func collectFields(_ c: TextCells, _ valid: Bitmap?, names: [[UInt8]], slots: [Int]? = nil, width: Int? = nil,
                       path: String) throws(TextFault) -> [TextCells] {
        let count = width ?? names.count
        var children = [TextCells](repeating: TextCells(), count: count)
        for j in 0..<count { children[j].reserve(c.count) }
        for i in 0..<c.count {
            for j in 0..<count { children[j].append(.null, c.starts[i], c.starts[i]) }
            guard valid.map({ $0[i] }) ?? true else { continue }
            guard c.kinds[i] == .jsonObject else { throw cannot(c, i, .structure([]), path) }
            var ordinal = 0
            _ = try scanner.forEachMember(c.starts[i], end: c.ends[i], depth: 0) { ks, ke, esc, k, s, e throws(TextFault) in
                // Rows usually list keys in schema order: try the expected field before searching.
                var j = -1
                if ordinal < names.count && keyEquals(names[ordinal], ks, ke, esc) {
                    j = ordinal
                } else {
                    for t in names.indices where keyEquals(names[t], ks, ke, esc) { j = t; break }
                }
                ordinal += 1
                guard j >= 0 else { return }
                let slot = slots?[j] ?? j
                children[slot].kinds[i] = k
                children[slot].starts[i] = s
                children[slot].ends[i] = e
            }
        }
        return children
    }

    /// Map entries of every cell: lake writes maps as arrays of `{"key": k, "value": v}`; a JSON object
    /// (string keys) is accepted too.
    func collectEntries(_ c: TextCells, _ valid: Bitmap?, path: String) throws(TextFault) -> ([Int64], TextCells, TextCells) {
        var offsets = [Int64](repeating: 0, count: c.count + 1)
        var keys = TextCells(), vals = TextCells()
        let keyName = Array("key".utf8), valueName = Array("value".utf8)
        for i in 0..<c.count {
            if valid.map({ $0[i] }) ?? true {
                switch c.kinds[i] {
                case .jsonObject:
                    _ = try scanner.forEachMember(c.starts[i], end: c.ends[i], depth: 0) { ks, ke, esc, k, s, e throws(TextFault) in
                        keys.append(esc ? .jsonEscaped : .text, ks, ke)
                        vals.append(k, s, e)
                    }
                case .jsonArray:
                    _ = try scanner.forEachElement(c.starts[i], end: c.ends[i], depth: 0) { k, s, e throws(TextFault) in
                        guard k == .jsonObject else { throw TextFault(s, "\(path): a map entry must be an object {\"key\": ..., \"value\": ...}") }
                        var entry = TextCells()
                        entry.append(k, s, e)
                        let kv = try collectFields(entry, nil, names: [keyName, valueName], path: path)
                        guard kv[0].kinds[0] != .null else { throw TextFault(s, "\(path): a map entry has no key (map keys cannot be null)") }
                        keys.append(kv[0].kinds[0], kv[0].starts[0], kv[0].ends[0])
                        vals.append(kv[1].kinds[0], kv[1].starts[0], kv[1].ends[0])
                    }
                default:
                    throw cannot(c, i, .map(key: Field("key", .string), value: Field("value", .string)), path)
                }
            }
            offsets[i + 1] = Int64(keys.count)
        }
        return (offsets, keys, vals)
    }
}
