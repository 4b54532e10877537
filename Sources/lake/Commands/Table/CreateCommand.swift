import ArgumentParser
import DataFrame
import Lake

/// `lake create TABLE --schema ...`: create an empty Delta table.
struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an empty Delta table (fails if one exists).",
        discussion: """
            Examples:
              lake create /data/orders --schema 'order_id long not null, amount double, day date' --partition-by day
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "The schema, e.g. \"id long not null, name string, ts timestamp\".")
    var schema: String

    @Option(name: .customLong("partition-by"), help: "Comma-separated partition columns.")
    var partitionBy: String?

    @Option(name: .customLong("cluster-by"), help: "Comma-separated liquid clustering columns (at most 4 top-level columns with stats; not with --partition-by). `lake optimize` then clusters by them.")
    var clusterBy: String?

    @Option(name: .customLong("property"), help: "A table property key=value (repeatable), e.g. delta.columnMapping.mode=name (or id): columns get ids and physical names.")
    var properties: [String] = []

    @Option(help: "The table name recorded in the metadata.")
    var name: String?

    @Option(help: "The table description recorded in the metadata.")
    var description: String?

    @Flag(help: "Print the new table's location and version as JSON.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            var props: [String: String] = [:]
            for p in properties {
                guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw ValidationError("--property \(p): expected key=value") }
                props[String(p[..<eq])] = String(p[p.index(after: eq)...])
            }
            let clustering = TableSupport.list(clusterBy)
            if clustering?.isEmpty == true { throw ValidationError("--cluster-by: name at least one column") }
            if clustering != nil && partitionBy != nil { throw ValidationError("--cluster-by and --partition-by cannot be used together: a Delta table is either partitioned or clustered") }
            let options = CreateTable.Options(
                schema: try SchemaString.parse(schema), partitionColumns: TableSupport.list(partitionBy) ?? [],
                properties: props, name: name, description: description, clusterBy: clustering)
            let (snapshot, _) = try await CreateTable(table: try DeltaTable(location: table), options: options).execute()
            if json {
                StandardOutput.line(JSONDocument.object([("table", .string(table)), ("version", .int(snapshot.version))]).pretty)
            } else {
                StandardOutput.line("created \(table) at version \(snapshot.version)")
            }
        }
    }
}
