import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Parquet

/// Turns a stream of batches into Delta data files: maps logical to physical columns (`DataFileLayout`: column
/// mapping's physical names and field ids), splits rows by partition values (Hive directories), keeps
/// one open Parquet file per partition, cuts row groups and files at the target size, stores each finished file
/// through the table's store and describes it as an `add` action (URI-encoded path, partition values, stats
/// from the Parquet writer's own statistics).
///
/// Memory follows the work in flight: the batch being split, each open partition's pending rows (at most one
/// row group) and its encoded file (at most about the target size). Write, delete, update, merge and optimize
/// all write through it. Not thread-safe: one task feeds it.
final class DataFileWriter {
    /// The table written to.
    let table: DeltaTable
    /// Its metadata (partition columns, column mapping, stats settings).
    let metadata: Metadata
    /// The table's logical schema (partition columns included), which every batch has.
    let schema: Schema
    /// Target size of a data file in bytes.
    let targetFileSize: Int
    /// `dataChange` of the `add` actions (false for optimize).
    let dataChange: Bool

    private let layout: DataFileLayout
    private var fileSchema: Schema { layout.fileSchema }
    private let indexedColumns: Int
    /// The physical paths `delta.dataSkippingStatsColumns` lists, when the table sets it.
    private let statsColumns: Set<[String]>?
    private let writerOptions: ParquetWriterOptions
    private let constraints: TableConstraints?
    private let changeData: Bool
    /// Most rows per row group.
    private let rowGroupRows: Int
    private var open: [[String?]: OpenFile] = [:]
    private var order: [[String?]] = []
    private var written: [AddFile] = []
    private var fileCount = 0

    /// Rows of one row group: Parquet's usual million, fewer when the target file size is smaller.
    static let maxRowGroupRows = 1 << 20
    /// In-memory bytes of pending rows that force a row group out even below the row count.
    static let pendingLimit = 64 << 20

    /// One partition's file being written: encoded row groups go to the store as they are made.
    private struct OpenFile {
        var values: [String: String?]
        var writer: ParquetWriter
        var upload: (any ObjectUpload)?
        var key = ""
        var pending: [DataFrame] = []
        var pendingRows = 0
        var pendingBytes = 0
        var rows = 0
    }

    /// A writer for `schema` (the table's logical schema) into `table`. With `changeData`, it writes change
    /// data files instead (`ChangeDataWriter`): `schema` then ends with `_change_type`, files go under
    /// `_change_data/`, carry no stats, and their rows (images of rows already checked) are not checked again.
    init(table: DeltaTable, metadata: Metadata, schema: Schema, targetFileSize: Int, dataChange: Bool = true, changeData: Bool = false,
         rowGroupRows: Int? = nil) throws(LakeError) {
        self.rowGroupRows = max(1, min(rowGroupRows ?? Self.maxRowGroupRows, Self.maxRowGroupRows))
        self.table = table
        self.metadata = metadata
        self.schema = schema
        self.targetFileSize = max(1, targetFileSize)
        self.dataChange = dataChange
        self.changeData = changeData
        layout = try DataFileLayout(schema: schema, metadata: metadata, unmapped: changeData ? [ChangeDataWriter.changeTypeColumn] : [])
        indexedColumns = StatsColumns.indexedColumnCount(metadata.configuration)
        statsColumns = try StatsColumns.listed(metadata, schema: schema)
        constraints = changeData ? nil : try TableConstraints(metadata: metadata, schema: schema)
        var options = ParquetWriterOptions()
        options.statisticsTruncateLength = FileStatistics.parquetTruncateLength
        writerOptions = options
    }

    /// Adds the rows of `frame` (columns in `schema` order and types); throws a constraint violation, writing
    /// nothing of the frame, when a row breaks the table's constraints.
    func write(_ frame: DataFrame) async throws(LakeError) {
        guard frame.rowCount > 0 else { return }
        try Task.checkCancellation(or: LakeError(.cancelled, "the write was cancelled"))
        if let constraints, !constraints.isEmpty { try constraints.enforce(frame) }
        do {
            for (values, piece) in try split(frame) {
                try await append(piece, values: values)
            }
        } catch {
            throw LakeError(error)
        }
    }

