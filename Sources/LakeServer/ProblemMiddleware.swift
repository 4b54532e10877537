import Foundation
import Hummingbird
import Logging

/// The outermost middleware: gives each request its id (`X-Request-Id`), turns every thrown error into a
/// problem details response, and logs one structured line per request (method, path, status, duration,
/// request id), never the headers (tokens) or bodies.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where requests are counted.
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestID.of(request)
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
            response.headers[RequestID.header] = id
        } catch {
            let problem = Problem.from(error)
            if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["detail": .string(problem.detail)])
            }
            response = problem.response(requestID: id)
        }
        let elapsed = ContinuousClock.now - started
        let millis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        // The route's pattern, not the path: names in paths would make a series per table.
        metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code, elapsed: elapsed)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", millis)),
        ])
        return response
    }
}
