import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Parquet

/// Reads a table version into a DataFrame: prune files by partition values and by min/max stats, read the
/// needed columns of the remaining files (two at a time), map physical to logical names, add partition columns
/// back as typed columns, then apply the predicate to the rows.
public struct Scan: Sendable {
    /// Scan options.
    public struct Options: Sendable {
        /// Which version to read.
        public var version: VersionSpec = .latest
        /// Columns to return (default: all, in table order).
        public var columns: [String]?
        /// A SQL predicate (`amount > 10 AND region = 'EU'`).
        public var predicate: String?
        /// Return at most this many rows.
        public var limit: Int?

        /// Default options: the latest version, every column and row.
        public init() {}
    }

    /// What the scan did.
    public struct Metrics: Sendable, Hashable {
        /// Active files in the snapshot.
        public var filesTotal: Int
        /// Files skipped by partition values.
        public var filesPrunedByPartition: Int
        /// Files skipped by min/max stats.
        public var filesSkippedByStats: Int
        /// Files read.
        public var filesRead: Int
        /// Rows returned.
        public var rowsReturned: Int
    }

    /// The table to read.
    public let table: DeltaTable
    /// The options.
    public let options: Options

    /// Creates the operation.
    public init(table: DeltaTable, options: Options = Options()) {
        self.table = table
        self.options = options
    }

    /// Runs the scan.
    public func execute() async throws -> (Snapshot, DataFrame, Metrics) {
        let snapshot = try await LogReplay.snapshot(table, at: options.version)
        let schema = snapshot.schema
        if let cols = options.columns {
            for c in cols where schema.index(of: c) == nil {
                throw DeltaError.invalidArgument("column \(c) is not in the table (columns: \(schema.names.joined(separator: ", ")))")
            }
        }
        let predicate = try options.predicate.map { try Expr.parse($0) }
        // Path order, so repeated scans of one version return rows in the same order.
        var files = snapshot.files.sorted { ObjectPath.precedes($0.path, $1.path) }
        let total = files.count
        var prunedByPartition = 0, skippedByStats = 0
        if let predicate {
            let before = files.count
            files = try FilePruning.byPartition(files, predicate: predicate, snapshot: snapshot)
            prunedByPartition = before - files.count
            let before2 = files.count
            files = FilePruning.byStats(files, predicate: predicate, snapshot: snapshot)
            skippedByStats = before2 - files.count
        }
        // Columns to read: the projection plus whatever the predicate needs.
        var needed = options.columns ?? schema.names
        if predicate != nil, options.columns != nil {
            needed = schema.names.filter { n in needed.contains(n) || (predicate.map { FilePruning.columns($0).contains(n.lowercased()) } ?? false) }
        }
        let outputSchema = Schema(schema.fields.filter { needed.contains($0.name) })
        let checks = predicate.map { FilePruning.simpleChecks($0, snapshot: snapshot) } ?? []
        let frames = try await readFiles(files, snapshot: snapshot, schema: outputSchema, checks: checks)
        var frame = frames.isEmpty ? DataFrame(emptyOf: outputSchema) : try DataFrame.concat(frames)
        if let predicate { frame = try frame.filter(predicate) }
        if let cols = options.columns { frame = try frame.select(cols) }
        if let limit = options.limit { frame = frame.limit(limit) }
        return (snapshot, frame, Metrics(filesTotal: total, filesPrunedByPartition: prunedByPartition, filesSkippedByStats: skippedByStats, filesRead: files.count, rowsReturned: frame.rowCount))
    }

    /// Reads files two at a time (the machine's budget), keeping the snapshot's file order.
    func readFiles(_ files: [AddFile], snapshot: Snapshot, schema: Schema, checks: [FilePruning.Check]) async throws -> [DataFrame] {
        var results = [DataFrame?](repeating: nil, count: files.count)
        let table = self.table
        try await withThrowingTaskGroup(of: (Int, DataFrame).self) { group in
            var next = 0
            let width = 2
            while next < min(width, files.count) {
                let i = next
                group.addTask { (i, try await Self.readFile(files[i], table: table, snapshot: snapshot, schema: schema, checks: checks)) }
                next += 1
            }
            while let (i, frame) = try await group.next() {
                results[i] = frame
                if next < files.count {
                    let j = next
                    group.addTask { (j, try await Self.readFile(files[j], table: table, snapshot: snapshot, schema: schema, checks: checks)) }
                    next += 1
                }
            }
        }
        return results.compactMap { $0 }
    }

