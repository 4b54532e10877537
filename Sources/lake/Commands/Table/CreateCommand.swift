import ArgumentParser
import DataFrame
import Lake

/// `lake create TABLE --schema ...`: create an empty Delta table.
struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an empty Delta table (fails if one exists)."
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "The schema, e.g. \"id long not null, name string, ts timestamp\".")
    var schema: String

    @Option(name: .customLong("partition-by"), help: "Comma-separated partition columns.")
    var partitionBy: String?

    @Option(name: .customLong("property"), help: "A table property key=value (repeatable), e.g. delta.columnMapping.mode=name (or id): columns get ids and physical names.")
    var properties: [String] = []

    @Option(help: "The table name recorded in the metadata.")
    var name: String?

    @Option(help: "The table description recorded in the metadata.")
    var description: String?

    func run() async throws {
        try await runReportingErrors {
            var props: [String: String] = [:]
            for p in properties {
                guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw ValidationError("--property \(p): expected key=value") }
                props[String(p[..<eq])] = String(p[p.index(after: eq)...])
            }
            let options = CreateTable.Options(
                schema: try SchemaString.parse(schema), partitionColumns: TableSupport.list(partitionBy) ?? [],
                properties: props, name: name, description: description)
            let (snapshot, _) = try await CreateTable(table: try DeltaTable(location: table), options: options).execute()
            StandardOutput.line("created \(table) at version \(snapshot.version)")
        }
    }
}
