import Columnar
import DeltaLog

/// What operations return and start from: `DeltaLog.Snapshot`, with the few derived values table code needs.
extension Snapshot {
    /// The schema of the columns stored in data files (every column that is not a partition column).
    public var dataSchema: Schema {
        let partitions = Set(metadata.partitionColumns)
        return Schema(schema.fields.filter { !partitions.contains($0.name) })
    }

    /// Column mapping mode from `delta.columnMapping.mode` (`none`, `name` or `id`).
    public var columnMappingMode: String { metadata.configuration["delta.columnMapping.mode"] ?? "none" }

    /// `file`'s raw partition value for the logical partition column `field` (nil for a null partition).
    /// The log keys partition values by physical name when column mapping is on (PROTOCOL.md "Column
    /// Mapping"), by the column's name otherwise.
    public func rawPartitionValue(_ file: AddFile, _ field: Field) -> String? {
        let key = columnMappingMode != "none" ? DeltaSchema.physicalName(field) : field.name
        return file.partitionValues[key] ?? nil
    }

    /// Total bytes of the active data files.
    public var totalBytes: Int64 { files.reduce(0) { $0 &+ $1.size } }

    /// Latest `txn.version` per application id, for idempotent writes.
    public var appTransactions: [String: Int64] { transactions.mapValues(\.version) }
}
