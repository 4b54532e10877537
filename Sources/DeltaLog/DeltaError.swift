import ObjectStore

/// Errors of the Delta log layer; each message says what is wrong and, where possible, what to do.
public enum DeltaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `_delta_log/` (or no commit in it) at the location.
    case notATable(location: String)
    /// A commit or checkpoint file is not valid JSON or holds a malformed action (line is 1-based).
    case corruptLog(file: String, line: Int, message: String)
    /// A version between two existing ones is missing from the log.
    case versionGap(missing: Int64, after: Int64)
    /// A requested version is outside the history the log still holds.
    case versionOutOfRange(requested: Int64, available: ClosedRange<Int64>)
    /// A requested timestamp (ms since epoch) is outside the commit timestamps of the log.
    case timestampOutOfRange(requested: Int64, earliest: Int64, latest: Int64)
    /// The table needs a reader or writer protocol version lake does not implement.
    case unsupportedProtocolVersion(kind: FeatureKind, version: Int, supported: ClosedRange<Int>)
    /// The table lists table features lake does not implement (names in the order the table lists them).
    case unsupportedFeature(kind: FeatureKind, features: [String])
    /// Data does not match the table schema, or a schema cannot be represented.
    case schemaMismatch(String)
    /// A Delta schema string is malformed or uses a type lake does not know.
    case invalidSchema(String)
    /// A partition value cannot be parsed as its column's type.
    case invalidPartitionValue(column: String, value: String, type: String)
    /// A deletion vector descriptor is malformed.
    case invalidDeletionVector(String)
    /// A data or deletion-vector file the log references is missing (for example vacuumed).
    case fileNotFound(path: String)
    /// Creating a table where one already exists.
    case tableAlreadyExists(location: String)
    /// A concurrent commit won the race and its changes conflict with this transaction.
    case conflict(ConflictKind, winningVersion: Int64, operation: String?)
    /// A caller-supplied value is invalid (the message names it).
    case invalidArgument(String)
    /// Values in the log or its files cannot be right (negative sizes, counts that overflow, rows past a
    /// file's end); the message names the file and the value.
    case corruptTable(String)
    /// The object store failed.
    case storage(ObjectStoreError)

    /// Whether a protocol version or feature concerns readers or writers.
    public enum FeatureKind: String, Sendable, Hashable {
        /// Needed to read the table.
        case reader
        /// Needed to write the table.
        case writer
    }

    /// Delta's conflict classes (see CONFLICTS.md), each naming what collided.
    public enum ConflictKind: Sendable, Hashable, CustomStringConvertible {
        /// The winner changed the protocol.
        case protocolChanged
        /// The winner changed the metadata (schema, partitioning, properties).
        case metadataChanged
        /// Both touched the same metadata domain.
        case concurrentDomainMetadata(domain: String)
        /// The winner wrote a txn for an app id this transaction read.
        case concurrentTransaction(appId: String)
        /// The winner added files matching what this transaction read.
        case concurrentAppend(path: String?)
        /// The winner removed a file this transaction read.
        case concurrentDeleteRead(path: String?)
        /// The winner removed a file this transaction also removes.
        case concurrentDeleteDelete(path: String)

        /// Short name of the conflict, as Delta words it.
        public var description: String {
            switch self {
            case .protocolChanged: "protocol changed"
            case .metadataChanged: "metadata changed"
            case let .concurrentDomainMetadata(d): "concurrent domain metadata change (domain \(d))"
            case let .concurrentTransaction(a): "concurrent transaction (app id \(a))"
            case let .concurrentAppend(p): "concurrent append" + (p.map { " (file \($0))" } ?? "")
            case let .concurrentDeleteRead(p): "concurrent delete read" + (p.map { " (file \($0))" } ?? "")
            case let .concurrentDeleteDelete(p): "concurrent delete delete (file \(p))"
            }
        }
    }

    /// A message that says what is wrong and what to do about it.
    public var description: String {
        switch self {
        case let .notATable(loc):
            return "not a Delta table: \(loc) has no _delta_log/ commits (create one with `lake create`)"
        case let .corruptLog(file, line, message):
            return "corrupt JSON in \(file) line \(line): \(message)"
        case let .versionGap(missing, after):
            return "the Delta log has a gap: version \(missing) is missing after version \(after) (restore the missing commit file or read from a checkpoint after the gap)"
        case let .versionOutOfRange(requested, available):
            return "version \(requested) is not available: the log holds versions \(available.lowerBound) to \(available.upperBound)"
        case let .timestampOutOfRange(requested, earliest, latest):
            return "timestamp \(requested) ms is outside the table history: commits span \(earliest) to \(latest) ms since the epoch"
        case let .unsupportedProtocolVersion(kind, version, supported):
            return "the table requires \(kind.rawValue) protocol version \(version); lake supports \(kind.rawValue) versions \(supported.lowerBound) to \(supported.upperBound) (use a newer client)"
        case let .unsupportedFeature(kind, features):
            let verb = kind == .reader ? "read" : "write to"
            return "lake cannot \(verb) this table: unsupported \(kind.rawValue) table feature\(features.count == 1 ? "" : "s") \(features.joined(separator: ", "))"
        case let .schemaMismatch(m):
            return "schema mismatch: \(m)"
        case let .invalidSchema(m):
            return "invalid Delta schema: \(m)"
        case let .invalidPartitionValue(column, value, type):
            return "invalid partition value \"\(value)\" for column \(column) of type \(type)"
        case let .invalidDeletionVector(m):
            return "invalid deletion vector: \(m)"
        case let .fileNotFound(path):
            return "file referenced by the Delta log is missing: \(path) (was it vacuumed? read an older version only if its files still exist)"
        case let .tableAlreadyExists(loc):
            return "a Delta table already exists at \(loc) (use mode append or overwrite)"
        case let .conflict(kind, version, operation):
            return "commit conflict: \(kind) by version \(version)\(operation.map { " (\($0))" } ?? ""); retry the operation on the new snapshot"
        case let .invalidArgument(m):
            return "invalid argument: \(m)"
        case let .corruptTable(m):
            return "corrupt table: \(m)"
        case let .storage(e):
            return e.description
        }
    }
}
