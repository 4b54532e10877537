import ArgumentParser
import Foundation
import Lake
import LakeServer
import Logging

/// `lake serve`: the HTTP service over a directory of tables, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Delta tables under a directory over HTTP (JSON API under /v1).",
        discussion: """
            Tables live at ROOT/NAME. The first line on stdout is the bound address, e.g. \
            "listening on http://127.0.0.1:8080"; request logs go to stderr. SIGTERM or SIGINT stops the server \
            after the requests in flight finish.

            Example: lake serve --root ./lakehouse --port 0 --token-file token.txt --max-body 256MiB
            """
    )

    @Option(help: "The directory of the tables (created if missing).")
    var root = "lakehouse"

    @Option(help: "The address to bind.")
    var host = "127.0.0.1"

    @Option(help: "The port to bind (0: a free port, printed on the first line).")
    var port = 8080

    @Option(name: .customLong("token-file"), help: "A file holding the bearer token every /v1 request must send (Authorization: Bearer <token>).")
    var tokenFile: String?

    @Option(name: .customLong("max-body"), help: "The largest request body accepted, e.g. 64MiB or 1GB (default 1GiB); larger ones get 413.")
    var maxBody = "1GiB"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard let bytes = ByteSize.parse(maxBody), bytes > 0 else { throw ValidationError("--max-body \(maxBody): give a size such as 64MiB or 1GB") }
    }

    func run() async throws {
        try await runReportingErrors {
            var token: String?
            if let tokenFile {
                let text: String
                do { text = try String(contentsOfFile: tokenFile, encoding: .utf8) } catch {
                    throw LakeError(.invalidRequest, "--token-file \(tokenFile): cannot read it (\(error.localizedDescription))")
                }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty else { throw LakeError(.invalidRequest, "--token-file \(tokenFile) is empty") }
                token = trimmed
            }
            // Logs go to stderr: stdout carries only the address line, which scripts read.
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            let configuration = LakeServer.Configuration(root: root, host: host, port: port, token: token,
                                                         maxBodyBytes: ByteSize.parse(maxBody) ?? (1 << 30))
            try await LakeServer(configuration: configuration) { address in
                StandardOutput.line("listening on \(address)")
            }.serve()
        }
    }
}
