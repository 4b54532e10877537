import ArgumentParser
import DeltaLog
import Lake

/// `lake info TABLE`: version, protocol, schema, partitioning, clustering, properties and size of a table version.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a Delta table version: protocol, schema, partitioning, clustering, properties, size.",
        discussion: """
            Examples:
              lake info /data/orders
              lake info /data/orders --version 3 --json
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "Describe this version instead of the latest.")
    var version: Int64?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let (s, summary) = try await Info(table: try DeltaTable(location: table), version: try TableSupport.versionSpec(version: version, timestamp: nil)).execute()
            let p = s.protocolAction
            if json {
                StandardOutput.line(TableDocuments.info(summary).pretty)
            } else {
                StandardOutput.line("version:           \(s.version)")
                StandardOutput.line("protocol:          reader \(p.minReaderVersion), writer \(p.minWriterVersion)" + ((p.writerFeatures ?? []).isEmpty ? "" : " [\((p.writerFeatures ?? []).joined(separator: ", "))]"))
                StandardOutput.line("schema:            " + s.schema.fields.map { "\($0.name) \($0.type.name)\($0.nullable ? "" : " not null")" }.joined(separator: ", "))
                StandardOutput.line("partition columns: \(s.partitionColumns.joined(separator: ", "))")
                if let clustering = summary.clusteringColumns {
                    StandardOutput.line("clustering:        " + (clustering.isEmpty ? "none" : clustering.joined(separator: ", ")))
                }
                StandardOutput.line("properties:        " + s.metadata.configuration.keys.sorted().map { "\($0)=\(s.metadata.configuration[$0] ?? "")" }.joined(separator: ", "))
                StandardOutput.line("files:             \(summary.numFiles)")
                StandardOutput.line("bytes:             \(summary.sizeInBytes)")
                StandardOutput.line("rows:              \(summary.numRows.map(String.init) ?? "unknown")")
            }
        }
    }
}
