import Columnar
import ObjectStore

/// The state of a Delta table at one version: protocol, metadata, schema and the active files.
///
/// Immutable and `Sendable`; built by `Snapshot.load` from the newest checkpoint at or before the version plus
/// the commits after it. Stats stay raw JSON text (`AddFile.stats`): parsing them is the scan's job.
public struct Snapshot: Sendable {
    /// The store holding the table (keys relative to the table root).
    public let store: any ObjectStore
    /// The table version.
    public let version: Int64
    /// The table's protocol.
    public let protocolAction: ProtocolAction
    /// The table's metadata.
    public let metadata: Metadata
    /// The logical schema (column mapping metadata kept in the fields).
    public let schema: Schema
    /// The active logical files, in no particular order.
    public let files: [AddFile]
    /// Removed files not yet vacuumed, with their deletion timestamps.
    public let tombstones: [RemoveFile]
    /// Latest txn version per application id (for idempotent writes).
    public let transactions: [String: SetTransaction]
    /// Live metadata domains by name.
    public let domainMetadata: [String: DomainMetadata]
    /// Commit time of this version in ms since the epoch: its in-commit timestamp when the table has them
    /// enabled, else the commit file's modification time.
    public let timestamp: Int64
    /// The log files this snapshot was built from.
    public let segment: LogSegment

    /// Partition column names, in order.
    public var partitionColumns: [String] { metadata.partitionColumns }
    /// Table properties (`metaData.configuration`).
    public var properties: [String: String] { metadata.configuration }
    /// The column mapping of the table (mode and logical → physical names).
    public var columnMapping: ColumnMapping { ColumnMapping(schema: schema, configuration: metadata.configuration) }
    /// The txn version of `appId`, if the application has committed.
    public func transactionVersion(appId: String) -> Int64? { transactions[appId]?.version }

    /// Assembles a snapshot from a replayed state (the state must have passed `LogReplay.validate`).
    public init(store: any ObjectStore, segment: LogSegment, state: TableState, timestamp: Int64) throws(DeltaError) {
        guard let p = state.protocolAction, let m = state.metadata else {
            throw .corruptLog(file: "_delta_log", line: 0, message: "table state has no protocol or metaData action")
        }
        self.store = store
        self.version = segment.version
        self.protocolAction = p
        self.metadata = m
        self.schema = m.schemaString.isEmpty ? Schema([]) : try DeltaSchema.parse(m.schemaString)
        self.files = Array(state.files.values)
        self.tombstones = Array(state.tombstones.values)
        self.transactions = state.transactions
        self.domainMetadata = state.domainMetadata
        self.timestamp = timestamp
        self.segment = segment
    }

    /// Loads the table at `version` (the latest when nil).
    ///
    /// Errors: `notATable` without commits, `versionOutOfRange` naming the available range, `versionGap`
    /// naming a missing commit, `corruptLog` naming the file and line, `unsupportedFeature` for reader
    /// features lake lacks.
    public static func load(store: any ObjectStore, version: Int64? = nil, location: String = "table") async throws(DeltaError) -> Snapshot {
        let segment = try await LogSegment.load(store: store, version: version, location: location)
        return try await load(store: store, segment: segment, location: location)
    }

    /// Loads the snapshot a segment describes: the checkpoint and the commits are read concurrently, commit
    /// files parsed in parallel, then replayed in order.
    public static func load(store: any ObjectStore, segment: LogSegment, location: String = "table") async throws(DeltaError) -> Snapshot {
        var checkpointActions: [Action]
        let commits: [[Action]]
        do {
            // The checkpoint is read by this task (concurrently with the commits' child task), so its action
            // array stays uniquely owned and replay can move the actions out of it without a copy.
            async let cs = readCommits(store: store, segment.commits)
            checkpointActions = try await CheckpointReader.read(store: store, files: segment.checkpointFiles)
            commits = try await cs
        } catch {
            throw StoreAccess.wrap(error, path: "_delta_log")
        }
        let state = try LogReplay.replay(taking: &checkpointActions, commits: commits, location: location)
        let ts = try await commitTimestamp(store: store, segment: segment, state: state)
        return try Snapshot(store: store, segment: segment, state: state, timestamp: ts)
    }

    /// Reads and parses commit files, several at once (parsing is CPU-bound and files are independent).
    static func readCommits(store: any ObjectStore, _ files: [LogFile]) async throws(DeltaError) -> [[Action]] {
        if files.isEmpty { return [] }
        do {
            return try await withThrowingTaskGroup(of: (Int, [Action]).self) { group in
                for (i, f) in files.enumerated() {
                    group.addTask {
                        let bytes = try await StoreAccess.get(store, f.meta.path)
                        return (i, try CommitFile.parse(bytes, file: f.meta.path))
                    }
                }
                var out = [[Action]](repeating: [], count: files.count)
                for try await (i, a) in group { out[i] = a }
                return out
            }
        } catch {
            throw StoreAccess.wrap(error, path: "_delta_log")
        }
    }

    /// Whether the table writes in-commit timestamps (PROTOCOL.md "In-Commit Timestamps").
    static func inCommitTimestampsEnabled(_ m: Metadata) -> Bool {
        m.configuration["delta.enableInCommitTimestamps"]?.lowercased() == "true"
    }

    /// The version's commit time: the in-commit timestamp when enabled, else the file modification time.
    static func commitTimestamp(store: any ObjectStore, segment: LogSegment, state: TableState) async throws(DeltaError) -> Int64 {
        if let m = state.metadata, inCommitTimestampsEnabled(m) {
            if segment.commits.last != nil, let ict = state.lastCommitInfo?.inCommitTimestamp { return ict }
            if segment.commits.isEmpty,
               let bytes = try await StoreAccess.getIfPresent(store, LogFile.commitPath(segment.version)),
               let ict = try CommitFile.parse(bytes, file: LogFile.commitPath(segment.version)).lazy.compactMap({
                   if case let .commitInfo(c) = $0 { c.inCommitTimestamp } else { nil }
               }).first {
                return ict
            }
        }
        return segment.commits.last?.meta.lastModified ?? segment.checkpointFiles.last?.meta.lastModified ?? 0
    }
}
