import Columnar
import DeltaLog

/// Bounds of a partition column in one file: its one value, exactly (min = max = value, no nulls), or only
/// nulls for a null partition. The same typed values as stats, so one evaluator serves both.
enum PartitionBounds {
    /// The bounds of `column` for `add`; unknown when the value does not parse (the read reports that).
    static func bounds(_ add: AddFile, column: SkippingColumn) -> ColumnBounds {
        let raw: String? = add.partitionValues[column.physicalName] ?? nil
        guard let value = try? PartitionValues.parse(raw, type: column.field.type, column: column.field.name) else { return .unknown }
        if value == .null { return .allNull }
        guard let v = SkippingTypes.value(value, type: column.field.type) else {
            // Not orderable (binary): still known to be non-null.
            var b = ColumnBounds.unknown
            b.mayHaveNull = false
            return b
        }
        return .exactly(v)
    }
}
