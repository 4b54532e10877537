import Foundation
import Hummingbird
import Lake
import Logging
import ServiceLifecycle
import UnixSignals

/// The lake HTTP service: every route under `/v1` is a thin adapter from HTTP to one Lake operation, with the
/// CLI's JSON documents and errors (as RFC 9457 problem details). `lake serve` runs one.
public struct LakeServer: Sendable {
    /// How the server is set up.
    public struct Configuration: Sendable {
        /// The directory of the tables (`ROOT/NAME`); created if missing.
        public var root: String
        /// The address to bind.
        public var host: String
        /// The port to bind; 0 picks a free one.
        public var port: Int
        /// When set, every route but `/healthz`, `/readyz` and `/metrics` needs `Authorization: Bearer <token>`.
        public var token: String?
        /// The largest request body accepted, in bytes (413 past it).
        public var maxBodyBytes: Int

        /// A configuration; the defaults serve `./lakehouse` on 127.0.0.1:8080 without a token, bodies up to 1 GiB.
        public init(root: String = "lakehouse", host: String = "127.0.0.1", port: Int = 8080, token: String? = nil,
                    maxBodyBytes: Int = 1 << 30) {
            self.root = root
            self.host = host
            self.port = port
            self.token = token
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Where request logs go.
    public let logger: Logger

    /// A server with `configuration`, logging to `logger`.
    public init(configuration: Configuration, logger: Logger = Logger(label: "lake.serve")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until a signal in `shutdownSignals` arrives (SIGTERM and SIGINT by default) or the task is
    /// cancelled, then shuts down gracefully: requests in flight finish, no new ones are accepted.
    /// `onListening` is called with the bound address (`http://HOST:PORT`) once the server accepts requests.
    public func run(shutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                    onListening: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        guard configuration.maxBodyBytes > 0 else { throw LakeError.invalidRequest("the body limit must be at least 1 byte") }
        guard (0...65535).contains(configuration.port) else { throw LakeError.invalidRequest("the port must be 0 to 65535, not \(configuration.port)") }
        let root = try TableRoot(path: configuration.root)
        // Uploads are spooled outside the root, so a half-received body never looks like part of a table.
        let uploads = NSTemporaryDirectory() + "/lake-serve-" + UUID().uuidString
        do { try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true) } catch {
            throw LakeError(.storage, "cannot create the upload directory \(uploads): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: uploads) }

        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        if let token = configuration.token { router.add(middleware: TokenMiddleware(token: Array(token.utf8))) }
        Routes(root: root, uploads: uploads, maxBody: configuration.maxBodyBytes).register(on: router)

        let host = configuration.host
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: "lake"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onListening("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: shutdownSignals, cancellationSignals: [], logger: logger))
        try await group.run()
    }
}
