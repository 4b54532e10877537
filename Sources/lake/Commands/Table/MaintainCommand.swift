import ArgumentParser
import Foundation
import Lake

/// `lake maintain TABLE... | --root DIR`: the nightly job, one summary line per table.
struct MaintainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintain",
        abstract: "Compact, checkpoint (when due, with log cleanup) and vacuum tables: the nightly job in one command.",
        discussion: """
            Each table gets `optimize` with its target file size (with --zorder, an incremental Z-order by those \
            columns instead), a checkpoint when at least \
            delta.checkpointInterval commits came since the last one (then expired log files are removed), and \
            `vacuum` with its own delta.deletedFileRetentionDuration. A table that fails is reported and the \
            others are still done; the exit code is then 1. Safe to run while pipelines write and to run twice.

            Examples:
              lake maintain --root /data/lakehouse
              lake maintain /data/orders --zorder customer_id,product_id --json
            """
    )

    @Argument(help: "Table locations (directory paths or file:// URIs).")
    var tables: [String] = []

    @Option(help: "Maintain every table directly under this directory (each subdirectory with a _delta_log).")
    var root: String?

    @Option(name: .customLong("zorder"), help: "Z-order every table by these comma-separated columns instead of compacting it.")
    var zOrder: String?

    @Option(name: .customLong("memory-limit"), help: "Memory a Z-order may hold at once, e.g. 2GiB (default: 512MiB, less on a machine with under 2GiB; more is faster).")
    var memoryLimit: String?

    @Flag(help: "Print one JSON object per table instead of a summary line.")
    var json = false

    @Flag(help: "No progress line and no summary lines; failures are still reported on stderr and in the exit code.")
    var quiet = false

    func validate() throws {
        if tables.isEmpty && root == nil { throw ValidationError("name the tables, or give --root DIR") }
        if let memoryLimit, (ByteSize.parse(memoryLimit) ?? 0) < 1 << 20 {
            throw ValidationError("--memory-limit \(memoryLimit) is not a size of at least 1MiB: give bytes or a number with a unit, e.g. 2GiB")
        }
    }

    func run() async throws {
        var locations = tables
        if let root {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            locations += names.sorted().map { root + "/" + $0 }.filter { MergeCommand.isTable($0) }
            if names.isEmpty { StandardError.line("lake: no tables under \(root)") }
        }
        var failed = 0
        for location in locations {
            let display = ProgressDisplay(location, enabled: !quiet && !json)
            do {
                let options = Optimize.Options(zOrderBy: zOrder.map(OptimizeCommand.columnList) ?? [], memoryLimit: memoryLimit.flatMap(ByteSize.parse))
                var maintain = Maintain(table: try DeltaTable(location: location), optimize: options)
                maintain.progress = display.tracker
                let m = try await maintain.execute()
                display.finish()
                if quiet {
                    continue
                } else if json {
                    StandardOutput.line(JSONDocument.object([
                        ("table", .string(location)), ("ok", .bool(true)),
                        ("filesCompacted", .int(Int64(m.optimize.numFilesRemoved))), ("filesWritten", .int(Int64(m.optimize.numFilesAdded))),
                        ("checkpointVersion", m.checkpointVersion.map { .int($0) } ?? .null), ("logFilesRemoved", .int(Int64(m.logFilesRemoved))),
                        ("filesVacuumed", .int(Int64(m.vacuum.numDeletedFiles))), ("bytesVacuumed", .int(m.vacuum.sizeOfDataToDelete)),
                    ]).compact)
                } else {
                    let checkpoint = m.checkpointVersion.map { "checkpoint at \($0), \(m.logFilesRemoved) old log files removed" } ?? "no checkpoint due"
                    StandardOutput.line("\(location): ok: compacted \(m.optimize.numFilesRemoved) files into \(m.optimize.numFilesAdded); \(checkpoint); vacuumed \(m.vacuum.numDeletedFiles) files (\(m.vacuum.sizeOfDataToDelete) bytes)")
                }
            } catch {
                display.finish()
                failed += 1
                if quiet {
                    StandardError.line("lake: \(location): failed: \(error.message)")
                } else if json {
                    StandardOutput.line(JSONDocument.object([("table", .string(location)), ("ok", .bool(false)), ("error", .string(error.message))]).compact)
                } else {
                    StandardOutput.line("\(location): failed: \(error.message)")
                }
            }
        }
        if failed > 0 {
            StandardError.line("lake: \(failed) of \(locations.count) tables failed")
            throw ExitCode(1)
        }
    }
}
