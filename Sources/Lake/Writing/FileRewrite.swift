import Columnar
import DataFrame
import DeltaLog

/// Copy-on-write rewriting of data files of one snapshot, shared by delete, update and merge: each file is
/// read whole (every column, every row group, deletion vector applied), the operation says which rows
/// replace it, those rows go to one `DataFileWriter` (which splits them by partition values and cuts files
/// at the target size), and the old file gets a `remove` action. A file the operation leaves alone is
/// neither removed nor rewritten.
///
/// Memory follows the files in flight: at most `table.context.threads` files are read ahead of the one being
/// changed, plus what the writer holds. Files are handed to the operation in the order given, so a pinned
/// context names output files reproducibly. Not thread-safe: one task drives it.
final class FileRewrite {
    /// The table rewritten.
    let table: DeltaTable
    /// The snapshot the files belong to.
    let snapshot: Snapshot
    /// The columns every file is read with and every replacement frame must have: the table's schema.
    let schema: Schema

    private let writer: DataFileWriter
    private let deletionTimestamp: Int64
    private var removes: [RemoveFile] = []
    private var readPaths: [String] = []
    private var scanDuration = Duration.zero
    private var writeDuration = Duration.zero

    /// What the rewrite did.
    struct Result: Sendable {
        /// `add` actions of the files written.
        var added: [AddFile]
        /// `remove` actions of the files replaced or dropped (dataChange = true).
        var removed: [RemoveFile]
        /// Log paths of the files read.
        var read: [String]
        /// Time spent reading files and deciding their rows.
        var scanTime: Duration
        /// Time spent writing replacement rows.
        var rewriteTime: Duration
    }

    /// A rewrite of files of `snapshot` into new files of about `targetFileSize` bytes.
    init(table: DeltaTable, snapshot: Snapshot, targetFileSize: Int) throws(LakeError) {
        self.table = table
        self.snapshot = snapshot
        schema = snapshot.schema
        writer = try DataFileWriter(table: table, metadata: snapshot.metadata, schema: snapshot.schema, targetFileSize: targetFileSize)
        deletionTimestamp = table.context.clock()
    }

    /// The target file size of a table: `delta.targetFileSize` when set to a positive byte count, else 128 MiB.
    static func targetFileSize(_ snapshot: Snapshot) -> Int {
        if let text = snapshot.properties["delta.targetFileSize"], let n = Int(text), n > 0 { return n }
        return 128 * 1024 * 1024
    }

    /// Reads each of `files` and asks `change` for the rows that replace it: nil leaves the file as it is;
    /// a frame (with `schema`'s columns, possibly no rows) is written and the file removed.
    func rewrite(_ files: [AddFile], change: (AddFile, DataFrame) throws(LakeError) -> DataFrame?) async throws(LakeError) {
        guard !files.isEmpty else { return }
        let reader = DataFileReader(table: table, snapshot: snapshot)
        let schema = self.schema
        let clock = ContinuousClock()
        var results = [FileRows?](repeating: nil, count: files.count)
        do {
            try await withThrowingTaskGroup(of: (Int, FileRows).self) { group in
                var next = 0, done = 0
                func launch() {
                    let i = next
                    next += 1
                    group.addTask {
                        try Task.checkCancellation()
                        return (i, try await reader.read(files[i], schema: schema))
                    }
                }
                // Rows of a file must be whole: no predicate goes to the reader, so no row group is skipped.
                let window = max(1, table.context.threads)
                while next < min(window, files.count) { launch() }
                var waitStart = clock.now
                while let (i, rows) = try await group.next() {
                    results[i] = rows
                    while done < files.count, let rows = results[done] {
                        results[done] = nil
                        let add = files[done]
                        done += 1
                        if next < files.count { launch() }
                        try await apply(add, rows, change: change, clock: clock, waitStart: waitStart)
                        waitStart = clock.now
                    }
                }
            }
        } catch {
            throw LakeError(error)
        }
    }

    private func apply(_ add: AddFile, _ rows: FileRows, change: (AddFile, DataFrame) throws(LakeError) -> DataFrame?,
                       clock: ContinuousClock, waitStart: ContinuousClock.Instant) async throws(LakeError) {
        readPaths.append(add.path)
        let replacement = try change(add, rows.frame)
        let decided = clock.now
        scanDuration += decided - waitStart
        guard let replacement else { return }
        guard replacement.schema.names == schema.names else {
            throw LakeError(.failed, "rewriting \(add.path): the replacement rows have columns [\(replacement.schema.names.joined(separator: ", "))], the table [\(schema.names.joined(separator: ", "))]")
        }
        try await writer.write(replacement)
        removes.append(add.removal(deletionTimestamp: deletionTimestamp))
        writeDuration += clock.now - decided
    }

    /// Removes `add` without reading it (every row of it goes).
    func remove(_ add: AddFile) {
        removes.append(add.removal(deletionTimestamp: deletionTimestamp))
    }

    /// Stores the last files; returns what the rewrite did.
    func finish() async throws(LakeError) -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let added = try await writer.finish()
        writeDuration += clock.now - start
        return Result(added: added, removed: removes, read: readPaths, scanTime: scanDuration, rewriteTime: writeDuration)
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

    /// The complement of `mask` (bits past its count stay clear).
    static func inverted(_ mask: Bitmap) -> Bitmap {
        Bitmap(words: mask.words.map { ~$0 }, count: mask.count)
    }

    /// The rows of `frame` whose bit in `mask` is set.
    static func rows(_ frame: DataFrame, where mask: Bitmap) throws(LakeError) -> DataFrame {
        do { return try frame.rows(where: mask) } catch { throw LakeError(error) }
    }
}
