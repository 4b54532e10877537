import Columnar
import Dispatch

/// Writes `RecordBatch`es as one Parquet file in memory.
///
/// Each `write` call adds one or more row groups (at most `rowGroupSize` rows each); the leaf column
/// chunks of a row group are encoded in parallel. `finish` appends the footer and returns the file.
public final class ParquetWriter {
    private let schema: Schema
    private let options: ParquetWriterOptions
    private let layout: WriterSchema
    private var output: [UInt8]
    /// Bytes already handed out by `takeBytes` (offsets in the file count them).
    private var flushed = 0
    /// The footer written by `finish`.
    public private(set) var fileMetaData: FileMetaData?
    private var rowGroups: [RowGroup] = []
    private var numRows: Int64 = 0
    private var finished = false
    /// Leaves whose dictionary overflowed in an earlier row group: later row groups write them PLAIN
    /// directly instead of building a dictionary only to abandon it again.
    private var plainLeaves = Set<Int>()

    /// A writer for batches of `schema`. Throws for options out of range, an unsupported codec, or a
    /// type that cannot be written.
    public init(schema: Schema, options: ParquetWriterOptions = .init()) throws(ParquetError) {
        guard options.rowGroupSize > 0 else { throw ParquetError(.invalidArgument, "rowGroupSize must be positive") }
        guard options.dataPageSize > 0 else { throw ParquetError(.invalidArgument, "dataPageSize must be positive") }
        guard options.statisticsTruncateLength > 0 else {
            throw ParquetError(.invalidArgument, "statisticsTruncateLength must be positive")
        }
        guard ParquetCompression.isSupported(options.compression) else {
            throw .unsupported("compression codec \(options.compression) is not supported for writing")
        }
        self.schema = schema
        self.options = options
        self.layout = try WriterSchema(schema)
        self.output = ParquetFooter.magic
        output.reserveCapacity(1 << 20)
    }

    /// Bytes of the file so far (magic and the row groups written; the footer comes at `finish`).
    public var bytesWritten: Int { flushed + output.count }

    /// The bytes written since the last call, so a caller can store the file as it grows instead of holding it
    /// whole; the bytes `finish` returns complete the file.
    public func takeBytes() -> [UInt8] {
        let out = output
        flushed += out.count
        output = []
        output.reserveCapacity(1 << 20)
        return out
    }

    /// Appends the rows of `batch` as new row groups. The batch's column types must match the schema.
    public func write(_ batch: RecordBatch) throws(ParquetError) {
        guard !finished else { throw ParquetError(.invalidArgument, "write called after finish") }
        guard batch.columns.count == schema.fields.count else {
            throw ParquetError(.invalidArgument, "batch has \(batch.columns.count) columns, schema has \(schema.fields.count)")
        }
        for (column, field) in zip(batch.columns, schema.fields) where column.type != field.type {
            throw ParquetError(.invalidArgument, "column \(field.name) is \(column.type.name), schema says \(field.type.name)")
        }
        var start = 0
        while start < batch.rowCount {
            let end = start + min(options.rowGroupSize, batch.rowCount - start)
            try writeRowGroup(batch, rows: start..<end)
            start = end
        }
    }

    /// Appends the footer and returns the file (the part not yet taken by `takeBytes`). The writer cannot be used
    /// afterwards.
    public func finish() throws(ParquetError) -> [UInt8] {
        guard !finished else { throw ParquetError(.invalidArgument, "finish called twice") }
        finished = true
        var kv = schema.metadata
        for (k, v) in options.keyValueMetadata { kv[k] = v }
        let meta = FileMetaData(
            version: 1, schema: layout.elements, numRows: numRows, rowGroups: rowGroups,
            keyValueMetadata: kv.isEmpty ? nil : kv.sorted { $0.key < $1.key }.map { KeyValue(key: $0.key, value: $0.value) },
            createdBy: ParquetFormat.createdBy,
            columnOrders: Array(repeating: .typeDefined, count: layout.leaves.count))
        output.append(contentsOf: meta.serializedFooter())
        fileMetaData = meta
        let file = output
        output = []
        return file
    }

    /// Writes `batches` (all of `schema`) to one file.
    public static func write(_ batches: [RecordBatch], schema: Schema, options: ParquetWriterOptions = .init()) throws(ParquetError) -> [UInt8] {
        let writer = try ParquetWriter(schema: schema, options: options)
        for batch in batches { try writer.write(batch) }
        return try writer.finish()
    }

    // MARK: - Row groups

    private func writeRowGroup(_ batch: RecordBatch, rows: Range<Int>) throws(ParquetError) {
        let fields = schema.fields
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Result<[EncodedColumnChunk], ParquetError>?>.allocate(capacity: fields.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        let layout = self.layout, options = self.options, plainLeaves = self.plainLeaves
        // One task per top-level field: shredding is per field, and its leaves are encoded together.
        // Each task writes only its own slot of `results`.
        DispatchQueue.concurrentPerform(iterations: fields.count) { i in
            results[i] = Result { () throws(ParquetError) -> [EncodedColumnChunk] in
                var shredded = [ShreddedLeaf]()
                try LevelShredder.shred(batch.columns[i], field: fields[i], rows: rows, into: &shredded)
                let leaves = layout.leafRanges[i]
                guard shredded.count == leaves.count else {
                    throw ParquetError(.invalidArgument, "column \(fields[i].name) produced \(shredded.count) leaves, expected \(leaves.count)")
                }
                var chunks = [EncodedColumnChunk]()
                for (k, s) in zip(leaves, shredded) {
                    let writer = ColumnChunkWriter(leaf: layout.leaves[k], options: options, tryDictionary: !plainLeaves.contains(k))
                    chunks.append(try writer.encode(s))
                }
                return chunks
            }
        }
        var columns = [ColumnChunk]()
        var totalUncompressed: Int64 = 0
        let groupStart = Int64(flushed + output.count)
        for i in 0..<fields.count {
            guard let result = results[i] else { throw ParquetError(.invalidArgument, "column \(fields[i].name) was not encoded") }
            for (k, chunk) in zip(layout.leafRanges[i], try result.get()) {
                if chunk.dictionaryOverflowed { self.plainLeaves.insert(k) }
                let base = Int64(flushed + output.count)
                var meta = chunk.metaData
                meta.dataPageOffset += base
                if let d = meta.dictionaryPageOffset { meta.dictionaryPageOffset = d + base }
                output.append(contentsOf: chunk.bytes)
                totalUncompressed += meta.totalUncompressedSize
                columns.append(ColumnChunk(fileOffset: 0, metaData: meta))
            }
        }
        rowGroups.append(RowGroup(
            columns: columns, totalByteSize: totalUncompressed, numRows: Int64(rows.count), fileOffset: groupStart,
            totalCompressedSize: Int64(flushed + output.count) - groupStart, ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        numRows += Int64(rows.count)
    }
}
