import Testing
@testable import ObjectStore

/// Which store a contract scenario runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case local
    case s3

    var testDescription: String { rawValue }

    /// LocalStore always; S3Store when the S3 test server is configured (tools/test always configures it).
    static var available: [StoreKind] { S3TestEnvironment.isConfigured ? [.local, .s3] : [.local] }
}

/// The S3 server the tests use: tools/test starts moto and exports its endpoint, dummy credentials and a bucket.
enum S3TestEnvironment {
    static var bucket: String? {
        let env = S3Config.processEnvironment()
        guard let b = env["LAKE_TEST_S3_BUCKET"], !b.isEmpty, env["AWS_ENDPOINT_URL"] != nil else { return nil }
        return b
    }

    static var isConfigured: Bool { bucket != nil }

    static let skipReason: Comment = "S3 scenarios skipped: LAKE_TEST_S3_BUCKET and AWS_ENDPOINT_URL are not set (tools/test starts moto and sets them)"

    /// The environment's configuration with `adjust` applied.
    static func config(_ adjust: (inout S3Config) -> Void = { _ in }) throws -> S3Config {
        var c = try S3Config.fromEnvironment()
        adjust(&c)
        return c
    }

    /// A unique prefix per test, so tests run in parallel on one bucket without seeing each other.
    static func uniquePrefix(_ name: String) -> String {
        "lake-tests/\(name)-\(String(UInt64.random(in: .min ... .max), radix: 36))"
    }
}

/// A fresh, empty store of `kind`; `cleanup` removes everything the test wrote.
struct StoreFixture: Sendable {
    let store: any ObjectStore
    let cleanup: @Sendable () async -> Void

    static func make(_ kind: StoreKind, _ name: String = "contract", adjust: (inout S3Config) -> Void = { _ in }) async throws -> StoreFixture {
        switch kind {
        case .local:
            let dir = try makeTempDir()
            return StoreFixture(store: LocalStore(root: dir), cleanup: { removeTree(dir) })
        case .s3:
            let bucket = try #require(S3TestEnvironment.bucket)
            let store = try S3Store(bucket: bucket, prefix: S3TestEnvironment.uniquePrefix(name), config: try S3TestEnvironment.config(adjust))
            return StoreFixture(store: store, cleanup: {
                if let all = try? await store.list(prefix: "") { try? await store.delete(all.map(\.path)) }
            })
        }
    }
}

/// Runs `body` on a fresh store of `kind` and cleans up afterwards, also when `body` throws.
func withStore(_ kind: StoreKind, _ name: String = "contract", adjust: (inout S3Config) -> Void = { _ in },
               _ body: (any ObjectStore) async throws -> Void) async throws {
    let fixture = try await StoreFixture.make(kind, name, adjust: adjust)
    do {
        try await body(fixture.store)
    } catch {
        await fixture.cleanup()
        throw error
    }
    await fixture.cleanup()
}

/// Deterministic pseudo-random bytes (xorshift), so large payloads differ in every position.
func patternBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var x = seed | 1
    var out = [UInt8](repeating: 0, count: count)
    for i in 0 ..< count {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        out[i] = UInt8(truncatingIfNeeded: x)
    }
    return out
}
