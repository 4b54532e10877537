import Columnar
import Parquet

/// The text formats `TextBatchReader` reads.
public enum TextFormat: Sendable {
    /// CSV with these options. Without a table, `options.schema` (when set) fixes the columns by position.
    case csv(CSVOptions)
    /// Newline-delimited JSON, one object per line. Without a table, `schema` (when set) fixes the columns
    /// by exact key.
    case ndjson(schema: Schema? = nil)
}

/// Reads a CSV or NDJSON input in chunks of about `chunkSize` bytes, each cut at a record boundary (a CSV
/// quoted field may hold line breaks: a chunk ends only after a complete record), and yields one batch per
/// chunk, all with one schema. Errors name the line counted from the start of the input, the column and
/// the value.
///
/// The schema is fixed before the first batch:
/// - With `table` (writing into an existing table): each value is parsed with the type of its table column,
///   as Spark and DuckDB do for an INSERT (`TextColumnBuilder` has the rules: timestamps UTC-adjusted or
///   not, dates, exact decimals, range-checked integers, base64 binary, nested values from JSON). File columns
///   match table columns by name case-insensitively (a CSV without a header: by position). A table column
///   the file lacks becomes an all-null, nullable field; a null in a present NOT NULL column is an error at
///   its line. File columns the table lacks come after the table's columns with inferred types and are
///   listed in `extraColumns`, for the caller to add (schema evolution) or refuse.
/// - Without `table`: the format's given schema if any, else every type inferred from the whole input by a
///   first pass that only observes values (no columns are built), so every chunk of the second pass parses
///   into the same types, and a value late in the file that widens a column (a fraction after integers)
///   widens it for all batches.
///
/// An input no larger than one chunk is parsed once, at `init`, and yielded as a single batch; the in-memory
/// `CSVReader` and `NDJSONReader` are that case.
public final class TextBatchReader: BatchReader {
    /// The default chunk: big enough that per-chunk costs vanish, small enough to keep memory bounded.
    public static let defaultChunkSize = 16 << 20

    /// The schema of every batch.
    public let schema: Schema
    /// With a table, the file columns it lacks (the last fields of `schema`); otherwise empty.
    public let extraColumns: [Field]

    private let source: any RandomAccessSource
    private let chunkSize: Int
    private let plan: TextPlan
    private var parser: CSVRecordParser?
    private var cursor: ChunkCursor
    /// The single batch of an input that fit in one chunk (read at `init`).
    private var pending: DataFrame?

    /// Opens `source` in `format`; with `table`, values take the table's column types (see the type's doc).
    /// A first pass over the input runs here when types must be inferred.
    public init(source: some RandomAccessSource, format: TextFormat, table: Schema? = nil,
                chunkSize: Int = TextBatchReader.defaultChunkSize) throws(BatchReadError) {
        let mode: TextColumnMode
        var csvOptions: CSVOptions?
        switch format {
        case let .csv(options):
            csvOptions = options
            mode = table.map { .table($0) } ?? options.schema.map { .given($0) } ?? .infer
        case let .ndjson(schema):
            mode = table.map { .table($0) } ?? schema.map { .given($0) } ?? .infer
        }
        var fieldCount: Int?
        if case let .given(s) = mode { fieldCount = s.fields.count }
        var parser: CSVRecordParser?
        if let csvOptions {
            do throws(DataFrameError) { parser = try CSVRecordParser(csvOptions, fieldCount: fieldCount) } catch { throw .input(error) }
        }
        self.source = source
        self.chunkSize = max(1, chunkSize)
        let size = source.size
        if size <= self.chunkSize {
            // One chunk: parse once, infer from the same cells, build.
            let bytes: [UInt8]
            if let memory = source as? MemorySource {
                bytes = memory.bytes
            } else {
                do throws(ParquetError) { bytes = try source.read(offset: 0, count: size) } catch { throw .file(error) }
            }
            let (plan, frame) = try Self.whole(bytes, parser: &parser, header: csvOptions?.header ?? false, mode: mode)
            self.plan = plan
            pending = frame.rowCount > 0 ? frame : nil
            cursor = ChunkCursor(source: source, chunkSize: self.chunkSize, at: size)
        } else {
            let (plan, dataStart) = try Self.prepare(source, chunkSize: self.chunkSize, parser: &parser,
                                                     header: csvOptions?.header ?? false, mode: mode)
            self.plan = plan
            cursor = ChunkCursor(source: source, chunkSize: self.chunkSize, at: dataStart)
        }
        self.parser = parser
        schema = Schema(plan.fields)
        extraColumns = plan.extraColumns
    }

