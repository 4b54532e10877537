extension AddFile {
    /// The stats text with `"tightBounds":false`, as a file under a deletion vector carries it: its bounds still
    /// hold but may no longer be reached. Only the top-level keys are scanned (by `JSONScanner`) and the rest of
    /// the text is kept byte for byte, so no number changes by a round trip. Stats with only a row count, no
    /// stats, or text that is not one JSON object stay as they are: there are no bounds to qualify.
    public var statsWithLooseBounds: String? {
        guard var text = stats else { return nil }
        let bytes = Array(text.utf8)
        let edit: (range: Range<Int>, with: String)? = text.withUTF8 { buf in
            guard let base = buf.baseAddress else { return nil }
            var scanner = JSONScanner(base: base, start: 0, end: buf.count)
            var tight: Range<Int>?
            var bounds = false
            do {
                scanner.skipWhitespace()
                try scanner.beginObject()
                var first = true
                while true {
                    scanner.skipWhitespace()
                    let closing = scanner.pos
                    guard let key = try scanner.nextKey(&first) else {
                        guard bounds else { return nil }
                        if let tight { return (tight, "false") }
                        return (closing..<closing, ",\"tightBounds\":false")
                    }
                    scanner.skipWhitespace()
                    let start = scanner.pos
                    try scanner.skipValue()
                    if scanner.key(key, is: "tightBounds") { tight = start..<scanner.pos } else if !scanner.key(key, is: "numRecords") { bounds = true }
                }
            } catch {
                return nil
            }
        }
        guard let edit else { return stats }
        var out = bytes
        out.replaceSubrange(edit.range, with: Array(edit.with.utf8))
        return String(decoding: out, as: UTF8.self)
    }
}

extension AddFile {
    /// The stats text with `"numRecords":rows` first (a file getting a deletion vector must have it); no stats,
    /// or text that is not a JSON object, become `{"numRecords":rows}`. The rest of the text is kept as it is.
    public func statsWithNumRecords(_ rows: Int64) -> String {
        guard var text = stats else { return "{\"numRecords\":\(rows)}" }
        let opening: (at: Int, empty: Bool)? = text.withUTF8 { buf in
            guard let base = buf.baseAddress else { return nil }
            var scanner = JSONScanner(base: base, start: 0, end: buf.count)
            do {
                scanner.skipWhitespace()
                let brace = scanner.pos
                try scanner.beginObject()
                var first = true
                scanner.skipWhitespace()
                return (brace, try scanner.nextKey(&first) == nil)
            } catch {
                return nil
            }
        }
        guard let opening else { return "{\"numRecords\":\(rows)}" }
        var bytes = Array(text.utf8)
        bytes.insert(contentsOf: Array("\"numRecords\":\(rows)\(opening.empty ? "" : ",")".utf8), at: opening.at + 1)
        return String(decoding: bytes, as: UTF8.self)
    }
}
