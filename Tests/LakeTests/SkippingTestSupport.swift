import Columnar
import DataFrame
import DeltaLog
import Parquet
@testable import Lake

/// An add action held only in memory (no data file behind it).
func addFile(stats: String?, partitions: [String: String?] = [:], path: String = "part-0.parquet") -> AddFile {
    AddFile(path: path, partitionValues: partitions, size: 100, modificationTime: 0, stats: stats)
}

/// Stats JSON for one column `name` with raw JSON texts for its min and max.
func columnStats(_ name: String, min: String?, max: String?, nullCount: Int? = 0, numRecords: Int = 10) -> String {
    var parts = ["\"numRecords\":\(numRecords)"]
    if let min { parts.append("\"minValues\":{\"\(name)\":\(min)}") }
    if let max { parts.append("\"maxValues\":{\"\(name)\":\(max)}") }
    if let nullCount { parts.append("\"nullCount\":{\"\(name)\":\(nullCount)}") }
    return "{" + parts.joined(separator: ",") + "}"
}

/// Data skipping for `predicate` over a table of `fields`.
func skipping(_ predicate: String, _ fields: [Field], partitions: [String] = [], mapping: Bool = false) throws -> DataSkipping {
    DataSkipping(predicate: try Expr.parse(predicate),
                 table: SkippingTable(schema: Schema(fields), partitionColumns: partitions, columnMapping: mapping))
}

/// Whether a file whose only stats are `min`/`max` (raw JSON) for column `x` of `type` is kept for `predicate`.
func keeps(_ predicate: String, _ type: DataType, min: String?, max: String?, nullCount: Int? = 0, numRecords: Int = 10) throws -> Bool {
    let s = try skipping(predicate, [Field("x", type)])
    return s.statsMayMatch(addFile(stats: columnStats("x", min: min, max: max, nullCount: nullCount, numRecords: numRecords)))
}

/// Checks skipping against the engine on real values: for each predicate, the file holding `values` (with the
/// stats lake's writer computes for them) must be kept whenever the engine's filter selects a row. Returns how
/// many predicates skipped the file, so callers can check that skipping happens at all.
func checkAgainstEngine(_ field: Field, _ values: [Scalar], predicates: [String]) throws -> (skipped: Int, wrong: [String]) {
    let column = try Column(field.type, values)
    let frame = try DataFrame([(name: field.name, column: column)])
    let reader = try inMemoryParquet(field, column)
    let stats = FileStatistics.json(footer: try FooterStatistics(reader.metadata), fields: [field], indexedColumns: 32)
    let add = addFile(stats: stats)
    var skipped = 0
    var wrong: [String] = []
    for p in predicates {
        let matches = try frame.filter(try Expr.parse(p)).rowCount
        let kept = try skipping(p, [field]).statsMayMatch(add)
        if !kept { skipped += 1 }
        if matches > 0 && !kept { wrong.append("\(p) skipped a file with \(matches) matching rows; stats \(stats)") }
    }
    return (skipped, wrong)
}

/// `column` written as an in-memory Parquet file the way lake's data file writer writes it, read back.
func inMemoryParquet(_ field: Field, _ column: Column, rowGroupSize: Int = 1_048_576) throws -> ParquetReader {
    var options = ParquetWriterOptions()
    options.statisticsTruncateLength = FileStatistics.parquetTruncateLength
    options.rowGroupSize = rowGroupSize
    let schema = Schema([field])
    let bytes = try ParquetWriter.write([try RecordBatch(schema: schema, columns: [column])], schema: schema, options: options)
    return try ParquetReader(source: MemorySource(bytes, name: "memory.parquet"))
}
