import ArgumentParser

/// Runs a command body, turning any thrown error into a one-line `lake: ...` message on stderr and exit
/// code 1, so scripts and cron jobs see a clear failure rather than a stack trace or a signal.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
        StandardOutput.flush()
    } catch let exit as ExitCode {
        StandardOutput.flush()
        throw exit
    } catch {
        StandardOutput.flush()
        StandardError.line("lake: \(error)")
        throw ExitCode(1)
    }
}
