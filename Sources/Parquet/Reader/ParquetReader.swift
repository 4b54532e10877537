import Columnar
import Dispatch
import Synchronization

/// Reads a Parquet file into Columnar record batches.
///
/// The footer is read and parsed once, at `init`. Every `read` fetches each needed column chunk with one
/// source read and decodes in parallel over the cores: one task per leaf column through all requested
/// row groups (straight into one set of buffers), or, when there are fewer leaves than cores, one task
/// per chunk followed by one concatenation. Errors name the file, the row group, the column and the page.
public final class ParquetReader: Sendable {
    private let source: any RandomAccessSource
    /// The decoded footer.
    public let metadata: FileMetaData
    /// Leaf columns and the Columnar tree they assemble into.
    public let parquetSchema: ParquetSchema

    /// Most bytes read from the end of the file in the first footer read; small footers need no second read.
    static let footerGuess = 64 * 1024

    /// Opens `source` and parses its footer; `options` decide the Columnar types of INT96 columns.
    public init(source: some RandomAccessSource, options: ParquetReadOptions = ParquetReadOptions()) throws(ParquetError) {
        self.source = source
        do throws(ParquetError) {
            let size = source.size
            guard size >= ParquetFooter.minimumFileSize else {
                throw ParquetError.corrupt("file of \(size) bytes is too small to be Parquet")
            }
            let tailLength = min(size, Self.footerGuess)
            let tail = try source.read(offset: size - tailLength, count: tailLength)
            let range = try withBytes(tail) { (raw: UnsafeRawBufferPointer) throws(ParquetError) -> Range<Int> in
                try ParquetFooter.metadataRange(trailer: UnsafeRawBufferPointer(rebasing: raw[(tailLength - ParquetFooter.trailerSize)...]), fileSize: size)
            }
            let footer: [UInt8]
            if range.lowerBound >= size - tailLength {
                let from = range.lowerBound - (size - tailLength)
                footer = Array(tail[from..<(from + range.count)])
            } else {
                footer = try source.read(offset: range.lowerBound, count: range.count)
            }
            let meta = try withBytes(footer) { (raw: UnsafeRawBufferPointer) throws(ParquetError) -> FileMetaData in
                try FileMetaData.parse(footer: raw)
            }
            if meta.isEncrypted { throw ParquetError.unsupported("encrypted Parquet files") }
            var kv: [String: String] = [:]
            for entry in meta.keyValueMetadata ?? [] { kv[entry.key] = entry.value ?? "" }
            let schema = try ParquetSchema(elements: meta.schema, metadata: kv, int96TimestampUnit: options.int96TimestampUnit)
            for (g, rg) in meta.rowGroups.enumerated() where rg.columns.count != schema.columns.count {
                throw ParquetError.corrupt("row group \(g) has \(rg.columns.count) column chunks but the schema has \(schema.columns.count) columns")
            }
            metadata = meta
            parquetSchema = schema
        } catch {
            throw error.inFile(source.name)
        }
    }

    /// Whether the writer is a parquet-mr older than 1.2.9 (or unversioned), whose chunk sizes are short.
    private var needsDictionaryHeaderPadding: Bool {
        guard let by = metadata.createdBy, by.hasPrefix("parquet-mr") else { return false }
        let parts = by.split(separator: " ")
        guard parts.count >= 3, parts[1] == "version" else { return true }
        let numbers = parts[2].split(separator: ".").prefix(3).map { Int($0.prefix { $0.isNumber }) ?? 0 }
        let v = numbers + [Int](repeating: 0, count: max(0, 3 - numbers.count))
        return (v[0], v[1], v[2]) < (1, 2, 9)
    }

    /// Opens the local file at `path`.
    public convenience init(path: String, options: ParquetReadOptions = ParquetReadOptions()) throws(ParquetError) {
        try self.init(source: LocalFileSource(path: path), options: options)
    }

