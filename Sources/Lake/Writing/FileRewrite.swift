import Columnar
import DataFrame
import DeltaLog

/// Changes data files of one snapshot for delete, update and merge, in one place that decides how: each file
/// is read one row group at a time (deletion vector applied; every column, except that a delete on a table
/// with deletion vectors reads only its predicate's), the operation says for each batch which of its rows
/// leave the file and which new rows replace them (`FileChange`), and then
/// - copy-on-write (tables without deletion vectors): the kept rows and the new rows go to one
///   `DataFileWriter` (which splits them by partition values and cuts files at the target size) and the old
///   file gets a `remove`;
/// - deletion vectors (`deletionVectors` feature and `delta.enableDeletionVectors=true`): the leaving rows'
///   Delta row indexes, united with the file's old vector, become its new vector (`DeletionVectorMarking`):
///   the commit removes the old logical file and adds the same path with the new vector; only the new rows are
///   written. A file all of whose rows leave is removed either way.
/// A file the operation leaves alone is neither removed nor rewritten.
///
/// Memory follows the row group in flight (decoded on all cores) plus what the writer holds, not the file or
/// the table. Copy-on-write learns a file must be rewritten at its first changed group; the unchanged groups
/// before it are read again then, rather than held in case. Files are handed to the operation in the order
/// given, so a pinned context names output files reproducibly. Not thread-safe: one task drives it.
final class FileRewrite {
    /// What an operation does to one batch of a file's rows (a row group).
    struct FileChange {
        /// The rows of the file's frame that leave the file (deleted, or replaced by `added`), one bit per row.
        var removed: Bitmap
        /// New rows (with the table's columns) written to new files in place of the removed ones; none for a delete.
        var added: [DataFrame] = []
        /// Of the removed rows, those `added` holds new versions of (updates); the others are deleted. Only the
        /// change data feed tells the two apart (update pre-images and deletes).
        var updated: Bitmap? = nil
    }

    /// The table rewritten.
    let table: DeltaTable
    /// The snapshot the files belong to.
    let snapshot: Snapshot
    /// The columns every file is read with and every replacement frame must have: the table's schema.
    let schema: Schema
    /// Whether removed rows are marked in deletion vectors instead of files being rewritten.
    let usesDeletionVectors: Bool

    private let writer: DataFileWriter
    private let changes: ChangeDataWriter?
    private let deletionTimestamp: Int64
    private var marking: DeletionVectorMarking?
    private var removes: [RemoveFile] = []
    private var readPaths: [String] = []
    private var copiedRows = 0
    private var scanDuration = Duration.zero
    private var writeDuration = Duration.zero

    /// What the rewrite did.
    struct Result: Sendable {
        /// `add` actions of the new data files written.
        var added: [AddFile]
        /// `remove` actions of the files replaced or dropped whole (dataChange = true).
        var removed: [RemoveFile]
        /// Files kept under a new deletion vector: the `remove` of the old logical file and the `add` of the same path.
        var marked: [DeletionVectorMarking.Marked]
        /// Change data files (tables with the change data feed on).
        var changeFiles: [AddCDCFile]
        /// Rows of rewritten files that were kept, so copied to new files (0 with deletion vectors).
        var copiedRows: Int
        /// Log paths of the files read.
        var read: [String]
        /// Time spent reading files and deciding their rows.
        var scanTime: Duration
        /// Time spent writing new rows and deletion vectors.
        var rewriteTime: Duration

        /// The commit's file actions: removes, then the marked files' remove and add, then the new files.
        var actions: [Action] {
            removed.map { .remove($0) } + marked.flatMap { [Action.remove($0.remove), .add($0.add)] } + added.map { .add($0) }
                + changeFiles.map { .cdc($0) }
        }
        /// Bytes of the new data files.
        var addedBytes: Int64 { added.reduce(0) { $0 + $1.size } }
        /// Bytes of the files removed whole (files kept under a new vector free none).
        var removedBytes: Int64 { removed.reduce(0) { $0 + ($1.size ?? 0) } }
        // The vector counts as Spark records them (its golden DV tables): every add and every remove
        // carrying a vector counts, and a path with a vector on both sides is also an update.
        /// Adds carrying a vector (Delta's `numDeletionVectorsAdded`).
        var deletionVectorsAdded: Int { marked.count }
        /// Removes carrying a vector: replaced ones and those gone with their files (`numDeletionVectorsRemoved`).
        var deletionVectorsRemoved: Int { removed.count { $0.deletionVector != nil } + deletionVectorsUpdated }
        /// Files whose old vector a combined one replaces (`numDeletionVectorsUpdated`).
        var deletionVectorsUpdated: Int { marked.count { $0.remove.deletionVector != nil } }
    }

