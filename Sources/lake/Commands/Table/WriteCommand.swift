import ArgumentParser
import DataFrame
import DeltaLog
import Columnar
import Lake

/// The save modes as the CLI spells them.
enum WriteModeArgument: String, ExpressibleByArgument, CaseIterable {
    case append, overwrite
    case errorIfExists = "error-if-exists"

    var mode: Write.Mode {
        switch self {
        case .append: .append
        case .overwrite: .overwrite
        case .errorIfExists: .errorIfExists
        }
    }
}

/// `lake write TABLE FILE...`: write files into a table in one commit.
struct WriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write .parquet, .csv or .ndjson/.jsonl files into a Delta table in one commit.",
        discussion: """
            Examples:
              lake write /data/orders part-1.parquet part-2.parquet
              lake write /data/orders day.csv --mode overwrite
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Argument(help: "Input files (.parquet, .csv, .ndjson or .jsonl).")
    var files: [String]

    @Option(help: "append (default; creates the table if missing), overwrite, or error-if-exists.")
    var mode: WriteModeArgument = .append

    @Option(name: .customLong("partition-by"), help: "Comma-separated partition columns (for a new table; must match an existing one).")
    var partitionBy: String?

    @Flag(name: .customLong("schema-evolution"), help: "Add input columns the table lacks as nullable columns.")
    var schemaEvolution = false

    @Option(name: .customLong("txn-app-id"), help: "Application id of an idempotent write (with --txn-version).")
    var txnAppId: String?

    @Option(name: .customLong("txn-version"), help: "Application version of an idempotent write; skipped if already committed.")
    var txnVersion: Int64?

    @Option(name: .customLong("target-file-size"), help: "Target size of a data file in bytes (default 134217728).")
    var targetFileSize: Int?

    @Flag(help: "Print the write's metrics (numFiles, numOutputRows, numOutputBytes) and version as JSON.")
    var json = false

    func validate() throws {
        if (txnAppId == nil) != (txnVersion == nil) { throw ValidationError("--txn-app-id and --txn-version go together") }
        if files.isEmpty { throw ValidationError("give at least one input file") }
        if let targetFileSize, targetFileSize < 1 { throw ValidationError("--target-file-size must be at least 1 byte") }
    }

    func run() async throws {
        try await runReportingErrors {
            let target = try DeltaTable(location: table)
            // Text fields parse with the table's column types when the table exists.
            let existing: Schema?
            do {
                let snapshot = try await target.snapshot()
                // Refuse a table lake cannot write before reading any input.
                try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata)
                existing = snapshot.schema
            } catch let e as LakeError where e.kind == .notFound {
                existing = nil
            }
            let data = try InputBatches.stream(files, table: existing)
            var options = Write.Options()
            options.mode = mode.mode
            options.partitionBy = TableSupport.list(partitionBy)
            options.schemaEvolution = schemaEvolution
            if let targetFileSize { options.targetFileSize = targetFileSize }
            if let txnAppId, let txnVersion { options.transaction = SetTransaction(appId: txnAppId, version: txnVersion) }
            let (_, m) = try await Write(table: target, data: data, options: options).execute()
            if json {
                var document = TableDocuments.operationMetrics(m, version: m.version)
                if case let .object(pairs) = document { document = .object(pairs + [("skipped", .bool(m.skipped))]) }
                StandardOutput.line(document.pretty)
            } else if m.skipped {
                StandardOutput.line("skipped: transaction already committed (table at version \(m.version))")
            } else {
                StandardOutput.line("version \(m.version): wrote \(m.numOutputRows) rows in \(m.numFiles) files (\(m.numOutputBytes) bytes)")
            }
        }
    }
}
