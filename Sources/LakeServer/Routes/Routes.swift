import Hummingbird
import Lake

/// What every route needs: the root of the tables, where uploads are spooled and the body limit. Each route is
/// a thin adapter from HTTP to one Lake operation and back; the table logic is all in Lake.
struct Routes: Sendable {
    /// The tables served.
    let root: TableRoot
    /// Where row bodies are spooled while they are written (outside the root).
    let uploads: String
    /// The largest request body accepted, in bytes.
    let maxBody: Int
    /// The server's metrics.
    let metrics: ServerMetrics

    /// Registers every route on `router`.
    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in Self.json(.object([("status", .string("ok"))])) }
        router.get("/readyz") { _, _ in
            guard root.isWritable else { throw Problem(status: 503, kind: "storage", detail: "the root \(root.path) is not a writable directory") }
            return Self.json(.object([("status", .string("ready"))]))
        }
        router.get("/metrics") { _, _ in
            Self.bytes(metrics.text, type: "text/plain; version=0.0.4; charset=utf-8")
        }
        registerTables(on: router)
        registerRows(on: router)
        registerChanges(on: router)
        registerMaintenance(on: router)
        registerLog(on: router)
        registerInspection(on: router)
        registerConstraints(on: router)
    }

    /// The table named by the path's `name`, validated.
    func table(_ context: BasicRequestContext) throws -> (TableName, DeltaTable) {
        let name = try TableName(context.parameters.get("name") ?? "")
        return (name, try root.table(name))
    }

    /// A JSON response.
    static func json(_ document: JSONDocument, status: HTTPResponse.Status = .ok) -> Response {
        bytes(document.rendered, type: "application/json", status: status)
    }

    /// A response of `bytes` with Content-Type `type`.
    static func bytes(_ bytes: [UInt8], type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// 413 before reading a body whose declared Content-Length is over the limit (a chunked body is counted
    /// as it is read instead).
    func checkDeclaredLength(_ request: Request) throws(Problem) {
        if let text = request.headers[.contentLength], let length = Int(text), length > maxBody { throw Problem.bodyTooLarge(maxBody) }
    }

    /// Refuses an `Idempotency-Key` on a route that cannot record one, rather than silently applying a retry
    /// twice.
    static func refuseIdempotencyKey(_ request: Request) throws(Problem) {
        if request.headers[Idempotency.header] != nil {
            throw Problem.badRequest("Idempotency-Key is supported on POST /v1/tables/{name}/rows only; this route cannot record it")
        }
    }
}
