import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Parquet

/// The rows one data file contributes to a scan.
public struct FileRows: Sendable {
    /// The file's path as the log names it (`add.path`).
    public var path: String
    /// The rows, with the requested columns (logical names, table types; partition columns filled in).
    public var frame: DataFrame
    /// Each row's index in the file (Delta's row index: its position counting every row of the file, before
    /// deletion vectors are applied), when asked for.
    public var rowIndex: [Int64]?
    /// Bytes fetched from the store for this file (footer and column chunks).
    public var bytesRead: Int
}

/// Reads planned data files: ranged reads through the table's `ObjectStore` (footer, then only the needed
/// column chunks of the row groups the stats keep), physical-to-logical column names, partition columns from
/// the log, deletion vectors applied, and optionally each row's index in the file.
public struct DataFileReader: Sendable {
    /// The table the files belong to.
    public let table: DeltaTable
    /// The snapshot they were planned from (column mapping, partition columns).
    public let snapshot: Snapshot

    /// A reader for files of `snapshot`.
    public init(table: DeltaTable, snapshot: Snapshot) {
        self.table = table
        self.snapshot = snapshot
    }

    /// Reads `add` with the columns of `schema` (table fields). `predicate`, when given, lets row groups whose
    /// statistics rule it out be skipped (the rows read still need the predicate applied).
    public func read(_ add: AddFile, schema: Schema, predicate: Expr? = nil, rowIndex wantRowIndex: Bool = false) async throws(LakeError) -> FileRows {
        let file = try await open(add)
        let groups = predicate.flatMap { DataSkipping(predicate: $0, snapshot: snapshot).rowGroupsToRead(file.reader, of: add) } ?? Array(0..<file.rowGroupCount)
        return try await file.read(schema: schema, rowGroups: groups, rowIndex: wantRowIndex)
    }

    /// Opens `add` for reading row group by row group: fetches and parses its footer, checks its row counts
    /// and loads its deletion vector. Reading then fetches only the groups asked for.
    public func open(_ add: AddFile) async throws(LakeError) -> OpenDataFile {
        try await Self.reporting(add) { () async throws -> OpenDataFile in
            let location = try FileResolution.resolve(add.path, table: table)
            let (reader, source) = try await FetchedRanges.openParquet(store: location.store, key: location.key, expectedSize: add.size)
            // The first row index of each row group: the counts of every group before it.
            var groupStart = [Int64](repeating: 0, count: reader.rowGroupCount)
            var next: Int64 = 0
            for (g, rg) in reader.metadata.rowGroups.enumerated() {
                guard rg.numRows >= 0 else { throw LakeError(.corruptTable, "\(add.path): row group \(g) claims \(rg.numRows) rows") }
                groupStart[g] = next
                let (sum, overflow) = next.addingReportingOverflow(rg.numRows)
                if overflow { throw LakeError(.corruptTable, "\(add.path): row counts of the row groups overflow") }
                next = sum
            }
            var deleted: Bitmap?
            if let dv = add.deletionVector {
                // Rows a deletion vector marks never reach a reader (PROTOCOL.md "Deletion Vectors").
                let rows = try await DeletionVectorReader.deletedRows(dv, store: table.store, rowCount: next)
                if !rows.isEmpty {
                    guard next <= Int64(Int32.max) * 64 else { throw LakeError(.corruptTable, "\(add.path): \(next) rows") }
                    var gone = Bitmap(count: Int(next), value: false)
                    for r in rows where r >= 0 && r < next { gone[Int(r)] = true }
                    deleted = gone
                }
            }
            return OpenDataFile(add: add, snapshot: snapshot, reader: reader, source: source, groupStart: groupStart, deleted: deleted)
        }
    }

    /// Runs `body`, turning a missing object and lower errors into LakeErrors.
    static func reporting<T>(_ add: AddFile, _ body: () async throws -> T) async throws(LakeError) -> T {
        do {
            return try await body()
        } catch let e as LakeError {
            throw e
        } catch let ObjectStoreError.notFound(key) {
            throw LakeError(DeltaError.fileNotFound(path: key))
        } catch {
            throw LakeError(error)
        }
    }
}

