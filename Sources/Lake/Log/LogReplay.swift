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

/// Table state for operations, loaded through `DeltaLog.Snapshot` and reduced to what `Lake` needs.
public enum LogReplay {
    /// Loads the snapshot `spec` names through `DeltaLog.Snapshot` (log segment from the newest checkpoint,
    /// classic, multi-part and v2 checkpoints); errors name the missing version, gap or available range.
    public static func snapshot(_ table: DeltaTable, at spec: VersionSpec = .latest) async throws -> Snapshot {
        switch spec {
        case .latest: return try await Snapshot.load(store: table.store, location: table.location)
        case let .version(v): return try await Snapshot.load(store: table.store, version: v, location: table.location)
        case let .timestamp(ts): return try await Snapshot.load(store: table.store, asOfTimestamp: ts, location: table.location)
        }
    }

    /// Parses one commit file.
    static func readCommit(_ table: DeltaTable, path: String) async throws -> [Action] {
        let bytes: [UInt8]
        do { bytes = try await table.store.get(path) } catch { throw DeltaError.storage(ObjectStoreErrorBox.wrap(error)) }
        return try CommitFile.parse(bytes, file: path)
    }
}