    /// Opens the local file at `path` (see `init(source:format:table:chunkSize:)`).
    public convenience init(path: String, format: TextFormat, table: Schema? = nil,
                            chunkSize: Int = TextBatchReader.defaultChunkSize) throws(BatchReadError) {
        let source: LocalFileSource
        do throws(ParquetError) { source = try LocalFileSource(path: path) } catch { throw .file(error) }
        try self.init(source: source, format: format, table: table, chunkSize: chunkSize)
    }

    /// The next chunk's batch, or nil after the last.
    public func next() throws(BatchReadError) -> DataFrame? {
        if let frame = pending {
            pending = nil
            return frame
        }
        do throws(ParquetError) { try cursor.fill() } catch { throw .file(error) }
        while !cursor.buffer.isEmpty {
            let isLast = cursor.isLast
            let result: Result<(Int, [Column]), TextFault> = cursor.buffer.withUnsafeBufferPointer { b in
                do throws(TextFault) {
                    if var p = parser {
                        let (cells, end) = try p.records(b, from: 0, isLast: isLast)
                        parser = p
                        return .success((end, end == 0 ? [] : try plan.buildCSV(cells, in: b)))
                    }
                    let (rows, end) = try NDJSONReader.lines(b, from: 0, isLast: isLast)
                    return .success((end, end == 0 ? [] : try plan.buildNDJSON(rows, in: b)))
                } catch { return .failure(error) }
            }
            let end: Int, columns: [Column]
            switch result {
            case let .success(r): (end, columns) = r
            case let .failure(fault): throw Self.located(fault, in: cursor, source: source, chunkSize: chunkSize)
            }
            // The last chunk is always read to its end; anything else would loop forever.
            if end == 0 && isLast { throw Self.unread(cursor) }
            do throws(ParquetError) { try cursor.advance(consumed: end, grow: end == 0) } catch { throw .file(error) }
            // Nothing read (the chunk grew), or only blank lines: go on to the next chunk.
            guard let rows = columns.first?.count, rows > 0 else { continue }
            do throws(DataFrameError) { return try DataFrame(schema: schema, columns: columns) } catch { throw .input(error) }
        }
        return nil
    }

    /// Reads `bytes` whole (the in-memory readers).
    static func readWhole(_ bytes: [UInt8], format: TextFormat) throws(DataFrameError) -> DataFrame {
        do throws(BatchReadError) {
            let reader = try TextBatchReader(source: MemorySource(bytes), format: format, chunkSize: max(bytes.count, 1))
            return try reader.next() ?? DataFrame(emptyOf: reader.schema)
        } catch {
            switch error {
            case let .input(e): throw e
            case let .file(e): throw .invalidArgument(e.description)
            }
        }
    }

    // MARK: - one chunk

    /// Parses an input that is one chunk: the plan (inferring from the same cells) and its only batch.
    private static func whole(_ bytes: [UInt8], parser: inout CSVRecordParser?, header: Bool,
                              mode: TextColumnMode) throws(BatchReadError) -> (TextPlan, DataFrame) {
        let result: Result<(TextPlan, [Column]), TextFault> = bytes.withUnsafeBufferPointer { b in
            do throws(TextFault) {
                let from = CSVRecordParser.skipByteOrderMark(b)
                if var p = parser {
                    var names: [String]?
                    var i = from
                    if header {
                        let h = try p.header(b, from: from, isLast: true)
                        names = h?.names ?? []
                        i = h?.end ?? b.count
                    }
                    let (cells, _) = try p.records(b, from: i, isLast: true)
                    parser = p
                    let positional = !header
                    if names?.isEmpty ?? true { names = (0..<(p.expected ?? 0)).map { "column_\($0 + 1)" } }
                    let mapping = try CSVMapping(mode, names: names ?? [], positional: positional, headerAt: from)
                    var guesses = [CSVTypeGuess](repeating: CSVTypeGuess(), count: cells.count)
                    for k in mapping.inferred where k < cells.count { guesses[k].observe(cells[k], in: b) }
                    let plan = mapping.plan(guesses)
                    return .success((plan, try plan.buildCSV(cells, in: b)))
                }
                let (rows, _) = try NDJSONReader.lines(b, from: from, isLast: true)
                let plan: TextPlan
                if case let .given(schema) = mode {
                    plan = NDJSONKeyGuess.given(schema)
                } else {
                    let keys = NDJSONKeyGuess(table: mode.table)
                    try keys.observe(rows, in: TextColumnBuilder(b, isCSV: false), base: 0) { TextInputError.at($0, in: b, message: "").line }
                    plan = keys.plan
                }
                return .success((plan, try plan.buildNDJSON(rows, in: b)))
            } catch { return .failure(error) }
        }
        switch result {
        case let .success((plan, columns)):
            do throws(DataFrameError) {
                return (plan, try DataFrame(schema: Schema(plan.fields), columns: columns))
            } catch { throw .input(error) }
        case let .failure(fault):
            let located = bytes.withUnsafeBufferPointer { TextInputError.at(fault.offset, in: $0, message: fault.message) }
            throw .input(located.dataFrameError)
        }
    }

