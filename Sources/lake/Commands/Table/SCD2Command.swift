import ArgumentParser
import Lake

/// `lake scd2 TABLE SOURCE --keys ... [--track ...]`: a Slowly Changing Dimension Type 2 load in one commit.
struct SCD2Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scd2",
        abstract: "Load a source into a Type 2 dimension table (history with validity intervals), in one commit.",
        discussion: """
            New keys insert a current row; keys whose tracked columns changed (null-safe) get their current row \
            closed at the effective time and a new current row; unchanged keys stay as they are. The first load \
            creates the table: the source's columns plus is_current, valid_from and valid_to. Loading the same \
            source twice changes nothing the second time. A key given twice, a null key, or a row effective \
            before its key's current version began fails, naming the key, and commits nothing.

            Examples:
              lake scd2 /data/customers source.parquet --keys customer_id --track segment,city --effective-column updated_at
            """
    )

    @Argument(help: "The dimension table location: a directory path, file:// or s3:// URI (created by the first load).")
    var table: String

    @Argument(help: "The source: a .parquet, .csv, .ndjson or .jsonl file, or a Delta table directory.")
    var source: String

    @Option(help: "Comma-separated key columns.")
    var keys: String

    @Option(help: "Comma-separated tracked columns (default: every source column but the keys and the effective-time column).")
    var track: String?

    @Option(name: .customLong("effective-at"), help: "When the source's versions take effect: ms since the epoch or ISO 8601 (default: now).")
    var effectiveAt: String?

    @Option(name: .customLong("effective-column"), help: "A source column holding each row's effective time instead.")
    var effectiveColumn: String?

    @Flag(name: .customLong("close-missing"), help: "Close the current rows of keys the source lacks.")
    var closeMissing = false

    @Flag(name: .customLong("update-untracked"), help: "Update untracked columns of unchanged keys in place.")
    var updateUntracked = false

    @Option(name: .customLong("current-column"), help: "The current-flag column (default is_current).")
    var currentColumn = "is_current"

    @Option(name: .customLong("start-column"), help: "The validity start column (default valid_from).")
    var startColumn = "valid_from"

    @Option(name: .customLong("end-column"), help: "The validity end column (default valid_to).")
    var endColumn = "valid_to"

    @Option(name: .customLong("source-version"), help: "The version of a source table to read (default: latest).")
    var sourceVersion: Int64?

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        if effectiveAt != nil && effectiveColumn != nil { throw ValidationError("give --effective-at or --effective-column, not both") }
        if (TableSupport.list(keys) ?? []).isEmpty { throw ValidationError("--keys needs at least one column") }
    }

    func run() async throws {
        try await runReportingErrors {
            let effective: SCD2.EffectiveTime
            if let effectiveColumn {
                effective = .column(effectiveColumn)
            } else if let effectiveAt {
                effective = .at(try Int64(effectiveAt).map { $0 * 1000 } ?? TableSupport.timestampMicros(effectiveAt, option: "--effective-at"))
            } else {
                effective = .now
            }
            var options = SCD2.Options(keys: TableSupport.list(keys) ?? [], tracked: TableSupport.list(track) ?? [], effective: effective)
            options.closeMissing = closeMissing
            options.updateUntracked = updateUntracked
            options.currentColumn = currentColumn
            options.startColumn = startColumn
            options.endColumn = endColumn
            let src: Merge.Source
            if MergeCommand.isTable(source) {
                src = .table(try DeltaTable(location: source), version: sourceVersion)
            } else {
                guard sourceVersion == nil else { throw LakeError.invalidRequest("--source-version applies to a table source; \(source) is a file") }
                src = .file(source)
            }
            let (s, m) = try await SCD2(table: try DeltaTable(location: table), source: src, options: options).execute()
            OperationOutput.print(m, version: s.version, changed: m.committed, json: json, unchanged: "no key changed")
        }
    }
}
