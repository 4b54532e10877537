import ArgumentParser

/// The `lake` command line: Delta Lake tables and Parquet files from the shell.
@main
struct LakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lake",
        abstract: "A transactional lakehouse table store for Delta Lake tables.",
        version: "0.1.0",
        subcommands: [
            ParquetCommand.self, FrameCommand.self, BenchCommand.self,
            CreateCommand.self, WriteCommand.self, ReadCommand.self, HistoryCommand.self, InfoCommand.self, FilesCommand.self, CheckpointCommand.self,
        ]
    )

    /// Configures the allocator, then parses and runs the command.
    static func main() async {
        Allocator.configure()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
