import ArgumentParser
import Columnar
import DataFrame
import Lake

/// Output formats of `lake read` and `lake changes`.
enum TableReadFormat: String, ExpressibleByArgument, CaseIterable {
    case table, ndjson, csv, parquet

    /// `batch` in this format: a table shows at most `tableRows` rows; `variantsAsJSON` renders variant columns
    /// of NDJSON as their JSON values.
    func encode(_ batch: RecordBatch, tableRows: Int = 50, variantsAsJSON: Bool = false) throws -> [UInt8] {
        switch self {
        case .ndjson: try RowEncoding.ndjson.encode(batch, variantsAsJSON: variantsAsJSON)
        case .csv: try RowEncoding.csv.encode(batch)
        case .parquet: try RowEncoding.parquet.encode(batch)
        case .table: Array((BatchText.table(batch, maxRows: tableRows) + "\n").utf8)
        }
    }

    /// Writes `bytes` to `output` (replacing it) or, without one, to stdout.
    static func emit(_ bytes: [UInt8], to output: String?) throws {
        if let output { try FileOutput.replace(output, with: bytes) } else { StandardOutput.write(bytes) }
    }
}

/// `lake read TABLE`: print or export the rows of a table version.
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read a Delta table (optionally as of a version or time, filtered and projected).",
        discussion: """
            Examples:
              lake read /data/orders --where 'amount > 500' --columns order_id,amount --limit 20
              lake read /data/orders --version 3 --format ndjson
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "Read this version (time travel).")
    var version: Int64?

    @Option(help: "Read the latest version at or before this time (ms since the epoch or ISO 8601).")
    var timestamp: String?

    @Option(name: .customLong("where"), help: "A SQL predicate, e.g. \"amount > 10 AND region = 'EU'\".")
    var predicate: String?

    @Option(help: "Comma-separated columns to return (default: all).")
    var columns: String?

    @Option(help: "Return at most this many rows.")
    var limit: Int?

    @Option(help: "Output format: table, ndjson, csv or parquet (parquet needs --output).")
    var format: TableReadFormat = .table

    @Option(help: "Write the output to this file instead of stdout.")
    var output: String?

    @Flag(help: "Print the scan plan as JSON (files total, pruned by partition, skipped by stats, the files to read) and read no data.")
    var explain = false

    @Flag(help: "After the rows, print one JSON line on stderr: filesRead, bytesRead, rowsReturned and the plan's counts.")
    var metrics = false

    @Flag(name: .customLong("variant-json"),
          help: "With --format ndjson, print variant columns as their JSON values instead of the base64 metadata and value binaries Delta stores.")
    var variantJSON = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be zero or more") }
        if format == .parquet && output == nil { throw ValidationError("--format parquet needs --output FILE") }
        if variantJSON && format != .ndjson { throw ValidationError("--variant-json needs --format ndjson") }
    }

    func run() async throws {
        try await runReportingErrors {
            var options = Scan.Options()
            options.version = try TableSupport.versionSpec(version: version, timestamp: timestamp)
            options.columns = TableSupport.list(columns)
            options.predicate = predicate
            options.limit = limit
            let scan = Scan(table: try DeltaTable(location: table), options: options)
            if explain {
                StandardOutput.line(TableDocuments.plan(try await scan.plan()).pretty)
                return
            }
            let (_, frame, scanMetrics) = try await scan.execute()
            try TableReadFormat.emit(try format.encode(frame.batch, tableRows: limit ?? 50, variantsAsJSON: variantJSON), to: output)
            if metrics { StandardError.line(TableDocuments.scanMetrics(scanMetrics).compact) }
        }
    }
}
