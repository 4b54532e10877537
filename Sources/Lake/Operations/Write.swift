import Columnar
import DataFrame
import DeltaLog
import ObjectStore

/// Writes rows into a Delta table: Parquet data files through `DataFileWriter` (Hive-partitioned, cut at the
/// target size, stats from the Parquet writer), then one commit of `add` (and, for overwrite, `remove`) actions.
/// The rows arrive as a stream of batches, so memory follows the batch in flight, not the input.
public struct Write: Sendable {
    /// What to do when the table has data (Spark's save modes).
    public enum Mode: String, Sendable, CaseIterable {
        /// Add the rows; creates the table when it does not exist.
        case append = "Append"
        /// Replace every active file (creates the table when missing).
        case overwrite = "Overwrite"
        /// Create the table; fail if it exists.
        case errorIfExists = "ErrorIfExists"
    }

    /// Write options.
    public struct Options: Sendable {
        /// The save mode.
        public var mode: Mode = .append
        /// Partition columns for a new table; for an existing table they must match its partitioning.
        public var partitionBy: [String]?
        /// Add input columns the table lacks as new nullable columns instead of failing.
        public var schemaEvolution = false
        /// Target size of a data file in bytes (of the encoded Parquet file).
        public var targetFileSize: Int = 128 * 1024 * 1024
        /// Most rows per Parquet row group (nil: 1,048,576, fewer when the target file size needs it).
        public var rowGroupRows: Int?
        /// Idempotent write: skip when the table already recorded this (appId, version) or a later one.
        public var transaction: SetTransaction?
        /// Table properties for a new table.
        public var properties: [String: String] = [:]

        /// Default options: append, no partitioning, no evolution.
        public init() {}
    }

    /// What the write did; the `@DeltaMetric` counters are the commit's `operationMetrics`.
    public struct Metrics: OperationMetrics, Hashable {
        /// The version committed, or the current version when the write was skipped.
        public var version: Int64 = -1
        /// Data files written.
        @DeltaMetric public var numFiles = 0
        /// Rows written.
        @DeltaMetric public var numOutputRows = 0
        /// Bytes of data files written.
        @DeltaMetric public var numOutputBytes: Int64 = 0
        /// Files removed (overwrite).
        public var numRemovedFiles = 0
        /// True when an idempotent write was already committed and nothing happened.
        public var skipped = false

        /// Empty metrics.
        public init() {}

        /// The metrics of a write skipped because its (appId, version) was already committed.
        static func skipped(at version: Int64) -> Metrics {
            var m = Metrics()
            m.version = version
            m.skipped = true
            return m
        }
    }

    /// The table to write.
    public let table: DeltaTable
    /// The rows.
    public let data: WriteData
    /// The options.
    public let options: Options

    /// Writes the batches of `data`.
    public init(table: DeltaTable, data: WriteData, options: Options = Options()) {
        self.table = table
        self.data = data
        self.options = options
    }

    /// Writes one frame.
    public init(table: DeltaTable, data: DataFrame, options: Options = Options()) {
        self.init(table: table, data: .frame(data), options: options)
    }

    /// Writes the files and commits; returns the snapshot at the new version.
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        let snapshot = try await table.snapshotIfExists()
        if let snapshot {
            if options.mode == .errorIfExists { throw LakeError(DeltaError.tableAlreadyExists(location: table.location)) }
            do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
            if let txn = options.transaction, let done = snapshot.appTransactions[txn.appId], done >= txn.version {
                return (snapshot, Metrics.skipped(at: snapshot.version))
            }
            if let p = options.partitionBy, p.map({ $0.lowercased() }) != snapshot.partitionColumns.map({ $0.lowercased() }) {
                throw LakeError(.schemaViolation, "the table is partitioned by [\(snapshot.partitionColumns.joined(separator: ", "))], the write asks for [\(p.joined(separator: ", "))]")
            }
        }

