/// Splits RFC 4180 CSV into records and fields, as spans of a buffer (no copying, no per-cell allocation).
///
/// It reads a whole input or one chunk of a larger one: a chunk must start at a record boundary, and when
/// the chunk is not the input's last, a record it cuts (an unquoted field or a quoted field — which may hold
/// line breaks — running into the chunk's end) is left unread, so the caller can carry those bytes over to
/// the next chunk. The field count is fixed by the schema, the header or the first record, and kept across
/// chunks.
struct CSVRecordParser {
    let delimiter: UInt8
    let quote: UInt8?
    private let nullValues: [[UInt8]]
    private let emptyIsNull: Bool
    /// Fields every record must have; nil until the first record (or header) fixes it.
    private(set) var expected: Int?

    /// A parser for `options`; `fieldCount` fixes the number of fields up front (a given schema).
    init(_ options: CSVOptions, fieldCount: Int?) throws(DataFrameError) {
        delimiter = options.delimiter
        quote = options.quote
        if delimiter == 0x0a || delimiter == 0x0d || delimiter == quote {
            throw .invalidArgument("the CSV delimiter cannot be a line break or the quote character")
        }
        nullValues = options.nullValues.map { Array($0.utf8) }
        emptyIsNull = nullValues.contains { $0.isEmpty }
        expected = fieldCount
    }

    /// The index after a UTF-8 byte order mark at the start of `b`, else 0.
    static func skipByteOrderMark(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
    }

    /// Reads the header record at `from`: the column names (an empty name becomes `column_K`) and the index
    /// after it; nil when the chunk ends inside the header (read more) or holds no record at all.
    mutating func header(_ b: UnsafeBufferPointer<UInt8>, from: Int, isLast: Bool) throws(TextFault) -> (names: [String], end: Int)? {
        var record = [(CellKind, Int, Int)]()
        var i = skipBlankLines(b, from)
        let recordStart = i
        guard i < b.count, try field(b, &i, isLast: isLast, into: &record) else { return nil }
        try checkCount(record.count, at: recordStart)
        let builder = TextColumnBuilder(b, isCSV: true)
        var names = [String]()
        for (k, (kind, s, e)) in record.enumerated() {
            let name = builder.text(kind == .null ? .text : kind, s, e) { buf, a, z in
                String(decoding: UnsafeBufferPointer(rebasing: buf[a..<z]), as: UTF8.self)
            }
            names.append(name.isEmpty ? "column_\(k + 1)" : name)
        }
        return (names, min(i, b.count))
    }

    /// Reads the records from `from` into one `TextCells` per field; returns them and the index where reading
    /// stopped (the end of `b`, or the start of a record the chunk cuts when it is not the last).
    mutating func records(_ b: UnsafeBufferPointer<UInt8>, from: Int, isLast: Bool) throws(TextFault) -> (columns: [TextCells], end: Int) {
        var columns = [TextCells]()
        var record = [(CellKind, Int, Int)]()
        var i = from
        while true {
            i = skipBlankLines(b, i)
            guard i < b.count else { break }
            let recordStart = i
            record.removeAll(keepingCapacity: true)
            guard try field(b, &i, isLast: isLast, into: &record) else { i = recordStart; break }
            try checkCount(record.count, at: recordStart)
            if columns.isEmpty { columns = [TextCells](repeating: TextCells(), count: record.count) }
            for (k, (kind, s, e)) in record.enumerated() { columns[k].append(kind, s, e) }
        }
        if columns.isEmpty { columns = [TextCells](repeating: TextCells(), count: expected ?? 0) }
        return (columns, min(i, b.count))
    }

    /// Fixes the field count at the first record and checks every later one against it.
    private mutating func checkCount(_ count: Int, at recordStart: Int) throws(TextFault) {
        guard let expected else { expected = count; return }
        if count != expected {
            throw TextFault(recordStart, "expected \(expected) field\(expected == 1 ? "" : "s") but found \(count)")
        }
    }

    /// A completely empty line is no record.
    private func skipBlankLines(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        let n = b.count
        while i < n {
            if b[i] == 0x0a { i += 1; continue }
            if b[i] == 0x0d && i + 1 < n && b[i + 1] == 0x0a { i += 2; continue }
            break
        }
        return i
    }

    /// Reads the fields of the record at `i` into `record` and moves `i` past its line break. Returns false,
    /// leaving `i` undefined, when the record runs into the end of a chunk that is not the last.
    private func field(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, isLast: Bool, into record: inout [(CellKind, Int, Int)]) throws(TextFault) -> Bool {
        let n = b.count
        while true {
            var kind = CellKind.text
            let start: Int, end: Int
            if let quote, i < n && b[i] == quote {
                var j = i + 1
                var escaped = false
                while true {
                    while j < n && b[j] != quote { j += 1 }
                    guard j < n else {
                        if !isLast { return false }
                        throw TextFault(i, "unterminated quoted field (no closing \(JSONScanner.show(quote)))")
                    }
                    // A quote as the chunk's last byte may be the first of a doubled quote.
                    if j + 1 == n && !isLast { return false }
                    if j + 1 < n && b[j + 1] == quote { escaped = true; j += 2; continue }
                    break
                }
                start = i + 1
                end = j
                i = j + 1
                if escaped { kind = .csvEscaped }
                if i == n && !isLast { return false }
                if b.count > i && b[i] == 0x0d && i + 1 == n && !isLast { return false }
                guard i == n || b[i] == delimiter || b[i] == 0x0a || (b[i] == 0x0d && (i + 1 == n || b[i + 1] == 0x0a)) else {
                    throw TextFault(i, "unexpected \(JSONScanner.show(b[i])) after a closing quote (expected the delimiter or the end of the line)")
                }
            } else {
                start = i
                while i < n && b[i] != delimiter && b[i] != 0x0a { i += 1 }
                if i == n && !isLast { return false }
                end = i > start && b[i - 1] == 0x0d && (i == n || b[i] == 0x0a) ? i - 1 : i
                let length = end - start
                if length == 0 {
                    if emptyIsNull { kind = .null }
                } else {
                    for v in nullValues where v.count == length {
                        var same = true
                        for k in 0..<length where b[start + k] != v[k] { same = false; break }
                        if same { kind = .null; break }
                    }
                }
            }
            record.append((kind, start, end))
            if i < n && b[i] == 0x0d { i += 1 }
            if i < n && b[i] == delimiter { i += 1; continue }
            i += 1  // past '\n' (or the end)
            return true
        }
    }
}
