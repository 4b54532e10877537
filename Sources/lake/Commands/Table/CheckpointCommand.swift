import ArgumentParser
import DeltaLog
import Lake

/// `--format` of `lake checkpoint`: the top-level file of a V2 checkpoint.
enum CheckpointFormatOption: String, ExpressibleByArgument, CaseIterable {
    case parquet, json

    /// The writer's format.
    var format: V2CheckpointWriter.Format { self == .json ? .json : .parquet }
}

/// `lake checkpoint TABLE [--format parquet|json]`: write a checkpoint of the latest version.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Write a checkpoint of the latest version, update _last_checkpoint and remove expired log files.",
        discussion: """
            Tables with the v2Checkpoint feature (created with --property delta.checkpointPolicy=v2) get a \
            UUID-named V2 checkpoint whose add and remove actions are in sidecar files under \
            _delta_log/_sidecars/; other tables get a classic Parquet checkpoint.

            Examples:
              lake checkpoint /data/orders
              lake checkpoint /data/events --format json
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "Format of a V2 checkpoint's top-level file: parquet (default) or json (v2Checkpoint tables only).")
    var format: CheckpointFormatOption?

    @Flag(help: "Print the checkpoint's version, kind, sidecar count and the files log cleanup removed as JSON.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let t = try DeltaTable(location: table)
            let snapshot = try await Snapshot.load(store: t.store, location: table)
            let written = try await TableCheckpoint(table: t, format: format?.format).execute(snapshot)
            let cleaned = try await LogCleanup(table: t).execute()
            if json {
                StandardOutput.line(JSONDocument.object([
                    ("version", .int(snapshot.version)), ("v2", .bool(written.lastCheckpoint.v2Checkpoint != nil)),
                    ("sidecars", .int(Int64(written.sidecars.count))), ("logFilesRemoved", .int(Int64(cleaned.deleted.count))),
                    ("sidecarsRemoved", .int(Int64(cleaned.deletedSidecars.count))),
                ]).pretty)
                return
            }
            if written.lastCheckpoint.v2Checkpoint != nil {
                StandardOutput.line("v2 checkpoint written at version \(snapshot.version) with \(written.sidecars.count) sidecar files")
            } else {
                StandardOutput.line("checkpoint written at version \(snapshot.version)")
            }
            if !cleaned.deleted.isEmpty { StandardOutput.line("removed \(cleaned.deleted.count) expired log files before version \(cleaned.keptCheckpointVersion ?? 0)") }
            if !cleaned.deletedSidecars.isEmpty { StandardOutput.line("removed \(cleaned.deletedSidecars.count) unreferenced sidecar files") }
        }
    }
}
