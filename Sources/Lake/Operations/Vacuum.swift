import DeltaLog
import ObjectStore

/// Deletes the files under a Delta table that its current version does not need: Delta's `VACUUM`.
///
/// One listing of the table root decides everything (no per-file store calls): a listed file is deleted when
///
/// - it is not hidden: no segment of its key starts with `_` or `.` (so `_delta_log/` and `.crc`-style files are
///   never touched), except `_change_data/` (change data files age out like data files), `_delta_index` and
///   partition directories such as `_col=1` of a partition column `_col`;
/// - the current snapshot does not reference it: neither an `add` (by its decoded path) nor the deletion vector
///   file (`deletion_vector_<uuid>.bin`) of one;
/// - no unexpired tombstone references it: a `remove` newer than the retention keeps its file and its deletion
///   vector file, so readers of versions inside the retention still find them;
/// - its modification time is older than the retention: files a running or failed writer left behind without
///   committing go only once they are that old.
///
/// Retention defaults to the table's `delta.deletedFileRetentionDuration` (7 days); a shorter one is refused
/// unless `force` is set, as Delta's retention check does. Before deleting, a `VACUUM START` commit records what
/// will go (`numFilesToDelete`, `sizeOfDataToDelete`), and after, `VACUUM END` records the outcome (`COMPLETED`
/// or `FAILED`, `numDeletedFiles`); both carry only `commitInfo`, and nothing is committed when there is nothing
/// to delete or on a dry run. Files are deleted in batches, many at once.
///
/// The table's protocol is checked for writing (which includes every reader feature) before anything, as the
/// `vacuumProtocolCheck` feature requires of every vacuum.
public struct Vacuum: Sendable {
    /// What to vacuum and how.
    public struct Options: Sendable, Hashable {
        /// Keep files removed or modified within this many milliseconds; nil takes the table's
        /// `delta.deletedFileRetentionDuration` (7 days by default).
        public var retentionMillis: Int64?
        /// List what would be deleted, delete nothing and commit nothing.
        public var dryRun: Bool
        /// Allow a retention shorter than the table's (Delta's retention check disabled). Readers of older
        /// versions and writers still writing files may then lose them.
        public var force: Bool

        /// Options; the defaults vacuum with the table's retention.
        public init(retentionMillis: Int64? = nil, dryRun: Bool = false, force: Bool = false) {
            self.retentionMillis = retentionMillis
            self.dryRun = dryRun
            self.force = force
        }
    }

    /// What the vacuum did (or, in a dry run, would do), under the names Delta's VACUUM START / END record.
    public struct Metrics: OperationMetrics, Hashable {
        /// True for a dry run: `files` would be deleted, nothing was.
        public var dryRun = false
        /// Keys (relative to the table root, decoded) of the files deleted or to delete, sorted.
        public var files: [String] = []
        /// The retention applied, in milliseconds.
        public var retentionMillis: Int64 = 0
        /// The version of the `VACUUM START` commit; nil when nothing was committed.
        public var startVersion: Int64?
        /// The version of the `VACUUM END` commit; nil when nothing was committed.
        public var endVersion: Int64?
        /// Files found unreferenced and older than the retention.
        @DeltaMetric public var numFilesToDelete = 0
        /// Their bytes.
        @DeltaMetric public var sizeOfDataToDelete: Int64 = 0
        /// Files actually deleted (0 in a dry run).
        @DeltaMetric public var numDeletedFiles = 0
        /// Directories removed: always 0, since object stores have no directories to remove (as delta-rs).
        @DeltaMetric public var numVacuumedDirectories = 0

        /// Empty metrics.
        public init() {}
    }

    /// `VACUUM START`'s `operationMetrics`.
    struct StartMetrics: OperationMetrics {
        @DeltaMetric var numFilesToDelete = 0
        @DeltaMetric var sizeOfDataToDelete: Int64 = 0
    }

    /// `VACUUM END`'s `operationMetrics`.
    struct EndMetrics: OperationMetrics {
        @DeltaMetric var numDeletedFiles = 0
        @DeltaMetric var numVacuumedDirectories = 0
    }

    /// The table vacuumed.
    public let table: DeltaTable
    /// How.
    public let options: Options
    /// Where deletions are reported as they happen (nil: nowhere).
    public var progress: ProgressTracker?

    /// Deletes at most this many files per batch; each batch runs `deleteWidth` deletes at once.
    static let batchSize = 1000

    /// A vacuum of `table`.
    public init(table: DeltaTable, options: Options = Options()) {
        self.table = table
        self.options = options
    }

