import ArgumentParser
import DataFrame
import DeltaLog
import Foundation
import Lake
import Parquet

/// The Delta table rows of the standard workload (shared/bench/WORKLOAD.md) for `lake bench`: inputs are
/// loaded (and split) untimed, outputs go to fresh directories prepared untimed, and only the table operation
/// is timed, best of `repeat`.
enum DeltaBench {
    /// The Delta operations `tools/bench` can ask for.
    enum Operation: String, CaseIterable, Sendable {
        /// Write the orders data into a new table, one commit (--input orders.parquet, --output table dir).
        case write = "delta-write"
        /// `lake write` of the orders file into a new table: read and written in bounded batches, timed whole
        /// (--input orders.parquet, --output table dir); its peak is the whole process's.
        case writeFile = "delta-write-file"
        /// Upsert of N/10 source rows, half matching (--input table dir, --input2 source Parquet, --output scratch).
        case merge = "delta-merge"
        /// Delete `status = 'cancelled'` (--input table dir, --output scratch).
        case delete = "delta-delete"
        /// Compact (bin-packing optimize, default target size) a table of many small files (--input table dir, --output scratch).
        case optimize = "delta-optimize"
        /// Z-order by (customer_id, product_id) into `zOrderTargetSize` files (--input table dir, --output scratch).
        case zOrder = "delta-zorder"
        /// Vacuum with retention 0 a table whose small files were compacted away (--input table dir, --output scratch).
        case vacuum = "delta-vacuum"
        /// Full scan of a table into memory (--input table dir).
        case scan = "delta-scan"
        /// Scan with `filterPredicate` (--input table dir).
        case scanFiltered = "delta-scan-filtered"
        /// Scan of two of the six columns with `amount > 900` (--input table location; the S3 row's filtered scan).
        case scanColumns = "delta-scan-columns"
        /// 200 appends of N/200 rows each to a new table (--input orders.parquet, --output scratch dir).
        case appends = "delta-appends"
        /// Read version 0 of a table with several versions (--input table dir).
        case timeTravel = "delta-time-travel"
        /// Load the snapshot of a log of JSON commits; count files and rows from stats (--input table dir).
        case snapshotJSON = "delta-snapshot-json"
        /// The same on a log with a checkpoint (--input table dir).
        case snapshotCheckpoint = "delta-snapshot-checkpoint"
    }

    /// The workload's filtered-scan predicate.
    static let filterPredicate = "amount > 900 AND status = 'completed'"
    /// Target file size of the Z-order row (delta-rs gets the same).
    static let zOrderTargetSize = 64 << 20
    /// Number of commits of the appends row.
    static let appendCount = 200

