import DeltaLog

/// A summary of one table version: version, protocol, schema, partitioning, properties, size.
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
            guard let n = f.statsNumRecords else { rows = nil; break }
            let dvRows = f.deletionVector?.cardinality ?? 0
            // Counts come from the log: overflow means a corrupt log, not a huge table.
            guard let total = rows else { break }
            let (withFile, o1) = total.addingReportingOverflow(n)
            let (net, o2) = withFile.subtractingReportingOverflow(dvRows)
            if o1 || o2 { throw LakeError(.corruptTable, "the row counts in the stats of the Delta log overflow (file \(f.path) claims \(n) records)") }
            rows = net
        }
        return (snapshot, Summary(snapshot: snapshot, numFiles: snapshot.files.count, sizeInBytes: snapshot.totalBytes, numRows: rows))
    }
}