    /// The Columnar schema, with the file's key-value metadata as schema metadata.
    public var schema: Schema { parquetSchema.schema }
    /// Rows in the file (the sum over row groups).
    public var rowCount: Int { metadata.rowGroups.reduce(0) { $0 + Int(clamping: $1.numRows) } }
    /// Number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// Reads the top-level columns `columns` (all when nil) of the row groups `rowGroups` (all when nil),
    /// concatenated in the order given.
    public func read(columns: [String]? = nil, rowGroups: [Int]? = nil) throws(ParquetError) -> RecordBatch {
        do throws(ParquetError) {
            let tops = try resolve(columns)
            let groups = rowGroups ?? Array(0..<metadata.rowGroups.count)
            for g in groups where g < 0 || g >= metadata.rowGroups.count {
                throw ParquetError(.invalidArgument, "row group \(g) does not exist (the file has \(metadata.rowGroups.count))")
            }
            let fields = tops.map { parquetSchema.schema.fields[$0] }
            let outSchema = Schema(fields, metadata: parquetSchema.schema.metadata)
            if groups.isEmpty { return RecordBatch(emptyOf: outSchema) }
            let perGroup = try decode(groups: groups, tops: tops)
            let columns = try concatenate(perGroup, columnCount: tops.count)
            do {
                return try RecordBatch(schema: outSchema, columns: columns)
            } catch {
                throw ParquetError.corrupt("assembled columns do not match the schema: \(error)")
            }
        } catch {
            throw error.inFile(source.name)
        }
    }

    /// Reads one row group.
    public func readRowGroup(_ index: Int, columns: [String]? = nil) throws(ParquetError) -> RecordBatch {
        try read(columns: columns, rowGroups: [index])
    }

    /// Statistics of the leaf column `column` (dotted path, or the name of a top-level field with a
    /// single leaf) in row group `rowGroup`, decoded by the column's logical type; nil when the file has none.
    public func statistics(rowGroup: Int, column: String) throws(ParquetError) -> ColumnStatistics? {
        do throws(ParquetError) {
            return try FooterStatistics.decode(metadata, schema: parquetSchema, rowGroup: rowGroup, column: column)
        } catch {
            throw error.inFile(source.name)
        }
    }

    // MARK: - Decoding

    private func resolve(_ names: [String]?) throws(ParquetError) -> [Int] {
        guard let names else { return Array(parquetSchema.topLevel.indices) }
        var out: [Int] = []
        for name in names {
            guard let i = parquetSchema.schema.index(of: name) else {
                throw ParquetError(.invalidArgument, "no column named \(name); the file has \(parquetSchema.schema.names.joined(separator: ", "))")
            }
            out.append(i)
        }
        return out
    }

    /// Joins the row groups of each column, one column per task: the copies are memory-bound and the
    /// columns independent.
    private func concatenate(_ perGroup: [[Column]], columnCount: Int) throws(ParquetError) -> [Column] {
        if perGroup.count == 1, let only = perGroup.first { return only }
        let results = Mutex<[Int: Result<Column, ParquetError>]>([:])
        DispatchQueue.concurrentPerform(iterations: columnCount) { k in
            let r: Result<Column, ParquetError>
            do throws(ParquetError) {
                r = .success(try ColumnConcat.concat(perGroup.map { $0[k] }))
            } catch {
                r = .failure(error)
            }
            results.withLock { $0[k] = r }
        }
        let all = results.withLock { $0 }
        var columns: [Column] = []
        for k in 0..<columnCount {
            guard let r = all[k] else { throw ParquetError.corrupt("column \(k) was not concatenated") }
            columns.append(try r.get())
        }
        return columns
    }

