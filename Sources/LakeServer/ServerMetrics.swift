import Hummingbird
import Lake
import Prometheus

/// The server's Prometheus metrics, answered in text at `/metrics`: requests and latency per route, commits,
/// rows and bytes written and rows read. One registry per server, so servers in one process keep apart.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// Counts a request to `route` answered with `status`, taking `elapsed`.
    func request(method: String, route: String, status: Int, elapsed: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "lake", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route and status."),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "lake", metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency by route."),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(elapsed)
    }

    /// Counts a commit by `operation` (nothing when it committed nothing).
    func commit(_ operation: String) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "lake", metricName: "commits", unitName: "total", helpText: "Delta commits made, by operation."),
            labels: [("operation", operation)]
        ).increment()
    }

    /// Counts rows and bytes written.
    func wrote(rows: Int, bytes: Int64) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "lake", metricName: "rows_written", unitName: "total", helpText: "Rows written by POST /rows."), labels: []).increment(by: Int64(rows))
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "lake", metricName: "bytes_written", unitName: "total", helpText: "Data file bytes written by POST /rows."), labels: []).increment(by: bytes)
    }

    /// Counts rows answered by a read.
    func read(rows: Int) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "lake", metricName: "rows_read", unitName: "total", helpText: "Rows answered by GET /rows."), labels: []).increment(by: Int64(rows))
    }

    /// The exposition text.
    var text: [UInt8] {
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }
}
