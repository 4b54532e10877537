/// An error reading or writing Parquet: what is wrong and, once known, which file.
public struct ParquetError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is.
    public enum Kind: String, Sendable {
        /// The bytes do not form a valid Parquet file (truncated, out of range, inconsistent).
        case corrupt
        /// Valid Parquet that lake does not implement (a codec, encoding or type).
        case unsupported
        /// Reading or writing the underlying bytes failed.
        case io
        /// The caller asked for something impossible (unknown column, bad option, data that does not fit).
        case invalidArgument
    }

    /// The kind of failure.
    public var kind: Kind
    /// What is wrong, in words that say what to fix.
    public var message: String
    /// The file involved, when known.
    public var file: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, file: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
    }

    /// Shorthand for a corrupt-data error.
    public static func corrupt(_ message: String) -> ParquetError { ParquetError(.corrupt, message) }
    /// Shorthand for an unsupported-feature error.
    public static func unsupported(_ message: String) -> ParquetError { ParquetError(.unsupported, message) }

    /// The same error attributed to `file` (keeps an existing attribution).
    public func inFile(_ file: String) -> ParquetError {
        var e = self
        if e.file == nil { e.file = file }
        return e
    }

    public var description: String {
        let prefix = kind == .corrupt ? "corrupt Parquet data: " : kind == .unsupported ? "unsupported: " : ""
        if let file { return "\(file): \(prefix)\(message)" }
        return prefix + message
    }
}