    /// Decodes the requested row groups of the top-level columns `tops`, returning one list of columns
    /// per batch to concatenate.
    ///
    /// With at least as many leaves as cores, each task decodes one leaf through all row groups into one
    /// set of buffers, so nothing is copied afterwards. With fewer leaves, each task decodes one chunk so
    /// the row groups run in parallel, and the row groups are concatenated once at the end.
    private func decode(groups: [Int], tops: [Int]) throws(ParquetError) -> [[Column]] {
        let leaves = tops.flatMap { parquetSchema.leavesOfTop[$0] }
        let cores = ThreadBudget.count
        let batches: [[Int]] = leaves.count >= cores || groups.count == 1 ? [groups] : groups.map { [$0] }
        var jobs: [(batch: Int, leaf: Int)] = []
        for b in batches.indices { for leaf in leaves { jobs.append((b, leaf)) } }
        let results = Mutex<[Int: Result<LeafData, ParquetError>]>([:])
        let work = jobs
        DispatchQueue.concurrentPerform(iterations: work.count) { j in
            let job = work[j]
            let r: Result<LeafData, ParquetError>
            do throws(ParquetError) {
                r = .success(try self.decodeLeaf(groups: batches[job.batch], leaf: job.leaf))
            } catch {
                r = .failure(error)
            }
            results.withLock { $0[j] = r }
        }
        let all = results.withLock { $0 }
        let assembler = RecordAssembler(nodes: parquetSchema.nodes, chains: parquetSchema.chains, descriptors: parquetSchema.columns)
        var out: [[Column]] = []
        var j = 0
        for batch in batches {
            var data: [Int: LeafData] = [:]
            for leaf in leaves {
                switch all[j] {
                case let .success(d)?: data[leaf] = d
                case let .failure(e)?: throw e
                case nil: throw ParquetError.corrupt("column chunk was not decoded")
                }
                j += 1
            }
            var rows = 0
            for g in batch {
                let n = metadata.rowGroups[g].numRows
                guard n >= 0, n <= Int64(Int32.max) * 64 else { throw ParquetError.corrupt("row group \(g) claims \(n) rows") }
                rows += Int(n)
            }
            do throws(ParquetError) {
                out.append(try assembler.assemble(topNodes: tops.map { parquetSchema.topLevel[$0] }, leaves: data, rowCount: rows))
            } catch {
                let which = batch.count == 1 ? "row group \(batch[0])" : "row groups \(batch.map(String.init).joined(separator: ","))"
                throw ParquetError(error.kind, "\(which): \(error.message)")
            }
        }
        return out
    }

    /// Decodes one leaf's chunks of `groups`, in order, into one buffer set.
    private func decodeLeaf(groups: [Int], leaf: Int) throws(ParquetError) -> LeafData {
        let desc = parquetSchema.columns[leaf]
        // Reserve by the metadata counts only as far as the chunks' sizes make plausible, so a corrupt
        // count cannot make us allocate gigabytes.
        var capacity = 0
        for g in groups {
            if let m = metadata.rowGroups[g].columns[leaf].metaData {
                let plausible = max(0, min(m.numValues, m.totalCompressedSize &* 8 &+ 64))
                capacity = min(capacity &+ Int(clamping: plausible), 1 << 31)
            }
        }
        var decoder = LeafDecoder(descriptor: desc, capacity: capacity)
        for g in groups { try decodeChunk(group: g, leaf: leaf, into: &decoder) }
        return try decoder.finish()
    }

    private func decodeChunk(group: Int, leaf: Int, into decoder: inout LeafDecoder) throws(ParquetError) {
        let desc = parquetSchema.columns[leaf]
        let chunk = metadata.rowGroups[group].columns[leaf]
        do throws(ParquetError) {
            if chunk.isEncrypted { throw ParquetError.unsupported("encrypted column") }
            if let p = chunk.filePath, !p.isEmpty { throw ParquetError.unsupported("column data in another file (\(p))") }
            guard let meta = chunk.metaData else { throw ParquetError.corrupt("column chunk has no metadata") }
            guard meta.type == desc.physicalType else {
                throw ParquetError.corrupt("chunk type \(meta.type) differs from the schema's \(desc.physicalType)")
            }
            guard meta.numValues >= 0 else { throw ParquetError.corrupt("negative value count \(meta.numValues)") }
            let range = try chunkRange(meta)
            let bytes = try source.read(offset: range.lowerBound, count: range.count)
            try decoder.decode(chunk: bytes, start: 0, codec: meta.codec, totalValues: Int(meta.numValues))
        } catch {
            if error.message.hasPrefix("column ") { throw ParquetError(error.kind, "row group \(group), \(error.message)") }
            throw ParquetError(error.kind, "row group \(group), column \(desc.dottedPath): \(error.message)")
        }
    }

    /// The bytes of a column chunk: from its dictionary page (when the offset is trustworthy) or first data
    /// page, `total_compressed_size` long, checked against the file size.
    private func chunkRange(_ meta: ColumnMetaData) throws(ParquetError) -> Range<Int> {
        var start = meta.dataPageOffset
        // Some writers store 0 or an offset past the data page for the dictionary: only trust it
        // when it lies before the first data page.
        if let dict = meta.dictionaryPageOffset, dict > 0, dict < start { start = dict }
        var length = meta.totalCompressedSize
        let size = Int64(source.size)
        guard start >= 0, length >= 0, start <= size, length <= size - start else {
            throw ParquetError.corrupt("chunk at offset \(start) of \(length) bytes lies outside the \(size)-byte file")
        }
        if needsDictionaryHeaderPadding {
            // PARQUET-816 / IMPALA-694: parquet-mr up to 1.2.8 left the dictionary page header out of
            // total_compressed_size; read up to 100 more bytes so the last page is complete.
            length += min(100, size - start - length)
        }
        return Int(start)..<Int(start + length)
    }