    // MARK: - many chunks

    /// Reads what precedes the data (a CSV header) and, when types must be inferred, runs the first pass
    /// over the whole input. Returns the plan and the offset where the data starts.
    private static func prepare(_ source: any RandomAccessSource, chunkSize: Int, parser: inout CSVRecordParser?,
                                header: Bool, mode: TextColumnMode) throws(BatchReadError) -> (TextPlan, Int) {
        var cursor = ChunkCursor(source: source, chunkSize: chunkSize, at: 0)
        do throws(ParquetError) { try cursor.fill() } catch { throw .file(error) }
        let bom = cursor.buffer.withUnsafeBufferPointer { CSVRecordParser.skipByteOrderMark($0) }
        let locate = { (offset: Int) -> Int in lineNumber(at: offset, in: source, chunkSize: chunkSize) }

        guard var p = parser else {
            // NDJSON: a given schema needs no first pass; otherwise the pass finds the keys and their types.
            if case let .given(schema) = mode { return (NDJSONKeyGuess.given(schema), bom) }
            let keys = NDJSONKeyGuess(table: mode.table)
            try eachChunk(from: bom, source: source, chunkSize: chunkSize) { b, base, isLast throws(TextFault) in
                let t = TextColumnBuilder(b, isCSV: false)
                return try NDJSONReader.eachLine(b, from: 0, isLast: isLast) { start, lineEnd throws(TextFault) in
                    try keys.observeRow(start, end: lineEnd, in: t, base: base, locate: locate)
                }
            }
            return (keys.plan, bom)
        }

        var names: [String]?
        var dataStart = bom
        if header {
            // The header may be longer than a chunk: grow until it is complete.
            while true {
                let isLast = cursor.isLast
                let result: Result<(names: [String], end: Int)?, TextFault> = cursor.buffer.withUnsafeBufferPointer { b in
                    do throws(TextFault) { return .success(try p.header(b, from: bom, isLast: isLast)) } catch { return .failure(error) }
                }
                switch result {
                case let .failure(fault): throw located(fault, in: cursor, source: source, chunkSize: chunkSize)
                case let .success(found?):
                    names = found.names
                    dataStart = found.end
                case .success(nil):
                    if isLast { names = []; dataStart = source.size }
                }
                if names != nil { break }
                do throws(ParquetError) { try cursor.advance(consumed: 0, grow: true) } catch { throw .file(error) }
            }
        }
        if case let .given(schema) = mode {
            let mapping: CSVMapping
            do throws(TextFault) { mapping = try CSVMapping(mode, names: schema.fields.map(\.name), headerAt: bom) } catch {
                throw located(error, in: cursor, source: source, chunkSize: chunkSize)
            }
            parser = p
            return (mapping.plan([]), dataStart)
        }
        // Without a header the columns are known only from the first record: observe all of them.
        var mapping: CSVMapping?
        if let names, !names.isEmpty {
            do throws(TextFault) { mapping = try CSVMapping(mode, names: names, headerAt: bom) } catch {
                throw located(error, in: cursor, source: source, chunkSize: chunkSize)
            }
        }
        var guesses = [CSVTypeGuess]()
        if mapping.map({ !$0.inferred.isEmpty }) ?? true {
            let observe = mapping?.inferred
            try eachChunk(from: dataStart, source: source, chunkSize: chunkSize) { b, _, isLast throws(TextFault) in
                let (cells, end) = try p.records(b, from: 0, isLast: isLast)
                if guesses.count < cells.count { guesses += [CSVTypeGuess](repeating: CSVTypeGuess(), count: cells.count - guesses.count) }
                for k in observe ?? Array(cells.indices) where k < cells.count { guesses[k].observe(cells[k], in: b) }
                return end
            }
        }
        parser = p
        if let mapping { return (mapping.plan(guesses), dataStart) }
        let width = p.expected ?? 0
        do throws(TextFault) {
            let positional = try CSVMapping(mode, names: (0..<width).map { "column_\($0 + 1)" }, positional: true, headerAt: bom)
            return (positional.plan(guesses), dataStart)
        } catch { throw located(error, in: cursor, source: source, chunkSize: chunkSize) }
    }

