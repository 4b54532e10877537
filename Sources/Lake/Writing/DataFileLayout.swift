import Columnar
import DataFrame
import DeltaLog

/// Where the logical columns of a table's rows go when written (PROTOCOL.md "Column Mapping", "Writer
/// Requirements for Column Mapping"): partition columns into `add.partitionValues` and the partition
/// directories, the other columns into the Parquet file. Under column mapping both use physical names, nested
/// struct fields included, and the Parquet fields carry the column mapping ids as field ids (in name mode too,
/// as Spark writes them); without it, the logical names.
///
/// This is the one logical-to-physical step of every write: `DataFileWriter` converts each batch on entry,
/// so write, delete, update and merge store what Spark stores while the user only sees logical names. The
/// conversion relabels types only (`Column.relabeled(as:)`); no value buffer is copied.
struct DataFileLayout {
    /// Positions of the partition columns in the logical schema, in partition order.
    let partitionIndexes: [Int]
    /// The log's keys of the partition columns (physical names under column mapping), in partition order.
    let partitionKeys: [String]
    /// Positions of the data (non-partition) columns in the logical schema.
    let dataIndexes: [Int]
    /// The data files' schema: the data columns as stored (physical names, field ids).
    let fileSchema: Schema
    /// Whether names and types change on the way to the file.
    let mapped: Bool
    /// The logical types of the data columns, which every batch has.
    private let dataTypes: [DataType]
    /// The number of logical columns every batch has.
    private let columnCount: Int

    /// The layout of rows of `schema` (the table's logical columns, partition columns included) written into
    /// a table with `metadata`; fields are matched to the table's by name.
    /// `unmapped` names columns that are not the table's and keep their name under column mapping (the change
    /// data files' `_change_type`).
    init(schema: Schema, metadata: Metadata, unmapped: Set<String> = []) throws(LakeError) {
        let mapping: ColumnMapping
        do {
            let tableSchema = metadata.schemaString.isEmpty ? schema : try DeltaSchema.parse(metadata.schemaString)
            mapping = ColumnMapping(schema: tableSchema, configuration: metadata.configuration)
        } catch {
            throw LakeError(error)
        }
        let isMapped = mapping.mode != .none
        mapped = isMapped
        func tableField(_ f: Field) throws(LakeError) -> Field {
            guard isMapped else { return f }
            let table = mapping.logicalSchema
            guard let t = table.field(named: f.name) ?? table.fields.first(where: { $0.name.lowercased() == f.name.lowercased() }) else {
                throw LakeError(.schemaViolation, "column \(f.name) is not in the table's schema (\(table.names.joined(separator: ", ")))")
            }
            return t
        }
        func physical(_ f: Field) throws(LakeError) -> Field {
            guard isMapped, !unmapped.contains(f.name) else { return f }
            do {
                let t = try tableField(f)
                // The physical type is the table's, renamed: the rows must have its fields, in its order.
                guard f.type.sameIgnoringFieldMetadata(t.type) else {
                    throw LakeError(.schemaViolation, "column \(f.name) is \(f.type.name) in the data but \(t.type.name) in the table")
                }
                let p = try mapping.physical(t)
                return Field(p.name, p.type, nullable: f.nullable, metadata: p.metadata)
            } catch let e as LakeError {
                throw e
            } catch {
                throw LakeError(error)
            }
        }

        var pIndexes: [Int] = []
        var pKeys: [String] = []
        for name in metadata.partitionColumns {
            guard let i = schema.index(of: name) else { throw LakeError(.schemaViolation, "partition column \(name) is missing from the data") }
            pIndexes.append(i)
            pKeys.append(try physical(schema.fields[i]).name)
        }
        partitionIndexes = pIndexes
        partitionKeys = pKeys
        let partitionSet = Set(metadata.partitionColumns.map { $0.lowercased() })
        dataIndexes = schema.fields.indices.filter { !partitionSet.contains(schema.fields[$0].name.lowercased()) }
        var fields: [Field] = []
        for i in dataIndexes { fields.append(try physical(schema.fields[i])) }
        fileSchema = Schema(fields)
        dataTypes = dataIndexes.map { schema.fields[$0].type }
        columnCount = schema.fields.count
    }

    /// The data columns of `frame` (columns in the logical schema's order) as the file stores them.
    func dataFrame(_ frame: DataFrame) throws -> DataFrame {
        guard frame.columns.count == columnCount else {
            throw LakeError(.schemaViolation, "the rows have \(frame.columns.count) columns, the table \(columnCount)")
        }
        var columns: [Column] = []
        columns.reserveCapacity(dataIndexes.count)
        for (field, i) in zip(fileSchema.fields, dataIndexes) {
            let column = frame.columns[i]
            guard mapped else { columns.append(column); continue }
            // Relabeling goes by position: it is right only for rows of the logical type the layout was made for.
            let name = frame.schema.fields[i].name
            guard column.type == dataTypes[columns.count] || column.type.sameIgnoringFieldMetadata(dataTypes[columns.count]) else {
                throw LakeError(.schemaViolation, "column \(name) is \(column.type.name) in the data but \(dataTypes[columns.count].name) in the table")
            }
            guard let physical = column.relabeled(as: field.type) else {
                throw LakeError(.schemaViolation, "column \(name) is \(column.type.name) in the data but its file type is \(field.type.name)")
            }
            columns.append(physical)
        }
        return try DataFrame(schema: fileSchema, columns: columns)
    }
}
