import ArgumentParser

/// `lake parquet ...`: inspect, print and re-encode single Parquet files.
struct ParquetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Inspect, print and re-encode Parquet files.",
        subcommands: [ParquetSchemaCommand.self, ParquetMetaCommand.self, ParquetCatCommand.self, ParquetConvertCommand.self]
    )
}
