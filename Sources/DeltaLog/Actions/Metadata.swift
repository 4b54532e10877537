/// The `metaData` action: table identity, schema, partitioning and configuration.
public struct Metadata: Sendable, Hashable {
    /// Unique table id (a GUID).
    public var id: String
    /// User-provided table name.
    public var name: String?
    /// User-provided description.
    public var description: String?
    /// Data file format.
    public var format: Format
    /// The schema as Delta schema JSON (see `DeltaSchema` to convert it).
    public var schemaString: String
    /// Partition column names, in order.
    public var partitionColumns: [String]
    /// Table properties (`delta.appendOnly`, `delta.columnMapping.mode`, ...).
    public var configuration: [String: String]
    /// Creation time of this metadata in ms since the epoch.
    public var createdTime: Int64?

    /// The `format` struct of a `metaData` action.
    public struct Format: Sendable, Hashable {
        /// Encoding of the data files; `parquet` for every table lake writes.
        public var provider: String
        /// Format options (always empty in practice).
        public var options: [String: String]

        /// Creates a format; the default is Parquet with no options.
        public init(provider: String = "parquet", options: [String: String] = [:]) {
            self.provider = provider
            self.options = options
        }
    }

    /// Creates a metadata action.
    public init(
        id: String, name: String? = nil, description: String? = nil, format: Format = Format(),
        schemaString: String, partitionColumns: [String] = [], configuration: [String: String] = [:],
        createdTime: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.format = format
        self.schemaString = schemaString
        self.partitionColumns = partitionColumns
        self.configuration = configuration
        self.createdTime = createdTime
    }
}
