import Columnar
import DeltaLog

/// The state of a table at one version: protocol, metadata, active files and app transactions.
///
/// Lake's own minimal replay result, used until `DeltaLog` ships its `Snapshot` (the operations only
/// need these fields, so switching over is local to `LogReplay`).
public struct TableSnapshot: Sendable {
    /// The table version this state is at.
    public let version: Int64
    /// The latest `protocol` action at or before `version`.
    public let protocolAction: ProtocolAction
    /// The latest `metaData` action at or before `version`.
    public let metadata: Metadata
    /// The logical table schema parsed from `metadata.schemaString`.
    public let schema: Schema
    /// Active logical files (added and not removed since), sorted by path for deterministic scans.
    public let files: [AddFile]
    /// Latest `txn.version` per application id, for idempotent writes.
    public let appTransactions: [String: Int64]
    /// Commit timestamp of `version` in ms since the epoch (in-commit timestamp, else the file's mtime).
    public let timestamp: Int64

    /// Creates a snapshot value.
    public init(
        version: Int64, protocolAction: ProtocolAction, metadata: Metadata, schema: Schema, files: [AddFile],
        appTransactions: [String: Int64], timestamp: Int64
    ) {
        self.version = version
        self.protocolAction = protocolAction
        self.metadata = metadata
        self.schema = schema
        self.files = files
        self.appTransactions = appTransactions
        self.timestamp = timestamp
    }

    /// Partition columns in table order.
    public var partitionColumns: [String] { metadata.partitionColumns }

    /// The schema of the columns stored in data files (every column that is not a partition column).
    public var dataSchema: Schema {
        let partitions = Set(metadata.partitionColumns)
        return Schema(schema.fields.filter { !partitions.contains($0.name) })
    }

    /// Column mapping mode from `delta.columnMapping.mode` (`none`, `name` or `id`).
    public var columnMappingMode: String { metadata.configuration["delta.columnMapping.mode"] ?? "none" }

    /// Total bytes of the active data files.
    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }
}
