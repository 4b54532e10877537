/// A problem at a place in a text input (CSV, NDJSON) or a schema string, located for a person:
/// 1-based line and character column, plus what is wrong there.
public struct TextInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number in the input.
    public let line: Int
    /// 1-based character (not byte) column within the line.
    public let column: Int
    /// What is wrong, naming the field when there is one.
    public let message: String
    /// The input line the problem is on (windowed when very long), for a caret display.
    public let lineText: String
    /// UTF-8 byte offset of the problem within `lineText`.
    public let offsetInLine: Int

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }

    /// The same problem as the `DataFrameError` every reader throws: a parse error whose caret points at the spot.
    public var dataFrameError: DataFrameError {
        .parse(message: description, sql: lineText, offset: offsetInLine)
    }

    /// The same problem in a chunk that follows `lines` line breaks of the whole input.
    func shifted(lines: Int) -> TextInputError {
        TextInputError(line: line + lines, column: column, message: message, lineText: lineText, offsetInLine: offsetInLine)
    }

    /// Locates byte `offset` of `bytes`. Lines are counted only when an error happens, so readers never
    /// track line numbers in their hot loops.
    static func at(_ offset: Int, in bytes: UnsafeBufferPointer<UInt8>, message: String) -> TextInputError {
        let end = max(0, min(offset, bytes.count))
        var line = 1, lineStart = 0
        for i in 0..<end where bytes[i] == 0x0a {
            line += 1
            lineStart = i + 1
        }
        var lineEnd = end
        while lineEnd < bytes.count && bytes[lineEnd] != 0x0a && bytes[lineEnd] != 0x0d { lineEnd += 1 }
        // Show at most ~100 bytes either side of the spot, cut on UTF-8 character boundaries.
        var from = max(lineStart, end - 100)
        while from > lineStart && from < bytes.count && bytes[from] & 0xC0 == 0x80 { from -= 1 }
        var to = min(lineEnd, end + 100)
        while to < lineEnd && bytes[to] & 0xC0 == 0x80 { to += 1 }
        let column = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<end]), as: UTF8.self).count + 1
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
        return TextInputError(line: line, column: column, message: message, lineText: text, offsetInLine: end - from)
    }
}

/// An internal error at a byte offset of the buffer being read; turned into a `TextInputError` (with line
/// and column) once, at the reader's edge.
struct TextFault: Error {
    /// Byte offset of the problem in the buffer being parsed.
    var offset: Int
    /// What is wrong.
    var message: String

    init(_ offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }
}
