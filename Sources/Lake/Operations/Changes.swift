import Columnar
import DataFrame
import DeltaLog

/// Reads a table's change data feed between two versions or timestamps: every row inserted, deleted or updated
/// by the commits of the range, with `_change_type` (`insert`, `delete`, `update_preimage`,
/// `update_postimage`), `_commit_version` and `_commit_timestamp`, in commit order (PROTOCOL.md "Change Data
/// Files"; Spark's `table_changes`, delta-rs's `load_cdf`).
///
/// A commit's rows come from its `cdc` files when it has them, else from its data-changing `add` and `remove`
/// actions (whole files; deletion vectors honoured, see `ChangeSource`). Every version of the range must have had
/// `delta.enableChangeDataFeed = true` in effect (the table's metadata as of that commit; the commit that turns
/// it on is the first readable one), else the read fails naming the version, as Delta's does: without it,
/// deletes and updates wrote no change files and the feed would silently lack their rows.
///
/// `_commit_timestamp` is the commit time lake's time travel uses (the in-commit timestamp where commits have
/// one, else the commit file's modification time made strictly increasing), as Spark's feed reports it; delta-rs
/// reports `commitInfo.timestamp` instead, which usually differs by a few milliseconds.
///
/// Memory follows one commit's rows: `execute(each:)` first reads and checks the range's commit files (their
/// actions stay in memory: the log, not the data), then reads one commit's data files (several at once), hands
/// its rows over and moves to the next; `execute()` collects them all.
public struct Changes: Sendable {
    /// Which commits to read and which columns to return.
    public struct Options: Sendable {
        /// The first commit read: `.version(n)`, or `.timestamp(ms)` for the first commit at or after that time
        /// (`.latest`: the latest commit only).
        public var from: VersionSpec = .version(0)
        /// The last commit read: `.version(n)` (a version past the latest reads up to the latest, as Delta
        /// does), `.timestamp(ms)` for the last commit at or before that time, or `.latest`.
        public var to: VersionSpec = .latest
        /// Table columns to return, in this order (default: all, in table order); the three change columns
        /// always follow.
        public var columns: [String]?

        /// All changes from version 0 to the latest.
        public init() {}

        /// The changes from `from` to `to`.
        public init(from: VersionSpec, to: VersionSpec = .latest, columns: [String]? = nil) {
            self.from = from
            self.to = to
            self.columns = columns
        }
    }

    /// What the read did.
    public struct Metrics: OperationMetrics, Hashable {
        /// The first version read.
        public var startVersion: Int64 = -1
        /// The last version read.
        public var endVersion: Int64 = -1
        /// Commit files read.
        public var commitsRead = 0
        /// Data and change data files read.
        public var filesRead = 0
        /// Bytes fetched from the store for them.
        public var bytesRead = 0
        /// Change rows returned.
        public var rowsReturned = 0

        /// Empty metrics.
        public init() {}
    }

    /// The change rows of one commit.
    public struct CommitChanges: Sendable {
        /// The commit's version.
        public var version: Int64
        /// The commit's time in ms since the epoch (see `Changes` for which time).
        public var timestamp: Int64
        /// The rows: the table columns asked for, then `_change_type`, `_commit_version`, `_commit_timestamp`.
        /// Empty for a commit that changed no rows (a property change, an optimize).
        public var frame: DataFrame
    }

    /// The change type column: `insert`, `delete`, `update_preimage` or `update_postimage`.
    public static let changeTypeColumn = ChangeFileReader.changeTypeColumn
    /// The commit version column (long).
    public static let commitVersionColumn = "_commit_version"
    /// The commit time column (timestamp, microseconds, UTC).
    public static let commitTimestampColumn = "_commit_timestamp"

    /// The table property that makes writers record change data.
    public static let enableProperty = "delta.enableChangeDataFeed"

    /// The table read.
    public let table: DeltaTable
    /// The options.
    public let options: Options

    /// Creates the operation.
    public init(table: DeltaTable, options: Options = Options()) {
        self.table = table
        self.options = options
    }

