import ObjectStore
import Testing
@testable import DeltaLog

/// A log can be crafted to sit at the end of Int64 (version or in-commit timestamp): the next commit must
/// fail with a message, not trap on `+ 1`.
@Suite struct TransactionLimitTests {
    @Test func noCommitFollowsTheLargestVersion() async throws {
        let t = try TxnTempTable()
        var state = try await t.create()
        state.version = Int64.max
        let txn = Transaction(readState: state, store: t.store)
        txn.add(dataFile("a.parquet"))
        await #expect(throws: TransactionError.self) { _ = try await txn.commit(operation: "WRITE") }
    }

    @Test func noInCommitTimestampFollowsTheLargestOne() async throws {
        let t = try TxnTempTable()
        var state = try await t.create(["delta.enableInCommitTimestamps": "true"])
        state.inCommitTimestamp = Int64.max
        let txn = Transaction(readState: state, store: t.store)
        txn.add(dataFile("a.parquet"))
        await #expect(throws: TransactionError.self) { _ = try await txn.commit(operation: "WRITE") }
        // Nothing was written for the failed commit.
        #expect(try await t.commitVersions() == [0])
    }
}
