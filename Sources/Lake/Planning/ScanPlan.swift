import Columnar
import DataFrame
import DeltaLog

/// What a scan asks of a table version: which columns, which rows.
public struct ScanRequest: Sendable {
    /// Columns to return, in this order (nil: every column in table order).
    public var columns: [String]?
    /// Rows to return: a SQL predicate over the table's columns (nil: every row).
    public var predicate: Expr?

    /// A request for `columns` of the rows where `predicate` holds.
    public init(columns: [String]? = nil, predicate: Expr? = nil) {
        self.columns = columns
        self.predicate = predicate
    }
}

/// How a scan of one snapshot will run, decided before any data file is opened: the files kept after
/// partition pruning and stats skipping (each with its partition values, deletion vector and stats, as the
/// `add` action carries them), the columns to read, and the predicate still to apply to the rows read.
///
/// Delete, update, merge, optimize and the change feed start from a plan too, so they read exactly the files a
/// scan would and know which files they touched.
public struct ScanPlan: Sendable {
    /// The table version planned.
    public let snapshot: Snapshot
    /// The files to read, in path order (so repeated scans of a version return rows in the same order).
    public let files: [AddFile]
    /// Active files in the snapshot.
    public let filesTotal: Int
    /// Files dropped because their partition values cannot satisfy the predicate.
    public let filesPrunedByPartition: Int
    /// Files dropped because their min/max/null-count stats rule out every row.
    public let filesSkippedByStats: Int
    /// The columns returned, in request order (logical names, table types).
    public let outputSchema: Schema
    /// The columns read from each file: the output columns plus those the residual predicate needs, in table
    /// order (partition columns included; they come from the log, not the file).
    public let readSchema: Schema
    /// The predicate the rows read must still satisfy (nil: keep every row). Skipping only ever drops files
    /// that cannot match, so this is the whole request predicate.
    public let residual: Expr?

    /// Creates a plan (the planner builds them; tests may too).
    public init(snapshot: Snapshot, files: [AddFile], filesTotal: Int, filesPrunedByPartition: Int, filesSkippedByStats: Int,
                outputSchema: Schema, readSchema: Schema, residual: Expr?) {
        self.snapshot = snapshot
        self.files = files
        self.filesTotal = filesTotal
        self.filesPrunedByPartition = filesPrunedByPartition
        self.filesSkippedByStats = filesSkippedByStats
        self.outputSchema = outputSchema
        self.readSchema = readSchema
        self.residual = residual
    }
}
