import ArgumentParser
import Columnar
import DataFrame
import DeltaLog
import Lake
import Parquet

/// Helpers shared by the table subcommands: version options and list arguments.
enum TableSupport {
    /// The version selected by `--version` / `--timestamp` (ms since epoch, or an ISO 8601 date/time).
    static func versionSpec(version: Int64?, timestamp: String?) throws -> VersionSpec {
        if version != nil && timestamp != nil { throw ValidationError("give either --version or --timestamp, not both") }
        if let version { return .version(version) }
        guard let timestamp else { return .latest }
        return try timestampSpec(timestamp, option: "--timestamp")
    }

    /// The version at a time given to `option`: ms since the epoch, or an ISO 8601 date/time.
    static func timestampSpec(_ text: String, option: String) throws -> VersionSpec {
        if let ms = Int64(text) { return .timestamp(ms) }
        return .timestamp(CivilTime.floorDivMod(try timestampMicros(text, option: option), 1000).0)
    }

    /// An ISO 8601 date/time (UTC unless it says otherwise) as µs since the epoch; a bad value is a data error
    /// (exit 1) naming the option and the value. Years past about ±290,000 do not fit.
    static func timestampMicros(_ text: String, option: String) throws -> Int64 {
        guard case let .int(micros)? = try? PartitionValues.parse(text, type: .timestampMicros, column: option) else {
            throw DeltaError.invalidArgument("\(option) \(text) is not a time lake can read: give milliseconds since the epoch or an ISO 8601 time such as 2024-01-01T10:00:00Z (years -290000 to 290000)")
        }
        return micros
    }

    /// Comma-separated list option values, trimmed, empty items dropped.
    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty } }
    }
}
