import Columnar
import DataFrame
import DeltaLog

/// Reads the change rows of one `ChangeSource` through `DataFileReader` (ranged reads, physical-to-logical
/// names, partition values from the action, deletion vectors): the table columns asked for plus
/// `_change_type`.
struct ChangeFileReader: Sendable {
    /// The name of the change type column, in change data files and in what the feed returns.
    static let changeTypeColumn = "_change_type"

    /// Reads data files of the table as `snapshot` describes them (column mapping, partition columns).
    let reader: DataFileReader
    /// The table columns to return (table fields, logical names).
    let schema: Schema

    /// The rows `source` contributes, with `schema`'s columns then `_change_type`; and the bytes fetched.
    func read(_ source: ChangeSource, version: Int64) async throws(LakeError) -> (DataFrame, Int) {
        switch source {
        case let .changeFile(c):
            let file = AddFile(path: c.path, partitionValues: c.partitionValues, size: c.size, modificationTime: 0, dataChange: false)
            let withType = Schema(schema.fields + [Field(Self.changeTypeColumn, .string, nullable: true)])
            let rows = try await reader.read(file, schema: withType)
            let types: Column
            do { types = try rows.frame.column(Self.changeTypeColumn) } catch { throw LakeError(error) }
            guard types.nullCount == 0 else {
                throw LakeError(.corruptTable, "the change data file \(c.path) of version \(version) has rows without a _change_type (or no _change_type column)")
            }
            return (rows.frame, rows.bytesRead)
        case let .added(a):
            let rows = try await reader.read(a, schema: schema)
            return (try Self.typed(rows.frame, "insert"), rows.bytesRead)
        case let .removed(r):
            let rows = try await reader.read(try file(of: r, version: version), schema: schema)
            return (try Self.typed(rows.frame, "delete"), rows.bytesRead)
        case let .deletionVectorChange(removed, added):
            return try await readVisibilityChange(removed: removed, added: added, version: version)
        }
    }

    /// The rows whose visibility changed between the removed and the added deletion vector of one data file:
    /// deleted by the new vector only are deletes, deleted by the old one only are inserts.
    private func readVisibilityChange(removed: RemoveFile, added: AddFile, version: Int64) async throws(LakeError) -> (DataFrame, Int) {
        var whole = added
        whole.deletionVector = nil
        let rows = try await reader.read(whole, schema: schema, rowIndex: true)
        let count = rows.frame.rowCount
        let index = rows.rowIndex ?? []
        guard index.count == count else { throw LakeError(.failed, "row indexes of \(added.path) were not read") }
        let before = try await deleted(removed.deletionVector, rowCount: count)
        let after = try await deleted(added.deletionVector, rowCount: count)
        var deletes = Bitmap(count: count, value: false)
        var inserts = Bitmap(count: count, value: false)
        var anyInsert = false, anyDelete = false
        for (i, r) in index.enumerated() {
            // Row indexes of a whole-file read are 0..<count; a vector row past it was refused when decoding.
            guard r >= 0, r < Int64(count) else { continue }
            let wasDeleted = before[Int(r)], isDeleted = after[Int(r)]
            if isDeleted && !wasDeleted { deletes[i] = true; anyDelete = true }
            if wasDeleted && !isDeleted { inserts[i] = true; anyInsert = true }
        }
        var frames: [DataFrame] = []
        do {
            if anyDelete { frames.append(try Self.typed(try rows.frame.rows(where: deletes), "delete")) }
            if anyInsert { frames.append(try Self.typed(try rows.frame.rows(where: inserts), "insert")) }
            if frames.isEmpty { return (try Self.typed(rows.frame.slice(0..<0), "delete"), rows.bytesRead) }
            return (try DataFrame.concat(frames), rows.bytesRead)
        } catch {
            throw LakeError(error)
        }
    }

    /// The rows `dv` deletes, as a bitmap over the file's `rowCount` rows (all clear without a vector).
    private func deleted(_ dv: DeletionVectorDescriptor?, rowCount: Int) async throws(LakeError) -> Bitmap {
        var bits = Bitmap(count: rowCount, value: false)
        guard let dv else { return bits }
        let rows: [Int64]
        do { rows = try await DeletionVectorReader.deletedRows(dv, store: reader.table.store, rowCount: Int64(rowCount)) } catch { throw LakeError(error) }
        for r in rows where r >= 0 && r < Int64(rowCount) { bits[Int(r)] = true }
        return bits
    }

    /// The removed file as a file to read: its partition values and deletion vector as the remove records them.
    private func file(of r: RemoveFile, version: Int64) throws(LakeError) -> AddFile {
        let partitionValues: [String: String?]
        if let values = r.partitionValues {
            partitionValues = values
        } else if reader.snapshot.partitionColumns.isEmpty {
            partitionValues = [:]
        } else {
            throw LakeError(.corruptTable, "the remove of \(r.path) in version \(version) records no partitionValues, so its rows cannot be read as deletes of a partitioned table")
        }
        return AddFile(path: r.path, partitionValues: partitionValues, size: r.size ?? 0, modificationTime: 0,
                       dataChange: true, deletionVector: r.deletionVector)
    }

    /// `frame` with a `_change_type` column of `type` on every row.
    static func typed(_ frame: DataFrame, _ type: String) throws(LakeError) -> DataFrame {
        do {
            let column = try ConstantColumn.make(.string(type), type: .string, count: frame.rowCount)
            return try DataFrame(schema: Schema(frame.schema.fields + [Field(changeTypeColumn, .string, nullable: true)]),
                                 columns: frame.columns + [column])
        } catch {
            throw LakeError(error)
        }
    }
}
