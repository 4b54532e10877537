import Columnar
import Parquet

/// A pull-based source of record batches with one fixed schema, read a bounded piece at a time so an input
/// of any size can be written without holding it whole (`lake write` of a big Parquet, CSV or NDJSON file).
///
/// Call `next()` until it returns nil; every batch has exactly `schema`. A reader may yield no batch at all
/// (an empty input); batches are never empty otherwise.
public protocol BatchReader: AnyObject {
    /// The schema of every batch.
    var schema: Schema { get }
    /// File columns that the target (table) schema lacks, appended after the table's columns in `schema`
    /// with inferred types; empty when no target schema was given or the file has no extra columns.
    var extraColumns: [Field] { get }
    /// The next batch, or nil after the last.
    func next() throws(BatchReadError) -> DataFrame?
}

/// Why a batch could not be read.
public enum BatchReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input's content is wrong: a value that does not parse as its column's type, malformed CSV or
    /// JSON, a field count that differs. The message names the line (1-based, counted from the file's
    /// start), the column and the value.
    case input(DataFrameError)
    /// The file could not be read or is not valid Parquet (I/O failure, truncation, corruption).
    case file(ParquetError)

    public var description: String {
        switch self {
        case let .input(e): e.description
        case let .file(e): e.description
        }
    }
}

/// Opens input files as batch readers by their extension.
public enum BatchReaders {
    /// A reader for `path`: `.parquet` row group by row group; `.csv` (header, `,`, `"`) and `.ndjson` /
    /// `.jsonl` / `.json` in chunks of `chunkSize` bytes cut at record boundaries.
    ///
    /// With `table`, CSV and NDJSON values are parsed with the table's column types, matched by name
    /// case-insensitively (see `TextBatchReader`); without it, the types are inferred from the whole file in a
    /// first pass. A Parquet file keeps its own schema (`table` is not used: its values are already typed).
    public static func open(path: String, table: Schema? = nil,
                            chunkSize: Int = TextBatchReader.defaultChunkSize) throws(BatchReadError) -> any BatchReader {
        let lower = path.lowercased()
        if lower.hasSuffix(".parquet") { return try ParquetBatchReader(path: path) }
        if lower.hasSuffix(".csv") { return try TextBatchReader(path: path, format: .csv(CSVOptions()), table: table, chunkSize: chunkSize) }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") {
            return try TextBatchReader(path: path, format: .ndjson(), table: table, chunkSize: chunkSize)
        }
        throw .input(.invalidArgument("\(path): unknown file type; use .parquet, .csv, .ndjson or .jsonl"))
    }
}

/// Reads a Parquet file one row group per batch, fetching only that row group's column chunks from the
/// source (never the whole file), so memory is bounded by the largest row group.
public final class ParquetBatchReader: BatchReader {
    private let reader: ParquetReader
    private var nextGroup = 0

    /// The file's schema.
    public var schema: Schema { reader.schema }
    /// Always empty: a Parquet file is read with its own schema.
    public var extraColumns: [Field] { [] }

    /// Opens `source` and reads its footer.
    public init(source: some RandomAccessSource) throws(BatchReadError) {
        do throws(ParquetError) { reader = try ParquetReader(source: source) } catch { throw .file(error) }
    }

    /// Opens the local file at `path`.
    public convenience init(path: String) throws(BatchReadError) {
        let source: LocalFileSource
        do throws(ParquetError) { source = try LocalFileSource(path: path) } catch { throw .file(error) }
        try self.init(source: source)
    }

    /// The next row group with rows (empty row groups are skipped), or nil after the last.
    public func next() throws(BatchReadError) -> DataFrame? {
        while nextGroup < reader.rowGroupCount {
            let g = nextGroup
            nextGroup += 1
            let batch: RecordBatch
            do throws(ParquetError) { batch = try reader.readRowGroup(g) } catch { throw .file(error) }
            if batch.rowCount > 0 { return DataFrame(batch) }
        }
        return nil
    }
}
