import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Parquet

/// Writes a DataFrame into a Delta table: Parquet data files (Hive-partitioned, split at the target size) with
/// per-file stats, then one commit of `add` (and, for overwrite, `remove`) actions.
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
        /// Target size of a data file in bytes (estimated from the in-memory column buffers).
        public var targetFileSize: Int = 128 * 1024 * 1024
        /// Idempotent write: skip when the table already recorded this (appId, version) or a later one.
        public var transaction: SetTransaction?
        /// Table properties for a new table.
        public var properties: [String: String] = [:]

        /// Default options: append, no partitioning, no evolution.
        public init() {}
    }

    /// What the write did (also written as `commitInfo.operationMetrics`).
    public struct Metrics: Sendable, Hashable {
        /// The version committed, or the current version when the write was skipped.
        public var version: Int64
        /// Data files written.
        public var numFiles: Int
        /// Rows written.
        public var numOutputRows: Int
        /// Bytes of data files written.
        public var numOutputBytes: Int64
        /// Files removed (overwrite).
        public var numRemovedFiles: Int
        /// True when an idempotent write was already committed and nothing happened.
        public var skipped: Bool
    }

    /// The table to write.
    public let table: DeltaTable
    /// The rows.
    public let data: DataFrame
    /// The options.
    public let options: Options

    /// Creates the operation.
    public init(table: DeltaTable, data: DataFrame, options: Options = Options()) {
        self.table = table
        self.data = data
        self.options = options
    }

    /// Writes the files and commits; returns the snapshot at the new version.
    public func execute() async throws -> (Snapshot, Metrics) {
        do {
            return try await attempt()
        } catch DeltaError.tableAlreadyExists(let loc) where options.mode != .errorIfExists {
            // Another writer created the table between our read and our commit of version 0: write again
            // against the table it created (the files of the first attempt are orphans for vacuum).
            _ = loc
            return try await attempt()
        }
    }

    private func attempt() async throws -> (Snapshot, Metrics) {
        var snapshot: Snapshot?
        do { snapshot = try await LogReplay.snapshot(table) } catch DeltaError.notATable { snapshot = nil }
        if let snapshot {
            if options.mode == .errorIfExists { throw DeltaError.tableAlreadyExists(location: table.location) }
            try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata)
            if let txn = options.transaction, let done = snapshot.appTransactions[txn.appId], done >= txn.version {
                return (snapshot, Metrics(version: snapshot.version, numFiles: 0, numOutputRows: 0, numOutputBytes: 0, numRemovedFiles: 0, skipped: true))
            }
        }

        var actions: [Action] = []
        let metadata: Metadata
        let frame: DataFrame
        if let snapshot {
            if let p = options.partitionBy, p != snapshot.partitionColumns {
                throw DeltaError.schemaMismatch("the table is partitioned by [\(snapshot.partitionColumns.joined(separator: ", "))], the write asks for [\(p.joined(separator: ", "))]")
            }
            let (conformed, extra) = try SchemaConformance.conform(data, to: snapshot.schema, allowExtra: options.schemaEvolution)
            frame = conformed
            if extra.isEmpty {
                metadata = snapshot.metadata
            } else {
                var m = snapshot.metadata
                m.schemaString = try DeltaSchema.serialize(Schema(snapshot.schema.fields + extra))
                let needed = TableFeatures.minimumProtocol(schema: conformed.schema, configuration: m.configuration)
                let merged = TableFeatures.merge(snapshot.protocolAction, needed)
                if merged != snapshot.protocolAction { actions.append(.protocol(merged)) }
                actions.append(.metadata(m))
                metadata = m
            }
        } else {
            // Like Spark, a table created by a write has nullable columns: this batch having no nulls says
            // nothing about the next one (use CreateTable for NOT NULL columns).
            let schema = Schema(try SchemaConformance.deltaSchema(data.schema).fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) })
            let (conformed, _) = try SchemaConformance.conform(data, to: schema, allowExtra: false)
            frame = conformed
            let create = CreateTable.Options(schema: schema, partitionColumns: options.partitionBy ?? [], properties: options.properties)
            let (proto, m) = try CreateTable.protocolAndMetadata(create)
            actions += [.protocol(proto), .metadata(m)]
            metadata = m
        }

        let tableSchema = frame.schema
        let written = try await DataFileWriter(table: table, metadata: metadata, schema: tableSchema, targetFileSize: options.targetFileSize).write(frame)
        actions += written.map { .add($0) }

        var removed: [RemoveFile] = []
        if options.mode == .overwrite, let snapshot {
            let now = WallClock.nowMillis()
            removed = snapshot.files.map { $0.removal(deletionTimestamp: now) }
            actions += removed.map { .remove($0) }
        }
        if var txn = options.transaction {
            txn.lastUpdated = WallClock.nowMillis()
            actions.append(.txn(txn))
        }
        let bytes = written.reduce(Int64(0)) { $0 + $1.size }
        let partitionBy = JSONValue.array(metadata.partitionColumns.map { .string($0) }).jsonText
        let (version, noOp) = try await LogCommitter(table: table).commit(
            actions, snapshot: snapshot, operation: "WRITE",
            parameters: ["mode": options.mode.rawValue, "partitionBy": partitionBy],
            metrics: ["numFiles": String(written.count), "numOutputRows": String(frame.rowCount), "numOutputBytes": String(bytes)],
            readWholeTable: options.mode == .overwrite)
        if noOp, let snapshot {
            return (snapshot, Metrics(version: snapshot.version, numFiles: 0, numOutputRows: 0, numOutputBytes: 0, numRemovedFiles: 0, skipped: true))
        }
        let after = try await LogReplay.snapshot(table, at: .version(version))
        return (after, Metrics(version: version, numFiles: written.count, numOutputRows: frame.rowCount, numOutputBytes: bytes, numRemovedFiles: removed.count, skipped: false))
    }
}

