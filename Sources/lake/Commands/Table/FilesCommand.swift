import ArgumentParser
import DeltaLog
import Lake

/// `lake files TABLE`: the active data files of a table version.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "List the active data files of a Delta table version with partition values and stats."
    )

    @Argument(help: "The table location: a directory path or file:// URI.")
    var table: String

    @Option(help: "List the files of this version instead of the latest.")
    var version: Int64?

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let (_, files) = try await Files(table: try DeltaTable(location: table), version: try TableSupport.versionSpec(version: version, timestamp: nil)).execute()
            if json {
                let items: [JSONText] = files.map { f in
                    .object([
                        ("path", .string(f.path)),
                        ("partitionValues", TableSupport.json(f.partitionValues)),
                        ("size", .int(f.size)),
                        ("modificationTime", .int(f.modificationTime)),
                        ("stats", f.stats.flatMap { try? JSONValue.parse($0) }.map(TableSupport.json) ?? .null),
                        ("deletionVector", f.deletionVector.map { .string($0.uniqueId) } ?? .null),
                    ])
                }
                StandardOutput.line(JSONText.array(items).pretty)
            } else {
                for f in files { StandardOutput.line("\(f.path)\t\(f.size)\t\(f.stats ?? "")") }
            }
        }
    }
}
