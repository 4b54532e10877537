import Foundation
import Hummingbird
import Lake
import Logging
import ServiceLifecycle
import UnixSignals

/// The lake HTTP service: every route under `/v1` is a thin adapter from HTTP to one Lake operation, with the
/// CLI's JSON documents and errors (as RFC 9457 problem details). `lake serve` runs one.
public struct LakeServer: Service {
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
    /// Called with the bound address (`http://HOST:PORT`) once the server accepts requests.
    public let onListening: @Sendable (String) async -> Void

    /// A server with `configuration`, logging to `logger`, telling `onListening` its address.
    public init(configuration: Configuration, logger: Logger = Logger(label: "lake.serve"),
                onListening: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until a signal in `shutdownSignals` arrives (SIGTERM and SIGINT by default), then shuts down
    /// gracefully: requests in flight finish, no new ones are accepted.
    public func serve(shutdownSignals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [self], gracefulShutdownSignals: shutdownSignals, cancellationSignals: [], logger: logger))
        try await group.run()
    }

    /// Serves until the enclosing service group shuts down gracefully (or the task is cancelled).
    public func run() async throws {
        guard configuration.maxBodyBytes > 0 else { throw LakeError.invalidRequest("the body limit must be at least 1 byte") }
        guard (0...65535).contains(configuration.port) else { throw LakeError.invalidRequest("the port must be 0 to 65535, not \(configuration.port)") }
        let root = try TableRoot(path: configuration.root)
        // Uploads are spooled outside the root, so a half-received body never looks like part of a table.
        let uploads = NSTemporaryDirectory() + "/lake-serve-" + UUID().uuidString
        do { try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true) } catch {
            throw LakeError(.storage, "cannot create the upload directory \(uploads): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: uploads) }

        let router = Self.router(Routes(root: root, uploads: uploads, maxBody: configuration.maxBodyBytes, metrics: ServerMetrics()),
                                 token: configuration.token)
        let host = configuration.host
        let onListening = self.onListening
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: "lake"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onListening("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: logger
        )
        // The application's own service group follows this task's graceful shutdown.
        try await app.run()
    }

    /// The router: problem details and request ids outermost, then the token check, then the routes.
    static func router(_ routes: Routes, token: String?) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ProblemMiddleware(metrics: routes.metrics))
        if let token { router.add(middleware: TokenMiddleware(token: Array(token.utf8))) }
        routes.register(on: router)
        return router
    }

    /// Every route served, as `METHOD /path/{param}` (sorted): what `spec/openapi.yaml` must describe.
    public static var routeList: [String] {
        let routes = Routes(root: TableRoot(unvalidated: "/"), uploads: "/", maxBody: 1, metrics: ServerMetrics())
        return router(routes, token: nil).routes.map { "\($0.method.rawValue) \($0.path.description)" }.sorted()
    }
}

extension LakeServer: CustomStringConvertible, CustomDebugStringConvertible {
    /// The root and address, never the token: service lifecycle logs a service by its description.
    public var description: String { "LakeServer(\(configuration))" }
    /// The same as `description`.
    public var debugDescription: String { description }
}

extension LakeServer.Configuration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The settings with the token redacted.
    public var description: String {
        "root: \(root), host: \(host), port: \(port), token: \(token == nil ? "none" : "<redacted>"), maxBodyBytes: \(maxBodyBytes)"
    }
    /// The same as `description`.
    public var debugDescription: String { description }
}
