#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where S3 requests go: AWS itself (virtual-hosted style, `https://BUCKET.s3.REGION.amazonaws.com/KEY`) or a
/// custom endpoint such as MinIO or moto (path style, `ENDPOINT/BUCKET/KEY`).
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// Host name or address, with `:port` when one was given (this is also the signed `Host` header).
    public var authority: String
    /// A path prefix of the endpoint (usually empty), without a trailing '/'.
    public var basePath: String

    /// Parses an endpoint URL such as `http://127.0.0.1:9000`; throws for other schemes or a missing host.
    public init(url: String) throws(ObjectStoreError) {
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw .unsupportedLocation(url, "an S3 endpoint URL starts with http:// or https://")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw .unsupportedLocation(url, "an S3 endpoint URL starts with http:// or https://")
        }
        let rest = url[schemeEnd.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains("?"), !authority.contains("#") else {
            throw .unsupportedLocation(url, "the S3 endpoint URL needs a host (and no user info, query or fragment)")
        }
        var base = String(rest[slash...])
        while base.hasSuffix("/") { base.removeLast() }
        self.scheme = scheme
        self.authority = authority
        self.basePath = base
    }

    /// `scheme://authority/basePath`.
    public var description: String { "\(scheme)://\(authority)\(basePath)" }
}

/// How often and how long S3 requests are retried on throttling, server errors and network failures.
public struct S3RetryPolicy: Sendable, Hashable {
    /// Attempts per request, the first included.
    public var maxAttempts: Int = 10
    /// Delay before the first retry; doubles each attempt, with full jitter.
    public var baseDelayMs: Int = 50
    /// Longest single delay.
    public var maxDelayMs: Int = 5_000
    /// No retry starts after this much time has passed since the first attempt.
    public var totalBudgetMs: Int = 120_000

    /// The default policy.
    public init() {}
}

/// Everything an `S3Store` needs besides the bucket: credentials, region, endpoint, transport and retry settings.
///
/// Usually built from the environment with `fromEnvironment()`, which reads the variables the AWS tools use.
/// `description` redacts the credentials, so printing a configuration is safe.
public struct S3Config: Sendable, CustomStringConvertible {
    /// Credentials to sign with; nil sends unsigned requests (public buckets, `AWS_SKIP_SIGNATURE=true`).
    public var credentials: AWSCredentials?
    /// Signing region (`us-east-1` unless configured).
    public var region: String
    /// A custom endpoint (path-style requests), or nil for AWS.
    public var endpoint: S3Endpoint?
    /// Plain `http://` endpoints are refused unless this is true (`AWS_ALLOW_HTTP=true`).
    public var allowHTTP: Bool
    /// Sign request bodies with their SHA-256 (`x-amz-content-sha256`), an end-to-end integrity check;
    /// false sends `UNSIGNED-PAYLOAD` (TLS still protects the body on https).
    public var signPayload: Bool = true
    /// Retry settings.
    public var retry = S3RetryPolicy()
    /// Part size of multipart uploads, at least 5 MiB (S3's minimum for all parts but the last).
    public var partSize: Int = 16 << 20
    /// Parts of one upload in flight at once; memory is bounded by `partSize * (maxConcurrentParts + 1)`.
    public var maxConcurrentParts: Int = 4
    /// Keys per ListObjectsV2 page (S3 returns at most 1000).
    public var listPageSize: Int = 1000
    /// Transport timeouts.
    var limits = TransferLimits()

