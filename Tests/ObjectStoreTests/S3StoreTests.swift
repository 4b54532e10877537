import Testing
@testable import ObjectStore

/// S3Store behaviour beyond the shared contract, against the moto server tools/test starts: error messages,
/// prefix isolation, multipart cleanup, and retries through faults the server injects on request
/// (a `lake-fault-KIND-N` path segment, see tools/s3_server.py).
@Suite(.enabled(if: S3TestEnvironment.isConfigured, S3TestEnvironment.skipReason))
struct S3StoreTests {
    func makeStore(_ name: String, _ adjust: (inout S3Config) -> Void = { _ in }) throws -> S3Store {
        try S3Store(bucket: try #require(S3TestEnvironment.bucket), prefix: S3TestEnvironment.uniquePrefix(name),
                    config: try S3TestEnvironment.config(adjust))
    }

    func cleanUp(_ store: S3Store) async {
        if let all = try? await store.list(prefix: "") { try? await store.delete(all.map(\.path)) }
    }

    @Test func errorsNameBucketKeyStatusAndCodeButNoCredentials() async throws {
        let config = try S3TestEnvironment.config()
        let store = try S3Store(bucket: "lake-no-such-bucket", prefix: "t", config: config)
        do {
            _ = try await store.get("_delta_log/0.json")
            Issue.record("a GET from a missing bucket succeeded")
        } catch let error as ObjectStoreError {
            let text = error.description
            #expect(text.contains("s3://lake-no-such-bucket/t/_delta_log/0.json"))
            #expect(text.contains("404"))
            #expect(text.contains("NoSuchBucket"))
            let secret = try #require(config.credentials?.secretAccessKey)
            #expect(!text.contains(secret))
            #expect(!text.contains(config.credentials?.accessKeyId ?? "\u{0}"))
        }
    }

    /// tools/test starts moto with signature checks (it recomputes SigV4 with botocore): every other test here
    /// passing means our signatures match, and a wrong secret must be refused.
    @Test(.enabled(if: S3Config.processEnvironment()["LAKE_TEST_S3_VERIFIES_SIGNATURES"] == "true", "the server does not check signatures"))
    func aWrongSecretIsRefusedWithoutLeakingIt() async throws {
        let store = try makeStore("badsecret") {
            $0.credentials?.secretAccessKey = "not-the-secret-0123456789"
            $0.retry.maxAttempts = 1
        }
        do {
            try await store.put("x", [1])
            Issue.record("a PUT signed with the wrong secret was accepted")
        } catch let error as ObjectStoreError {
            #expect(error.description.contains("403"))
            #expect(error.description.contains("SignatureDoesNotMatch"))
            #expect(!error.description.contains("not-the-secret"))
        }
    }

    @Test func storesWithSiblingPrefixesDoNotSeeEachOther() async throws {
        let bucket = try #require(S3TestEnvironment.bucket)
        let base = S3TestEnvironment.uniquePrefix("siblings")
        let config = try S3TestEnvironment.config()
        let table = try S3Store(bucket: bucket, prefix: base + "/t", config: config)
        let sibling = try S3Store(bucket: bucket, prefix: base + "/t2", config: config)
        try await table.put("a", [1])
        try await sibling.put("b", [2])
        #expect(try await table.list(prefix: "").map(\.path) == ["a"])
        #expect(try await sibling.list(prefix: "").map(\.path) == ["b"])
        await cleanUp(table); await cleanUp(sibling)
    }

    @Test func locationStringsOpenAnS3Store() async throws {
        let bucket = try #require(S3TestEnvironment.bucket)
        let prefix = S3TestEnvironment.uniquePrefix("location")
        let location = try StoreLocation.parse("s3://\(bucket)/\(prefix)/")
        #expect(location == .s3(bucket: bucket, prefix: prefix))
        let store = try location.makeStore()
        try await store.put("x", [7])
        let direct = try S3Store(bucket: bucket, prefix: prefix, config: try S3TestEnvironment.config())
        #expect(try await direct.get("x") == [7])
        await cleanUp(direct)
    }

    @Test func abortedMultipartUploadLeavesNoPendingUpload() async throws {
        let store = try makeStore("abort", { $0.partSize = 5 << 20 })
        let upload = try await store.upload("big")
        try await upload.append(patternBytes((5 << 20) * 2 + 1, seed: 9))
        await upload.abort()
        let outcome = try await store.client.send("GET", key: nil, query: [("uploads", ""), ("prefix", store.prefix + "/")])
        #expect(outcome.response.status == 200)
        let xml = try S3XML(outcome.response.body)
        #expect(xml.records("Upload").isEmpty)
        await #expect(throws: ObjectStoreError.notFound("big")) { try await store.head("big") }
    }

    @Test func throttlingIsRetried() async throws {
        let store = try makeStore("slowdown")
        try await store.put("lake-fault-503-3/x", [1, 2, 3])
        #expect(try await store.get("lake-fault-503-3/x") == [1, 2, 3])
        await cleanUp(store)
    }

    @Test func serverErrorsAreRetried() async throws {
        let store = try makeStore("internal")
        try await store.put("lake-fault-500-2/x", [5])
        #expect(try await store.head("lake-fault-500-2/x").size == 1)
        await cleanUp(store)
    }

