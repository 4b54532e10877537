#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of one S3 request after retries: the final response and what the attempts before it saw.
struct S3Outcome: Sendable {
    /// The last HTTP response (any status).
    var response: HTTPResponse
    /// Attempts made, this one included.
    var attempts: Int
    /// An earlier attempt failed in a way that leaves open whether the server applied it (a timeout or dropped
    /// connection after sending, a 5xx): a later 412 on a conditional PUT may be our own write.
    var earlierAttemptMayHaveApplied: Bool
}

/// Signed HTTP requests to one bucket, with retries: exponential backoff with full jitter on throttling
/// (429, SlowDown), server errors (5xx), timeouts and dropped connections, bounded in attempts and total time.
struct S3Client: Sendable {
    /// The bucket every request goes to.
    let bucket: String
    /// Credentials, endpoint and policies.
    let config: S3Config
    /// The libcurl transport.
    let engine: CurlEngine

    init(bucket: String, config: S3Config, engine: CurlEngine = .shared) {
        self.bucket = bucket
        self.config = config
        self.engine = engine
    }

    /// `s3://bucket/key`, as errors name an object.
    func describe(_ key: String?) -> String {
        "s3://\(bucket)/\(key ?? "")"
    }

    /// Host (the signed `Host` header), encoded path and base URL for `key` (nil: the bucket itself).
    func address(_ key: String?) -> (host: String, path: String, base: String) {
        let encodedKey = key.map { SigV4.encodePath($0) } ?? ""
        if let endpoint = config.endpoint {
            let path = endpoint.basePath + "/" + SigV4.encodePath(bucket) + (key == nil ? "" : "/" + encodedKey)
            return (endpoint.authority, path, "\(endpoint.scheme)://\(endpoint.authority)")
        }
        if bucket.contains(".") {
            // Dotted bucket names break TLS host checks in virtual-hosted style: use path style.
            let host = "s3.\(config.region).amazonaws.com"
            return (host, "/" + SigV4.encodePath(bucket) + (key == nil ? "" : "/" + encodedKey), "https://" + host)
        }
        let host = "\(bucket).s3.\(config.region).amazonaws.com"
        return (host, "/" + encodedKey, "https://" + host)
    }

    /// Sends one S3 request, retrying transient failures; returns the final response whatever its status.
    /// Throws `ObjectStoreError.io` only when no response arrived within the retry budget.
    /// `errorPath` is the store path a transport failure names (default: the key).
    func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
              body: [UInt8] = [], errorPath: String? = nil) async throws -> S3Outcome {
        let (host, path, base) = address(key)
        let queryString = SigV4.urlQuery(query)
        let url = base + path + (queryString.isEmpty ? "" : "?" + queryString)
        let payloadHash = body.isEmpty ? SigV4.emptyPayloadHash
            : (config.signPayload ? Digest.hex(Digest.sha256(body)) : SigV4.unsignedPayload)
        let policy = config.retry
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        var mayHaveApplied = false
        var lastProblem = ""
        while true {
            attempt += 1
            var signed = SigV4Request(method: method, encodedPath: path, query: query,
                                      headers: [("Host", host)] + headers, payloadHash: payloadHash)
            if let credentials = config.credentials {
                SigV4.sign(&signed, credentials: credentials, region: config.region, epochSeconds: Int(time(nil)))
            }
            let request = HTTPRequest(method: method, url: url, headers: signed.headers, body: body)
            var retryable: Bool
            do {
                let response = try await engine.perform(request, limits: config.limits)
                let code = Self.errorCode(response)
                retryable = Self.isRetryable(status: response.status, code: code)
                if !retryable || attempt >= policy.maxAttempts || clock.now - start > .milliseconds(policy.totalBudgetMs) {
                    return S3Outcome(response: response, attempts: attempt, earlierAttemptMayHaveApplied: mayHaveApplied)
                }
                if response.status >= 500 { mayHaveApplied = true }
                lastProblem = "HTTP \(response.status)\(code.map { " " + $0 } ?? "")"
            } catch let error as TransportError {
                // Connection never established (refused, DNS): the request did not reach the server.
                if error.code != 6 && error.code != 7 { mayHaveApplied = true }
                lastProblem = error.description
                guard error.isRetryable, attempt < policy.maxAttempts, clock.now - start <= .milliseconds(policy.totalBudgetMs) else {
                    let elapsed = clock.now - start
                    let target = key == nil && !query.isEmpty ? describe(nil) + "?" + queryString : describe(key)
                    throw ObjectStoreError.io(errorPath ?? key ?? "", "S3 \(method) \(target) failed after \(attempt) attempt\(attempt == 1 ? "" : "s") in \(Self.format(elapsed)): \(lastProblem)")
                }
            }
            // Full jitter: a random delay up to the exponential cap spreads retries of many clients apart.
            let exponent = min(attempt - 1, 20)
            let cap = min(policy.maxDelayMs, policy.baseDelayMs << exponent)
            let delay = Int.random(in: 0...max(cap, 1))
            try await Task.sleep(for: .milliseconds(delay))
        }
    }

    /// Throttling, server errors, and the S3 codes that mean "try again".
    static func isRetryable(status: Int, code: String?) -> Bool {
        if status == 429 || status == 500 || status == 502 || status == 503 || status == 504 { return true }
        switch code {
        case "SlowDown", "RequestTimeout", "Throttling", "ThrottlingException", "InternalError",
             "ServiceUnavailable", "ConditionalRequestConflict", "RequestTimeoutException":
            return true
        default:
            return false
        }
    }

    /// The `<Code>` of an S3 error document, if the body is one.
    static func errorCode(_ response: HTTPResponse) -> String? {
        guard response.status >= 300, !response.body.isEmpty, let xml = try? S3XML(response.body) else { return nil }
        return xml.text("Code")
    }

    /// Maps a non-success response to the error callers see: 404 → `notFound`, 412 → `alreadyExists`, anything
    /// else `io` naming the operation, bucket, key, status, S3 error code and message and request id.
    func failure(_ outcome: S3Outcome, method: String, key: String?, relativeKey: String) -> ObjectStoreError {
        let response = outcome.response
        let xml = response.body.isEmpty ? nil : try? S3XML(response.body)
        let code = xml?.text("Code")
        if response.status == 404, code == nil || code == "NoSuchKey" { return .notFound(relativeKey) }
        if response.status == 412 { return .alreadyExists(relativeKey) }
        var message = "S3 \(method) \(describe(key)): HTTP \(response.status)"
        if let code { message += " \(code)" }
        if let text = xml?.text("Message"), !text.isEmpty { message += ": \(text.prefix(300))" }
        if response.status == 404, code == "NoSuchBucket" { message += " (check the bucket name and endpoint)" }
        if response.status == 403 { message += " (check the credentials, region and bucket policy)" }
        if response.status == 301 || code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect",
           let region = response.header("x-amz-bucket-region") ?? xml?.text("Region"), region != config.region {
            message += " (the bucket is in region \(region); set AWS_REGION=\(region))"
        }
        if let id = xml?.text("RequestId") ?? response.header("x-amz-request-id") { message += " [request id \(id)]" }
        if outcome.attempts > 1 { message += " after \(outcome.attempts) attempts" }
        return .io(relativeKey, message)
    }

    static func format(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return ms < 1000 ? "\(ms) ms" : "\(ms / 1000).\(ms % 1000 / 100) s"
    }
}
