import ArgumentParser
import Lake

/// `lake restore TABLE (--version N | --timestamp T)`: Delta's `RESTORE TABLE ... TO VERSION/TIMESTAMP AS OF`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a Delta table to an earlier version or time, in one commit.",
        discussion: """
            Files added since that version are removed and files removed since are added back (the old \
            version's schema and properties come back too); the table then reads as that version did. Fails, \
            naming them, when vacuum already deleted files of that version, and commits nothing then. A restore \
            to a version that reads as the current one commits nothing. Exit code 3 when another writer changed \
            the table meanwhile.

            Examples:
              lake restore /data/orders --version 12
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "The version to restore.")
    var version: Int64?

    @Option(help: "Restore the latest version at or before this time (ms since the epoch or ISO 8601).")
    var timestamp: String?

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        if version == nil && timestamp == nil { throw ValidationError("give the version to restore with --version N or --timestamp T") }
        if let version, version < 0 { throw ValidationError("--version must be 0 or more") }
    }

    func run() async throws {
        try await runReportingErrors {
            let spec = try TableSupport.versionSpec(version: version, timestamp: timestamp)
            let (s, m) = try await Restore(table: try DeltaTable(location: table), to: spec).execute()
            OperationOutput.print(m, version: s.version, changed: m.committed, json: json,
                                  unchanged: "the table already reads as version \(m.restoredVersion)")
        }
    }
}
