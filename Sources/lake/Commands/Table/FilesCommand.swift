import ArgumentParser
import DeltaLog
import Lake

/// `lake files TABLE`: the active data files of a table version.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "List the active data files of a Delta table version with partition values and stats.",
        discussion: """
            Examples:
              lake files /data/orders --json
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "List the files of this version instead of the latest.")
    var version: Int64?

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let (_, files) = try await Files(table: try DeltaTable(location: table), version: try TableSupport.versionSpec(version: version, timestamp: nil)).execute()
            if json {
                StandardOutput.line(JSONDocument.array(files.map(TableDocuments.file)).pretty)
            } else {
                for f in files { StandardOutput.line("\(f.path)\t\(f.size)\t\(f.stats ?? "")") }
            }
        }
    }
}