    /// A rewrite of files of `snapshot` into new files of about `targetFileSize` bytes; `schema` and `metadata`
    /// (default: the snapshot's) are what the commit will have, when the operation evolves the schema.
    init(table: DeltaTable, snapshot: Snapshot, targetFileSize: Int, schema: Schema? = nil, metadata: Metadata? = nil) throws(LakeError) {
        self.table = table
        self.snapshot = snapshot
        self.schema = schema ?? snapshot.schema
        usesDeletionVectors = DeletionVectorMarking.enabled(snapshot)
        writer = try DataFileWriter(table: table, metadata: metadata ?? snapshot.metadata, schema: schema ?? snapshot.schema, targetFileSize: targetFileSize)
        changes = ChangeDataWriter.enabled(metadata ?? snapshot.metadata)
            ? try ChangeDataWriter(table: table, metadata: metadata ?? snapshot.metadata, schema: schema ?? snapshot.schema, targetFileSize: targetFileSize)
            : nil
        deletionTimestamp = table.context.clock()
    }

    /// The target file size of a table: `delta.targetFileSize` when set to a positive byte count, else 128 MiB.
    static func targetFileSize(_ snapshot: Snapshot) -> Int {
        if let text = snapshot.properties["delta.targetFileSize"], let n = Int(text), n > 0 { return n }
        return 128 * 1024 * 1024
    }

    /// Reads each of `files`, a row group at a time, and asks `change` what happens to each batch of its rows:
    /// nil (or no row removed) leaves those rows where they are.
    ///
    /// `reading` names (lowercased) the only columns `change` looks at when it adds no rows (a delete): with
    /// deletion vectors the file's other columns are never needed, so only these are fetched and decoded.
    /// Copy-on-write, tables that record changes (the deleted rows are the change data), and nil read every
    /// column.
    func rewrite(_ files: [AddFile], reading: Set<String>? = nil, change: (AddFile, DataFrame) throws(LakeError) -> FileChange?) async throws(LakeError) {
        guard !files.isEmpty else { return }
        let reader = DataFileReader(table: table, snapshot: snapshot)
        let schema: Schema
        if usesDeletionVectors, changes == nil, let reading {
            // At least one column, so the frame still has the file's rows.
            let fields = self.schema.fields.filter { reading.contains($0.name.lowercased()) }
            schema = Schema(fields.isEmpty ? Array(self.schema.fields.prefix(1)) : fields)
        } else {
            schema = self.schema
        }
        let rowIndex = usesDeletionVectors
        let clock = ContinuousClock()
        for add in files {
            try Task.checkCancellation(or: LakeError(.cancelled, "the operation was cancelled"))
            var waitStart = clock.now
            let file = try await reader.open(add)
            readPaths.append(add.path)
            var state = FileState()
            // One row group at a time: memory follows a group's rows, not the file's.
            for g in 0..<file.rowGroupCount {
                let rows = try await file.read(schema: schema, rowGroups: [g], rowIndex: rowIndex)
                try await apply(file, group: g, rows, state: &state, change: change, clock: clock, waitStart: waitStart)
                waitStart = clock.now
            }
            try await finish(add, state)
        }
    }

    /// What happened to the rows of the file being changed so far.
    private struct FileState {
        /// Rows read (deletion vector applied).
        var live = 0
        /// Rows that left the file.
        var removed = 0
        /// Their Delta row indexes (with deletion vectors).
        var gone: [Int64] = []
        /// Copy-on-write: the file is being rewritten (its kept rows are going to new files).
        var rewriting = false
    }

