import ArgumentParser
import DeltaLog
import Lake

/// `lake history TABLE`: the commits of a table, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the commit history of a Delta table, newest first.",
        discussion: """
            One line per commit: version, commit time (ISO 8601, UTC; the time --timestamp resolves), operation and \
            its parameters. With --json, the commitInfo objects with their version, `timestamp` (as the commit \
            recorded it) and `commitTime` (the time time travel uses), in milliseconds.

            Examples:
              lake history /data/orders --limit 10
              lake history /data/orders --json
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "Show at most this many commits.")
    var limit: Int?

    @Flag(help: "Print a JSON array of commitInfo objects with their version.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let (entries, _) = try await History(table: try DeltaTable(location: table), limit: limit).execute()
            if json {
                StandardOutput.line(JSONDocument.array(entries.map(TableDocuments.history)).pretty)
            } else {
                var table = AlignedTable(header: ["VERSION", "TIMESTAMP", "OPERATION", "PARAMETERS"])
                for e in entries {
                    let op = e.commitInfo?.operation ?? "-"
                    let params = e.commitInfo?.operationParameters.map { JSONDocument(.object($0)).compact } ?? ""
                    table.rows.append([String(e.version), TimestampText.iso(e.timestamp), op, params])
                }
                table.print()
            }
        }
    }
}