    /// Flushes and stores every open file; returns the `add` actions of all files written, in write order.
    func finish() async throws(LakeError) -> [AddFile] {
        do {
            for key in order {
                guard let file = open[key] else { continue }
                try await drain(file, key: key, all: true)
            }
        } catch {
            throw LakeError(error)
        }
        open = [:]
        order = []
        return written
    }

    // MARK: - Partitions

    /// The frame's rows grouped by serialized partition values (input order kept inside a group), as frames of
    /// the data columns as the files store them (`DataFileLayout`: physical names under column mapping).
    private func split(_ frame: DataFrame) throws -> [([String?], DataFrame)] {
        let data = try layout.dataFrame(frame)
        if layout.partitionIndexes.isEmpty { return [([], data)] }
        let (ids, representatives) = PartitionGrouping.groups(layout.partitionIndexes.map { frame.columns[$0] })
        let keys = try representatives.map { row throws -> [String?] in
            try layout.partitionIndexes.map { i throws -> String? in
                let c = frame.columns[i]
                return try PartitionValues.serialize(c.scalar(at: row), type: c.type)
            }
        }
        if keys.count == 1 { return [(keys[0], data)] }
        // A stable sort by group id keeps input order inside each group.
        let idName = "__lake_partition_group"
        let withId = try DataFrame(schema: Schema(data.schema.fields + [Field(idName, .int32, nullable: false)]),
                                   columns: data.columns + [Column(unchecked: .int32, count: ids.count, validity: nil, values: .int32(ids))])
        let sorted = try withId.sort(by: [.asc(idName)])
        guard case let .int32(sids) = try sorted.column(idName).values else { return [] }
        let rows = try sorted.drop([idName])
        var out: [([String?], DataFrame)] = []
        var start = 0
        while start < sids.count {
            var end = start
            while end < sids.count && sids[end] == sids[start] { end += 1 }
            out.append((keys[Int(sids[start])], rows.slice(start..<end)))
            start = end
        }
        return out
    }

    // MARK: - Files

    private func append(_ piece: DataFrame, values key: [String?]) async throws {
        var file: OpenFile
        if let f = open[key] {
            file = f
        } else {
            var values: [String: String?] = [:]
            for (c, v) in zip(layout.partitionKeys, key) { values[c] = .some(v) }
            file = OpenFile(values: values, writer: try ParquetWriter(schema: fileSchema, options: writerOptions))
            order.append(key)
        }
        file.pending.append(piece)
        file.pendingRows += piece.rowCount
        file.pendingBytes += Self.bufferBytes(piece)
        try await drain(file, key: key, all: false)
    }

    /// Writes `file`'s pending rows as row groups, storing the file and starting the partition's next one
    /// whenever it reaches the target size; with `all`, writes everything and stores the last file too.
    private func drain(_ start: OpenFile, key: [String?], all: Bool) async throws {
        var file = start
        while true {
            try await flush(&file, all: all)
            guard (file.rows > 0 && file.writer.bytesWritten >= targetFileSize) || (all && file.pendingRows == 0) else { break }
            try await close(file)
            if file.pendingRows == 0 {
                open[key] = nil
                if all { return }
                file = OpenFile(values: file.values, writer: try ParquetWriter(schema: fileSchema, options: writerOptions))
                break
            }
            var next = OpenFile(values: file.values, writer: try ParquetWriter(schema: fileSchema, options: writerOptions))
            (next.pending, next.pendingRows, next.pendingBytes) = (file.pending, file.pendingRows, file.pendingBytes)
            file = next
        }
        open[key] = file
    }

