import ArgumentParser
import Columnar
import DataFrame
import Foundation
import Lake
import Parquet

/// Compression names accepted on the command line.
enum CompressionOption: String, ExpressibleByArgument, CaseIterable {
    case snappy, zstd, gzip, lz4, brotli, none

    /// The Parquet codec: `lz4` means LZ4_RAW, the framing every current reader understands.
    var codec: CompressionCodec {
        switch self {
        case .snappy: .snappy
        case .zstd: .zstd
        case .gzip: .gzip
        case .lz4: .lz4Raw
        case .brotli: .brotli
        case .none: .uncompressed
        }
    }
}

/// An input file that cannot be read as a whole.
struct InputFileError: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path): cannot read the file" }
}

/// `lake parquet convert IN OUT`: re-encode a Parquet file with lake's writer, or turn a CSV or NDJSON file
/// into Parquet (types inferred, or given with `--schema`).
struct ParquetConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a Parquet file from a Parquet, CSV (.csv) or NDJSON (.ndjson, .jsonl) file.",
        discussion: """
            CSV and NDJSON column types are inferred (CSV: long, double, boolean, date, timestamp, else string; \
            NDJSON: long, double, boolean, string, arrays and objects) unless --schema gives them, e.g. \
            --schema "id long not null, name string, amount decimal(10,2), ts timestamp, tags array<string>".
            """
    )

    @Argument(help: "The input file: .parquet, .csv, .ndjson or .jsonl.")
    var input: String

    @Argument(help: "The output Parquet file; replaced if it exists.")
    var output: String

    @Option(help: "Codec: snappy, zstd, gzip, lz4, brotli or none.")
    var compression: CompressionOption = .snappy

    @Option(help: "Compression level for zstd, gzip and brotli.")
    var compressionLevel: Int?

    @Option(help: "Maximum rows per row group.")
    var rowGroupSize: Int?

    @Option(help: ArgumentHelp("Column names and types of a CSV or NDJSON input, e.g. \"id long not null, name string\".",
                               valueName: "schema"))
    var schema: String?

    @Option(help: "CSV field delimiter: one character, or 'tab'.")
    var delimiter: String = ","

    @Flag(help: "The CSV input has no header line (columns are column_1, column_2, ... unless --schema names them).")
    var noHeader = false

    @Option(help: "A CSV field text that means null (repeatable; default: an empty unquoted field).")
    var nullValue: [String] = []

    /// The input's format, from its extension.
    private enum InputKind { case parquet, csv, ndjson }

    private var inputKind: InputKind {
        let lower = input.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return .ndjson }
        return .parquet
    }

    private var delimiterByte: UInt8? {
        if delimiter.lowercased() == "tab" || delimiter == "\\t" { return 0x09 }
        let bytes = Array(delimiter.utf8)
        return bytes.count == 1 ? bytes[0] : nil
    }

    func validate() throws {
        if let rowGroupSize, rowGroupSize < 1 { throw ValidationError("--row-group-size must be at least 1") }
        if delimiterByte == nil { throw ValidationError("--delimiter must be a single ASCII character or 'tab'") }
        if inputKind == .parquet && schema != nil { throw ValidationError("--schema applies to .csv, .ndjson and .jsonl inputs only") }
    }

    func run() async throws {
        try await runReportingErrors {
            let batch: RecordBatch
            switch inputKind {
            case .parquet:
                batch = try ParquetReader(path: input).read()
            case .csv, .ndjson:
                let given = try schema.map { try SchemaString.parse($0) }
                let bytes = try readFile(input)
                let frame: DataFrame
                do {
                    if inputKind == .csv {
                        var options = CSVOptions(header: !noHeader, delimiter: delimiterByte ?? UInt8(ascii: ","), schema: given)
                        if !nullValue.isEmpty { options.nullValues = nullValue }
                        frame = try CSVReader.read(bytes, options: options)
                    } else {
                        frame = try NDJSONReader.read(bytes, schema: given)
                    }
                } catch {
                    throw LakeError.inputData(error)
                }
                batch = frame.batch
            }
            var options = ParquetWriterOptions()
            options.compression = compression.codec
            options.compressionLevel = compressionLevel
            if let rowGroupSize { options.rowGroupSize = rowGroupSize }
            let bytes = try ParquetWriter.write([batch], schema: batch.schema, options: options)
            try FileOutput.replace(output, with: bytes)
        }
    }

    /// The whole file as bytes (the text readers work on one contiguous buffer).
    private func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputFileError(path: path) }
        return [UInt8](data)
    }
}