/// Splits a conformed frame by partition values and size, writes each piece as a Parquet file through the
/// store, and returns the `add` actions (paths URI-encoded, stats JSON, serialized partition values).
struct DataFileWriter: Sendable {
    let table: DeltaTable
    let metadata: Metadata
    let schema: Schema
    let targetFileSize: Int

    func write(_ frame: DataFrame) async throws -> [AddFile] {
        guard frame.rowCount > 0 else { return [] }
        let partitionColumns = metadata.partitionColumns
        let partitionIndexes = try partitionColumns.map { name throws -> Int in
            guard let i = frame.schema.index(of: name) else { throw DeltaError.schemaMismatch("partition column \(name) is missing from the data") }
            return i
        }
        // Group rows by their serialized partition values; a stable sort by group id keeps input order inside a group.
        var groups: [[String?]] = []
        var pieces: [(values: [String?], frame: DataFrame)] = []
        if partitionIndexes.isEmpty {
            pieces = [([], frame)]
        } else {
            let (ids, representatives) = PartitionGrouping.groups(partitionIndexes.map { frame.columns[$0] })
            for row in representatives {
                groups.append(try partitionIndexes.map { i throws -> String? in
                    let c = frame.columns[i]
                    return try PartitionValues.serialize(c.scalar(at: row), type: c.type)
                })
            }
            let idName = "__lake_partition_group"
            let withId = try DataFrame(schema: Schema(frame.schema.fields + [Field(idName, .int32, nullable: false)]),
                                       columns: frame.columns + [Column(unchecked: .int32, count: ids.count, validity: nil, values: .int32(ids))])
            let sorted = try withId.sort(by: [.asc(idName)])
            let sortedIds = try sorted.column(idName)
            guard case let .int32(sids) = sortedIds.values else { return [] }
            let data = try sorted.drop([idName])
            var start = 0
            while start < sids.count {
                var end = start
                while end < sids.count && sids[end] == sids[start] { end += 1 }
                pieces.append((groups[Int(sids[start])], data.slice(start..<end)))
                start = end
            }
        }
        let partitionSet = Set(partitionColumns)
        let dataFields = schema.fields.filter { !partitionSet.contains($0.name) }
        let mapping = metadata.configuration["delta.columnMapping.mode"].map { $0 != "none" } ?? false
        let physicalFields = dataFields.map { f in mapping ? Field(DeltaSchema.physicalName(f), f.type, nullable: f.nullable, metadata: f.metadata) : f }
        let indexed = metadata.configuration["delta.dataSkippingNumIndexedCols"].flatMap { Int($0) } ?? FileStatistics.defaultIndexedColumns

        // Plan every file first, then encode and store them two at a time (the machine has two cores).
        var jobs: [(values: [String: String?], frame: DataFrame)] = []
        for piece in pieces {
            let dataFrame = try piece.frame.select(dataFields.map(\.name))
            let rowsPerFile = max(1, targetFileSize / max(1, Self.estimatedRowBytes(dataFrame)))
            var values: [String: String?] = [:]
            for (c, v) in zip(partitionColumns, piece.values) { values[c] = .some(v) }
            var start = 0
            while start < dataFrame.rowCount {
                let end = min(dataFrame.rowCount, start + rowsPerFile)
                jobs.append((values, dataFrame.slice(start..<end)))
                start = end
            }
        }
        var adds = [AddFile?](repeating: nil, count: jobs.count)
        let schema = Schema(physicalFields)
        try await withThrowingTaskGroup(of: (Int, AddFile).self) { group in
            var next = 0
            func launch(_ i: Int) {
                let job = jobs[i]
                group.addTask { (i, try await self.writeFile(job.frame, values: job.values, index: i, schema: schema, indexed: indexed)) }
            }
            while next < min(2, jobs.count) { launch(next); next += 1 }
            while let (i, add) = try await group.next() {
                adds[i] = add
                if next < jobs.count { launch(next); next += 1 }
            }
        }
        return adds.compactMap { $0 }
    }