    /// Vacuums the latest version: lists, decides, commits VACUUM START, deletes, commits VACUUM END.
    public func execute() async throws(LakeError) -> Metrics {
        let snapshot = try await table.snapshot()
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        let tableRetention = try RetentionDuration.deletedFileRetentionMillis(snapshot.properties)
        let retention = options.retentionMillis ?? tableRetention
        guard retention >= 0 else { throw LakeError.invalidRequest("the vacuum retention must be 0 or more, not \(retention) ms") }
        if retention < tableRetention && !options.force {
            throw LakeError.invalidRequest("refusing to vacuum \(table.location) with a retention of \(Self.hours(retention)) hours: the table keeps removed files for \(Self.hours(tableRetention)) hours (delta.deletedFileRetentionDuration), and a shorter retention can delete files that readers of older versions or writers still committing need; pass --force (Vacuum.Options.force) if no such reader or writer exists")
        }
        let now = table.context.clock()
        let (cutoff, overflow) = now.subtractingReportingOverflow(retention)
        guard !overflow else { throw LakeError.invalidRequest("a retention of \(retention) ms reaches before the earliest representable time") }

        let doomed = try await candidates(snapshot: snapshot, cutoff: cutoff)
        var metrics = Metrics()
        metrics.dryRun = options.dryRun
        metrics.retentionMillis = retention
        metrics.files = doomed.map(\.path)
        metrics.numFilesToDelete = doomed.count
        metrics.sizeOfDataToDelete = doomed.reduce(0) { $0 &+ $1.size }
        if options.dryRun || doomed.isEmpty { return metrics }

        let start = OperationCommit(
            table: table, snapshot: snapshot,
            operation: .vacuumStart(retentionCheckEnabled: !options.force, specifiedRetentionMillis: options.retentionMillis, defaultRetentionMillis: tableRetention),
            read: .nothing)
        let started = try await start.commit([], metrics: StartMetrics(numFilesToDelete: metrics.numFilesToDelete, sizeOfDataToDelete: metrics.sizeOfDataToDelete))
        metrics.startVersion = started.version

        progress?.expect(files: doomed.count, bytes: metrics.sizeOfDataToDelete)
        let (deleted, failure) = await delete(doomed)
        metrics.numDeletedFiles = deleted
        // Folders the deletes emptied (partition directories of removed data) go too, as Spark's vacuum does.
        metrics.numVacuumedDirectories = await table.store.removeEmptyDirectories(Self.folders(of: doomed.map(\.path)))
        // VACUUM END reads nothing and START changed no state: it commits right after START without replaying
        // the log again.
        let end = OperationCommit(table: table, snapshot: snapshot, operation: .vacuumEnd(status: failure == nil ? "COMPLETED" : "FAILED"), read: .nothing,
                                  readVersion: started.version)
        let ended = try await end.commit([], metrics: EndMetrics(numDeletedFiles: deleted, numVacuumedDirectories: metrics.numVacuumedDirectories))
        metrics.endVersion = ended.version
        if let failure {
            throw LakeError(.storage, "vacuum of \(table.location) deleted \(deleted) of \(doomed.count) files, then failed: \(failure); VACUUM END recorded FAILED at version \(ended.version), and running vacuum again finishes the job")
        }
        return metrics
    }

    /// The listed files to delete, sorted by key: unreferenced, not hidden, modified before `cutoff`.
    func candidates(snapshot: Snapshot, cutoff: Int64) async throws(LakeError) -> [ObjectMeta] {
        var keep = Set<String>(minimumCapacity: snapshot.files.count * 2)
        for add in snapshot.files {
            if let key = try tableKey(add.path) { keep.insert(key) }
            if let dv = add.deletionVector, let key = try dvKey(dv, of: add.path) { keep.insert(key) }
        }
        for remove in snapshot.tombstones where (remove.deletionTimestamp ?? 0) > cutoff {
            if let key = try tableKey(remove.path) { keep.insert(key) }
            if let dv = remove.deletionVector, let key = try dvKey(dv, of: remove.path) { keep.insert(key) }
        }
        let listed: [ObjectMeta]
        do { listed = try await table.store.list(prefix: "") } catch { throw LakeError(error) }
        let partitionColumns = snapshot.partitionColumns
        return listed.filter { meta in
            meta.lastModified < cutoff && !keep.contains(meta.path) && !Self.isHidden(meta.path, partitionColumns: partitionColumns)
        }
    }

    /// Whether vacuum must leave a key alone: a segment starting with `_` or `.`, other than `_change_data`,
    /// `_delta_index` and partition directories (`<column>=<value>`) of the table's partition columns.
    static func isHidden(_ key: String, partitionColumns: [String]) -> Bool {
        // Fast path for the common key: no segment starts with `_` or `.`.
        var atSegmentStart = true
        var suspicious = false
        for b in key.utf8 {
            if atSegmentStart && (b == UInt8(ascii: "_") || b == UInt8(ascii: ".")) { suspicious = true; break }
            atSegmentStart = b == UInt8(ascii: "/")
        }
        if !suspicious { return false }
        for segment in key.split(separator: "/") {
            guard let first = segment.utf8.first, first == UInt8(ascii: "_") || first == UInt8(ascii: ".") else { continue }
            if segment.hasPrefix("_change_data") || segment.hasPrefix("_delta_index") { continue }
            if partitionColumns.contains(where: { segment.hasPrefix($0 + "=") || segment.hasPrefix(DeltaPath.encode($0) + "=") }) { continue }
            return true
        }
        return false
    }

