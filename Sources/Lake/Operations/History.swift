import DeltaLog

/// The commit history of a table, newest first: each version's `commitInfo` (as `DESCRIBE HISTORY` shows it).
public struct History: Sendable {
    /// One history entry.
    public struct Entry: Sendable, Hashable {
        /// The commit's version.
        public var version: Int64
        /// The commit's timestamp (ms): commitInfo.timestamp, else the commit file's modification time.
        public var timestamp: Int64
        /// The commitInfo action, if the writer recorded one.
        public var commitInfo: CommitInfo?
        /// The commit's txn actions: which idempotent writes (app id, version) it recorded.
        public var transactions: [SetTransaction] = []
    }

    /// What reading the history did.
    public struct Metrics: OperationMetrics, Hashable {
        /// Commit files read.
        public var commitsRead: Int
    }

    /// The table.
    public let table: DeltaTable
    /// Return at most this many entries (newest first).
    public let limit: Int?

    /// Creates the operation.
    public init(table: DeltaTable, limit: Int? = nil) {
        self.table = table
        self.limit = limit
    }

    /// Reads the commits still in the log, newest first.
    public func execute() async throws(LakeError) -> ([Entry], Metrics) {
        let listing = try await LogListing.load(table)
        var commits = Array(listing.commits.reversed())
        if let limit {
            guard limit >= 0 else { throw LakeError.invalidRequest("the history limit must be zero or more, not \(limit)") }
            commits = Array(commits.prefix(limit))
        }
        var entries: [Entry] = []
        for c in commits {
            let actions = try await LogListing.readCommit(table, path: c.path)
            var info: CommitInfo?
            var transactions: [SetTransaction] = []
            for action in actions {
                switch action {
                case let .commitInfo(i): info = i
                case let .txn(t): transactions.append(t)
                default: break
                }
            }
            entries.append(Entry(version: c.version, timestamp: info?.inCommitTimestamp ?? info?.timestamp ?? c.lastModified,
                                 commitInfo: info, transactions: transactions))
        }
        return (entries, Metrics(commitsRead: entries.count))
    }
}
