import ArgumentParser
import Columnar
import DataFrame
import DeltaLog
import Lake
import Parquet

/// Helpers shared by the table subcommands: input files, version options, JSON conversions.
enum TableSupport {
    /// Reads a .parquet, .csv or .ndjson/.jsonl file into a frame.
    static func readInput(_ path: String) throws -> DataFrame {
        let lower = path.lowercased()
        if lower.hasSuffix(".parquet") {
            return DataFrame(try ParquetReader(path: path).read())
        }
        let source = try LocalFileSource(path: path)
        let bytes = try source.read(offset: 0, count: source.size)
        if lower.hasSuffix(".csv") { return try CSVReader.read(bytes) }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") { return try NDJSONReader.read(bytes) }
        throw ValidationError("\(path): unknown file type; use .parquet, .csv, .ndjson or .jsonl")
    }

    /// The version selected by `--version` / `--timestamp` (ms since epoch, or an ISO 8601 date/time).
    static func versionSpec(version: Int64?, timestamp: String?) throws -> VersionSpec {
        if version != nil && timestamp != nil { throw ValidationError("give either --version or --timestamp, not both") }
        if let version { return .version(version) }
        guard let timestamp else { return .latest }
        if let ms = Int64(timestamp) { return .timestamp(ms) }
        guard case let .int(micros) = try PartitionValues.parse(timestamp, type: .timestampMicros, column: "--timestamp") else {
            throw ValidationError("--timestamp \(timestamp): expected milliseconds since the epoch or an ISO 8601 time such as 2024-01-01T10:00:00Z")
        }
        return .timestamp(micros / 1000)
    }

    /// Comma-separated list option values, trimmed, empty items dropped.
    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty } }
    }
}
