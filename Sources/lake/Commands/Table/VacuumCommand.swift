import ArgumentParser
import Lake

/// `lake vacuum TABLE [--retain 168h] [--dry-run] [--force] [--json]`: Delta's `VACUUM`.
struct VacuumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vacuum",
        abstract: "Delete the files a Delta table no longer references and that are older than the retention.",
        discussion: """
            Deletes data, deletion vector and change data files that the current version does not reference, \
            that no removal inside the retention references, and that were last modified before the retention \
            (so files of writers that never committed go too). Never touches _delta_log/ or other hidden files. \
            The retention defaults to the table's delta.deletedFileRetentionDuration (7 days); a shorter one \
            needs --force. VACUUM START and VACUUM END commits record the run in the history; --dry-run lists \
            the files and bytes that would go and commits nothing. Versions whose files were vacuumed can no \
            longer be read by time travel.

            Examples:
              lake vacuum /data/orders --dry-run
              lake vacuum /data/orders --retain 168h
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "Keep files removed or modified within this long: 168h, 7d, 30m, 0h (default: the table's retention).")
    var retain: String?

    @Flag(help: "List the files and bytes that would be deleted; delete and commit nothing.")
    var dryRun = false

    @Flag(help: "Allow a retention shorter than the table's delta.deletedFileRetentionDuration.")
    var force = false

    @Flag(help: "Print the metrics (and a dry run's files) as JSON.")
    var json = false

    @Flag(help: "No progress line and no summary (errors still go to stderr; --json still prints).")
    var quiet = false

    func run() async throws {
        try await runReportingErrors {
            let options = Vacuum.Options(retentionMillis: try retain.map(RetentionDuration.parseShort), dryRun: dryRun, force: force)
            var vacuum = Vacuum(table: try DeltaTable(location: table), options: options)
            let display = ProgressDisplay("vacuum", enabled: !quiet && !json)
            vacuum.progress = display.tracker
            defer { display.finish() }
            let m = try await vacuum.execute()
            display.finish()
            if json {
                StandardOutput.line(TableDocuments.vacuum(m).pretty)
            } else if dryRun {
                for file in m.files { StandardOutput.line(file) }
                StandardOutput.line("dry run: \(m.numFilesToDelete) files, \(m.sizeOfDataToDelete) bytes would be deleted (retention \(m.retentionMillis) ms); nothing deleted or committed")
            } else if !quiet {
                OperationOutput.print(m, version: m.endVersion ?? -1, changed: m.endVersion != nil, json: false,
                                      unchanged: "no files to delete")
            }
        }
    }
}
