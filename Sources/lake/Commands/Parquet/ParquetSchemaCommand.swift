import ArgumentParser
import Parquet

/// `lake parquet schema FILE`: the file's schema as lake reads it, one field per line.
struct ParquetSchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the schema of a Parquet file (lake's types, nullability, key-value metadata)."
    )

    @Argument(help: "The Parquet file.")
    var file: String

    func run() async throws {
        try await runReportingErrors {
            let reader = try ParquetReader(path: file)
            for field in reader.schema.fields {
                StandardOutput.line("\(field.name): \(field.type.name)\(field.nullable ? "" : " not null")")
            }
        }
    }
}
