/// The counters Delta's DELETE and UPDATE both report about the files they rewrote, under the same names:
/// each operation's metrics conform, and `record` fills them from the rewrite in one place.
protocol RewriteCounters {
    var numRemovedFiles: Int { get set }
    var numRemovedBytes: Int64 { get set }
    var numAddedFiles: Int { get set }
    var numAddedBytes: Int64 { get set }
    var numCopiedRows: Int { get set }
    var numDeletionVectorsAdded: Int { get set }
    var numDeletionVectorsRemoved: Int { get set }
    var numDeletionVectorsUpdated: Int { get set }
    var numAddedChangeFiles: Int { get set }
    var scanTimeMs: Int64 { get set }
    var rewriteTimeMs: Int64 { get set }
    var numFilesRead: Int { get set }
}

extension RewriteCounters {
    /// Fills the counters from `result`. `markedAreRemoved`: whether a file kept under a new deletion vector
    /// counts as a removed file (Spark's UPDATE counts every remove; its DELETE only files removed whole).
    mutating func record(_ result: FileRewrite.Result, markedAreRemoved: Bool) {
        numFilesRead = result.read.count
        numRemovedFiles = result.removed.count + (markedAreRemoved ? result.marked.count : 0)
        numRemovedBytes = result.removedBytes
        numAddedFiles = result.added.count
        numAddedBytes = result.addedBytes
        numCopiedRows = result.copiedRows
        numDeletionVectorsAdded = result.deletionVectorsAdded
        numDeletionVectorsRemoved = result.deletionVectorsRemoved
        numDeletionVectorsUpdated = result.deletionVectorsUpdated
        numAddedChangeFiles = result.changeFiles.count
        scanTimeMs = result.scanTime.milliseconds
        rewriteTimeMs = result.rewriteTime.milliseconds
    }
}
