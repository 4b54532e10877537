import Testing
@testable import ObjectStore
#if canImport(Glibc)
import Glibc
#endif

/// S3Config.fromEnvironment with explicit environments and profile files in a temporary directory.
@Suite struct S3ConfigTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    func write(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    @Test func environmentKeysRegionAndEndpoint() throws {
        let c = try S3Config.fromEnvironment([
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": "tok",
            "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2",
            "AWS_ENDPOINT_URL": "https://minio.example:9000/", "HOME": "/nonexistent",
        ])
        #expect(c.credentials == AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret, sessionToken: "tok"))
        #expect(c.region == "eu-west-1")
        #expect(c.endpoint == (try S3Endpoint(url: "https://minio.example:9000")))
        #expect(c.endpoint?.authority == "minio.example:9000")
    }

    @Test func defaultRegionFallsBack() throws {
        let env = ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "HOME": "/nonexistent"]
        #expect(try S3Config.fromEnvironment(env).region == "us-east-1")
        #expect(try S3Config.fromEnvironment(env.merging(["AWS_DEFAULT_REGION": "ap-south-1"]) { $1 }).region == "ap-south-1")
    }

    @Test func plainHTTPNeedsAllowHTTP() throws {
        let env = ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "HOME": "/nonexistent"]
        do {
            _ = try S3Config.fromEnvironment(env)
            Issue.record("an http endpoint was accepted without AWS_ALLOW_HTTP")
        } catch {
            #expect(error.description.contains("AWS_ALLOW_HTTP=true"))
            #expect(!error.description.contains(Self.secret))
        }
        let allowed = try S3Config.fromEnvironment(env.merging(["AWS_ALLOW_HTTP": "true"]) { $1 })
        #expect(allowed.allowHTTP)
        #expect(allowed.limits.verifyTLS)
    }

    @Test func profilesFromTheSharedFiles() throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        try write(dir + "/credentials", """
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = defaultsecret

            # a comment
            [work]
            aws_access_key_id=WORKKEY
            aws_secret_access_key = worksecret
            aws_session_token = worktoken
            """)
        try write(dir + "/config", """
            [default]
            region = us-west-1
            [profile work]
            region = eu-central-1
            endpoint_url = https://s3.work.example
            [work]
            region = ignored-without-profile-prefix
            """)
        let base = ["AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials", "AWS_CONFIG_FILE": dir + "/config", "HOME": "/nonexistent"]
        let d = try S3Config.fromEnvironment(base)
        #expect(d.credentials?.accessKeyId == "DEFAULTKEY")
        #expect(d.region == "us-west-1")
        let w = try S3Config.fromEnvironment(base.merging(["AWS_PROFILE": "work"]) { $1 })
        #expect(w.credentials == AWSCredentials(accessKeyId: "WORKKEY", secretAccessKey: "worksecret", sessionToken: "worktoken"))
        #expect(w.region == "eu-central-1")
        #expect(w.endpoint?.description == "https://s3.work.example")
        // Environment keys win over the profile.
        let e = try S3Config.fromEnvironment(base.merging(["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret"]) { $1 })
        #expect(e.credentials?.accessKeyId == "ENVKEY")
    }

    @Test func homeDirectoryFilesAreTheDefault() throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        _ = mkdir(dir + "/.aws", 0o700)
        try write(dir + "/.aws/credentials", "[default]\naws_access_key_id = HOMEKEY\naws_secret_access_key = homesecret\n")
        #expect(try S3Config.fromEnvironment(["HOME": dir]).credentials?.accessKeyId == "HOMEKEY")
    }

    @Test func missingCredentialsSayWhatToSet() {
        do {
            _ = try S3Config.fromEnvironment(["HOME": "/nonexistent"])
            Issue.record("no credentials accepted")
        } catch {
            #expect(error.description.contains("AWS_ACCESS_KEY_ID"))
        }
        #expect(throws: ObjectStoreError.self) { try S3Config.fromEnvironment(["AWS_ACCESS_KEY_ID": "x", "HOME": "/nonexistent"]) }
        #expect((try? S3Config.fromEnvironment(["AWS_SKIP_SIGNATURE": "true", "HOME": "/nonexistent"]))?.credentials == nil)
    }

    @Test func descriptionNeverShowsCredentials() throws {
        let c = try S3Config.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret,
                                              "AWS_SESSION_TOKEN": "FwoGZXIvYXdzSECRETTOKEN", "HOME": "/nonexistent"])
        var dumped = ""
        dump(c, to: &dumped)
        for text in [c.description, "\(c)", String(reflecting: c.credentials), String(reflecting: c), dumped] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains("FwoGZXIvYXdzSECRETTOKEN"))
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
        }
    }

    @Test func malformedEndpointsAreRefused() {
        for bad in ["ftp://x", "127.0.0.1:9000", "http://", "https://user:pw@host"] {
            #expect(throws: ObjectStoreError.self) { try S3Endpoint(url: bad) }
        }
    }

    @Test func partSizeBelowTheS3MinimumIsRefused() {
        var c = S3Config(credentials: nil)
        c.partSize = 1 << 20
        #expect(throws: ObjectStoreError.self) { try c.validate() }
    }

    @Test func requestsAddressBucketsByStyle() throws {
        let aws = S3Client(bucket: "my-bucket", config: S3Config(credentials: nil, region: "eu-west-1"))
        #expect(aws.address("a b/c").host == "my-bucket.s3.eu-west-1.amazonaws.com")
        #expect(aws.address("a b/c").path == "/a%20b/c")
        let dotted = S3Client(bucket: "my.bucket", config: S3Config(credentials: nil, region: "eu-west-1"))
        #expect(dotted.address("k").path == "/my.bucket/k")
        let custom = S3Client(bucket: "b", config: S3Config(credentials: nil, endpoint: try S3Endpoint(url: "http://127.0.0.1:9000"), allowHTTP: true))
        #expect(custom.address("k").host == "127.0.0.1:9000")
        #expect(custom.address("k").path == "/b/k")
        #expect(custom.address(nil).path == "/b")
    }
}

