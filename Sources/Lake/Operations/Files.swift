import DeltaLog
import ObjectStore

/// The active files of one table version, with partition values and stats.
public struct Files: Sendable {
    /// The table.
    public let table: DeltaTable
    /// Which version.
    public let version: VersionSpec

    /// Creates the operation.
    public init(table: DeltaTable, version: VersionSpec = .latest) {
        self.table = table
        self.version = version
    }

    /// Loads the snapshot and returns its active `add` actions (sorted by path).
    public func execute() async throws(LakeError) -> (Snapshot, [AddFile]) {
        let snapshot = try await table.snapshot(at: version)
        return (snapshot, snapshot.files.sorted { ObjectPath.precedes($0.path, $1.path) })
    }
}
