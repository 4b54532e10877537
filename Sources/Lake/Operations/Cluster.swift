import DeltaLog

/// Changes a table's liquid clustering columns: Delta's `ALTER TABLE t CLUSTER BY (c1, c2)` and
/// `ALTER TABLE t CLUSTER BY NONE` (an empty column list).
///
/// One commit writes the new `delta.clustering` domain and, when the table was not clustered yet, upgrades the
/// protocol to the `clustering` and `domainMetadata` writer features (a partitioned table cannot be clustered).
/// The operation is `CLUSTER BY` with `oldClusteringColumns` and `newClusteringColumns`, as Spark records it.
/// No data file is rewritten: files written from now on, and `lake optimize`, follow the new columns. As in
/// Spark, `CLUSTER BY NONE` on a table that is not clustered commits nothing, and an unchanged column list still
/// commits (the history shows the request).
public struct Cluster: Sendable {
    /// What the change did (Delta records no metrics for CLUSTER BY).
    public struct Metrics: OperationMetrics, Hashable {
        /// The version committed, or the version read when nothing was committed.
        public var version: Int64 = -1
        /// False when nothing was committed (`CLUSTER BY NONE` on a table that is not clustered).
        public var changed = false
        /// The logical clustering columns before (nil: the table was not clustered).
        public var oldColumns: [String]?
        /// The logical clustering columns after.
        public var newColumns: [String] = []

        /// Empty metrics.
        public init() {}
    }

    /// The table.
    public let table: DeltaTable
    /// The new clustering columns (logical top-level names); empty for `CLUSTER BY NONE`.
    public let columns: [String]

    /// Clusters `table` by `columns` from now on (none when empty).
    public init(table: DeltaTable, columns: [String]) {
        self.table = table
        self.columns = columns
    }

    /// Validates the columns and commits.
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        try await execute(on: try await table.snapshot())
    }

    /// Validates against `snapshot` and commits on top of it (tests race it against other commits).
    func execute(on snapshot: Snapshot) async throws(LakeError) -> (Snapshot, Metrics) {
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        var metrics = Metrics()
        metrics.oldColumns = try ClusteringColumns.of(snapshot)
        if columns.isEmpty && metrics.oldColumns == nil {
            metrics.version = snapshot.version
            return (snapshot, metrics)
        }
        let resolved = try ClusteringColumns.validate(columns, schema: snapshot.schema, partitionColumns: snapshot.partitionColumns, configuration: snapshot.properties)
        var actions: [Action] = []
        if let upgraded = TableFeatures.upgrade(snapshot.protocolAction, toSupport: ClusteringColumns.requiredProtocol) { actions.append(.protocol(upgraded)) }
        actions.append(.domainMetadata(try ClusteringColumns.domainMetadata(resolved, schema: snapshot.schema, configuration: snapshot.properties)))
        metrics.newColumns = resolved
        let operation = DeltaOperation.clusterBy(
            oldClusteringColumns: (metrics.oldColumns ?? []).joined(separator: ","), newClusteringColumns: resolved.joined(separator: ","))
        // The commit depends on the schema and the old domain only: a winner changing metadata, the protocol or
        // the domain conflicts (CONFLICTS.md rules 1 to 3); concurrent appends do not.
        let commit = OperationCommit(table: table, snapshot: snapshot, operation: operation, read: .nothing)
        metrics.version = try await commit.commit(actions, metrics: metrics).version
        metrics.changed = true
        return (try await table.snapshot(at: .version(metrics.version)), metrics)
    }
}
