/// Text renderings of whole record batches: NDJSON, CSV and an aligned table for people.
public enum BatchText {
    /// Each field's name as a JSON object key followed by `:`, rendered once per batch.
    static func jsonKeys(_ schema: Schema) -> [[UInt8]] {
        schema.fields.map { f -> [UInt8] in
            var k = [UInt8]()
            ValueText.appendJSONString(Array(f.name.utf8), to: &k)
            k.append(UInt8(ascii: ":"))
            return k
        }
    }

    /// One JSON object per row, keys in schema order, each line ending in `\n`.
    public static func ndjson(_ batch: RecordBatch, to out: inout [UInt8]) {
        let keys = jsonKeys(batch.schema)
        for row in 0..<batch.rowCount {
            out.append(UInt8(ascii: "{"))
            for (c, column) in batch.columns.enumerated() {
                if c > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: keys[c])
                ValueText.append(column, row: row, style: .json, to: &out)
            }
            out.append(contentsOf: [UInt8(ascii: "}"), 0x0a])
        }
    }

    /// RFC 4180 CSV: a header line (when `header`), cells quoted when they hold the delimiter, a quote or a
    /// line break; nulls are empty cells and empty strings are `""`.
    public static func csv(_ batch: RecordBatch, header: Bool = true, delimiter: UInt8 = UInt8(ascii: ","), to out: inout [UInt8]) {
        func cell(_ bytes: [UInt8]) {
            let needsQuote = bytes.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0a || $0 == 0x0d }
            guard needsQuote else { out.append(contentsOf: bytes); return }
            out.append(UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") { out.append(b) }
                out.append(b)
            }
            out.append(UInt8(ascii: "\""))
        }
        if header {
            for (i, f) in batch.schema.fields.enumerated() {
                if i > 0 { out.append(delimiter) }
                cell(Array(f.name.utf8))
            }
            out.append(0x0a)
        }
        var scratch = [UInt8]()
        for row in 0..<batch.rowCount {
            for (c, column) in batch.columns.enumerated() {
                if c > 0 { out.append(delimiter) }
                if column.isNull(row) { continue }
                scratch.removeAll(keepingCapacity: true)
                ValueText.append(column, row: row, style: .plain, to: &scratch)
                // An empty value is quoted so that it reads back as an empty string, not as a null.
                if scratch.isEmpty { out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\"")]) } else { cell(scratch) }
            }
            out.append(0x0a)
        }
    }

    /// An aligned, boxed table of at most `maxRows` rows with a footer giving the total row count.
    public static func table(_ batch: RecordBatch, maxRows: Int = 50, maxWidth: Int = 40) -> String {
        let shown = min(batch.rowCount, maxRows)
        let header = batch.schema.fields.map(\.name)
        let types = batch.schema.fields.map(\.type.name)
        var cells = [[String]]()
        for row in 0..<shown {
            cells.append(batch.columns.map { c -> String in
                if c.isNull(row) { return "null" }
                let s = ValueText.string(c, row: row, style: .plain)
                let flat = s.replacingNewlines()
                return flat.count > maxWidth ? String(flat.prefix(maxWidth - 1)) + "…" : flat
            })
        }
        var widths = zip(header, types).map { max($0.count, $1.count) }
        for r in cells { for (i, s) in r.enumerated() { widths[i] = max(widths[i], s.count) } }
        func line(_ l: String, _ m: String, _ r: String) -> String {
            l + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: m) + r
        }
        func row(_ values: [String]) -> String {
            "│" + zip(values, widths).map { " " + $0 + String(repeating: " ", count: $1 - $0.count) + " " }.joined(separator: "│") + "│"
        }
        var lines = [line("┌", "┬", "┐"), row(header), row(types), line("├", "┼", "┤")]
        lines += cells.map(row)
        lines.append(line("└", "┴", "┘"))
        let more = batch.rowCount > shown ? " (showing \(shown))" : ""
        lines.append("\(batch.rowCount) row\(batch.rowCount == 1 ? "" : "s")\(more)")
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
