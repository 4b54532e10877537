import ArgumentParser
import Columnar
import Parquet

/// Output formats for commands that print rows.
enum RowFormat: String, ExpressibleByArgument, CaseIterable {
    case ndjson, csv, table
}

/// `lake parquet cat FILE`: print the rows of a Parquet file.
struct ParquetCatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print the rows of a Parquet file as NDJSON, CSV or a table."
    )

    @Argument(help: "The Parquet file.")
    var file: String

    @Option(help: "Comma-separated top-level columns to print (default: all).")
    var columns: String?

    @Option(help: "Print at most this many rows.")
    var limit: Int?

    @Option(help: "Output format: ndjson, csv or table.")
    var format: RowFormat = .table

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be zero or more") }
    }

    func run() async throws {
        try await runReportingErrors {
            let reader = try ParquetReader(path: file)
            let projection = columns.map { $0.split(separator: ",").map { String($0).trimmingSpaces() } }
            var remaining = limit ?? Int.max
            var tableBatches = [RecordBatch]()
            var first = true
            for group in 0..<reader.rowGroupCount where remaining > 0 {
                var batch = try reader.readRowGroup(group, columns: projection)
                if batch.rowCount > remaining { batch = try batch.prefix(remaining) }
                remaining -= batch.rowCount
                var out = [UInt8]()
                switch format {
                case .ndjson: BatchText.ndjson(batch, to: &out)
                case .csv: BatchText.csv(batch, header: first, to: &out)
                case .table: tableBatches.append(batch)
                }
                first = false
                StandardOutput.write(out)
            }
            if format == .csv && first {
                var out = [UInt8]()
                BatchText.csv(RecordBatch(emptyOf: try reader.read(columns: projection, rowGroups: []).schema), to: &out)
                StandardOutput.write(out)
            }
            if format == .table {
                let schema = try reader.read(columns: projection, rowGroups: []).schema
                let all = try RecordBatch.concatenate(tableBatches, schema: schema)
                StandardOutput.line(BatchText.table(all, maxRows: limit ?? 50))
            }
        }
    }
}
