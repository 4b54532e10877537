/// The `protocol` action: what a client must implement to read and to write the table.
public struct ProtocolAction: Sendable, Hashable {
    /// Minimum reader protocol version (1 to 3).
    public var minReaderVersion: Int
    /// Minimum writer protocol version (1 to 7).
    public var minWriterVersion: Int
    /// Reader table features; present exactly when `minReaderVersion` is 3.
    public var readerFeatures: [String]?
    /// Writer table features; present exactly when `minWriterVersion` is 7.
    public var writerFeatures: [String]?

    /// Creates a protocol action.
    public init(minReaderVersion: Int, minWriterVersion: Int, readerFeatures: [String]? = nil, writerFeatures: [String]? = nil) {
        self.minReaderVersion = minReaderVersion
        self.minWriterVersion = minWriterVersion
        self.readerFeatures = readerFeatures
        self.writerFeatures = writerFeatures
    }
}
