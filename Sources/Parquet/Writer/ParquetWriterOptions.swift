/// Settings of `ParquetWriter`. Defaults follow pyarrow's.
public struct ParquetWriterOptions: Sendable {
    /// Codec for every column chunk.
    public var compression: CompressionCodec = .snappy
    /// Codec level for ZSTD, GZIP and BROTLI; nil uses the codec's default.
    public var compressionLevel: Int? = nil
    /// Most rows per row group; each `write` call starts a new row group.
    public var rowGroupSize: Int = 1_048_576
    /// Target bytes of a data page before compression.
    public var dataPageSize: Int = 1_048_576
    /// Largest dictionary (PLAIN-encoded bytes) before a column chunk falls back to PLAIN.
    public var dictionaryPageSizeLimit: Int = 1_048_576
    /// Whether to try dictionary encoding (never for booleans).
    public var dictionaryEnabled: Bool = true
    /// Longest min/max statistic kept for BYTE_ARRAY columns; longer values are truncated.
    public var statisticsTruncateLength: Int = 64
    /// File key-value metadata, merged over the schema's metadata.
    public var keyValueMetadata: [String: String] = [:]

    /// Default options.
    public init() {}
}
