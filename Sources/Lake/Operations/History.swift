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
    }

    /// What reading the history did.
    public struct Metrics: Sendable, Hashable {
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
    public func execute() async throws -> ([Entry], Metrics) {
        let listing = try await LogListing.load(table)
        var commits = Array(listing.commits.reversed())
        if let limit { commits = Array(commits.prefix(max(0, limit))) }
        var entries: [Entry] = []
        for c in commits {
            let actions = try await LogReplay.readCommit(table, path: c.path)
            var info: CommitInfo?
            for case let .commitInfo(i) in actions { info = i }
            entries.append(Entry(version: c.version, timestamp: info?.inCommitTimestamp ?? info?.timestamp ?? c.lastModified, commitInfo: info))
        }
        return (entries, Metrics(commitsRead: entries.count))
    }
}