    /// Creates a configuration; `endpoint` nil means AWS in `region`.
    public init(credentials: AWSCredentials?, region: String = "us-east-1", endpoint: S3Endpoint? = nil, allowHTTP: Bool = false) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.allowHTTP = allowHTTP
    }

    /// Region, endpoint and whether credentials are set; never the credentials themselves.
    public var description: String {
        "S3Config(region: \(region), endpoint: \(endpoint?.description ?? "AWS"), credentials: \(credentials.map { "\($0)" } ?? "none"), allowHTTP: \(allowHTTP))"
    }

    /// Reads the configuration the AWS tools use:
    ///
    /// - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
    /// - otherwise the profile `AWS_PROFILE` (default `default`) of `~/.aws/credentials` and `~/.aws/config`
    ///   (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE` name other files);
    /// - `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the profile's `region`, then `us-east-1`;
    /// - `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (or the profile's `endpoint_url`) for a custom endpoint;
    /// - `AWS_ALLOW_HTTP=true` to allow a plain-http endpoint; `AWS_SKIP_SIGNATURE=true` for unsigned requests;
    /// - `AWS_CA_BUNDLE` (or the profile's `ca_bundle`): a PEM file of CA certificates to trust;
    /// - `LAKE_S3_PART_SIZE` (bytes, at least 5 MiB) for the multipart part size.
    ///
    /// Throws when no credentials are configured or an endpoint is malformed or plain http without permission;
    /// the messages say which variable to set and never contain a credential.
    public static func fromEnvironment(_ environment: [String: String]? = nil) throws(ObjectStoreError) -> S3Config {
        let env = environment ?? processEnvironment()
        func value(_ name: String) -> String? {
            guard let v = env[name]?.trimmingSpaces(), !v.isEmpty else { return nil }
            return v
        }
        let home = value("HOME") ?? ""
        let profileName = value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE") ?? "default"
        let credentialsFile = value("AWS_SHARED_CREDENTIALS_FILE") ?? (home + "/.aws/credentials")
        let configFile = value("AWS_CONFIG_FILE") ?? (home + "/.aws/config")
        let fromCredentials = AWSProfileFile.load(credentialsFile, isConfig: false)?.profiles[profileName] ?? [:]
        let fromConfig = AWSProfileFile.load(configFile, isConfig: true)?.profiles[profileName] ?? [:]
        func profile(_ key: String) -> String? {
            if let v = fromCredentials[key], !v.isEmpty { return v }
            if let v = fromConfig[key], !v.isEmpty { return v }
            return nil
        }

        let skipSignature = isTrue(value("AWS_SKIP_SIGNATURE"))
        var credentials: AWSCredentials?
        if let id = value("AWS_ACCESS_KEY_ID") {
            guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
                throw .unsupportedLocation("s3", "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both")
            }
            credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        } else if let id = profile("aws_access_key_id") {
            guard let secret = profile("aws_secret_access_key") else {
                throw .unsupportedLocation("s3", "profile \"\(profileName)\" in \(credentialsFile) has aws_access_key_id but no aws_secret_access_key")
            }
            credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: profile("aws_session_token"))
        } else if !skipSignature {
            throw .unsupportedLocation("s3", "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in \(credentialsFile) (AWS_SKIP_SIGNATURE=true for public buckets)")
        }
        if skipSignature { credentials = nil }

        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? profile("region") ?? "us-east-1"
        var endpoint: S3Endpoint?
        if let url = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") ?? profile("endpoint_url") {
            endpoint = try S3Endpoint(url: url)
        }
        let allowHTTP = isTrue(value("AWS_ALLOW_HTTP"))
        var config = S3Config(credentials: credentials, region: region, endpoint: endpoint, allowHTTP: allowHTTP)
        config.limits.caBundle = value("AWS_CA_BUNDLE") ?? profile("ca_bundle")
        if let v = value("LAKE_S3_PART_SIZE") {
            guard let n = Int(v) else { throw .unsupportedLocation("s3", "LAKE_S3_PART_SIZE=\(v) is not a number of bytes") }
            config.partSize = n
        }
        try config.validate()
        return config
    }

    /// Throws when the settings cannot work: plain http without `allowHTTP`, parts below S3's 5 MiB minimum.
    public func validate() throws(ObjectStoreError) {
        if let endpoint, endpoint.scheme == "http", !allowHTTP {
            throw .unsupportedLocation(endpoint.description, "the S3 endpoint uses plain http; set AWS_ALLOW_HTTP=true to allow unencrypted requests")
        }
        if partSize < 5 << 20 || partSize > 5 << 30 {
            throw .unsupportedLocation("s3", "multipart part size \(partSize) is outside S3's limits (5 MiB to 5 GiB)")
        }
        if maxConcurrentParts < 1 || listPageSize < 1 || listPageSize > 1000 || retry.maxAttempts < 1 {
            throw .unsupportedLocation("s3", "S3 settings out of range: maxConcurrentParts \(maxConcurrentParts), listPageSize \(listPageSize) (1 to 1000), retry.maxAttempts \(retry.maxAttempts)")
        }
    }

    static func isTrue(_ v: String?) -> Bool {
        guard let v = v?.lowercased() else { return false }
        return v == "true" || v == "1" || v == "yes"
    }

    /// The process environment as a dictionary.
    static func processEnvironment() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }
}