    /// Writes pending rows as row groups of a size that fits the target: whole row groups while enough rows
    /// are pending (or too many bytes are), everything when `all`. Stops when the file reaches the target size
    /// (the rest stays pending for the next file).
    private func flush(_ file: inout OpenFile, all: Bool) async throws {
        guard file.pendingRows > 0 else { return }
        let rowBytes = max(1, file.pendingBytes / max(1, file.pendingRows))
        let groupRows = min(rowGroupRows, max(1, targetFileSize / rowBytes))
        let drainAll = all || file.pendingBytes >= Self.pendingLimit
        guard drainAll || file.pendingRows >= groupRows else { return }
        let rows = file.pending.count == 1 ? file.pending[0] : try DataFrame.concat(file.pending)
        var start = 0
        while start < rows.rowCount, drainAll || rows.rowCount - start >= groupRows {
            let end = min(rows.rowCount, start + groupRows)
            try file.writer.write(try RecordBatch(schema: fileSchema, columns: rows.slice(start..<end).columns))
            file.rows += end - start
            start = end
            try await store(&file)
            if file.writer.bytesWritten >= targetFileSize { break }
        }
        let left = rows.rowCount - start
        file.pending = left == 0 ? [] : [rows.slice(start..<rows.rowCount)]
        file.pendingRows = left
        file.pendingBytes = left == 0 ? 0 : rowBytes * left
    }

    /// Sends the row groups encoded so far to the file's upload, starting the upload (and naming the file)
    /// with the first one.
    private func store(_ file: inout OpenFile) async throws {
        if file.upload == nil {
            // Under column mapping the directories are named by physical names too, as Spark names them: a
            // rename of the column leaves them right, and readers take the values from the log anyway.
            let dir = PartitionValues.hiveDirectory(columns: layout.partitionKeys, values: file.values)
            let name = Self.fiveDigits(fileCount) + "-" + table.context.uuid() + "-c000.snappy.parquet"
            file.key = changeData ? "_change_data/" + dir + "cdc-" + name : dir + "part-" + name
            fileCount += 1
            do { file.upload = try await table.store.upload(file.key) } catch { throw LakeError(.storage, "writing data file \(file.key): \(error)") }
        }
        let bytes = file.writer.takeBytes()
        do { try await file.upload?.append(bytes) } catch {
            await file.upload?.abort()
            throw LakeError(.storage, "writing data file \(file.key): \(error)")
        }
    }

    /// Finishes `file`, publishes it and records its `add` action.
    private func close(_ file: OpenFile) async throws {
        guard file.rows > 0, let upload = file.upload else { return }
        let tail = try file.writer.finish()
        let size = file.writer.bytesWritten + tail.count
        do {
            try await upload.append(tail)
            try await upload.complete()
        } catch {
            await upload.abort()
            throw LakeError(.storage, "writing data file \(file.key): \(error)")
        }
        guard let footer = file.writer.fileMetaData else { throw LakeError(.storage, "data file \(file.key) has no footer") }
        let stats = changeData ? nil : FileStatistics.json(footer: try FooterStatistics(footer), fields: fileSchema.fields, indexedColumns: indexedColumns, listed: statsColumns)
        written.append(AddFile(path: DeltaPath.encode(file.key), partitionValues: file.values, size: Int64(size),
                               modificationTime: table.context.clock(), dataChange: dataChange, stats: stats))
    }

    static func fiveDigits(_ i: Int) -> String {
        let s = String(i)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// Bytes of a frame's in-memory buffers: a cheap stand-in for its size when sizing row groups.
    static func bufferBytes(_ frame: DataFrame) -> Int {
        frame.columns.reduce(0) { $0 + bufferBytes($1) }
    }

    static func bufferBytes(_ c: Column) -> Int {
        switch c.values {
        case let .boolean(b): return b.count / 8 + 1
        case .int8, .uint8: return c.count
        case .int16, .uint16: return 2 * c.count
        case .int32, .uint32, .float32: return 4 * c.count
        case .int64, .uint64, .float64: return 8 * c.count
        case .decimal: return 16 * c.count
        case let .bytes(o, _): return Int((o.last ?? 0) - (o.first ?? 0)) + 4 * c.count
        case let .list(_, child): return bufferBytes(child) + 4 * c.count
        case let .structure(children): return children.reduce(0) { $0 + bufferBytes($1) }
        case let .map(_, k, v): return bufferBytes(k) + bufferBytes(v) + 4 * c.count
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Throws `error` when the current task was cancelled: long loops call it so a server can stop a request.
    static func checkCancellation(or error: LakeError) throws(LakeError) {
        if Task.isCancelled { throw error }
    }
}
