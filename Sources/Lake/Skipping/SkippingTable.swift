import Columnar
import DeltaLog

/// What data skipping needs to know about a table: its logical schema, which columns are partition
/// columns, how columns are named in the data files, stats and partition values, and how long string stats are.
struct SkippingTable: Sendable {
    /// The logical schema.
    var schema: Schema
    /// Logical names of the partition columns.
    var partitionColumns: [String]
    /// Whether column mapping is on, so files, stats and partition values use physical names.
    var columnMapping: Bool
    /// Characters kept in string stats (`delta.dataSkippingStringPrefixLength`, default 32). A max at least
    /// this long in bytes may have been truncated.
    var stringPrefixLength: Int

    /// A table description; `stringPrefixLength` defaults to Delta's 32.
    init(schema: Schema, partitionColumns: [String] = [], columnMapping: Bool = false, stringPrefixLength: Int = 32) {
        self.schema = schema
        self.partitionColumns = partitionColumns
        self.columnMapping = columnMapping
        self.stringPrefixLength = stringPrefixLength
    }

    /// The description of a snapshot's table.
    init(snapshot: Snapshot) {
        // A writer may cut strings shorter than the table asks; never assume more than Delta's default.
        let configured = snapshot.properties["delta.dataSkippingStringPrefixLength"].flatMap { Int($0) }
        self.init(schema: snapshot.schema, partitionColumns: snapshot.partitionColumns,
                  columnMapping: snapshot.columnMappingMode != "none",
                  stringPrefixLength: min(32, max(1, configured ?? 32)))
    }

    /// The column an expression's column reference means, resolved as the engine resolves it (the full
    /// dotted name, else the last part: exactly, else case-insensitively when unique); nil if none.
    func field(_ parts: [String]) -> Field? {
        if let f = schema.field(named: parts.joined(separator: ".")) { return f }
        guard let last = parts.last else { return nil }
        if let f = schema.field(named: last) { return f }
        let lowered = last.lowercased()
        let matches = schema.fields.filter { $0.name.lowercased() == lowered }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Whether `field` is a partition column.
    func isPartition(_ field: Field) -> Bool {
        partitionColumns.contains(field.name) || partitionColumns.contains { $0.lowercased() == field.name.lowercased() }
    }

    /// The name of `field` in data files, stats and partition values.
    func physicalName(_ field: Field) -> String {
        columnMapping ? DeltaSchema.physicalName(field) : field.name
    }
}

/// One column a compiled predicate reads.
struct SkippingColumn: Sendable, Hashable {
    /// The logical field (its type is the column's table type).
    var field: Field
    /// Whether it is a partition column (bounds come from partition values) or a data column (from stats).
    var isPartition: Bool
    /// The key of the column in stats, partition values and Parquet files.
    var physicalName: String
}