    /// Reads the changes, handing each commit's rows to `body` in commit order (one commit in memory at a time).
    public func execute(each body: (CommitChanges) async throws(LakeError) -> Void) async throws(LakeError) -> Metrics {
        let latest = try await table.snapshot()
        // Timestamp bounds need every commit's time (its commitInfo is read, as time travel does); version bounds
        // need only the listing, and the commits of the range supply their in-commit timestamps as they are read.
        let timesKnown = Self.isTimestamp(options.from) || Self.isTimestamp(options.to)
        let available: [ChangeRange.Commit]
        if timesKnown {
            let history: [CommitHistoryEntry]
            do { history = try await latest.history() } catch { throw LakeError(error) }
            available = history.reversed().map { ChangeRange.Commit(version: $0.version, timestamp: $0.timestamp) }
        } else {
            let listing = try await LogListing.load(table)
            available = ChangeRange.modificationTimes(listing.commits.filter { $0.version <= latest.version }.map { ($0.version, $0.lastModified) })
        }
        let range = try ChangeRange.resolve(from: options.from, to: options.to, available: available, location: table.location)
        var previousTime = available.last { $0.version < range.start }?.timestamp

        // The end version's schema describes every row, as Spark's feed does by default: files written before a
        // column was added read it as nulls.
        let endSnapshot = range.end == latest.version ? latest : try await table.snapshot(at: .version(range.end))
        let startSnapshot = range.start == range.end ? endSnapshot : try await table.snapshot(at: .version(range.start))
        guard Self.enabled(startSnapshot.metadata) else { throw notRecorded(range.start, range) }
        let schema = try outputColumns(endSnapshot.schema)
        let reader = ChangeFileReader(reader: DataFileReader(table: table, snapshot: endSnapshot), schema: schema)

        // Every commit of the range is read and checked before any row is handed over, so a range the feed does
        // not cover fails as a whole (as Delta's does) instead of after printing part of it.
        let commitActions = try await readCommits(range.commits.map(\.version))
        var commits = range.commits
        for (i, actions) in commitActions.enumerated() {
            for case let .metadata(m) in actions where !Self.enabled(m) { throw notRecorded(commits[i].version, range) }
            if !timesKnown {
                let info = actions.lazy.compactMap { if case let .commitInfo(c) = $0 { c } else { nil } }.first
                commits[i].timestamp = Snapshot.commitTimestamp(inCommit: info?.inCommitTimestamp, modified: commits[i].timestamp, previous: previousTime)
            }
            previousTime = commits[i].timestamp
        }

        var metrics = Metrics()
        metrics.startVersion = range.start
        metrics.endVersion = range.end
        metrics.commitsRead = commits.count
        for (commit, actions) in zip(commits, commitActions) {
            let sources = ChangeSource.plan(actions)
            let (frames, bytes) = try await read(sources, reader: reader, version: commit.version)
            metrics.filesRead += sources.count
            metrics.bytesRead += bytes
            let frame = try stamped(frames, schema: schema, commit: commit)
            metrics.rowsReturned += frame.rowCount
            try await body(CommitChanges(version: commit.version, timestamp: commit.timestamp, frame: frame))
        }
        return metrics
    }

    /// Reads all the changes of the range into one frame.
    public func execute() async throws(LakeError) -> (DataFrame, Metrics) {
        var frames: [DataFrame] = []
        let metrics = try await execute { (c: CommitChanges) throws(LakeError) in frames.append(c.frame) }
        do {
            guard let first = frames.first else { throw LakeError(.failed, "the change range read no commit") }
            return (frames.count == 1 ? first : try DataFrame.concat(frames), metrics)
        } catch {
            throw LakeError(error)
        }
    }

    private static func isTimestamp(_ spec: VersionSpec) -> Bool {
        if case .timestamp = spec { true } else { false }
    }

    /// Whether `metadata` has the change data feed on.
    static func enabled(_ metadata: Metadata) -> Bool {
        metadata.configuration[enableProperty]?.lowercased() == "true"
    }

    private func notRecorded(_ version: Int64, _ range: ChangeRange) -> LakeError {
        LakeError.invalidRequest(
            "cannot read changes of \(table.location) for versions \(range.start) to \(range.end): change data was not recorded for version \(version) (\(Self.enableProperty) was not true). Read from a later version: `lake history` shows the commit that set \(Self.enableProperty)=true")
    }