/// The client's retry loop against an endpoint nothing listens on (no server needed).
@Suite struct S3ClientRetryTests {
    @Test func refusedConnectionsAreRetriedThenReportedWithTheAttemptCount() async throws {
        var config = S3Config(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "sekrit-value"),
                              endpoint: try S3Endpoint(url: "http://127.0.0.1:1"), allowHTTP: true)
        config.retry.maxAttempts = 3
        config.retry.baseDelayMs = 1
        let store = try S3Store(bucket: "b", prefix: "t", config: config)
        do {
            _ = try await store.get("x")
            Issue.record("a GET to a closed port succeeded")
        } catch let error as ObjectStoreError {
            guard case let .io(path, message) = error else { Issue.record("expected .io, got \(error)"); return }
            #expect(path == "x")
            #expect(message.contains("s3://b/t/x"))
            #expect(message.contains("after 3 attempts"))
            #expect(message.contains("curl error 7"))
            #expect(!message.contains("sekrit-value"))
        }
    }

    @Test func retryableStatusesAndCodes() {
        for status in [429, 500, 502, 503, 504] { #expect(S3Client.isRetryable(status: status, code: nil)) }
        #expect(S3Client.isRetryable(status: 400, code: "RequestTimeout"))
        #expect(S3Client.isRetryable(status: 503, code: "SlowDown"))
        #expect(S3Client.isRetryable(status: 409, code: "ConditionalRequestConflict"))
        for status in [200, 206, 304, 400, 403, 404, 412] { #expect(!S3Client.isRetryable(status: status, code: nil)) }
        #expect(!S3Client.isRetryable(status: 403, code: "AccessDenied"))
    }

    @Test func failuresMapNotFoundPreconditionAndNameTheCode() throws {
        let client = S3Client(bucket: "bkt", config: S3Config(credentials: nil))
        func outcome(_ status: Int, _ body: String, headers: [(String, String)] = []) -> S3Outcome {
            S3Outcome(response: HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), attempts: 1, earlierAttemptMayHaveApplied: false)
        }
        #expect(client.failure(outcome(404, "<Error><Code>NoSuchKey</Code></Error>"), method: "GET", key: "p/k", relativeKey: "k") == .notFound("k"))
        #expect(client.failure(outcome(412, ""), method: "PUT", key: "p/k", relativeKey: "k") == .alreadyExists("k"))
        let denied = client.failure(outcome(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId></Error>"),
                                    method: "GET", key: "p/k", relativeKey: "k")
        #expect(denied == .io("k", "S3 GET s3://bkt/p/k: HTTP 403 AccessDenied: Access Denied (check the credentials, region and bucket policy) [request id R1]"))
        let moved = client.failure(outcome(301, "<Error><Code>PermanentRedirect</Code></Error>", headers: [("x-amz-bucket-region", "eu-west-2")]),
                                   method: "GET", key: "p/k", relativeKey: "k")
        #expect(moved.description.contains("set AWS_REGION=eu-west-2"))
    }
}
