import ObjectStore

/// One entry of a table's history: a version, its commit time and its commitInfo.
public struct CommitHistoryEntry: Sendable, Hashable {
    /// The commit's version.
    public var version: Int64
    /// Commit time in ms since the epoch (in-commit timestamp when present, else file modification time).
    public var timestamp: Int64
    /// The commit's provenance, when the commit has a commitInfo action.
    public var commitInfo: CommitInfo?

    /// Creates an entry.
    public init(version: Int64, timestamp: Int64, commitInfo: CommitInfo?) {
        self.version = version
        self.timestamp = timestamp
        self.commitInfo = commitInfo
    }
}

extension Snapshot {
    /// Loads the latest version committed at or before `asOfTimestamp` (ms since the epoch).
    ///
    /// Commit times are in-commit timestamps where commits carry them, else file modification times made
    /// strictly increasing (as Delta does, since clocks and copies can reorder mtimes). A timestamp before
    /// the first reconstructable commit throws `timestampOutOfRange`; one after the last gives the latest.
    public static func load(store: any ObjectStore, asOfTimestamp: Int64, location: String = "table") async throws(DeltaError) -> Snapshot {
        // Every commit still in the log is a candidate, so the listing must start at the oldest one.
        let latest = try await LogSegment.load(store: store, location: location, listAll: true)
        let entries = try await commitEntries(store: store, upTo: latest.version, from: latest.available.lowerBound, location: location)
        guard let first = entries.first, let last = entries.last else {
            return try await load(store: store, segment: latest, location: location)
        }
        guard asOfTimestamp >= first.timestamp else {
            throw .timestampOutOfRange(requested: asOfTimestamp, earliest: first.timestamp, latest: last.timestamp)
        }
        let chosen = entries.last { $0.timestamp <= asOfTimestamp } ?? first
        return try await load(store: store, version: chosen.version, location: location)
    }

    /// The commits in the log at `store`, newest first (at most `limit`), with their commitInfo and the time
    /// time travel gives them: `DESCRIBE HISTORY` without replaying the log's actions.
    public static func commitHistory(store: any ObjectStore, location: String, limit: Int? = nil) async throws(DeltaError) -> [CommitHistoryEntry] {
        var entries = try await commitEntries(store: store, upTo: .max, from: 0, location: location, limit: limit)
        entries.reverse()
        return entries
    }

    /// The commits of this snapshot's history, newest first (at most `limit`), with their commitInfo.
    public func history(limit: Int? = nil) async throws(DeltaError) -> [CommitHistoryEntry] {
        var entries = try await Self.commitEntries(store: store, upTo: version, from: 0, location: "table", limit: limit)
        entries.reverse()
        return entries
    }

    /// Commit entries for the commit files in `from...upTo`, oldest first; with `limit`, only the newest ones.
    static func commitEntries(store: any ObjectStore, upTo: Int64, from: Int64, location: String, limit: Int? = nil) async throws(DeltaError) -> [CommitHistoryEntry] {
        let listing = try await StoreAccess.list(store, prefix: "_delta_log/")
        var commits: [LogFile] = []
        for meta in listing {
            let name = meta.path.dropFirst("_delta_log/".count)
            guard !name.contains("/"), let (v, kind) = LogFile.parse(name: String(name)), case .commit = kind,
                  v >= from, v <= upTo else { continue }
            commits.append(LogFile(version: v, kind: kind, meta: meta))
        }
        if commits.isEmpty && listing.isEmpty { throw .notATable(location: location) }
        commits.sort { $0.version < $1.version }
        // With a limit only the newest commits' commitInfo is read; the times of the commits before them (needed
        // to keep times increasing) come from their files' modification times.
        var previous: Int64?
        if let limit, limit >= 0, commits.count > limit {
            for f in commits.prefix(commits.count - limit) {
                previous = Self.commitTimestamp(inCommit: nil, modified: f.meta.lastModified, previous: previous)
            }
            commits.removeFirst(commits.count - limit)
        }
        let infos: [CommitInfo?]
        do {
            infos = try await withThrowingTaskGroup(of: (Int, CommitInfo?).self) { group in
                for (i, f) in commits.enumerated() {
                    group.addTask { (i, try await firstCommitInfo(store: store, path: f.meta.path)) }
                }
                var out = [CommitInfo?](repeating: nil, count: commits.count)
                for try await (i, c) in group { out[i] = c }
                return out
            }
        } catch {
            throw StoreAccess.wrap(error, path: "_delta_log")
        }
        var entries: [CommitHistoryEntry] = []
        entries.reserveCapacity(commits.count)
        for (f, info) in zip(commits, infos) {
            let ts = Self.commitTimestamp(inCommit: info?.inCommitTimestamp, modified: f.meta.lastModified, previous: previous)
            previous = ts
            entries.append(CommitHistoryEntry(version: f.version, timestamp: ts, commitInfo: info))
        }
        return entries
    }

    /// A commit's time as time travel and the change data feed use it: its in-commit timestamp when it has one,
    /// else its file's modification time, moved just past `previous` (the commit before's time) when not later,
    /// as Delta makes them strictly increasing; a log claiming the last representable time stays there.
    public static func commitTimestamp(inCommit: Int64?, modified: Int64, previous: Int64?) -> Int64 {
        if let inCommit { return inCommit }
        guard let previous, modified <= previous else { return modified }
        return previous == .max ? .max : previous + 1
    }

    /// The commitInfo of a commit file, looked for in its first line (where writers put it) and, failing
    /// that, in the whole file.
    static func firstCommitInfo(store: any ObjectStore, path: String) async throws(DeltaError) -> CommitInfo? {
        func find(_ actions: [Action]) -> CommitInfo? {
            actions.lazy.compactMap { if case let .commitInfo(c) = $0 { c } else { nil } }.first
        }
        let head = try await StoreAccess.getRange(store, path, 0..<16384)
        if let nl = head.firstIndex(of: 0x0A), let c = find(try CommitFile.parse(Array(head[..<nl]), file: path)) {
            return c
        }
        let all = head.count < 16384 ? head : try await StoreAccess.get(store, path)
        return find(try CommitFile.parse(all, file: path))
    }
}