    /// Calls `body(chunk, offsetOfChunk, isLast)` for each chunk from `start` to the end; `body` returns how
    /// many bytes it read (0: the chunk holds no complete record, so the next call gets a bigger one).
    private static func eachChunk(from start: Int, source: any RandomAccessSource, chunkSize: Int,
                                  _ body: (UnsafeBufferPointer<UInt8>, Int, Bool) throws(TextFault) -> Int) throws(BatchReadError) {
        var cursor = ChunkCursor(source: source, chunkSize: chunkSize, at: start)
        do throws(ParquetError) { try cursor.fill() } catch { throw .file(error) }
        while !cursor.buffer.isEmpty {
            let isLast = cursor.isLast
            let base = cursor.bufferStart
            let result: Result<Int, TextFault> = cursor.buffer.withUnsafeBufferPointer { b in
                do throws(TextFault) { return .success(try body(b, base, isLast)) } catch { return .failure(error) }
            }
            let end: Int
            switch result {
            case let .success(e): end = e
            case let .failure(fault): throw located(fault, in: cursor, source: source, chunkSize: chunkSize)
            }
            if end == 0 && isLast { throw unread(cursor) }
            do throws(ParquetError) { try cursor.advance(consumed: end, grow: end == 0) } catch { throw .file(error) }
        }
    }

    /// The error for a last chunk left unread (the parsers always read the last chunk whole).
    private static func unread(_ cursor: ChunkCursor) -> BatchReadError {
        .input(.invalidArgument("could not read the \(cursor.buffer.count) bytes at offset \(cursor.bufferStart) of \(cursor.source.name)"))
    }

    // MARK: - locating errors

    /// A fault in the cursor's buffer as an error naming the line in the whole input.
    private static func located(_ fault: TextFault, in cursor: ChunkCursor, source: any RandomAccessSource,
                                chunkSize: Int) -> BatchReadError {
        let local = cursor.buffer.withUnsafeBufferPointer { TextInputError.at(fault.offset, in: $0, message: fault.message) }
        let before = lineNumber(at: cursor.bufferStart, in: source, chunkSize: chunkSize) - 1
        return .input(local.shifted(lines: before).dataFrameError)
    }

    /// The 1-based line of absolute byte `offset`, counting line breaks from the start of `source` (only
    /// when an error is reported, so reading never counts lines). A read failure here yields line 0 rather
    /// than hiding the error being reported.
    static func lineNumber(at offset: Int, in source: any RandomAccessSource, chunkSize: Int) -> Int {
        var line = 1
        var position = 0
        let end = min(offset, source.size)
        while position < end {
            let count = min(chunkSize, end - position)
            guard let bytes = try? source.read(offset: position, count: count) else { return 0 }
            for byte in bytes where byte == 0x0a { line += 1 }
            position += count
        }
        return line
    }
}

extension TextColumnMode {
    /// The table schema of `.table`, else nil.
    var table: Schema? {
        if case let .table(s) = self { return s }
        return nil
    }
}

/// A window on a source: the bytes from `bufferStart` that have been read but not yet consumed.
struct ChunkCursor {
    let source: any RandomAccessSource
    let chunkSize: Int
    /// The absolute offset of `buffer[0]`.
    private(set) var bufferStart: Int
    private(set) var buffer = [UInt8]()

    init(source: any RandomAccessSource, chunkSize: Int, at offset: Int) {
        self.source = source
        self.chunkSize = chunkSize
        bufferStart = min(max(0, offset), source.size)
    }

    /// Whether the buffer reaches the end of the source.
    var isLast: Bool { bufferStart + buffer.count >= source.size }

    /// Reads until the buffer holds a chunk (or the rest of the source).
    mutating func fill() throws(ParquetError) {
        try top(up: chunkSize)
    }

    /// Drops the first `consumed` bytes and refills; with `grow`, the buffer gets a chunk more than it held
    /// (the record in it is longer than a chunk), doubling at worst so long records cost linear time.
    mutating func advance(consumed: Int, grow: Bool) throws(ParquetError) {
        if consumed > 0 {
            buffer.removeFirst(min(consumed, buffer.count))
            bufferStart += consumed
        }
        try top(up: grow ? buffer.count + max(buffer.count, chunkSize) : chunkSize)
    }

    private mutating func top(up target: Int) throws(ParquetError) {
        let readEnd = bufferStart + buffer.count
        let want = min(target - buffer.count, source.size - readEnd)
        guard want > 0 else { return }
        buffer.append(contentsOf: try source.read(offset: readEnd, count: want))
    }
}