    /// Encodes one data file, stores it under its partition directory, and describes it as an `add` action.
    func writeFile(_ chunk: DataFrame, values: [String: String?], index: Int, schema: Schema, indexed: Int) async throws -> AddFile {
        let batch = try RecordBatch(schema: schema, columns: chunk.columns)
        let bytes = try ParquetWriter.write([batch], schema: batch.schema)
        let dir = PartitionValues.hiveDirectory(columns: metadata.partitionColumns, values: values)
        let key = dir + "part-" + Self.fiveDigits(index) + "-" + RandomUUID.make() + "-c000.snappy.parquet"
        do { try await table.store.put(key, bytes) } catch { throw DeltaError.storage(ObjectStoreErrorBox.wrap(error)) }
        let stats = FileStatistics.json(fields: schema.fields, columns: chunk.columns, rowCount: chunk.rowCount, indexedColumns: indexed)
        return AddFile(path: DeltaPath.encode(key), partitionValues: values, size: Int64(bytes.count),
                       modificationTime: WallClock.nowMillis(), dataChange: true, stats: stats)
    }

    static func fiveDigits(_ i: Int) -> String {
        let s = String(i)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// Bytes per row of the in-memory buffers: a rough, cheap stand-in for the encoded size.
    static func estimatedRowBytes(_ frame: DataFrame) -> Int {
        guard frame.rowCount > 0 else { return 1 }
        var total = 0
        for c in frame.columns { total += bufferBytes(c) }
        return max(1, total / frame.rowCount)
    }

    static func bufferBytes(_ c: Column) -> Int {
        switch c.values {
        case let .boolean(b): return b.count / 8 + 1
        case .int8, .uint8: return c.count
        case .int16, .uint16: return 2 * c.count
        case .int32, .uint32, .float32: return 4 * c.count
        case .int64, .uint64, .float64: return 8 * c.count
        case .decimal: return 16 * c.count
        case let .bytes(o, _): return Int((o.last ?? 0) - (o.first ?? 0)) + 4 * c.count
        case let .list(_, child): return bufferBytes(child) + 4 * c.count
        case let .structure(children): return children.reduce(0) { $0 + bufferBytes($1) }
        case let .map(_, k, v): return bufferBytes(k) + bufferBytes(v) + 4 * c.count
        }
    }
}
