import ArgumentParser
import DeltaLog
import Lake

/// `lake history TABLE`: the commits of a table, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the commit history of a Delta table, newest first."
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
                for e in entries {
                    let op = e.commitInfo?.operation ?? "-"
                    let params = e.commitInfo?.operationParameters.map { JSONDocument(.object($0)).compact } ?? ""
                    StandardOutput.line("\(e.version)\t\(e.timestamp)\t\(op)\t\(params)")
                }
            }
        }
    }
}
