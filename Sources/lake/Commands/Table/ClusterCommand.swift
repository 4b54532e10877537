import ArgumentParser
import Lake

/// `lake cluster TABLE --by c1,c2` / `--none`: change a table's liquid clustering columns.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Set or clear a Delta table's liquid clustering columns (ALTER TABLE CLUSTER BY).",
        discussion: """
            Records the columns in the delta.clustering domain (upgrading the protocol to the clustering \
            writer feature when the table was not clustered; a partitioned table cannot be). No file is \
            rewritten: `lake optimize` clusters by the new columns. `--none` (CLUSTER BY NONE) keeps the table \
            clustered by no column; on a table that is not clustered it commits nothing.

            Examples:
              lake cluster /data/orders --by customer_id,product_id
              lake cluster /data/orders --none
            """
    )

    @Argument(help: "The table location: a directory path or file:// URI.")
    var table: String

    @Option(help: "Comma-separated clustering columns: at most 4 top-level columns of numeric, decimal, date, timestamp or string type, among the columns whose stats are collected.")
    var by: String?

    @Flag(help: "Cluster by no column (CLUSTER BY NONE).")
    var none = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if none == (by != nil) { throw ValidationError("give either --by c1,c2 or --none") }
        if let by, (TableSupport.list(by) ?? []).isEmpty { throw ValidationError("--by: name at least one column (or use --none)") }
    }

    func run() async throws {
        try await runReportingErrors {
            let columns = none ? [] : TableSupport.list(by) ?? []
            let (s, m) = try await Cluster(table: try DeltaTable(location: table), columns: columns).execute()
            if json {
                StandardOutput.line(TableDocuments.cluster(m).pretty)
            } else if m.changed {
                StandardOutput.line("version \(s.version)")
                StandardOutput.line("clustering columns  " + (m.newColumns.isEmpty ? "none" : m.newColumns.joined(separator: ", ")))
                StandardOutput.line("previously          " + (m.oldColumns.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") } ?? "not clustered"))
            } else {
                StandardOutput.line("the table is not clustered: nothing committed (table at version \(s.version))")
            }
        }
    }
}
