import ArgumentParser
import Lake

/// `lake optimize TABLE [--target-size SIZE] [--where EXPR] [--max-commit-bins N]`: Delta's `OPTIMIZE`
/// (bin-packing compaction).
struct OptimizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Compact the small files of a Delta table into files of about the target size.",
        discussion: """
            In each partition (those --where selects), files smaller than the target size are rewritten into \
            files of about that size; files at size, and partitions with fewer than two small files, are left \
            alone, so a second run does nothing. Rows deleted through deletion vectors stay deleted. The commit \
            only rearranges files (dataChange=false): appends committed meanwhile are kept; exit code 3 when \
            another writer removed a file being compacted.
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(name: .customLong("target-size"), help: "Target file size: bytes or a size like 64MB, 1GiB (default: the table's delta.targetFileSize, else 256MiB).")
    var targetSize: String?

    @Option(name: .customLong("where"), help: "A SQL predicate over partition columns selecting the partitions to compact, e.g. \"date >= '2024-01-01'\".")
    var predicate: String?

    @Option(name: .customLong("max-commit-bins"), help: "Commit every N bins on their own, so a killed run keeps the work done (default: one commit).")
    var maxCommitBins: Int?

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        if let targetSize {
            guard let bytes = ByteSize.parse(targetSize), bytes >= 1 else {
                throw ValidationError("--target-size \(targetSize) is not a size: give bytes or a number with a unit (KB, MB, GB, KiB, MiB, GiB), e.g. 64MB")
            }
        }
        if let maxCommitBins, maxCommitBins < 1 { throw ValidationError("--max-commit-bins must be at least 1") }
    }

    func run() async throws {
        try await runReportingErrors {
            let options = Optimize.Options(targetSize: targetSize.flatMap(ByteSize.parse), predicate: predicate, maxCommitBins: maxCommitBins)
            let (s, m) = try await Optimize(table: try DeltaTable(location: table), options: options).execute()
            OperationOutput.print(m, version: s.version, changed: m.commits > 0, json: json, unchanged: "no files to compact")
        }
    }
}
