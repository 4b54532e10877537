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
        do {
            return try await readFile(add, schema: schema, predicate: predicate, wantRowIndex: wantRowIndex)
        } catch let e as LakeError {
            throw e
        } catch let ObjectStoreError.notFound(key) {
            throw LakeError(DeltaError.fileNotFound(path: key))
        } catch {
            throw LakeError(error)
        }
    }

    private func readFile(_ add: AddFile, schema: Schema, predicate: Expr?, wantRowIndex: Bool) async throws -> FileRows {
        let location = try FileResolution.resolve(add.path, table: table)
        let (reader, source) = try await FetchedRanges.openParquet(store: location.store, key: location.key, expectedSize: add.size)
        let partitions = Set(snapshot.partitionColumns)
        let mapping = snapshot.columnMappingMode != "none"
        func physical(_ f: Field) -> String { mapping ? DeltaSchema.physicalName(f) : f.name }
        let fileNames = Set(reader.schema.names)
        let present = schema.fields.filter { !partitions.contains($0.name) }.map(physical).filter { fileNames.contains($0) }

        let skipping = predicate.map { DataSkipping(predicate: $0, snapshot: snapshot) }
        let groups = skipping?.rowGroupsToRead(reader, of: add) ?? Array(0..<reader.rowGroupCount)
        try await source.fetch(try reader.byteRanges(columns: present, rowGroups: groups))
        let batch = try reader.read(columns: present, rowGroups: groups)

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
        let fileRows = next
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
        if wantRowIndex || add.deletionVector != nil {
            var ix: [Int64] = []
            ix.reserveCapacity(rows)
            for g in groups {
                let start = groupStart[g]
                for i in 0..<reader.metadata.rowGroups[g].numRows { ix.append(start &+ i) }
            }
            index = ix
        }
        if let dv = add.deletionVector, let ix = index {
            // Rows a deletion vector marks never reach a reader (PROTOCOL.md "Deletion Vectors").
            let deleted = try await DeletionVectorReader.deletedRows(dv, store: table.store, rowCount: fileRows)
            if !deleted.isEmpty {
                guard fileRows <= Int64(Int32.max) * 64 else { throw LakeError(.corruptTable, "\(add.path): \(fileRows) rows") }
                var gone = Bitmap(count: Int(fileRows), value: false)
                for r in deleted where r >= 0 && r < fileRows { gone[Int(r)] = true }
                var keep = Bitmap(count: rows, value: true)
                var kept: [Int64] = []
                kept.reserveCapacity(rows)
                for (i, r) in ix.enumerated() {
                    if gone[Int(r)] { keep[i] = false } else { kept.append(r) }
                }
                frame = try frame.rows(where: keep)
                index = kept
            }
        }
        return FileRows(path: add.path, frame: frame, rowIndex: wantRowIndex ? index : nil, bytesRead: source.bytesFetched)
    }
}
