import ArgumentParser
import Lake

/// `lake optimize TABLE [--zorder c1,c2] [--target-size SIZE] [--where EXPR] [--memory-limit SIZE]
/// [--max-commit-bins N]`: Delta's `OPTIMIZE` (bin-packing compaction) and `OPTIMIZE ... ZORDER BY`.
struct OptimizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Compact the small files of a Delta table, or Z-order its files by some columns.",
        discussion: """
            In each partition (those --where selects), files smaller than the target size are rewritten into \
            files of about that size; files at size, and partitions with fewer than two small files, are left \
            alone, so a second run does nothing. Rows deleted through deletion vectors stay deleted. The commit \
            only rearranges files (dataChange=false): appends committed meanwhile are kept; exit code 3 when \
            another writer removed a file being compacted.

            With --zorder, each partition's rows are sorted by the interleaved bits of the given columns and \
            written as files of about the target size, so predicates on any of those columns skip most files. \
            It is incremental: files it clustered are tagged, a second run with no new data rewrites nothing, \
            and after appends only the new files and the clustered files their rows overlap are rewritten. \
            Partitions larger than --memory-limit are sorted in ranges spilled to $TMPDIR.

            Examples:
              lake optimize /data/orders
              lake optimize /data/orders --zorder customer_id,product_id --target-size 128MB
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(name: .customLong("target-size"), help: "Target file size: bytes or a size like 64MB, 1GiB (default: the table's delta.targetFileSize, else 256MiB).")
    var targetSize: String?

    @Option(name: .customLong("where"), help: "A SQL predicate over partition columns selecting the partitions to compact, e.g. \"date >= '2024-01-01'\".")
    var predicate: String?

    @Option(name: .customLong("zorder"), help: "Z-order by these comma-separated non-partition columns, e.g. customer_id,product_id.")
    var zOrder: String?

    @Option(name: .customLong("memory-limit"), help: "Memory a Z-order may hold at once: bytes or a size like 512MB, 4GiB (default: 512MiB, less on a machine with under 2GiB; more is faster).")
    var memoryLimit: String?

    @Option(name: .customLong("max-commit-bins"), help: "Commit every N bins on their own, so a killed run keeps the work done (default: one commit).")
    var maxCommitBins: Int?

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    @Flag(help: "No progress line and no summary (errors still go to stderr; --json still prints).")
    var quiet = false

    func validate() throws {
        if let targetSize {
            guard let bytes = ByteSize.parse(targetSize), bytes >= 1 else {
                throw ValidationError("--target-size \(targetSize) is not a size: give bytes or a number with a unit (KB, MB, GB, KiB, MiB, GiB), e.g. 64MB")
            }
        }
        if let memoryLimit {
            guard let bytes = ByteSize.parse(memoryLimit), bytes >= 1 << 20 else {
                throw ValidationError("--memory-limit \(memoryLimit) is not a size of at least 1MiB: give bytes or a number with a unit, e.g. 512MB")
            }
        }
        if let zOrder, Self.columnList(zOrder).isEmpty { throw ValidationError("--zorder needs at least one column name, e.g. --zorder customer_id,product_id") }
        if let maxCommitBins, maxCommitBins < 1 { throw ValidationError("--max-commit-bins must be at least 1") }
    }

    func run() async throws {
        try await runReportingErrors {
            let options = Optimize.Options(targetSize: targetSize.flatMap(ByteSize.parse), predicate: predicate, maxCommitBins: maxCommitBins,
                                           zOrderBy: zOrder.map(Self.columnList) ?? [], memoryLimit: memoryLimit.flatMap(ByteSize.parse))
            var optimize = Optimize(table: try DeltaTable(location: table), options: options)
            let display = ProgressDisplay(zOrder == nil ? "optimize" : "z-order", enabled: !quiet && !json)
            optimize.progress = display.tracker
            defer { display.finish() }
            let (s, m) = try await optimize.execute()
            display.finish()
            if quiet && !json { return }
            OperationOutput.print(m, version: s.version, changed: m.commits > 0, json: json, unchanged: zOrder == nil ? "no files to compact" : "no files to Z-order")
        }
    }

    /// The column names of a comma-separated list (`--zorder`).
    static func columnList(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
}
