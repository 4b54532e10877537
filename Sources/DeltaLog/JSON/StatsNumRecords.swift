extension AddFile {
    /// `numRecords` from the file's stats JSON, or nil when there are no stats, no such key, or the JSON is
    /// malformed. Reads only the top-level keys up to `numRecords` (skipping nested `minValues` and the
    /// like without building them): counting rows of 100,000 files must not parse 100,000 JSON trees.
    public var statsNumRecords: Int64? {
        guard var text = stats else { return nil }
        return text.withUTF8 { buf -> Int64? in
            guard let base = buf.baseAddress else { return nil }
            var scanner = JSONScanner(base: base, start: 0, end: buf.count)
            do {
                scanner.skipWhitespace()
                try scanner.beginObject()
                var first = true
                while let key = try scanner.nextKey(&first) {
                    if scanner.key(key, is: "numRecords") { return try scanner.readInt64() }
                    try scanner.skipValue()
                }
            } catch {
                return nil
            }
            return nil
        }
    }
}