    /// The byte ranges `read(columns:rowGroups:)` will ask the source for, in file order: one per column
    /// chunk. A source over remote storage fetches these (coalesced) before reading, so only the needed
    /// chunks travel.
    public func byteRanges(columns: [String]? = nil, rowGroups: [Int]? = nil) throws(ParquetError) -> [Range<Int>] {
        do throws(ParquetError) {
            let tops = try resolve(columns)
            let leaves = tops.flatMap { parquetSchema.leavesOfTop[$0] }
            var out: [Range<Int>] = []
            for g in rowGroups ?? Array(0..<metadata.rowGroups.count) {
                guard g >= 0, g < metadata.rowGroups.count else {
                    throw ParquetError(.invalidArgument, "row group \(g) does not exist (the file has \(metadata.rowGroups.count))")
                }
                for leaf in leaves {
                    guard let meta = metadata.rowGroups[g].columns[leaf].metaData else { continue }
                    out.append(try chunkRange(meta))
                }
            }
            return out.sorted { $0.lowerBound < $1.lowerBound }
        } catch {
            throw error.inFile(source.name)
        }
    }
}

/// Column chunk statistics of a footer, decoded by each column's logical type: what `ParquetReader.statistics`
/// answers, also for a footer a writer just produced (`ParquetWriter.fileMetaData`) without reading the file.
public struct FooterStatistics: Sendable {
    /// The footer.
    public let metadata: FileMetaData
    /// Its schema.
    public let schema: ParquetSchema

    /// Statistics of a footer.
    public init(_ metadata: FileMetaData) throws(ParquetError) {
        self.metadata = metadata
        self.schema = try ParquetSchema(elements: metadata.schema)
    }

    /// Rows in the file.
    public var rowCount: Int { metadata.rowGroups.reduce(0) { $0 + Int(clamping: $1.numRows) } }
    /// Number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// Statistics of the leaf column `column` (dotted path) in row group `rowGroup`; nil when there are none.
    public func statistics(rowGroup: Int, column: String) throws(ParquetError) -> ColumnStatistics? {
        try Self.decode(metadata, schema: schema, rowGroup: rowGroup, column: column)
    }

    static func decode(_ metadata: FileMetaData, schema: ParquetSchema, rowGroup: Int, column: String) throws(ParquetError) -> ColumnStatistics? {
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count else {
            throw ParquetError(.invalidArgument, "row group \(rowGroup) does not exist (the file has \(metadata.rowGroups.count))")
        }
        guard let desc = schema.column(named: column) else {
            throw ParquetError(.invalidArgument, "no leaf column named \(column)")
        }
        let columns = metadata.rowGroups[rowGroup].columns
        guard desc.index < columns.count, let meta = columns[desc.index].metaData, let stats = meta.statistics else { return nil }
        let order = metadata.columnOrders.flatMap { desc.index < $0.count ? $0[desc.index] : nil }
        return StatisticsDecoder.decode(stats, descriptor: desc, columnOrder: order, createdBy: metadata.createdBy)
    }
}

/// Min, max and counts of one column chunk, decoded to the column's Columnar type.
public struct ColumnStatistics: Sendable, Hashable {
    /// Smallest value, when known and trustworthy.
    public var min: Scalar?
    /// Largest value, when known and trustworthy.
    public var max: Scalar?
    /// Number of nulls, when recorded.
    public var nullCount: Int?
    /// Number of distinct values, when recorded.
    public var distinctCount: Int?
    /// Number of NaN values of a floating-point column, when recorded (min and max never count NaN).
    public var nanCount: Int?

    /// Creates statistics.
    public init(min: Scalar? = nil, max: Scalar? = nil, nullCount: Int? = nil, distinctCount: Int? = nil, nanCount: Int? = nil) {
        self.min = min
        self.max = max
        self.nullCount = nullCount
        self.distinctCount = distinctCount
        self.nanCount = nanCount
    }
}
