import ArgumentParser
import DeltaLog
import Lake

/// `lake info TABLE`: version, protocol, schema, partitioning, properties and size of a table version.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a Delta table version: protocol, schema, partitioning, properties, size."
    )

    @Argument(help: "The table location: a directory path or file:// URI.")
    var table: String

    @Option(help: "Describe this version instead of the latest.")
    var version: Int64?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let (s, summary) = try await Info(table: try DeltaTable(location: table), version: try TableSupport.versionSpec(version: version, timestamp: nil)).execute()
            let p = s.protocolAction
            let schemaJSON = (try? JSONValue.parse(s.metadata.schemaString)).map(TableSupport.json) ?? .string(s.metadata.schemaString)
            var proto: [(String, JSONText)] = [("minReaderVersion", .int(Int64(p.minReaderVersion))), ("minWriterVersion", .int(Int64(p.minWriterVersion)))]
            if let r = p.readerFeatures { proto.append(("readerFeatures", .array(r.map { .string($0) }))) }
            if let w = p.writerFeatures { proto.append(("writerFeatures", .array(w.map { .string($0) }))) }
            let doc = JSONText.object([
                ("version", .int(s.version)),
                ("id", .string(s.metadata.id)),
                ("name", s.metadata.name.map { .string($0) } ?? .null),
                ("description", s.metadata.description.map { .string($0) } ?? .null),
                ("protocol", .object(proto)),
                ("schema", schemaJSON),
                ("partitionColumns", .array(s.partitionColumns.map { .string($0) })),
                ("properties", TableSupport.json(s.metadata.configuration)),
                ("numFiles", .int(Int64(summary.numFiles))),
                ("sizeInBytes", .int(summary.sizeInBytes)),
                ("numRows", summary.numRows.map { .int($0) } ?? .null),
            ])
            if json {
                StandardOutput.line(doc.pretty)
            } else {
                StandardOutput.line("version:           \(s.version)")
                StandardOutput.line("protocol:          reader \(p.minReaderVersion), writer \(p.minWriterVersion)" + ((p.writerFeatures ?? []).isEmpty ? "" : " [\((p.writerFeatures ?? []).joined(separator: ", "))]"))
                StandardOutput.line("schema:            " + s.schema.fields.map { "\($0.name) \($0.type.name)\($0.nullable ? "" : " not null")" }.joined(separator: ", "))
                StandardOutput.line("partition columns: \(s.partitionColumns.joined(separator: ", "))")
                StandardOutput.line("properties:        " + s.metadata.configuration.keys.sorted().map { "\($0)=\(s.metadata.configuration[$0] ?? "")" }.joined(separator: ", "))
                StandardOutput.line("files:             \(summary.numFiles)")
                StandardOutput.line("bytes:             \(summary.sizeInBytes)")
                StandardOutput.line("rows:              \(summary.numRows.map(String.init) ?? "unknown")")
            }
        }
    }
}