        // The table's schema and metadata after this write: the existing ones (evolved by new columns of the
        // input when allowed), or those of a new table made from the input's schema.
        var actions: [Action] = []
        let metadata: Metadata
        let targetSchema: Schema
        do {
            if let snapshot {
                let probe = DataFrame(emptyOf: data.schema)
                let (conformed, extra) = try SchemaConformance.conform(probe, to: snapshot.schema, allowExtra: options.schemaEvolution)
                targetSchema = conformed.schema
                let evolved = try SchemaEvolution.commit(
                    Schema(snapshot.schema.fields + extra, metadata: snapshot.schema.metadata), on: snapshot, uuid: table.context.uuid)
                actions += evolved.actions
                metadata = evolved.metadata
            } else {
                // Like Spark, a table created by a write has nullable columns: this batch having no nulls says
                // nothing about the next one (use CreateTable for NOT NULL columns).
                targetSchema = Schema(try SchemaConformance.deltaSchema(data.schema).fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) })
                let create = CreateTable.Options(schema: targetSchema, partitionColumns: options.partitionBy ?? [], properties: options.properties)
                let (proto, m) = try CreateTable.protocolAndMetadata(create, context: table.context)
                actions += [.protocol(proto), .metadata(m)]
                metadata = m
            }
        } catch {
            throw LakeError(error)
        }

        let writer = try DataFileWriter(table: table, metadata: metadata, schema: targetSchema, targetFileSize: options.targetFileSize, rowGroupRows: options.rowGroupRows)
        var rows = 0
        while true {
            let batch: DataFrame?
            do { batch = try data.next() } catch { throw LakeError(error) }
            guard let batch else { break }
            let conformed: DataFrame
            do { conformed = try SchemaConformance.conform(batch, to: targetSchema, allowExtra: false).0 } catch { throw LakeError(error) }
            try await writer.write(conformed)
            rows += conformed.rowCount
        }
        let written = try await writer.finish()
        actions += written.map { .add($0) }

        var metrics = Metrics()
        metrics.numFiles = written.count
        metrics.numOutputRows = rows
        metrics.numOutputBytes = written.reduce(0) { $0 + $1.size }
        var read = ReadSet.nothing
        if options.mode == .overwrite, let snapshot {
            let now = table.context.clock()
            let removed = snapshot.files.map { $0.removal(deletionTimestamp: now) }
            actions += removed.map { .remove($0) }
            metrics.numRemovedFiles = removed.count
            read = .wholeTable
        }
        if var txn = options.transaction {
            txn.lastUpdated = table.context.clock()
            actions.append(.txn(txn))
        }
        let operation = DeltaOperation.write(mode: options.mode.rawValue, partitionBy: metadata.partitionColumns, predicate: nil)
        do {
            return try await commit(actions, on: snapshot, read: read, operation: operation, metrics: metrics)
        } catch let e where e.kind == .alreadyExists && snapshot == nil && options.mode != .errorIfExists {
            // Another writer created the table between our read and our commit of version 0. The files written
            // fit it when it has the same columns and partitioning: commit them on top of it.
            let created = try await table.snapshot()
            // Files written for column mapping carry this write's physical names, which the other table lacks.
            let unmapped = created.columnMappingMode == "none" && (metadata.configuration[ColumnMapping.modeKey] ?? "none") == "none"
            let fits = created.partitionColumns == metadata.partitionColumns && unmapped
                && (try? SchemaConformance.conform(DataFrame(emptyOf: targetSchema), to: created.schema, allowExtra: false).0.schema) == targetSchema
            guard fits else {
                throw LakeError(.conflict, "another writer created the table \(table.location) at the same time with another schema or partitioning; run the write again")
            }
            var retry = written.map { Action.add($0) }
            var read = ReadSet.nothing
            if options.mode == .overwrite {
                let now = table.context.clock()
                retry += created.files.map { .remove($0.removal(deletionTimestamp: now)) }
                read = .wholeTable
            }
            if var txn = options.transaction {
                txn.lastUpdated = table.context.clock()
                retry.append(.txn(txn))
            }
            return try await commit(retry, on: created, read: read, operation: operation, metrics: metrics)
        }
    }

    /// Commits on top of `snapshot`; returns the new snapshot, or `snapshot` itself with skipped metrics when
    /// an idempotent write was already committed.
    private func commit(_ actions: [Action], on snapshot: Snapshot?, read: ReadSet, operation: DeltaOperation, metrics: Metrics) async throws(LakeError) -> (Snapshot, Metrics) {
        let result = try await OperationCommit(table: table, snapshot: snapshot, operation: operation, read: read).commit(actions, metrics: metrics)
        if result.noOp, let snapshot { return (snapshot, Metrics.skipped(at: snapshot.version)) }
        var m = metrics
        m.version = result.version
        return (try await table.snapshot(at: .version(result.version)), m)
    }
}
