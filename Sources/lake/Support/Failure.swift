import ArgumentParser
import Lake

/// Runs a command body, turning any thrown error into a one-line `lake: ...` message on stderr and the exit code
/// of its `LakeError` kind (1 error, 2 usage, 3 conflict, 4 not found), so scripts and cron jobs can tell
/// failures apart and never see a stack trace or a signal.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
        StandardOutput.flush()
    } catch let exit as ExitCode {
        StandardOutput.flush()
        throw exit
    } catch let usage as ValidationError {
        StandardOutput.flush()
        StandardError.line("lake: \(usage.message)")
        throw ExitCode(2)
    } catch let usage as FrameSpecError {
        StandardOutput.flush()
        StandardError.line("lake: \(usage)")
        throw ExitCode(2)
    } catch {
        StandardOutput.flush()
        let e = LakeError(error)
        StandardError.line("lake: \(e.message)")
        throw ExitCode(e.exitCode)
    }
}
