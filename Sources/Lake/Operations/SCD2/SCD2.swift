import Columnar
import DataFrame
import DeltaLog

/// A Slowly Changing Dimension Type 2 load in one commit: the dimension table keeps every version of a key's
/// tracked columns, each with a validity interval (`valid_from` .. `valid_to`, the end null while current) and a
/// current flag.
///
/// For each source row: a new key inserts a current row; a key whose tracked columns changed (compared
/// null-safely: null to null is no change) has its current row closed (`valid_to` = the effective time,
/// `is_current` = false) and a new current row inserted; an unchanged key does nothing (its untracked columns
/// are updated in place with `updateUntracked`). With `closeMissing`, current keys the source lacks are closed.
///
/// How: the current rows of the source's keys are read first (only the columns compared, files pruned by the
/// keys), joined with the source to find changed and late keys; then one MERGE on that same snapshot does the
/// closing and inserting, with a staged source holding each source row once keyed (to match and close) and each
/// changed key's row once more with a null key (to insert its new version), as Delta users write SCD2 by hand.
/// The merge commits once and only when something changed: applying a source twice changes nothing the second
/// time. A source with a key twice, a null key or effective time, or a row whose effective time precedes its
/// key's current `valid_from` (a late arrival) fails naming the key, before anything is written.
/// When the table does not exist, the first load creates it: the source's columns plus the three history
/// columns, every row current.
public struct SCD2: Sendable {
    /// When the source's versions take effect.
    public enum EffectiveTime: Sendable, Hashable {
        /// One time for every row, µs since the epoch (UTC).
        case at(Int64)
        /// A source column (cast to a timestamp) per row.
        case column(String)
        /// The time of the load (the table context's clock).
        case now
    }

    /// SCD2 options.
    public struct Options: Sendable {
        /// The business key columns.
        public var keys: [String]
        /// The columns whose change makes a new version (empty: every source column but the keys and the
        /// effective-time column).
        public var tracked: [String] = []
        /// The effective time of the source's versions.
        public var effective: EffectiveTime
        /// Close the current rows of keys the source lacks (at the effective time; with an effective-time
        /// column, at the source's latest one).
        public var closeMissing = false
        /// Update the untracked columns of unchanged keys' current rows in place.
        public var updateUntracked = false
        /// The current-flag column (boolean).
        public var currentColumn = "is_current"
        /// The start of validity (timestamp).
        public var startColumn = "valid_from"
        /// The end of validity (timestamp, null while current).
        public var endColumn = "valid_to"
        /// Target size of files written, in bytes (nil: the table's `delta.targetFileSize`, else 128 MiB).
        public var targetFileSize: Int?

        /// Options keyed by `keys`, effective at `effective`.
        public init(keys: [String], tracked: [String] = [], effective: EffectiveTime) {
            self.keys = keys
            self.tracked = tracked
            self.effective = effective
        }
    }

    /// What the load did.
    public struct Metrics: OperationMetrics, Hashable {
        /// The version committed, or the version read when nothing changed.
        public var version: Int64 = -1
        /// False when nothing changed and nothing was committed.
        public var committed = false
        /// Source rows.
        @DeltaMetric public var numSourceRows = 0
        /// Current rows inserted for keys the table did not have current.
        @DeltaMetric public var numInsertedNewKeys = 0
        /// New current versions inserted for keys whose tracked columns changed.
        @DeltaMetric public var numNewVersions = 0
        /// Current rows closed (changed keys and, with closeMissing, missing keys).
        @DeltaMetric public var numClosedRows = 0
        /// Of those, rows closed because the source lacks their key.
        @DeltaMetric public var numClosedMissingKeys = 0
        /// Source keys whose tracked columns did not change.
        @DeltaMetric public var numUnchangedKeys = 0
        /// Current rows whose untracked columns were updated in place.
        @DeltaMetric public var numUntrackedUpdated = 0
        /// Wall time, ms.
        @DeltaMetric public var executionTimeMs: Int64 = 0

        /// Empty metrics.
        public init() {}
    }

    /// The dimension table.
    public let table: DeltaTable
    /// The source rows (one per key).
    public let source: Merge.Source
    /// The options.
    public let options: Options

    /// A load of `source` into `table`.
    public init(table: DeltaTable, source: Merge.Source, options: Options) {
        self.table = table
        self.source = source
        self.options = options
    }

    /// Internal column names of the staged source (the `__lake_` prefix keeps them apart from user columns).
    static let effectiveName = "__lake_scd_eff"
    static let changedName = "__lake_scd_changed"
    static let untrackedName = "__lake_scd_untracked"
    static func mergeKey(_ k: Int) -> String { "__lake_scd_mk\(k)" }

