import Foundation
import Testing

/// `/metrics`: Prometheus text, served without a token, counting requests per route pattern and rows.
@Suite struct MetricsTests {
    @Test func metricsCountRequestsPerRouteAndRowsWrittenAndRead() async throws {
        try await TestServer.with(token: "t0k") { s in
            let auth = ["Authorization": "Bearer t0k"]
            let create = try await s.send("PUT", "/v1/tables/t", json: #"{"schema": "id long"}"#, headers: auth)
            #expect(create.status == 201)
            try await s.append("t", ndjson: "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n", headers: auth)
            let read = try await s.send("GET", "/v1/tables/t/rows?limit=2", headers: auth)
            #expect(read.status == 200)
            let m = try await s.send("GET", "/metrics")
            #expect(m.status == 200)
            #expect(m.header("Content-Type")?.hasPrefix("text/plain") == true)
            let lines = Set(m.text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"lake_http_requests_total{method="POST",route="/v1/tables/{name}/rows",status="200"} 1"#), "\(m.text)")
            #expect(lines.contains(#"lake_http_requests_total{method="PUT",route="/v1/tables/{name}",status="201"} 1"#))
            #expect(lines.contains("lake_rows_written_total 3"))
            #expect(lines.contains("lake_rows_read_total 2"))
            #expect(lines.contains(#"lake_commits_total{operation="WRITE"} 1"#))
            #expect(lines.contains { $0.hasPrefix(#"lake_http_request_duration_seconds_count{method="GET",route="/v1/tables/{name}/rows"} 1"#) })
            // No table name appears as a label.
            #expect(!m.text.contains("/v1/tables/t/"))
        }
    }
}