    private func apply(_ file: OpenDataFile, group: Int, _ rows: FileRows, state: inout FileState,
                       change: (AddFile, DataFrame) throws(LakeError) -> FileChange?,
                       clock: ContinuousClock, waitStart: ContinuousClock.Instant) async throws(LakeError) {
        let add = file.add
        let n = rows.frame.rowCount
        state.live += n
        let decision = try change(add, rows.frame)
        let decided = clock.now
        scanDuration += decided - waitStart
        defer { writeDuration += clock.now - decided }
        guard let decision, decision.removed.setCount > 0 || !decision.added.isEmpty else {
            // Unchanged rows of a file being rewritten are copied.
            if state.rewriting && n > 0 {
                try await writer.write(rows.frame)
                copiedRows += n
            }
            return
        }
        guard decision.removed.count == n else {
            throw LakeError(.failed, "rewriting \(add.path): the change marks \(decision.removed.count) rows of a batch of \(n)")
        }
        for frame in decision.added where frame.schema.names != self.schema.names {
            throw LakeError(.failed, "rewriting \(add.path): the replacement rows have columns [\(frame.schema.names.joined(separator: ", "))], the table [\(schema.names.joined(separator: ", "))]")
        }
        let gone = decision.removed.setCount
        state.removed += gone
        if let changes, gone > 0 {
            let updated = decision.updated.map { Self.both($0, decision.removed) } ?? Bitmap(count: n, value: false)
            try await changes.write(try Self.rows(rows.frame, where: updated), as: .updatePreimage)
            try await changes.write(try Self.rows(rows.frame, where: Self.both(decision.removed, Self.inverted(updated))), as: .delete)
            for frame in decision.added { try await changes.write(frame, as: .updatePostimage) }
        }
        if gone > 0 {
            if usesDeletionVectors {
                state.gone += try DeletionVectorMarking.rowIndexes(of: decision.removed, in: rows.rowIndex, file: add.path)
            } else {
                if !state.rewriting {
                    // The first change in this file: the groups before it, unchanged, are copied now (read again,
                    // one at a time, rather than held in case a later group changed).
                    state.rewriting = true
                    for g in 0..<group {
                        let earlier = try await file.read(schema: schema, rowGroups: [g])
                        try await writer.write(earlier.frame)
                        copiedRows += earlier.frame.rowCount
                    }
                }
                let kept = try Self.rows(rows.frame, where: Self.inverted(decision.removed))
                try await writer.write(kept)
                copiedRows += kept.rowCount
            }
        }
        for frame in decision.added where frame.rowCount > 0 { try await writer.write(frame) }
    }

    /// Ends the change of one file: untouched, removed whole, marked with a new deletion vector, or (copy on
    /// write, its kept rows already written) removed.
    private func finish(_ add: AddFile, _ state: FileState) async throws(LakeError) {
        guard state.removed > 0 else { return }
        if state.removed == state.live || !usesDeletionVectors {
            removes.append(add.removal(deletionTimestamp: deletionTimestamp))
            return
        }
        if marking == nil { marking = try DeletionVectorMarking(table: table) }
        try await marking?.mark(add, gone: state.gone, deletionTimestamp: deletionTimestamp)
    }

    /// Whether the table records change data: then a file whose every row goes must still be read (its rows
    /// are the change), so callers pass it to `rewrite` rather than `remove`.
    var recordsChanges: Bool { changes != nil }

    /// Removes `add` without reading it (every row of it goes); not for tables that record changes.
    func remove(_ add: AddFile) {
        removes.append(add.removal(deletionTimestamp: deletionTimestamp))
    }

    /// Writes new rows (with the table's columns) that replace no file's rows: a merge's inserts.
    func insert(_ rows: DataFrame) async throws(LakeError) {
        guard rows.rowCount > 0 else { return }
        let clock = ContinuousClock()
        let start = clock.now
        try await writer.write(rows)
        try await changes?.write(rows, as: .insert)
        writeDuration += clock.now - start
    }

    /// Stores the last files and the deletion vector file; returns what the rewrite did.
    func finish() async throws(LakeError) -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let added = try await writer.finish()
        let marked = try await marking?.finish() ?? []
        let changeFiles = try await changes?.finish() ?? []
        writeDuration += clock.now - start
        return Result(added: added, removed: removes, marked: marked, changeFiles: changeFiles, copiedRows: copiedRows, read: readPaths,
                      scanTime: scanDuration, rewriteTime: writeDuration)
    }

    // MARK: - Row masks

    /// The rows where a boolean column is TRUE (not FALSE, not NULL), one bit per row.
    static func trueRows(_ column: Column) throws(LakeError) -> Bitmap {
        guard case let .boolean(values) = column.values, column.type == .boolean else {
            throw LakeError.invalidRequest("a condition must be boolean, not \(column.type.name)")
        }
        guard let validity = column.validity else { return values }
        let v = values.words, m = validity.words
        var words = [UInt64](repeating: 0, count: min(v.count, m.count))
        for i in words.indices { words[i] = v[i] & m[i] }
        return Bitmap(words: words, count: column.count)
    }

    /// The rows set in both masks.
    static func both(_ a: Bitmap, _ b: Bitmap) -> Bitmap {
        Bitmap(words: zip(a.words, b.words).map { $0 & $1 }, count: min(a.count, b.count))
    }

    /// The complement of `mask` (bits past its count stay clear).
    static func inverted(_ mask: Bitmap) -> Bitmap {
        Bitmap(words: mask.words.map { ~$0 }, count: mask.count)
    }

    /// The rows of `frame` whose bit in `mask` is set.
    static func rows(_ frame: DataFrame, where mask: Bitmap) throws(LakeError) -> DataFrame {
        do { return try frame.rows(where: mask) } catch { throw LakeError(error) }
    }
}
