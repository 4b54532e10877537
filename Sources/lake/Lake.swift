import ArgumentParser

/// The `lake` command line: Delta Lake tables and Parquet files from the shell.
@main
struct LakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lake",
        abstract: "A transactional lakehouse table store for Delta Lake tables.",
        discussion: """
            Exit codes: 0 success; 1 error (bad data, corrupt table, storage failure, schema or constraint \
            violation); 2 usage (a malformed command line or request: unknown option, bad value, unknown column, \
            predicate that does not parse); 3 conflict (another writer committed a conflicting change and the \
            conflict rules do not allow a retry); 4 not found (no table at the location, or no such version or \
            timestamp in its history).
            """,
        version: "0.1.0",
        subcommands: [
            ParquetCommand.self, FrameCommand.self, BenchCommand.self,
            CreateCommand.self, WriteCommand.self, ReadCommand.self, HistoryCommand.self, InfoCommand.self, FilesCommand.self, CheckpointCommand.self,
            DeleteCommand.self, UpdateCommand.self, MergeCommand.self, RestoreCommand.self, ConstraintCommand.self, ClusterCommand.self, SCD2Command.self,
            ChangesCommand.self, OptimizeCommand.self, VacuumCommand.self, MaintainCommand.self, ServeCommand.self,
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
            // Argument parsing and validation failures are usage errors: exit code 2, as documented above.
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty { StandardError.line(message) }
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
