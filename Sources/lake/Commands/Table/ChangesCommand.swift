import ArgumentParser
import Columnar
import DataFrame
import Lake
import Parquet

/// `lake changes TABLE --from N [--to M]`: the change data feed of a table between two versions or times.
struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "Read the change data feed of a Delta table between two versions or times.",
        discussion: """
            Prints every row inserted, deleted or updated by the commits of the range, with _change_type \
            (insert, delete, update_preimage, update_postimage), _commit_version and _commit_timestamp, in \
            commit order. The table must have had delta.enableChangeDataFeed=true for every version of the range \
            (the commit that set it is the first readable one); otherwise the command fails naming the version. \
            A --to past the latest version reads up to the latest. With --format ndjson or csv on stdout, rows \
            are printed commit by commit, so memory follows one commit.

            Examples:
              lake changes /data/orders --from 5 --to 9
              lake changes /data/orders --from 5 --format ndjson
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(help: "The first version to read.")
    var from: Int64?

    @Option(help: "The last version to read (default: the latest).")
    var to: Int64?

    @Option(name: .customLong("from-timestamp"), help: "Start at the first commit at or after this time (ms since the epoch or ISO 8601).")
    var fromTimestamp: String?

    @Option(name: .customLong("to-timestamp"), help: "End at the last commit at or before this time (ms since the epoch or ISO 8601).")
    var toTimestamp: String?

    @Option(help: "Comma-separated table columns to return (default: all); the change columns always follow.")
    var columns: String?

    @Option(help: "Output format: table, ndjson, csv or parquet (parquet needs --output).")
    var format: TableReadFormat = .table

    @Option(help: "Write the output to this file instead of stdout.")
    var output: String?

    @Flag(help: "After the rows, print one JSON line on stderr: startVersion, endVersion, commitsRead, filesRead, bytesRead, rowsReturned.")
    var metrics = false

    func validate() throws {
        if from == nil && fromTimestamp == nil { throw ValidationError("give where the changes start with --from N or --from-timestamp T") }
        if from != nil && fromTimestamp != nil { throw ValidationError("give either --from or --from-timestamp, not both") }
        if to != nil && toTimestamp != nil { throw ValidationError("give either --to or --to-timestamp, not both") }
        if let from, from < 0 { throw ValidationError("--from must be 0 or more") }
        if let to, to < 0 { throw ValidationError("--to must be 0 or more") }
        if format == .parquet && output == nil { throw ValidationError("--format parquet needs --output FILE") }
    }

    func run() async throws {
        try await runReportingErrors {
            var options = Changes.Options()
            options.from = try bound(version: from, timestamp: fromTimestamp, option: "--from-timestamp") ?? .version(0)
            options.to = try bound(version: to, timestamp: toTimestamp, option: "--to-timestamp") ?? .latest
            options.columns = TableSupport.list(columns)
            let changes = Changes(table: try DeltaTable(location: table), options: options)
            let m: Changes.Metrics
            if output == nil && (format == .ndjson || format == .csv) {
                // Streamed: each commit's rows are printed before the next commit is read.
                var first = true
                m = try await changes.execute { (c: Changes.CommitChanges) throws(LakeError) in
                    var out: [UInt8] = []
                    if format == .ndjson { BatchText.ndjson(c.frame.batch, to: &out) } else { BatchText.csv(c.frame.batch, header: first, to: &out) }
                    first = false
                    StandardOutput.write(out)
                }
            } else {
                let (frame, done) = try await changes.execute()
                m = done
                try TableReadFormat.emit(try format.encode(frame.batch), to: output)
            }
            if metrics { StandardError.line(TableDocuments.changeMetrics(m).compact) }
        }
    }

    /// The bound `--from`/`--to` or its timestamp option gives, nil when neither was given.
    private func bound(version: Int64?, timestamp: String?, option: String) throws -> VersionSpec? {
        if let version { return .version(version) }
        return try timestamp.map { try TableSupport.timestampSpec($0, option: option) }
    }
}
