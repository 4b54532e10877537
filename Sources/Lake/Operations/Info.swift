import DeltaLog

/// A summary of one table version: version, protocol, schema, partitioning, clustering, properties, size.
public struct Info: Sendable {
    /// The summary.
    public struct Summary: Sendable {
        /// The snapshot summarized.
        public var snapshot: Snapshot
        /// Active files.
        public var numFiles: Int
        /// Bytes of active files.
        public var sizeInBytes: Int64
        /// Rows, from the files' `numRecords` stats; nil when some file has no stats.
        public var numRows: Int64?
        /// The liquid clustering columns (logical names, a nested field's parts joined by dots); nil when the
        /// table is not clustered.
        public var clusteringColumns: [String]? = nil
    }

    /// The table.
    public let table: DeltaTable
    /// Which version.
    public let version: VersionSpec

    /// Creates the operation.
    public init(table: DeltaTable, version: VersionSpec = .latest) {
        self.table = table
        self.version = version
    }

    /// Loads the snapshot and summarizes it.
    public func execute() async throws(LakeError) -> (Snapshot, Summary) {
        let snapshot = try await table.snapshot(at: version)
        var rows: Int64? = 0
        for f in snapshot.files {
            guard let n = f.statsNumRecords, let total = rows else { rows = nil; break }
            let dvRows = f.deletionVector?.cardinality ?? 0
            // Counts come from the log: check them rather than trap on a crafted numRecords or cardinality.
            guard n >= 0, dvRows >= 0, dvRows <= n, case let (sum, false) = total.addingReportingOverflow(n - dvRows) else {
                throw LakeError(.corruptTable, "stats of \(f.path) give numRecords \(n)\(dvRows != 0 ? " with \(dvRows) deleted" : ""): the row counts cannot all be right")
            }
            rows = sum
        }
        let clustering = try ClusteringColumns.paths(of: snapshot)?.map { $0.joined(separator: ".") }
        return (snapshot, Summary(snapshot: snapshot, numFiles: snapshot.files.count, sizeInBytes: try Self.totalBytes(snapshot), numRows: rows, clusteringColumns: clustering))
    }

    static func totalBytes(_ snapshot: Snapshot) throws(LakeError) -> Int64 {
        do { return try snapshot.totalBytes() } catch { throw LakeError(error) }
    }
}
