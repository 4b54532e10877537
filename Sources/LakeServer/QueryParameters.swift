import Columnar
import DeltaLog
import Hummingbird
import HummingbirdCore
import Lake

/// Typed access to a request's query parameters (percent-decoded; `+` is a plus sign, send spaces as `%20`);
/// errors name the parameter.
struct QueryParameters {
    let parameters: FlatDictionary<Substring, Substring>

    init(_ request: Request) { parameters = request.uri.queryParameters }

    /// The parameter's value, nil when absent.
    func string(_ name: String) -> String? { parameters[name[...]].map(String.init) }

    /// Every value of a repeated parameter, in order.
    func all(_ name: String) -> [String] { parameters[values: name[...]].map(String.init) }

    /// A non-negative integer, nil when absent.
    func count(_ name: String) throws(Problem) -> Int? {
        guard let text = string(name) else { return nil }
        guard let n = Int(text), n >= 0 else { throw Problem.badRequest("\(name) must be a whole number, zero or more, not \"\(text)\"") }
        return n
    }

    /// A comma-separated list, items trimmed, empty items dropped; nil when absent.
    func list(_ name: String) -> [String]? {
        string(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// The version selected by `versionName` (a number) or `timestampName` (ms since the epoch or ISO 8601),
    /// `fallback` when neither is given.
    func versionSpec(version versionName: String, timestamp timestampName: String, fallback: VersionSpec) throws -> VersionSpec {
        let version = string(versionName)
        let timestamp = string(timestampName)
        if version != nil && timestamp != nil { throw Problem.badRequest("give either \(versionName) or \(timestampName), not both") }
        if let version {
            guard let v = Int64(version), v >= 0 else { throw Problem.badRequest("\(versionName) must be a table version (0 or more), not \"\(version)\"") }
            return .version(v)
        }
        if let timestamp { return try Self.timestampSpec(timestamp, name: timestampName) }
        return fallback
    }

    /// The version at `text`: ms since the epoch, or an ISO 8601 date/time (UTC unless it says otherwise).
    static func timestampSpec(_ text: String, name: String) throws(Problem) -> VersionSpec {
        if let ms = Int64(text) { return .timestamp(ms) }
        guard case let .int(micros)? = try? PartitionValues.parse(text, type: .timestampMicros, column: name) else {
            throw Problem.badRequest("\(name) \(text) is not a time lake can read: give milliseconds since the epoch or an ISO 8601 time such as 2024-01-01T10:00:00Z")
        }
        return .timestamp(CivilTime.floorDivMod(micros, 1000).0)
    }
}