/// A data file opened by `DataFileReader.open`: its footer parsed and its deletion vector loaded, so its row
/// groups can be read one at a time (memory then follows one group's rows, not the file's).
public struct OpenDataFile: @unchecked Sendable {
    /// The file's add action.
    public let add: AddFile
    let snapshot: Snapshot
    let reader: ParquetReader
    let source: FetchedRanges
    /// The Delta row index of each row group's first row.
    let groupStart: [Int64]
    /// Rows the deletion vector removes, by row index.
    let deleted: Bitmap?

    /// The file's row groups.
    public var rowGroupCount: Int { reader.rowGroupCount }

    /// The rows of `rowGroups` (in order) with the columns of `schema` (logical names, table types, partition
    /// columns filled in), deletion vector applied; with `rowIndex`, each row's Delta row index. The groups'
    /// fetched bytes are released afterwards.
    public func read(schema: Schema, rowGroups groups: [Int], rowIndex wantRowIndex: Bool = false) async throws(LakeError) -> FileRows {
        try await DataFileReader.reporting(add) { () async throws -> FileRows in
            defer { source.releaseColumnChunks() }
            return try await readGroups(schema: schema, groups: groups, wantRowIndex: wantRowIndex)
        }
    }

    private func readGroups(schema: Schema, groups: [Int], wantRowIndex: Bool) async throws -> FileRows {
        let partitions = Set(snapshot.partitionColumns)
        let mapping = snapshot.columnMappingMode != "none"
        func physical(_ f: Field) -> String { mapping ? DeltaSchema.physicalName(f) : f.name }
        let fileNames = Set(reader.schema.names)
        let present = schema.fields.filter { !partitions.contains($0.name) }.map(physical).filter { fileNames.contains($0) }
        for g in groups where g < 0 || g >= reader.rowGroupCount {
            throw LakeError(.failed, "\(add.path): row group \(g) of \(reader.rowGroupCount) asked for")
        }
        try await source.fetch(try reader.byteRanges(columns: present, rowGroups: groups))
        let batch = try reader.read(columns: present, rowGroups: groups)
        var rows = 0
        for g in groups { rows += Int(reader.metadata.rowGroups[g].numRows) }
        guard rows == batch.rowCount || present.isEmpty else {
            throw LakeError(.corruptTable, "\(add.path): the row groups hold \(batch.rowCount) rows but their metadata says \(rows)")
        }

        var columns: [Column] = []
        for field in schema.fields {
            if partitions.contains(field.name) {
                let value = try PartitionValues.parse(snapshot.rawPartitionValue(add, field), type: field.type, column: field.name)
                columns.append(try ConstantColumn.make(value, type: field.type, count: rows))
                continue
            }
            guard let column = batch.column(named: physical(field)) else {
                // A column added after this file was written reads as nulls.
                columns.append(try SchemaConformance.nullColumn(field.type, count: rows))
                continue
            }
            columns.append(try ColumnReconcile.conform(column, to: field, mapping: mapping))
        }
        var frame = try DataFrame(schema: Schema(schema.fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) }), columns: columns)

        var index: [Int64]?
        if wantRowIndex || deleted != nil {
            var ix: [Int64] = []
            ix.reserveCapacity(rows)
            for g in groups {
                let start = groupStart[g]
                for i in 0..<reader.metadata.rowGroups[g].numRows { ix.append(start &+ i) }
            }
            index = ix
        }
        if let gone = deleted, let ix = index {
            var keep = Bitmap(count: rows, value: true)
            var kept: [Int64] = []
            kept.reserveCapacity(rows)
            for (i, r) in ix.enumerated() {
                if r >= 0 && r < Int64(gone.count) && gone[Int(r)] { keep[i] = false } else { kept.append(r) }
            }
            frame = try frame.rows(where: keep)
            index = kept
        }
        return FileRows(path: add.path, frame: frame, rowIndex: wantRowIndex ? index : nil, bytesRead: source.bytesFetched)
    }
}
