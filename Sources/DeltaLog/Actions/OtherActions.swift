/// The `txn` action: the latest version an application committed, for idempotent writes.
public struct SetTransaction: Sendable, Hashable {
    /// The application's unique id.
    public var appId: String
    /// The application-specific version.
    public var version: Int64
    /// When the action was created, ms since the epoch.
    public var lastUpdated: Int64?

    /// Creates a txn action.
    public init(appId: String, version: Int64, lastUpdated: Int64? = nil) {
        self.appId = appId
        self.version = version
        self.lastUpdated = lastUpdated
    }
}

/// Alias matching the brief's name for the `txn` action.
public typealias TransactionAction = SetTransaction

/// The `commitInfo` action: provenance of a commit. Fields lake does not model are kept for round-trip.
public struct CommitInfo: Sendable, Hashable {
    /// Commit time in ms since the epoch (the writer's clock).
    public var timestamp: Int64?
    /// In-commit timestamp (ms), required when `delta.enableInCommitTimestamps` is on.
    public var inCommitTimestamp: Int64?
    /// Operation name (`WRITE`, `MERGE`, `CREATE TABLE`, ...).
    public var operation: String?
    /// Operation parameters; Spark writes strings, other writers any JSON.
    public var operationParameters: [String: JSONValue]?
    /// Operation metrics; Spark writes strings, delta-rs numbers.
    public var operationMetrics: [String: JSONValue]?
    /// Writer name and version (`lake/0.1`).
    public var engineInfo: String?
    /// Version the transaction read.
    public var readVersion: Int64?
    /// Isolation level (`Serializable`, `WriteSerializable`, `SnapshotIsolation`).
    public var isolationLevel: String?
    /// True when the commit only appended files without reading the table.
    public var isBlindAppend: Bool?
    /// Unique transaction id (required for catalog-managed tables).
    public var txnId: String?
    /// Every other field, exactly as parsed (userId, clusterId, notebook, ...).
    public var otherFields: [String: JSONValue]

    /// Creates a commitInfo action.
    public init(
        timestamp: Int64? = nil, inCommitTimestamp: Int64? = nil, operation: String? = nil,
        operationParameters: [String: JSONValue]? = nil, operationMetrics: [String: JSONValue]? = nil,
        engineInfo: String? = nil, readVersion: Int64? = nil, isolationLevel: String? = nil,
        isBlindAppend: Bool? = nil, txnId: String? = nil, otherFields: [String: JSONValue] = [:]
    ) {
        self.timestamp = timestamp
        self.inCommitTimestamp = inCommitTimestamp
        self.operation = operation
        self.operationParameters = operationParameters
        self.operationMetrics = operationMetrics
        self.engineInfo = engineInfo
        self.readVersion = readVersion
        self.isolationLevel = isolationLevel
        self.isBlindAppend = isBlindAppend
        self.txnId = txnId
        self.otherFields = otherFields
    }
}

/// The `domainMetadata` action: configuration of one named metadata domain.
public struct DomainMetadata: Sendable, Hashable {
    /// Domain name; `delta.`-prefixed names are system-controlled.
    public var domain: String
    /// The domain's configuration (often JSON text).
    public var configuration: String
    /// True for a tombstone that deletes the domain.
    public var removed: Bool

    /// Creates a domainMetadata action.
    public init(domain: String, configuration: String, removed: Bool = false) {
        self.domain = domain
        self.configuration = configuration
        self.removed = removed
    }
}

/// The `checkpointMetadata` action of a V2 checkpoint.
public struct CheckpointMetadata: Sendable, Hashable {
    /// The checkpoint's version.
    public var version: Int64
    /// Additional metadata.
    public var tags: [String: String]?

    /// Creates a checkpointMetadata action.
    public init(version: Int64, tags: [String: String]? = nil) {
        self.version = version
        self.tags = tags
    }
}

/// The `sidecar` action of a V2 checkpoint: a file under `_delta_log/_sidecars/` holding file actions.
public struct Sidecar: Sendable, Hashable {
    /// URI-encoded path, usually just the file name within `_delta_log/_sidecars/`.
    public var path: String
    /// Size of the sidecar file in bytes.
    public var sizeInBytes: Int64
    /// Creation time in ms since the epoch.
    public var modificationTime: Int64
    /// Additional metadata.
    public var tags: [String: String]?

    /// Creates a sidecar action.
    public init(path: String, sizeInBytes: Int64, modificationTime: Int64, tags: [String: String]? = nil) {
        self.path = path
        self.sizeInBytes = sizeInBytes
        self.modificationTime = modificationTime
        self.tags = tags
    }

    /// The sidecar's key relative to the table root: bare names live in `_delta_log/_sidecars/`.
    public var relativePath: String {
        if path.contains("/") || path.contains(":") { return DeltaPath.decode(path) ?? path }
        return "_delta_log/_sidecars/" + (DeltaPath.decode(path) ?? path)
    }
}
