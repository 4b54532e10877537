import ArgumentParser
import Columnar
import DataFrame
import Foundation
import Parquet

/// `lake bench OP`: one benchmark operation done in-process, timed, for `tools/bench`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one operation in-process (used by tools/bench); prints one JSON line.",
        shouldDisplay: false
    )

    /// The operations `tools/bench` can ask for.
    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case parquetWrite = "parquet-write"
        case parquetRead = "parquet-read"
        case frameFilter = "frame-filter"
        case frameGroupBy = "frame-groupby"
        case frameJoin = "frame-join"
        case frameSort = "frame-sort"
        case frameWindow = "frame-window"
    }

    @Argument(help: "Operation: \(BenchOperationName.allValueStrings.joined(separator: ", ")).")
    var op: BenchOperationName

    @Option(help: "Input file (for the delta-* operations that read a table: the table directory).")
    var input: String

    @Option(help: "Second input file: the customers table for frame-join, the source for delta-merge.")
    var input2: String?

    @Option(help: "Output file, for operations that write.")
    var output: String?

    @Option(help: "Codec for operations that write.")
    var compression: CompressionOption = .snappy

    @Option(help: "Repeat the timed part this many times and report the best.")
    var `repeat`: Int = 1

    func run() async throws {
        try await runReportingErrors {
            var best = Double.infinity
            var rows = 0
            switch op {
            case .base(.parquetRead):
                for _ in 0..<max(1, `repeat`) {
                    let t = ContinuousClock.now
                    let batch = try ParquetReader(path: input).read()
                    best = min(best, t.duration(to: .now).seconds)
                    rows = batch.rowCount
                }
            case .base(.parquetWrite):
                guard let output else { throw ValidationError("parquet-write needs --output") }
                let batch = try ParquetReader(path: input).read()
                rows = batch.rowCount
                var options = ParquetWriterOptions()
                options.compression = compression.codec
                for _ in 0..<max(1, `repeat`) {
                    let t = ContinuousClock.now
                    let bytes = try ParquetWriter.write([batch], schema: batch.schema, options: options)
                    try FileOutput.replace(output, with: bytes)
                    best = min(best, t.duration(to: .now).seconds)
                }
            case let .base(frameOp):
                (best, rows) = try FrameBench.run(frameOp, input: input, input2: input2, repeat: max(1, `repeat`))
            case let .delta(deltaOp):
                (best, rows) = try await DeltaBench.run(deltaOp, input: input, input2: input2, output: output, repeat: max(1, `repeat`))
            }
            // The peak resident size is read here, in this process, because a parent's wait4 ru_maxrss on Linux
            // also counts the parent's own footprint from before exec.
            let peak = Self.peakResidentKiB().map { #", "peak_kib": \#($0)"# } ?? ""
            StandardOutput.line(#"{"op": "\#(op.rawValue)", "seconds": \#(best), "rows": \#(rows)\#(peak)}"#)
        }
    }
}

extension BenchCommand {
    /// This process's peak resident set size in KiB (`VmHWM` in /proc/self/status), or nil where that file
    /// does not exist (not Linux).
    static func peakResidentKiB() -> Int? {
        // Read with POSIX calls: procfs files report size 0, which Foundation's file readers take as empty.
        let fd = open("/proc/self/status", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard got > 0 else { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:\t  123456 kB": a tab, then padding spaces.
            let fields = line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = fields.first, let kib = Int(first) else { return nil }
            return kib
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
