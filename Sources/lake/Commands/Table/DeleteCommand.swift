import ArgumentParser
import Lake

/// `lake delete TABLE [--where EXPR]`: Delta's `DELETE FROM`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete the rows of a Delta table that match a predicate (all rows without --where), in one commit.",
        discussion: """
            Files whose partition values satisfy the predicate are removed without being read; files whose stats \
            rule it out are not opened; other files are rewritten without the deleted rows. Rows where the \
            predicate is NULL are kept, as in SQL. Nothing is committed when no row matches.

            Examples:
              lake delete /data/orders --where "status = 'cancelled'"
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(name: .customLong("where"), help: "A SQL predicate selecting the rows to delete, e.g. \"region = 'EU' AND amount < 0\" (default: every row).")
    var predicate: String?

    @Option(name: .customLong("target-file-size"), help: "Target size in bytes of rewritten files (default: the table's delta.targetFileSize, else 134217728).")
    var targetFileSize: Int?

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        if let targetFileSize, targetFileSize < 1 { throw ValidationError("--target-file-size must be at least 1 byte") }
    }

    func run() async throws {
        try await runReportingErrors {
            var options = Delete.Options(predicate: predicate)
            options.targetFileSize = targetFileSize
            let (s, m) = try await Delete(table: try DeltaTable(location: table), options: options).execute()
            OperationOutput.print(m, version: s.version, changed: m.numRemovedFiles > 0, json: json)
        }
    }
}