    @Test func droppedConnectionsAreRetried() async throws {
        let store = try makeStore("reset")
        try await store.put("lake-fault-reset-2/x", [1])
        #expect(try await store.list(prefix: "lake-fault-reset-2/").map(\.path) == ["lake-fault-reset-2/x"])
        await cleanUp(store)
    }

    @Test func truncatedBodiesAreRetried() async throws {
        let store = try makeStore("truncate")
        let bytes = patternBytes(100_000, seed: 5)
        try await store.put("lake-fault-truncate-1/x", bytes)
        #expect(try await store.get("lake-fault-truncate-1/x") == bytes)
        await cleanUp(store)
    }

    @Test func stalledResponsesTimeOutAndAreRetried() async throws {
        let store = try makeStore("stall", { $0.limits.stallSeconds = 1 })
        try await store.put("k", [1])
        try await store.put("lake-fault-stall-1/x", [4])
        #expect(try await store.get("lake-fault-stall-1/x") == [4])
        await cleanUp(store)
    }

    /// Without retries every injected fault surfaces: so the retry tests above really went through one.
    @Test(arguments: ["503", "500", "reset", "truncate", "stall"])
    func injectedFaultsFailARequestThatMayNotRetry(kind: String) async throws {
        let plain = try makeStore("noretry-\(kind)")
        let strict = try S3Store(bucket: plain.bucket, prefix: plain.prefix, config: try S3TestEnvironment.config {
            $0.retry.maxAttempts = 1
            $0.limits.stallSeconds = 1
        })
        let key = "lake-fault-\(kind)-1/x"
        try await plain.put(key, [1, 2, 3, 4])  // consumes the PUT's fault, retrying
        await #expect(throws: ObjectStoreError.self) { _ = try await strict.get(key) }
        #expect(try await strict.get(key) == [1, 2, 3, 4])  // the fault is spent
        await cleanUp(plain)
    }

    @Test func retriesStopAfterTheAttemptLimitWithAClearError() async throws {
        let store = try makeStore("giveup", { $0.retry.maxAttempts = 3; $0.retry.baseDelayMs = 1 })
        do {
            try await store.put("lake-fault-503-50/x", [1])
            Issue.record("the PUT succeeded through 50 injected 503s")
        } catch let error as ObjectStoreError {
            let text = error.description
            #expect(text.contains("503"))
            #expect(text.contains("SlowDown"))
            #expect(text.contains("after 3 attempts"))
            #expect(text.contains("s3://\(store.bucket)/\(store.prefix)/lake-fault-503-50/x"))
        }
    }

    @Test func conditionalPutAppliedButUnansweredCountsAsOurs() async throws {
        let store = try makeStore("applied")
        let key = "lake-fault-applied-1/_delta_log/00000000000000000001.json"
        try await store.putIfAbsent(key, Array("ours".utf8))
        #expect(try await store.get(key) == Array("ours".utf8))
        await #expect(throws: ObjectStoreError.alreadyExists(key)) { try await store.putIfAbsent(key, Array("theirs".utf8)) }
        await cleanUp(store)
    }

    @Test func conditionalPutRetriedOntoAnotherWritersObjectLoses() async throws {
        let store = try makeStore("lost")
        let key = "lake-fault-reset-1/_delta_log/00000000000000000001.json"
        try await store.put(key, Array("theirs".utf8))  // unconditional: not counted by the conditional fault
        await #expect(throws: ObjectStoreError.alreadyExists(key)) { try await store.putIfAbsent(key, Array("ours".utf8)) }
        #expect(try await store.get(key) == Array("theirs".utf8))
        await cleanUp(store)
    }

    /// Eight requests the server leaves unanswered for 5 s (more than this machine has cooperative threads)
    /// do not hold up another request: curl waits on its own thread, not on Swift's.
    @Test func stalledRequestsDoNotBlockOtherTasks() async throws {
        let store = try makeStore("nonblocking")
        let clock = ContinuousClock()
        let start = clock.now
        async let stalled: Void = withTaskGroup(of: Void.self) { group in
            for i in 0 ..< 8 { group.addTask { _ = try? await store.get("lake-fault-stall-1/k\(i)") } }
        }
        try await Task.sleep(for: .milliseconds(200))
        try await store.put("quick", [1])
        #expect(try await store.get("quick") == [1])
        let quick = clock.now - start
        await stalled
        let all = clock.now - start
        // Relative, not absolute: on a loaded machine the quick request may take seconds, but it must not wait
        // for the stalled ones to be answered.
        #expect(all >= .seconds(5))
        #expect(quick + .milliseconds(500) < all, "quick \(quick), stalled \(all)")
        await cleanUp(store)
    }

    @Test func manyParallelRequestsShareTheEngine() async throws {
        let store = try makeStore("parallel")
        let keys = (0 ..< 64).map { "p/\($0)" }
        try await putAll(store, keys)
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for k in keys { group.addTask { try await store.get(k).count } }
            var total = 0
            for try await n in group { total += n }
            return total
        }
        #expect(sizes == keys.reduce(0) { $0 + $1.utf8.count })
        await cleanUp(store)
    }
}