    /// The table columns returned: `options.columns` resolved against the table (exact, else the only
    /// case-insensitive match), or all of them. The change columns' names are reserved.
    private func outputColumns(_ tableSchema: Schema) throws(LakeError) -> Schema {
        let reserved = [Self.changeTypeColumn, Self.commitVersionColumn, Self.commitTimestampColumn]
        for name in reserved where tableSchema.fields.contains(where: { $0.name.lowercased() == name }) {
            throw LakeError(.unsupported, "the table has a column named \(name), which the change data feed reserves for itself")
        }
        guard let names = options.columns else { return tableSchema }
        var fields: [Field] = []
        for name in names {
            if reserved.contains(name) { continue }
            let exact = tableSchema.fields.first { $0.name == name }
            let folded = tableSchema.fields.filter { $0.name.lowercased() == name.lowercased() }
            guard let field = exact ?? (folded.count == 1 ? folded[0] : nil) else {
                throw LakeError.invalidRequest("no column \(name) in the table; its columns are \(tableSchema.names.joined(separator: ", "))")
            }
            guard !fields.contains(where: { $0.name == field.name }) else { throw LakeError.invalidRequest("the column \(name) is asked for twice") }
            fields.append(field)
        }
        return Schema(fields)
    }

    /// Reads and parses the commit files of `versions`, several at once, in order.
    private func readCommits(_ versions: [Int64]) async throws(LakeError) -> [[Action]] {
        var out = [[Action]](repeating: [], count: versions.count)
        do {
            try await withThrowingTaskGroup(of: (Int, [Action]).self) { group in
                var next = 0
                func launch() {
                    let i = next
                    next += 1
                    group.addTask { (i, try await LogListing.readCommit(table, path: LogFile.commitPath(versions[i]))) }
                }
                while next < min(16, versions.count) { launch() }
                while let (i, actions) = try await group.next() {
                    out[i] = actions
                    if next < versions.count { launch() }
                }
            }
        } catch {
            throw LakeError(error)
        }
        return out
    }

    /// Reads a commit's sources, `table.context.threads` at a time, keeping their order.
    private func read(_ sources: [ChangeSource], reader: ChangeFileReader, version: Int64) async throws(LakeError) -> ([DataFrame], Int) {
        if sources.isEmpty { return ([], 0) }
        var results = [DataFrame?](repeating: nil, count: sources.count)
        var bytes = 0
        do {
            try await withThrowingTaskGroup(of: (Int, DataFrame, Int).self) { group in
                var next = 0
                func launch() {
                    let i = next
                    next += 1
                    group.addTask {
                        try Task.checkCancellation()
                        let (frame, n) = try await reader.read(sources[i], version: version)
                        return (i, frame, n)
                    }
                }
                while next < min(max(1, table.context.threads), sources.count) { launch() }
                while let (i, frame, n) = try await group.next() {
                    results[i] = frame
                    bytes += n
                    if next < sources.count { launch() }
                }
            }
        } catch {
            throw LakeError(error)
        }
        return (results.compactMap { $0 }, bytes)
    }

    /// One commit's rows with `_commit_version` and `_commit_timestamp` (µs, UTC) added; an empty frame of the
    /// output schema when the commit changed no rows.
    private func stamped(_ frames: [DataFrame], schema: Schema, commit: ChangeRange.Commit) throws(LakeError) -> DataFrame {
        let (micros, overflow) = commit.timestamp.multipliedReportingOverflow(by: 1000)
        guard !overflow else { throw LakeError(.corruptTable, "the commit time of version \(commit.version) (\(commit.timestamp) ms) is out of range") }
        let fields = schema.fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) } + [
            Field(Self.changeTypeColumn, .string, nullable: false),
            Field(Self.commitVersionColumn, .int64, nullable: false),
            Field(Self.commitTimestampColumn, DataType.timestampMicros, nullable: false),
        ]
        do {
            let rows = frames.isEmpty ? nil : frames.count == 1 ? frames[0] : try DataFrame.concat(frames)
            guard let rows, rows.rowCount > 0 else { return DataFrame(emptyOf: Schema(fields)) }
            let n = rows.rowCount
            let version = try ConstantColumn.make(.int(commit.version), type: .int64, count: n)
            let time = try ConstantColumn.make(.int(micros), type: DataType.timestampMicros, count: n)
            var columns: [Column] = []
            for field in schema.fields { columns.append(try rows.column(field.name)) }
            columns.append(try rows.column(Self.changeTypeColumn))
            return try DataFrame(schema: Schema(fields), columns: columns + [version, time])
        } catch {
            throw LakeError(error)
        }
    }
}
