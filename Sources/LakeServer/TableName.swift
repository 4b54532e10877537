import Lake

/// A validated table name: 1 to 128 characters from `A-Z a-z 0-9 _ - .`, starting with a letter, digit or
/// `_`, without `..`. So a name is one path component that is never hidden, never absolute, never climbs out
/// of the root and has no control characters: the table lives at `ROOT/NAME` and nowhere else.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    /// The name.
    public let value: String

    /// Validates `text`; throws a 400 problem saying what is wrong.
    public init(_ text: String) throws(Problem) {
        let bytes = Array(text.utf8)
        guard (1...128).contains(bytes.count) else {
            throw Problem.badRequest("a table name has 1 to 128 characters, not \(bytes.count)")
        }
        guard let first = bytes.first, Self.isLetterOrDigit(first) || first == UInt8(ascii: "_") else {
            throw Problem.badRequest("a table name starts with a letter, digit or _ (no hidden names)")
        }
        for b in bytes where !(Self.isLetterOrDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")) {
            throw Problem.badRequest("a table name has only letters, digits, _, - and . (found byte 0x\(String(b, radix: 16)))")
        }
        guard !text.contains("..") else { throw Problem.badRequest("a table name has no \"..\"") }
        value = text
    }

    /// Whether `name` is a valid table name (for listing the root).
    public static func isValid(_ name: String) -> Bool { (try? TableName(name)) != nil }

    private static func isLetterOrDigit(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    /// The name.
    public var description: String { value }
}
