import DeltaLog
import ObjectStore

/// A Delta table location opened on its object store: the handle every operation starts from.
///
/// Opening never touches storage; operations read the log when they execute, so a handle is cheap
/// and stays valid while other writers commit.
public struct DeltaTable: Sendable {
    /// The location as the user gave it (a path or `file://` URI), used in error messages.
    public let location: String
    /// The store rooted at the table directory; keys are relative to the table root.
    public let store: any ObjectStore
    /// Where the store is rooted, when known: absolute file paths in the log that point inside the table
    /// resolve against it.
    public let root: StoreLocation?
    /// The clock, id source and thread budget operations on this table use.
    public var context: TableContext

    /// Opens the table at a local path, `file://` or `s3://` URI.
    public init(location: String, context: TableContext = .system) throws(LakeError) {
        self.location = location
        do {
            let root = try StoreLocation.parse(location)
            self.root = root
            self.store = try root.makeStore()
        } catch {
            throw LakeError(error)
        }
        self.context = context
    }

    /// Wraps an existing store rooted at the table directory.
    public init(store: any ObjectStore, location: String, root: StoreLocation? = nil, context: TableContext = .system) {
        self.store = store
        self.location = location
        self.root = root
        self.context = context
    }

    /// Loads the snapshot `spec` names through `DeltaLog.Snapshot` (log segment from the newest checkpoint;
    /// classic, multi-part and v2 checkpoints); errors name the missing version, gap or available range.
    public func snapshot(at spec: VersionSpec = .latest) async throws(LakeError) -> Snapshot {
        do {
            switch spec {
            case .latest: return try await Snapshot.load(store: store, location: location)
            case let .version(v): return try await Snapshot.load(store: store, version: v, location: location)
            case let .timestamp(ts): return try await Snapshot.load(store: store, asOfTimestamp: ts, location: location)
            }
        } catch {
            throw LakeError(error)
        }
    }

    /// The snapshot at the latest version, or nil when no table exists at the location yet.
    func snapshotIfExists() async throws(LakeError) -> Snapshot? {
        do { return try await Snapshot.load(store: store, location: location) } catch DeltaError.notATable { return nil } catch { throw LakeError(error) }
    }
}

/// Engine name and version written into `commitInfo.engineInfo`.
public enum LakeEngine {
    /// `lake/<version>`, as Delta writers identify themselves.
    public static let engineInfo = "lake/0.1.0"
}