    /// The store key of a log path (percent-decoded), or nil when it lies outside the table root (never listed).
    /// A path vacuum cannot understand stops the vacuum: guessing could delete a file the table needs.
    func tableKey(_ logPath: String) throws(LakeError) -> String? {
        guard let path = DeltaPath.decode(logPath) else {
            throw LakeError(.corruptTable, "malformed percent-encoding in the file path \(logPath) in the Delta log; vacuum deleted nothing")
        }
        if Self.isPlainRelative(path) { return path }
        let file: String
        if !DeltaPath.isAbsolute(path) {
            file = path
        } else {
            guard case let .local(root)? = table.root else { return nil }
            let absolute: String
            if path.hasPrefix("/") {
                absolute = path
            } else if case let .local(f)? = try? StoreLocation.parse(logPath) {
                absolute = f
            } else {
                return nil
            }
            let prefix = root == "/" ? "/" : root + "/"
            guard absolute.hasPrefix(prefix) else { return nil }
            file = String(absolute.dropFirst(prefix.count))
        }
        // Listing yields normalized keys; `a//b` or `./a` in the log must still protect `a/b` and `a`.
        let segments = file.split(separator: "/").filter { $0 != "." }
        if segments.contains("..") {
            throw LakeError(.corruptTable, "the Delta log names the file \(logPath), which escapes the table root with '..'; vacuum deleted nothing")
        }
        return segments.isEmpty ? nil : segments.joined(separator: "/")
    }

    /// Whether `path` is already a listed key's form: relative (no scheme, no leading `/`) with no empty, `.`
    /// or `..` segments. One pass over the bytes; most log paths take this way.
    static func isPlainRelative(_ path: String) -> Bool {
        var segmentLength = 0
        var dots = 0
        for b in path.utf8 {
            if b == UInt8(ascii: ":") { return false }
            if b == UInt8(ascii: "/") {
                if segmentLength == 0 || dots == segmentLength && dots <= 2 { return false }
                segmentLength = 0
                dots = 0
                continue
            }
            segmentLength += 1
            if b == UInt8(ascii: ".") { dots += 1 }
        }
        return segmentLength > 0 && !(dots == segmentLength && dots <= 2)
    }

    /// The store key of a deletion vector's file, or nil for an inline vector or one outside the table.
    func dvKey(_ dv: DeletionVectorDescriptor, of path: String) throws(LakeError) -> String? {
        let location: DeletionVectorDescriptor.Location
        do { location = try dv.location() } catch { throw LakeError(.corruptTable, "\(path): \(error); vacuum deleted nothing") }
        switch location {
        case .inline: return nil
        case let .relative(key): return key
        case let .absolute(uri): return try tableKey(uri)
        }
    }

    /// Deletes `objects` in batches of `batchSize`, each split over parallel lanes; stops after the first batch
    /// with a failure. Returns how many were deleted and the first failure.
    func delete(_ objects: [ObjectMeta]) async -> (Int, String?) {
        let progress = self.progress
        let width = max(4, table.context.threads * 4)
        let store = table.store
        var deleted = 0
        var start = 0
        while start < objects.count {
            let batch = Array(objects[start..<min(start + Self.batchSize, objects.count)])
            start += batch.count
            // Each lane deletes a contiguous share of the batch with one batch call: one DeleteObjects
            // request per lane on S3, unlinks one after another on local disk.
            let lanes = min(width, batch.count)
            let (done, failure) = await withTaskGroup(of: (Int, String?).self) { group -> (Int, String?) in
                for lane in 0..<lanes {
                    let share = Array(batch[(batch.count * lane / lanes)..<(batch.count * (lane + 1) / lanes)])
                    group.addTask {
                        do { try await store.delete(share.map(\.path)) } catch { return (0, "\(share.first?.path ?? ""): \(error)") }
                        progress?.done(files: share.count, bytes: share.reduce(0) { $0 &+ $1.size })
                        return (share.count, nil)
                    }
                }
                var total = 0
                var first: String?
                for await (n, f) in group {
                    total += n
                    if first == nil { first = f }
                }
                return (total, first)
            }
            deleted += done
            if let failure { return (deleted, failure) }
        }
        return (deleted, nil)
    }

    /// Every folder holding one of `keys`, with its ancestors (not the table root).
    static func folders(of keys: [String]) -> [String] {
        var out = Set<String>()
        for key in keys {
            var path = Substring(key)
            while let slash = path.lastIndex(of: "/") {
                path = path[..<slash]
                guard out.insert(String(path)).inserted else { break }
            }
        }
        return Array(out)
    }

    /// Milliseconds as hours for messages (`168`, `0.5`).
    static func hours(_ ms: Int64) -> String {
        ms % 3_600_000 == 0 ? String(ms / 3_600_000) : String(Double(ms) / 3_600_000)
    }
}
