import ArgumentParser
import DeltaLog
import Lake

/// `lake checkpoint TABLE`: write a classic Parquet checkpoint of the latest version.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Write a classic Parquet checkpoint of the latest version and update _last_checkpoint."
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    func run() async throws {
        try await runReportingErrors {
            let t = try DeltaTable(location: table)
            let snapshot = try await Snapshot.load(store: t.store, location: table)
            _ = try await CheckpointWriter.write(snapshot)
            StandardOutput.line("checkpoint written at version \(snapshot.version)")
            let cleaned = try await LogCleanup(table: t).execute()
            if !cleaned.deleted.isEmpty { StandardOutput.line("removed \(cleaned.deleted.count) expired log files before version \(cleaned.keptCheckpointVersion ?? 0)") }
        }
    }
}
