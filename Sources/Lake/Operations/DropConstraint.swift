import DeltaLog

/// Drops a CHECK constraint: Delta's `ALTER TABLE t DROP CONSTRAINT [IF EXISTS] name`, one commit removing
/// `delta.constraints.<name>`. The protocol keeps its features (Delta never downgrades on a drop).
public struct DropConstraint: Sendable {
    /// What dropping did.
    public struct Metrics: OperationMetrics, Hashable {
        /// The version committed, or the version read when there was nothing to drop (`ifExists`).
        public var version: Int64 = -1
        /// False when the constraint did not exist and `ifExists` made that fine.
        public var dropped = false

        /// Empty metrics.
        public init() {}
    }

    /// The table.
    public let table: DeltaTable
    /// The constraint's name (case-insensitive).
    public let name: String
    /// When true, a missing constraint is not an error and nothing is committed.
    public let ifExists: Bool

    /// Drops constraint `name` from `table`.
    public init(table: DeltaTable, name: String, ifExists: Bool = false) {
        self.table = table
        self.name = name
        self.ifExists = ifExists
    }

    /// Commits the removal.
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        let snapshot = try await table.snapshot()
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        let key = try AddConstraint.propertyKey(name)
        var metrics = Metrics()
        guard let expression = snapshot.properties[key] else {
            if ifExists {
                metrics.version = snapshot.version
                return (snapshot, metrics)
            }
            let names = Self.constraints(snapshot).map(\.name)
            throw LakeError(.notFound, "the table has no constraint named \(name.lowercased()) (constraints: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
        }
        var metadata = snapshot.metadata
        metadata.configuration[key] = nil
        let commit = OperationCommit(table: table, snapshot: snapshot, operation: .dropConstraint(name: name.lowercased(), expression: expression), read: .nothing)
        metrics.version = try await commit.commit([.metadata(metadata)], metrics: metrics).version
        metrics.dropped = true
        return (try await table.snapshot(at: .version(metrics.version)), metrics)
    }

    /// The CHECK constraints of a snapshot, by name.
    public static func constraints(_ snapshot: Snapshot) -> [(name: String, expression: String)] {
        let prefix = "delta.constraints."
        return snapshot.properties.keys.sorted().filter { $0.hasPrefix(prefix) }.map { (String($0.dropFirst(prefix.count)), snapshot.properties[$0] ?? "") }
    }
}
