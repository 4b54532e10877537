import DeltaLog

/// The commit history of a table, newest first: each version's `commitInfo` (as `DESCRIBE HISTORY` shows it).
public struct History: Sendable {
    /// One history entry.
    public struct Entry: Sendable, Hashable {
        /// The commit's version.
        public var version: Int64
        /// The commit's time (ms) as time travel and the change feed use it: its in-commit timestamp, else its
        /// file's modification time kept increasing (`commitInfo.timestamp` is the writer's clock).
        public var timestamp: Int64
        /// The commitInfo action, if the writer recorded one.
        public var commitInfo: CommitInfo?
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
        if let limit, limit < 0 { throw LakeError.invalidRequest("the history limit must be zero or more, not \(limit)") }
        let commits: [CommitHistoryEntry]
        do { commits = try await Snapshot.commitHistory(store: table.store, location: table.location, limit: limit) } catch { throw LakeError(error) }
        let entries = commits.map { Entry(version: $0.version, timestamp: $0.timestamp, commitInfo: $0.commitInfo) }
        return (entries, Metrics(commitsRead: entries.count))
    }

    /// The newest commit still in the log that recorded a txn of `appId` (an idempotent write), or nil: the
    /// commit a retried request with the same key is answered from. Reads whole commits, newest first, until
    /// it finds one (a replay is rare; the table's state already said the txn is there).
    public func commit(recordingTransaction appId: String) async throws(LakeError) -> Entry? {
        let listing = try await LogListing.load(table)
        for c in listing.commits.reversed() {
            let actions = try await LogListing.readCommit(table, path: c.path)
            var info: CommitInfo?
            var found = false
            for action in actions {
                switch action {
                case let .commitInfo(i): info = i
                case let .txn(t) where t.appId == appId: found = true
                default: break
                }
            }
            if found { return Entry(version: c.version, timestamp: info?.inCommitTimestamp ?? c.lastModified, commitInfo: info) }
        }
        return nil
    }
}
