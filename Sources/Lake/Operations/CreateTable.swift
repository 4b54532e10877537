import Columnar
import DeltaLog

/// Creates an empty Delta table: version 0 with the smallest protocol the schema and properties need,
/// the `metaData` action, and a `CREATE TABLE` commitInfo. Fails when a table already exists.
///
/// With `clusterBy`, the table is a liquid-clustered table as Spark's `CREATE TABLE ... CLUSTER BY` makes it:
/// the `clustering` and `domainMetadata` writer features (writer version 7), the `delta.clustering` domain
/// in the same commit, and `clusterBy` in the operation parameters.
public struct CreateTable: Sendable {
    /// What to create.
    public struct Options: Sendable {
        /// The logical schema.
        public var schema: Schema
        /// Partition columns, in directory order; each must be a top-level primitive column of `schema`.
        public var partitionColumns: [String]
        /// Table properties (`delta.*` and user keys).
        public var properties: [String: String]
        /// Optional table name.
        public var name: String?
        /// Optional table description.
        public var description: String?
        /// Liquid clustering columns (top-level, at most four, not with `partitionColumns`); nil for a table that
        /// is not clustered, empty for a clustered table with no clustering column yet.
        public var clusterBy: [String]?

        /// Creates options.
        public init(schema: Schema, partitionColumns: [String] = [], properties: [String: String] = [:], name: String? = nil, description: String? = nil,
                    clusterBy: [String]? = nil) {
            self.schema = schema
            self.partitionColumns = partitionColumns
            self.properties = properties
            self.name = name
            self.description = description
            self.clusterBy = clusterBy
        }
    }

    /// What creating did (Delta records no metrics for CREATE TABLE).
    public struct Metrics: OperationMetrics {
        /// The version committed (always 0).
        public var version: Int64
    }

    /// The table to create.
    public let table: DeltaTable
    /// The options.
    public let options: Options

    /// Creates the operation.
    public init(table: DeltaTable, options: Options) {
        self.table = table
        self.options = options
    }

    /// Commits version 0 and returns the new snapshot.
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        if options.clusterBy != nil && !options.partitionColumns.isEmpty {
            throw LakeError.invalidRequest("a table cannot be both partitioned and clustered (PROTOCOL.md \"Clustered Table\"); give partition columns or clustering columns, not both")
        }
        let (proto, metadata): (ProtocolAction, Metadata)
        do { (proto, metadata) = try Self.protocolAndMetadata(options, context: table.context) } catch { throw LakeError(error) }
        var actions: [Action] = [.protocol(proto), .metadata(metadata)]
        var clusterBy: [String]?
        if let requested = options.clusterBy {
            let columns = try ClusteringColumns.validate(requested, schema: options.schema, partitionColumns: options.partitionColumns, configuration: metadata.configuration)
            // The domain takes the physical names column mapping just assigned.
            let schema: Schema
            do { schema = try DeltaSchema.parse(metadata.schemaString) } catch { throw LakeError(error) }
            actions.append(.domainMetadata(try ClusteringColumns.domainMetadata(columns, schema: schema, configuration: metadata.configuration)))
            clusterBy = columns
        }
        let operation = DeltaOperation.createTable(partitionBy: options.partitionColumns, properties: options.properties, description: options.description, clusterBy: clusterBy)
        let metrics = Metrics(version: 0)
        _ = try await OperationCommit(table: table, snapshot: nil, operation: operation, read: .nothing).commit(actions, metrics: metrics)
        return (try await table.snapshot(at: .version(0)), metrics)
    }

    /// The protocol and metadata of a new table, after checking the schema and partition columns.
    static func protocolAndMetadata(_ options: Options, context: TableContext) throws -> (ProtocolAction, Metadata) {
        var seen = Set<String>()
        for f in options.schema.fields {
            guard seen.insert(f.name.lowercased()).inserted else {
                throw DeltaError.invalidArgument("column \(f.name) appears twice in the schema (names are case-insensitive)")
            }
        }
        for c in options.partitionColumns {
            guard let f = options.schema.field(named: c) else {
                throw DeltaError.invalidArgument("partition column \(c) is not in the schema (columns: \(options.schema.names.joined(separator: ", ")))")
            }
            if f.type.isNested { throw DeltaError.invalidArgument("partition column \(c) has nested type \(f.type.name); partition by a primitive column") }
        }
        if !options.partitionColumns.isEmpty && options.partitionColumns.count == options.schema.fields.count {
            throw DeltaError.invalidArgument("every column is a partition column; a table needs at least one data column")
        }
        let tableId = context.uuid()
        // Column mapping (delta.columnMapping.mode=name or id): every field gets its id and physical name.
        let (schema, configuration) = try ColumnMapping.assign(options.schema, configuration: options.properties, uuid: context.uuid)
        let schemaString = try DeltaSchema.serialize(schema)
        let metadata = Metadata(
            id: tableId, name: options.name, description: options.description, schemaString: schemaString,
            partitionColumns: options.partitionColumns, configuration: configuration, createdTime: context.clock())
        // One place decides the protocol: the union of what the schema and every property need (column
        // mapping alone: reader 2 / writer 5; with features that have no legacy version: 3 / 7 and lists).
        var features = TableFeatures.requiredFeatures(schema: schema, configuration: configuration)
        if options.clusterBy != nil { features.formUnion(ClusteringColumns.requiredProtocol.writerFeatures ?? []) }
        let proto = TableFeatures.minimumProtocol(features: features)
        try TableFeatures.checkWritable(proto, metadata: metadata)
        return (proto, metadata)
    }
}