    /// One data file as a frame with `schema`'s columns (logical names, table types).
    static func readFile(_ add: AddFile, table: DeltaTable, snapshot: Snapshot, schema: Schema, checks: [FilePruning.Check] = []) async throws -> DataFrame {
        guard let path = DeltaPath.decode(add.path) else { throw DeltaError.invalidArgument("malformed file path in the log: \(add.path)") }
        let bytes: [UInt8]
        do {
            if DeltaPath.isAbsolute(path) {
                guard let local = path.hasPrefix("file:") ? String(path.dropFirst("file:".count)).replacingPrefixSlashes() : Optional(path) else {
                    throw DeltaError.fileNotFound(path: path)
                }
                bytes = try await LocalRoot.store.get(String(local.dropFirst()))
            } else {
                bytes = try await table.store.get(path)
            }
        } catch let e as ObjectStoreError {
            if case .notFound = e { throw DeltaError.fileNotFound(path: path) }
            throw DeltaError.storage(e)
        }
        // A Delta timestamp is microseconds: INT96 values (older Spark) read straight to them, exactly.
        let reader = try ParquetReader(source: MemorySource(bytes, name: path), options: ParquetReadOptions(int96TimestampUnit: .microsecond))
        let partitions = Set(snapshot.partitionColumns)
        let mapping = snapshot.columnMappingMode != "none"
        let fileNames = Set(reader.schema.names)
        let dataFields = schema.fields.filter { !partitions.contains($0.name) }
        let physical = dataFields.map { mapping ? DeltaSchema.physicalName($0) : $0.name }
        let present = physical.filter { fileNames.contains($0) }
        // Row-group skipping by Parquet statistics; not with a deletion vector, whose row indexes count every row.
        let groups = add.deletionVector == nil ? FilePruning.rowGroups(reader, checks: checks, physicalName: { mapping ? DeltaSchema.physicalName($0) : $0.name }) : nil
        let batch = try reader.read(columns: present, rowGroups: groups)
        let rows = groups.map { gs in gs.reduce(0) { $0 + Int(clamping: reader.metadata.rowGroups[$1].numRows) } } ?? reader.rowCount
        var columns: [Column] = []
        for field in schema.fields {
            if partitions.contains(field.name) {
                let value = try PartitionValues.parse(snapshot.rawPartitionValue(add, field), type: field.type, column: field.name)
                columns.append(try ConstantColumn.make(value, type: field.type, count: rows))
                continue
            }
            let name = mapping ? DeltaSchema.physicalName(field) : field.name
            guard let column = batch.column(named: name) else {
                columns.append(try SchemaConformance.nullColumn(field.type, count: rows))
                continue
            }
            let conformed = try ColumnReconcile.conform(column, to: field, mapping: mapping)
            columns.append(conformed)
        }
        let frame = try DataFrame(schema: Schema(schema.fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) }), columns: columns)
        guard let dv = add.deletionVector else { return frame }
        // Rows a deletion vector marks never reach a reader (PROTOCOL.md "Deletion Vectors").
        let deleted = try await DeletionVectorReader.deletedRows(dv, store: table.store)
        if deleted.isEmpty { return frame }
        var keep = Bitmap(count: rows, value: true)
        for r in deleted where r >= 0 && r < Int64(rows) { keep[Int(r)] = false }
        let keepName = "__lake_dv_keep"
        let marked = try DataFrame(schema: Schema(frame.schema.fields + [Field(keepName, .boolean, nullable: false)]),
                                   columns: frame.columns + [Column(unchecked: .boolean, count: rows, validity: nil, values: .boolean(keep))])
        return try marked.filter(Expr.col(keepName)).drop([keepName])
    }
}

/// A store at the file system root, for absolute `file:` paths in the log.
enum LocalRoot {
    static let store = LocalStore(root: "/")
}

extension String {
    /// `///abs` or `/abs` after `file:` becomes `/abs`.
    func replacingPrefixSlashes() -> String? {
        var s = Substring(self)
        while s.hasPrefix("//") { s = s.dropFirst() }
        guard s.hasPrefix("/") else { return nil }
        return DeltaPath.decode(String(s))
    }
}
