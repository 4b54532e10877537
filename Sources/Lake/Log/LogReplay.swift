import Columnar
import DeltaLog
import ObjectStore

/// Which version of a table to load.
public enum VersionSpec: Sendable, Hashable {
    /// The newest committed version.
    case latest
    /// Exactly this version.
    case version(Int64)
    /// The latest commit at or before this time (ms since the epoch).
    case timestamp(Int64)
}

/// Reconstructs table state from `_delta_log/` (PROTOCOL.md "Action Reconciliation"): newest checkpoint at or
/// before the target version, then every later commit in order.
public enum LogReplay {
    /// Loads the snapshot `spec` names; errors name the missing version, gap or available range.
    public static func snapshot(_ table: DeltaTable, at spec: VersionSpec = .latest) async throws -> TableSnapshot {
        let listing = try await LogListing.load(table)
        let target: Int64
        switch spec {
        case .latest: target = listing.latestVersion
        case let .version(v):
            let range = listing.earliestVersion...listing.latestVersion
            guard range.contains(v) else { throw DeltaError.versionOutOfRange(requested: v, available: range) }
            target = v
        case let .timestamp(ts):
            target = try await version(atTimestamp: ts, listing: listing, table: table)
        }
        return try await replay(table, listing: listing, target: target)
    }

    /// The latest version whose commit timestamp is at or before `ts`.
    static func version(atTimestamp ts: Int64, listing: LogListing, table: DeltaTable) async throws -> Int64 {
        let commits = listing.commits.filter { $0.version >= listing.earliestVersion }
        var best: Int64?
        var earliest = Int64.max, latest = Int64.min
        for c in commits {
            let t = try await commitTimestamp(table, c)
            earliest = min(earliest, t)
            latest = max(latest, t)
            if t <= ts { best = c.version }
        }
        guard let best else { throw DeltaError.timestampOutOfRange(requested: ts, earliest: earliest, latest: latest) }
        return best
    }

    /// A commit's timestamp: `inCommitTimestamp` when the writer recorded one, else the file's modification time
    /// (what Delta uses for time travel without in-commit timestamps).
    static func commitTimestamp(_ table: DeltaTable, _ c: LogListing.Commit) async throws -> Int64 {
        let actions = try await readCommit(table, path: c.path)
        for case let .commitInfo(info) in actions {
            if let ict = info.inCommitTimestamp { return ict }
        }
        return c.lastModified
    }

    /// Parses one commit file.
    static func readCommit(_ table: DeltaTable, path: String) async throws -> [Action] {
        let bytes: [UInt8]
        do { bytes = try await table.store.get(path) } catch { throw DeltaError.storage(ObjectStoreErrorBox.wrap(error)) }
        return try CommitFile.parse(bytes, file: path)
    }

    static func replay(_ table: DeltaTable, listing: LogListing, target: Int64) async throws -> TableSnapshot {
        let checkpoint = listing.checkpoints.last { $0.version <= target }
        let start = (checkpoint?.version ?? -1) + 1
        let commits = listing.commits.filter { $0.version >= start && $0.version <= target }
        var expected = start
        for c in commits {
            if c.version != expected { throw DeltaError.versionGap(missing: expected, after: expected - 1) }
            expected += 1
        }
        if expected <= target {
            if expected == 0 { throw DeltaError.notATable(location: table.location) }
            throw DeltaError.versionGap(missing: expected, after: expected - 1)
        }

        var state = ReplayState()
        if let checkpoint {
            for path in checkpoint.paths {
                let bytes: [UInt8]
                do { bytes = try await table.store.get(path) } catch { throw DeltaError.storage(ObjectStoreErrorBox.wrap(error)) }
                for action in try CheckpointActions.read(bytes, file: path) { state.apply(action) }
            }
        }
        var timestamp: Int64 = 0
        for c in commits {
            let actions = try await readCommit(table, path: c.path)
            var ict: Int64?
            for a in actions {
                if case let .commitInfo(info) = a { ict = info.inCommitTimestamp }
                state.apply(a)
            }
            timestamp = ict ?? c.lastModified
        }
        guard let proto = state.protocolAction else {
            throw DeltaError.corruptLog(file: "_delta_log", line: 0, message: "no protocol action at or before version \(target)")
        }
        guard let metadata = state.metadata else {
            throw DeltaError.corruptLog(file: "_delta_log", line: 0, message: "no metaData action at or before version \(target)")
        }
        try TableFeatures.checkReadable(proto)
        let schema = try DeltaSchema.parse(metadata.schemaString)
        let files = state.files.values.sorted { ObjectPath.precedes($0.path, $1.path) }
        return TableSnapshot(
            version: target, protocolAction: proto, metadata: metadata, schema: schema, files: files,
            appTransactions: state.txns, timestamp: timestamp)
    }
}

/// The mutable state of one replay pass.
struct ReplayState {
    var protocolAction: ProtocolAction?
    var metadata: Metadata?
    var files: [LogicalFileKey: AddFile] = [:]
    var txns: [String: Int64] = [:]

    mutating func apply(_ action: Action) {
        switch action {
        case let .protocol(p): protocolAction = p
        case let .metadata(m): metadata = m
        case let .add(a): files[a.logicalKey] = a
        case let .remove(r): files[r.logicalKey] = nil
        case let .txn(t): txns[t.appId] = t.version
        default: break
        }
    }
}
