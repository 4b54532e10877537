import ArgumentParser
import Columnar
import Foundation
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

/// `lake parquet convert IN OUT`: re-encode a file with lake's writer.
struct ParquetConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Re-encode a Parquet file with lake's writer (codec, row-group size)."
    )

    @Argument(help: "The input file (.parquet).")
    var input: String

    @Argument(help: "The output Parquet file; replaced if it exists.")
    var output: String

    @Option(help: "Codec: snappy, zstd, gzip, lz4, brotli or none.")
    var compression: CompressionOption = .snappy

    @Option(help: "Compression level for zstd, gzip and brotli.")
    var compressionLevel: Int?

    @Option(help: "Maximum rows per row group.")
    var rowGroupSize: Int?

    func validate() throws {
        if let rowGroupSize, rowGroupSize < 1 { throw ValidationError("--row-group-size must be at least 1") }
    }

    func run() async throws {
        try await runReportingErrors {
            let batch = try ParquetReader(path: input).read()
            var options = ParquetWriterOptions()
            options.compression = compression.codec
            options.compressionLevel = compressionLevel
            if let rowGroupSize { options.rowGroupSize = rowGroupSize }
            let bytes = try ParquetWriter.write([batch], schema: batch.schema, options: options)
            try FileOutput.replace(output, with: bytes)
        }
    }
}
