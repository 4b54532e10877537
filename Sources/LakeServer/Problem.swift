import HTTPTypes
import Hummingbird
import Lake

/// An HTTP failure answered as an RFC 9457 problem details document (`application/problem+json` with type,
/// title, status and detail): every error a route throws becomes one of these in `ProblemMiddleware`.
public struct Problem: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public var status: Int
    /// A short, stable name of the kind of problem; the `type` URI ends with it (`urn:lake:problem:<kind>`).
    public var kind: String
    /// What went wrong with this request and what to fix.
    public var detail: String

    /// A problem with `status`, `kind` and `detail`.
    public init(status: Int, kind: String, detail: String) {
        self.status = status
        self.kind = kind
        self.detail = detail
    }

    /// A Lake error with the status its kind maps to (`LakeError.httpStatus`).
    public init(_ error: LakeError) {
        self.init(status: error.httpStatus, kind: error.kind.rawValue, detail: error.message)
    }

    /// 400: the request is malformed.
    public static func badRequest(_ detail: String) -> Problem { Problem(status: 400, kind: "invalidRequest", detail: detail) }
    /// 401: a token is required and the request has none or a wrong one.
    public static func unauthorized(_ detail: String) -> Problem { Problem(status: 401, kind: "unauthorized", detail: detail) }
    /// 404: no such table or route.
    public static func notFound(_ detail: String) -> Problem { Problem(status: 404, kind: "notFound", detail: detail) }
    /// 406: no response type the client accepts.
    public static func notAcceptable(_ detail: String) -> Problem { Problem(status: 406, kind: "notAcceptable", detail: detail) }
    /// 413: the body is larger than `--max-body`.
    public static func bodyTooLarge(_ limit: Int) -> Problem {
        Problem(status: 413, kind: "bodyTooLarge", detail: "the request body is larger than the server's limit of \(limit) bytes (lake serve --max-body)")
    }
    /// 415: a body whose Content-Type the route does not read.
    public static func unsupportedMediaType(_ detail: String) -> Problem { Problem(status: 415, kind: "unsupportedMediaType", detail: detail) }

    /// The detail.
    public var description: String { detail }

    /// The reason phrase for `status` (the problem's `title`).
    public var title: String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 499: "Client Closed Request"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: status >= 500 ? "Internal Server Error" : "Error"
        }
    }

    /// The problem details document.
    public var document: JSONDocument {
        .object([
            ("type", .string("urn:lake:problem:\(kind)")),
            ("title", .string(title)),
            ("status", .int(Int64(status))),
            ("detail", .string(detail)),
        ])
    }

    /// The response carrying the document.
    func response(requestID: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        headers[RequestID.header] = requestID
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: document.rendered)))
    }

    /// Any error a route threw, as a problem: Hummingbird's own errors (an unknown route, a method not
    /// allowed) keep their status; anything not classified is a 500.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let p as Problem: return p
        case let e as LakeError: return Problem(e)
        case let e as HTTPError:
            let code = e.status.code
            let kind = code == 404 ? "notFound" : code == 405 ? "methodNotAllowed" : code == 413 ? "bodyTooLarge" : code < 500 ? "invalidRequest" : "failed"
            return Problem(status: code, kind: kind, detail: e.body ?? e.status.reasonPhrase)
        case is CancellationError: return Problem(status: 503, kind: "cancelled", detail: "the server is stopping; retry the request")
        default: return Problem(LakeError(error))
        }
    }
}