    /// Loads and commits; returns the snapshot after it (the one read when nothing changed).
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        let clock = ContinuousClock()
        let start = clock.now
        let existing = try await table.snapshotIfExists()
        // Text sources parse with the table's types; the history columns are the load's to fill, not the source's.
        let history = Set([options.currentColumn, options.startColumn, options.endColumn])
        let parseSchema = existing.map { Schema($0.schema.fields.filter { !history.contains($0.name) }) }
        let loaded = try await Merge.loadSource(source, targetSchema: parseSchema)
        var resolved = options
        if case .now = options.effective { resolved.effective = .at(table.context.clock() &* 1000) }
        let layout = try SCD2Layout(options: resolved, source: loaded.schema)
        var raw = try layout.withEffectiveTime(loaded)
        try layout.checkSource(raw)
        var metrics = Metrics()
        metrics.numSourceRows = raw.rowCount

        guard let snapshot = existing else {
            // First load: the source's columns plus the history columns, every row current.
            var o = Write.Options()
            if let size = options.targetFileSize { o.targetFileSize = size }
            let (s, _) = try await Write(table: table, data: try layout.firstLoad(raw), options: o).execute()
            metrics.numInsertedNewKeys = raw.rowCount
            metrics.version = s.version
            metrics.committed = true
            metrics.executionTimeMs = (clock.now - start).milliseconds
            return (s, metrics)
        }
        try layout.checkTarget(snapshot.schema)
        raw = try layout.cast(raw, to: snapshot.schema)

        // The current rows of the source's keys, joined with the source: which keys are new, changed, late.
        let current = try await currentRows(snapshot, source: raw, layout: layout)
        let compared = try layout.compare(raw, with: current)
        if let late = compared.late {
            throw LakeError.invalidRequest("SCD2: the source row with \(layout.keyText(raw, row: late)) takes effect before its key's current version began (its \(options.startColumn) is later); a late-arriving row would overlap the history, so load rows in time order (nothing was committed)")
        }
        metrics.numUnchangedKeys = compared.unchanged
        metrics.numUntrackedUpdated = compared.untrackedChanged.filter { $0 }.count

        // Source rows the merge needs keyed: new keys, changed keys, untracked updates, and with closeMissing
        // every key (a key the merge does not see is missing). Changed keys once more with null keys: inserts.
        let keyed = (0..<raw.rowCount).map { i in
            options.closeMissing || !compared.matched[i] || compared.changed[i] || compared.untrackedChanged[i]
        }
        let staged = try layout.staged(raw, keyed: keyed, changed: compared.changed, untrackedChanged: compared.untrackedChanged)
        guard staged.rowCount > 0 || options.closeMissing else {
            metrics.version = snapshot.version
            metrics.executionTimeMs = (clock.now - start).milliseconds
            return (snapshot, metrics)
        }
        var mergeOptions = Merge.Options()
        mergeOptions.targetAlias = SCD2Layout.targetAlias
        mergeOptions.sourceAlias = SCD2Layout.sourceAlias
        mergeOptions.targetFileSize = options.targetFileSize ?? FileRewrite.targetFileSize(snapshot)
        let clauses = try layout.clauses(target: snapshot.schema, closeMissingAt: options.closeMissing ? try layout.closeMissingTime(raw) : nil)
        let merge = Merge(table: table, source: .frame(staged), on: layout.onCondition, clauses: clauses, options: mergeOptions)
        let (after, m) = try await merge.execute(on: snapshot)
        metrics.numInsertedNewKeys = compared.matched.filter { !$0 }.count
        metrics.numNewVersions = compared.changed.filter { $0 }.count
        metrics.numClosedMissingKeys = m.numTargetRowsNotMatchedBySourceUpdated
        metrics.numClosedRows = m.numTargetRowsMatchedUpdated - metrics.numUntrackedUpdated + m.numTargetRowsNotMatchedBySourceUpdated
        metrics.committed = m.committed
        metrics.version = after.version
        metrics.executionTimeMs = (clock.now - start).milliseconds
        return (after, metrics)
    }

    /// The current rows of `snapshot` whose keys may be in `source`: the columns compared, the files pruned by
    /// the source's keys (a list of up to 1,024 values, else their range).
    private func currentRows(_ snapshot: Snapshot, source: DataFrame, layout: SCD2Layout) async throws(LakeError) -> DataFrame {
        var filters = [Expr.binary(.equal, .col(options.currentColumn), .lit(true))]
        for name in options.keys {
            let column: Column
            do { column = try source.column(name) } catch { throw LakeError(error) }
            if let list = KeyValues.distinct(column, limit: 1024) {
                filters.append(.inList(.col(name), list.map(Expr.lit), negated: false))
            } else if let (lo, hi) = KeyValues.range(column) {
                filters.append(.between(.col(name), low: .lit(lo), high: .lit(hi), negated: false))
            }
        }
        var o = Scan.Options()
        o.version = .version(snapshot.version)
        o.columns = layout.currentColumns
        o.predicate = filters.dropFirst().reduce(filters[0]) { $0.and($1) }.sql
        return try await Scan(table: table, options: o).execute().1
    }
}