    /// Runs `op` `count` times; returns the best seconds and the row count of the result.
    static func run(_ op: Operation, input: String, input2: String? = nil, output: String?, repeat count: Int) async throws -> (Double, Int) {
        var best = Double.infinity
        var rows = 0
        var bytes = 0
        switch op {
        case .write:
            let output = try need(output, op)
            let data = DataFrame(try ParquetReader(path: input).read())
            rows = data.rowCount
            for i in 0..<count {
                let dir = try freshDirectory(output, run: i)
                let t = ContinuousClock.now
                var options = Write.Options()
                options.mode = .errorIfExists
                _ = try await Write(table: try DeltaTable(location: dir), data: data, options: options).execute()
                best = min(best, t.duration(to: .now).seconds)
            }
        case .writeFile:
            let output = try need(output, op)
            for i in 0..<count {
                let dir = try freshDirectory(output, run: i)
                let t = ContinuousClock.now
                var options = Write.Options()
                options.mode = .errorIfExists
                let (_, m) = try await Write(table: try DeltaTable(location: dir), data: try InputBatches.stream([input], table: nil), options: options).execute()
                best = min(best, t.duration(to: .now).seconds)
                rows = m.numOutputRows
            }
        case .merge, .delete, .optimize, .zOrder, .vacuum:
            let output = try need(output, op)
            let source = try op == .merge ? DataFrame(ParquetReader(path: need(input2, op)).read()) : nil
            for i in 0..<count {
                // A fresh copy of the table per run, made untimed.
                let dir = try freshDirectory(output, run: i) + "/t"
                try FileManager.default.copyItem(atPath: input, toPath: dir)
                let table = try DeltaTable(location: dir)
                let t = ContinuousClock.now
                if let source {
                    let (_, m) = try await Merge(table: table, source: .frame(source), on: "target.order_id = source.order_id").execute()
                    rows = m.numSourceRows
                } else if op == .optimize {
                    let (_, m) = try await Optimize(table: table).execute()
                    rows = m.numFilesRemoved
                } else if op == .zOrder {
                    let options = Optimize.Options(targetSize: zOrderTargetSize, zOrderBy: ["customer_id", "product_id"])
                    let (_, m) = try await Optimize(table: table, options: options).execute()
                    rows = m.numFilesRemoved
                } else if op == .vacuum {
                    let m = try await Vacuum(table: table, options: .init(retentionMillis: 0, force: true)).execute()
                    rows = m.numDeletedFiles
                } else {
                    let (_, m) = try await Delete(table: table, options: .init(predicate: "status = 'cancelled'")).execute()
                    rows = m.numDeletedRows
                }
                best = min(best, t.duration(to: .now).seconds)
            }
        case .appends:
            let output = try need(output, op)
            let data = DataFrame(try ParquetReader(path: input).read())
            let per = max(1, (data.rowCount + appendCount - 1) / appendCount)
            var slices: [DataFrame] = []
            var start = 0
            while start < data.rowCount {
                let end = min(data.rowCount, start + per)
                slices.append(data.slice(start..<end))
                start = end
            }
            for i in 0..<count {
                let dir = try freshDirectory(output, run: i)
                let table = try DeltaTable(location: dir)
                let t = ContinuousClock.now
                for slice in slices {
                    _ = try await Write(table: table, data: slice).execute()
                }
                best = min(best, t.duration(to: .now).seconds)
            }
            // Check the result (untimed): the last run's table holds every input row.
            let (_, summary) = try await Info(table: try DeltaTable(location: runDirectory(output, run: count - 1))).execute()
            rows = Int(summary.numRows ?? -1)
        case .scan, .scanFiltered, .scanColumns, .timeTravel:
            var options = Scan.Options()
            if op == .scanFiltered { options.predicate = filterPredicate }
            if op == .scanColumns {
                options.predicate = "amount > 900"
                options.columns = ["customer_id", "amount"]
            }
            if op == .timeTravel { options.version = .version(0) }
            let table = try DeltaTable(location: input)
            for _ in 0..<count {
                let t = ContinuousClock.now
                let (_, frame, m) = try await Scan(table: table, options: options).execute()
                best = min(best, t.duration(to: .now).seconds)
                rows = frame.rowCount
                bytes = m.bytesRead
            }
            // Bytes fetched from the store (footers and the column chunks read), for the S3 rows' report.
            FileHandle.standardError.write(Data("\(op.rawValue): \(bytes) bytes fetched\n".utf8))
        case .snapshotJSON, .snapshotCheckpoint:
            let table = try DeltaTable(location: input)
            for _ in 0..<count {
                let t = ContinuousClock.now
                let (_, summary) = try await Info(table: table).execute()
                guard let n = summary.numRows else {
                    throw ValidationError("\(op.rawValue): some file of \(input) has no numRecords stats")
                }
                best = min(best, t.duration(to: .now).seconds)
                // Files and rows: both reported, rows in the JSON line (files on stderr for a human check).
                rows = Int(n)
                FileHandle.standardError.write(Data("\(op.rawValue): \(summary.numFiles) files, \(n) rows\n".utf8))
            }
        }
        return (best, rows)
    }

    static func need(_ output: String?, _ op: Operation) throws -> String {
        guard let output else { throw ValidationError("\(op.rawValue) needs --output (a scratch directory) and, for delta-merge, --input2") }
        return output
    }

    static func runDirectory(_ output: String, run: Int) -> String {
        (output as NSString).appendingPathComponent("run-\(run)")
    }

    /// An empty directory for run `run` under `output` (removed first when present), created untimed; under an
    /// `s3://` output, a fresh prefix (the bench makes a new one per run and never reuses it).
    static func freshDirectory(_ output: String, run: Int) throws -> String {
        if output.hasPrefix("s3://") { return output + "/run-\(run)-" + UUID().uuidString.lowercased() }
        let dir = runDirectory(output, run: run)
        let fm = FileManager.default
        if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// The `op` argument of `lake bench`: one of `BenchCommand.Operation` or a `DeltaBench.Operation`.
enum BenchOperationName: ExpressibleByArgument {
    case base(BenchCommand.Operation)
    case delta(DeltaBench.Operation)

    init?(argument: String) {
        if let op = BenchCommand.Operation(rawValue: argument) {
            self = .base(op)
        } else if let op = DeltaBench.Operation(rawValue: argument) {
            self = .delta(op)
        } else {
            return nil
        }
    }

    var rawValue: String {
        switch self {
        case let .base(op): op.rawValue
        case let .delta(op): op.rawValue
        }
    }

    static var allValueStrings: [String] {
        BenchCommand.Operation.allCases.map(\.rawValue) + DeltaBench.Operation.allCases.map(\.rawValue)
    }
}
