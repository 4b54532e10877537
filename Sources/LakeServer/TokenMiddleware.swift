import Hummingbird

/// Requires `Authorization: Bearer <token>` on every route but the probes (`/healthz`, `/readyz`, `/metrics`)
/// when the server has a token. The comparison takes the same time wherever the tokens differ.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The token's bytes.
    let token: [UInt8]

    /// Paths served without a token.
    static var openPaths: Set<String> { ["/healthz", "/readyz", "/metrics"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let value = request.headers[.authorization] else {
            throw Problem.unauthorized("this server needs a token: send Authorization: Bearer <token>")
        }
        let prefix = "Bearer "
        guard value.utf8.count > prefix.utf8.count, value.utf8.prefix(prefix.utf8.count).elementsEqual(prefix.utf8) else {
            throw Problem.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        guard Self.constantTimeEqual(Array(value.utf8.dropFirst(prefix.utf8.count)), token) else {
            throw Problem.unauthorized("the token is wrong")
        }
        return try await next(request, context)
    }

    /// Whether `a` equals `b`, looking at every byte of the longer one whatever the content, so the time
    /// taken says nothing about where they first differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt64(a.count ^ b.count)
        let n = max(a.count, b.count)
        var i = 0
        while i < n {
            let x: UInt8 = i < a.count ? a[i] : 0
            let y: UInt8 = i < b.count ? b[i] : 0
            diff |= UInt64(x ^ y)
            i += 1
        }
        return diff == 0
    }
}
