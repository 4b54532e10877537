/// A small XML reader for S3's response documents (ListObjectsV2, errors, multipart, DeleteObjects).
///
/// Non-recursive and bounded: one pass over the bytes with an explicit element stack of limited depth. It
/// yields each element's start and, at its end, the text directly inside it (entities and CDATA decoded).
/// Attributes are skipped; DOCTYPE declarations are refused (S3 never sends them, and they can define entities).
struct S3XML: Sendable {
    /// One parse event.
    enum Event: Sendable, Equatable {
        /// An element opened.
        case start(String)
        /// An element closed, with the text directly inside it.
        case end(String, text: String)
    }

    /// The events in document order.
    let events: [Event]

    /// Deepest nesting accepted; S3 documents are 3 to 4 levels deep.
    static let maxDepth = 32

    /// Parses `bytes`; throws a message naming the offset of the first malformed construct.
    init(_ bytes: [UInt8]) throws(S3XMLError) {
        var events: [Event] = []
        var stack: [(name: String, text: [UInt8])] = []
        var i = 0
        let n = bytes.count
        func find(_ pattern: [UInt8], from start: Int) -> Int? {
            guard !pattern.isEmpty, n >= pattern.count else { return nil }
            var j = start
            while j + pattern.count <= n {
                if bytes[j] == pattern[0], bytes[j ..< j + pattern.count].elementsEqual(pattern) { return j }
                j += 1
            }
            return nil
        }
        while i < n {
            let b = bytes[i]
            if b != UInt8(ascii: "<") {
                // Text up to the next tag.
                var j = i
                while j < n, bytes[j] != UInt8(ascii: "<") { j += 1 }
                if !stack.isEmpty {
                    try Self.decodeText(bytes[i ..< j], into: &stack[stack.count - 1].text, offset: i)
                }
                i = j
                continue
            }
            guard i + 1 < n else { throw S3XMLError("unterminated tag at byte \(i)") }
            let next = bytes[i + 1]
            if next == UInt8(ascii: "?") {
                guard let end = find(Array("?>".utf8), from: i + 2) else { throw S3XMLError("unterminated processing instruction at byte \(i)") }
                i = end + 2
            } else if next == UInt8(ascii: "!") {
                if bytes[i...].starts(with: Array("<!--".utf8)) {
                    guard let end = find(Array("-->".utf8), from: i + 4) else { throw S3XMLError("unterminated comment at byte \(i)") }
                    i = end + 3
                } else if bytes[i...].starts(with: Array("<![CDATA[".utf8)) {
                    guard let end = find(Array("]]>".utf8), from: i + 9) else { throw S3XMLError("unterminated CDATA at byte \(i)") }
                    if !stack.isEmpty { stack[stack.count - 1].text.append(contentsOf: bytes[(i + 9) ..< end]) }
                    i = end + 3
                } else {
                    throw S3XMLError("unsupported markup declaration at byte \(i)")
                }
            } else {
                // A start, end or empty-element tag; skip attributes (quoted values may contain '>').
                var j = i + 1
                var quote: UInt8 = 0
                while j < n {
                    let c = bytes[j]
                    if quote != 0 { if c == quote { quote = 0 } } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { quote = c } else if c == UInt8(ascii: ">") { break }
                    j += 1
                }
                guard j < n else { throw S3XMLError("unterminated tag at byte \(i)") }
                let closing = next == UInt8(ascii: "/")
                let selfClosing = !closing && bytes[j - 1] == UInt8(ascii: "/")
                var nameStart = i + (closing ? 2 : 1)
                var nameEnd = nameStart
                while nameEnd < j, !Self.isNameEnd(bytes[nameEnd]) { nameEnd += 1 }
                // Drop a namespace prefix (`s3:Key`): S3 uses a default namespace, but be lenient.
                if let colon = bytes[nameStart ..< nameEnd].lastIndex(of: UInt8(ascii: ":")) { nameStart = colon + 1 }
                guard nameEnd > nameStart else { throw S3XMLError("tag without a name at byte \(i)") }
                let name = String(decoding: bytes[nameStart ..< nameEnd], as: UTF8.self)
                if closing {
                    guard let open = stack.popLast(), open.name == name else {
                        throw S3XMLError("closing tag </\(name)> at byte \(i) does not match the open element")
                    }
                    events.append(.end(name, text: String(decoding: open.text, as: UTF8.self)))
                } else {
                    guard stack.count < Self.maxDepth else { throw S3XMLError("elements nested deeper than \(Self.maxDepth) at byte \(i)") }
                    events.append(.start(name))
                    if selfClosing { events.append(.end(name, text: "")) } else { stack.append((name, [])) }
                }
                i = j + 1
            }
        }
        guard stack.isEmpty else { throw S3XMLError("document ends inside <\(stack[stack.count - 1].name)>") }
        self.events = events
    }

    private static func isNameEnd(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
            || c == UInt8(ascii: "/") || c == UInt8(ascii: ">")
    }

    private static func decodeText(_ raw: ArraySlice<UInt8>, into out: inout [UInt8], offset: Int) throws(S3XMLError) {
        var i = raw.startIndex
        while i < raw.endIndex {
            let c = raw[i]
            guard c == UInt8(ascii: "&") else { out.append(c); i += 1; continue }
            guard let semi = raw[i...].firstIndex(of: UInt8(ascii: ";")), semi - i <= 12 else {
                throw S3XMLError("unterminated entity at byte \(offset + (i - raw.startIndex))")
            }
            let entity = String(decoding: raw[(i + 1) ..< semi], as: UTF8.self)
            switch entity {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                var scalar: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { scalar = UInt32(entity.dropFirst(2), radix: 16) } else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst(1)) }
                guard let value = scalar, let u = Unicode.Scalar(value) else {
                    throw S3XMLError("unknown entity &\(entity); at byte \(offset + (i - raw.startIndex))")
                }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            }
            i = semi + 1
        }
    }

    /// Text of every element named `name`, in order.
    func texts(_ name: String) -> [String] {
        events.compactMap { if case let .end(n, text) = $0, n == name { text } else { nil } }
    }

    /// Text of the first element named `name`.
    func text(_ name: String) -> String? {
        for case let .end(n, text) in events where n == name { return text }
        return nil
    }

    /// For each element named `record`, the texts of its direct and nested children by name (first wins).
    func records(_ record: String) -> [[String: String]] {
        var out: [[String: String]] = []
        var current: [String: String]?
        var depth = 0
        for event in events {
            switch event {
            case let .start(name):
                if current == nil, name == record { current = [:]; depth = 0 } else if current != nil { depth += 1 }
            case let .end(name, text):
                guard current != nil else { continue }
                if depth == 0, name == record {
                    if let c = current { out.append(c) }
                    current = nil
                } else {
                    if current?[name] == nil { current?[name] = text }
                    depth -= 1
                }
            }
        }
        return out
    }

    /// Escapes text for an element body in a request document.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 cannot carry most control characters even escaped; S3 keys rarely hold them.
                if ch.value < 0x20, ch != "\t", ch != "\n", ch != "\r" { out += "&#x\(String(ch.value, radix: 16));" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}

/// A malformed XML document from the server.
struct S3XMLError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where.
    var description: String
    init(_ d: String) { description = d }
}
