import Foundation
import ObjectStore
import Synchronization
import Testing
@testable import DeltaLog

/// A temporary table directory, removed when the scope ends.
final class TxnTempTable: Sendable {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lake-txn-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A fresh store instance on the directory (each writer gets its own, as separate processes would).
    var store: LocalStore { LocalStore(root: root) }

    static let schema = #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},{"name":"p","type":"string","nullable":true,"metadata":{}}]}"#

    static func metadata(_ configuration: [String: String] = [:]) -> Metadata {
        Metadata(id: "00000000-0000-4000-8000-000000000001", schemaString: schema, partitionColumns: ["p"], configuration: configuration, createdTime: 1)
    }

    static let protocolAction = ProtocolAction(minReaderVersion: 1, minWriterVersion: 2)

    /// Commits version 0 and returns the read state of that version.
    func create(_ configuration: [String: String] = [:], options: Transaction.Options = .init()) async throws -> Transaction.ReadState {
        let txn = Transaction(readState: .newTable, store: store, options: options)
        txn.setProtocol(Self.protocolAction)
        txn.setMetadata(Self.metadata(configuration))
        let r = try await txn.commit(operation: "CREATE TABLE", parameters: ["partitionBy": #"["p"]"#])
        #expect(r.version == 0)
        return Transaction.ReadState(version: 0, protocolAction: Self.protocolAction, metadata: Self.metadata(configuration))
    }

    func actions(_ version: Int64) async throws -> [Action] {
        let path = Transaction.commitPath(version: version)
        return try CommitFile.parse(try await store.get(path), file: path)
    }

    func commitVersions() async throws -> [Int64] {
        try await store.list(prefix: "_delta_log/").compactMap { meta -> Int64? in
            guard meta.path.hasSuffix(".json") else { return nil }
            return Int64(meta.path.dropFirst("_delta_log/".count).dropLast(".json".count))
        }
    }
}

func dataFile(_ path: String, _ p: String? = "a", dataChange: Bool = true) -> AddFile {
    AddFile(path: path, partitionValues: ["p": p], size: 10, modificationTime: 1, dataChange: dataChange, stats: #"{"numRecords":1}"#)
}

func commitInfoOf(_ actions: [Action]) -> CommitInfo? {
    for case let .commitInfo(c) in actions { return c }
    return nil
}

@Suite struct TransactionTests {
    @Test func commitPathIsTwentyDigits() {
        #expect(Transaction.commitPath(version: 0) == "_delta_log/00000000000000000000.json")
        #expect(Transaction.commitPath(version: 123) == "_delta_log/00000000000000000123.json")
    }

    @Test func createThenAppendWritesCommitInfoFirstAndActionsInOrder() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let created = try await t.actions(0)
        #expect(created.map(\.key) == ["commitInfo", "protocol", "metaData"])

        let txn = Transaction(readState: v0, store: t.store)
        txn.add(dataFile("p=a/1.parquet"))
        txn.setTransaction(appId: "etl", version: 1, lastUpdated: 5)
        #expect(txn.isBlindAppend)
        let r = try await txn.commit(operation: "WRITE", parameters: ["mode": "Append"], metrics: ["numFiles": "1"])
        #expect(r == CommitResult(version: 1, attempts: 1))
        let actions = try await t.actions(1)
        #expect(actions.map(\.key) == ["commitInfo", "txn", "add"])
        let info = try #require(commitInfoOf(actions))
        #expect(info.operation == "WRITE")
        #expect(info.operationParameters == ["mode": .string("Append")])
        #expect(info.operationMetrics == ["numFiles": .string("1")])
        #expect(info.engineInfo == "lake/0.1.0")
        #expect(info.isBlindAppend == true)
        #expect(info.readVersion == 0)
        #expect(info.isolationLevel == "WriteSerializable")
        #expect(info.inCommitTimestamp == nil)
        #expect((info.timestamp ?? 0) > 1_600_000_000_000)
        #expect(info.txnId?.count == 36)
    }

    @Test func lostRaceRebasesABlindAppendOntoTheWinner() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let a = Transaction(readState: v0, store: t.store)
        let b = Transaction(readState: v0, store: t.store)
        a.add(dataFile("a.parquet"))
        b.add(dataFile("b.parquet"))
        let ra = try await a.commit(operation: "WRITE")
        let rb = try await b.commit(operation: "WRITE")
        #expect(ra.version == 1 && ra.attempts == 1)
        #expect(rb.version == 2 && rb.attempts == 2)
        let info = try #require(commitInfoOf(try await t.actions(2)))
        #expect(info.readVersion == 0)
        #expect(info.operationMetrics?["numRetries"] == .string("1"))
    }

    @Test func overlappingDeletesFailWithConcurrentDeleteDelete() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let append = Transaction(readState: v0, store: t.store)
        append.add(dataFile("p=a/1.parquet"))
        _ = try await append.commit(operation: "WRITE")
        let v1 = Transaction.ReadState(version: 1, protocolAction: TxnTempTable.protocolAction, metadata: TxnTempTable.metadata())

        func deleter() -> Transaction {
            let d = Transaction(readState: v1, store: t.store)
            d.recordRead(predicate: .equals(column: "p", value: "a"))
            d.recordRead(files: ["p=a/1.parquet"])
            d.remove(dataFile("p=a/1.parquet").removal(deletionTimestamp: 9))
            return d
        }
        let first = deleter()
        let second = deleter()
        #expect(!first.isBlindAppend)
        _ = try await first.commit(operation: "DELETE")
        await #expect(throws: DeltaError.conflict(.concurrentDeleteDelete(path: "p=a/1.parquet"), winningVersion: 2, operation: "DELETE")) {
            _ = try await second.commit(operation: "DELETE")
        }
        // Nothing partial was written by the loser.
        #expect(try await t.commitVersions() == [0, 1, 2])
    }

    @Test func deleteOverWholeTableFailsWhenAConcurrentMergeAddedFiles() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let delete = Transaction(readState: v0, store: t.store)
        delete.recordReadWholeTable()
        delete.add(dataFile("rewritten.parquet"))
        let merge = Transaction(readState: v0, store: t.store)
        merge.recordRead(predicate: .equals(column: "p", value: "b"))
        merge.add(dataFile("p=b/m.parquet", "b"))
        _ = try await merge.commit(operation: "MERGE")
        await #expect(throws: DeltaError.conflict(.concurrentAppend(path: "p=b/m.parquet"), winningVersion: 1, operation: "MERGE")) {
            _ = try await delete.commit(operation: "DELETE")
        }
    }

    @Test func metadataChangeByTheWinnerFailsTheLoser() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let alter = Transaction(readState: v0, store: t.store)
        alter.setMetadata(TxnTempTable.metadata(["delta.appendOnly": "false"]))
        let append = Transaction(readState: v0, store: t.store)
        append.add(dataFile("x.parquet"))
        _ = try await alter.commit(operation: "SET TBLPROPERTIES")
        await #expect(throws: DeltaError.conflict(.metadataChanged, winningVersion: 1, operation: "SET TBLPROPERTIES")) {
            _ = try await append.commit(operation: "WRITE")
        }
    }

    @Test func idempotentAppendAlreadyCommittedIsANoOp() async throws {
        let t = try TxnTempTable()
        var state = try await t.create()
        state.appTransactionVersions["etl"] = 3
        let txn = Transaction(readState: state, store: t.store)
        #expect(txn.txnVersion(appId: "etl") == 3)
        txn.setTransaction(appId: "etl", version: 3)
        txn.add(dataFile("dup.parquet"))
        let r = try await txn.commit(operation: "WRITE")
        #expect(r.isNoOp && r.version == 0 && r.attempts == 0)
        #expect(try await t.commitVersions() == [0])
    }

    @Test func concurrentRetriesOfAnIdempotentAppendLandOnce() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        func attempt() -> Transaction {
            let txn = Transaction(readState: v0, store: t.store)
            txn.setTransaction(appId: "etl", version: 1)
            txn.add(dataFile("batch-1.parquet"))
            return txn
        }
        let first = attempt()
        let second = attempt()
        _ = try await first.commit(operation: "WRITE")
        await #expect(throws: DeltaError.conflict(.concurrentTransaction(appId: "etl"), winningVersion: 1, operation: "WRITE")) {
            _ = try await second.commit(operation: "WRITE")
        }
        // The pipeline's retry from a fresh snapshot sees its version committed: a no-op.
        let v1 = Transaction.ReadState(version: 1, protocolAction: TxnTempTable.protocolAction, metadata: TxnTempTable.metadata(), appTransactionVersions: ["etl": 1])
        let retry = Transaction(readState: v1, store: t.store)
        retry.setTransaction(appId: "etl", version: 1)
        retry.add(dataFile("batch-1.parquet"))
        #expect(try await retry.commit(operation: "WRITE").isNoOp)
        #expect(try await t.commitVersions() == [0, 1])
    }

    @Test func aTransactionCommitsAtMostOnce() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let txn = Transaction(readState: v0, store: t.store)
        txn.add(dataFile("x.parquet"))
        _ = try await txn.commit(operation: "WRITE")
        await #expect(throws: TransactionError.alreadyFinished) {
            _ = try await txn.commit(operation: "WRITE")
        }
    }

    @Test func firstCommitWithoutMetadataIsRejected() async throws {
        let t = try TxnTempTable()
        let txn = Transaction(readState: .newTable, store: t.store)
        txn.add(dataFile("x.parquet"))
        await #expect(throws: TransactionError.self) {
            _ = try await txn.commit(operation: "WRITE")
        }
        #expect(try await t.commitVersions() == [])
    }

    @Test func commitInfoCannotBeAddedByTheCaller() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let txn = Transaction(readState: v0, store: t.store)
        txn.addAction(.commitInfo(CommitInfo(operation: "X")))
        await #expect(throws: TransactionError.self) {
            _ = try await txn.commit(operation: "WRITE")
        }
    }

    @Test func creatingATableThatAnotherWriterCreatedFails() async throws {
        let t = try TxnTempTable()
        _ = try await t.create()
        let txn = Transaction(readState: .newTable, store: t.store)
        txn.setProtocol(TxnTempTable.protocolAction)
        txn.setMetadata(TxnTempTable.metadata())
        await #expect(throws: DeltaError.conflict(.protocolChanged, winningVersion: 0, operation: "CREATE TABLE")) {
            _ = try await txn.commit(operation: "CREATE TABLE")
        }
    }

    @Test func unwritableProtocolIsRefused() async throws {
        let t = try TxnTempTable()
        let state = Transaction.ReadState(
            version: 0, protocolAction: ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [], writerFeatures: ["someFutureFeature"]),
            metadata: TxnTempTable.metadata())
        let txn = Transaction(readState: state, store: t.store)
        txn.add(dataFile("x.parquet"))
        await #expect(throws: DeltaError.unsupportedFeature(kind: .writer, features: ["someFutureFeature"])) {
            _ = try await txn.commit(operation: "WRITE")
        }
    }

    @Test func isolationLevelComesFromTheTableAndOptimizeRunsAtSnapshotIsolation() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create(["delta.isolationLevel": "Serializable"])
        let write = Transaction(readState: v0, store: t.store)
        write.add(dataFile("a.parquet"))
        #expect(try write.isolationLevel() == .serializable)
        _ = try await write.commit(operation: "WRITE")
        #expect(commitInfoOf(try await t.actions(1))?.isolationLevel == "Serializable")

        let v1 = Transaction.ReadState(version: 1, protocolAction: TxnTempTable.protocolAction, metadata: TxnTempTable.metadata(["delta.isolationLevel": "Serializable"]))
        let optimize = Transaction(readState: v1, store: t.store)
        optimize.recordRead(addFiles: [dataFile("a.parquet")])
        optimize.remove(dataFile("a.parquet").removal(deletionTimestamp: 5, dataChange: false))
        optimize.add(dataFile("big.parquet", dataChange: false))
        #expect(try optimize.isolationLevel() == .snapshotIsolation)
        #expect(!optimize.isBlindAppend)
        _ = try await optimize.commit(operation: "OPTIMIZE")
        let info = commitInfoOf(try await t.actions(2))
        #expect(info?.isolationLevel == "SnapshotIsolation")
        #expect(info?.isBlindAppend == false)

        let bad = Transaction(readState: Transaction.ReadState(version: 2, protocolAction: TxnTempTable.protocolAction, metadata: TxnTempTable.metadata(["delta.isolationLevel": "ReadCommitted"])), store: t.store)
        bad.add(dataFile("c.parquet"))
        #expect(throws: DeltaError.self) { try bad.isolationLevel() }
    }

    @Test func inCommitTimestampsIncreaseStrictly() async throws {
        let t = try TxnTempTable()
        let options = Transaction.Options(clock: { 1_000 })
        let v0 = try await t.create(["delta.enableInCommitTimestamps": "true"], options: options)
        #expect(commitInfoOf(try await t.actions(0))?.inCommitTimestamp == 1_000)
        var state = v0
        state.inCommitTimestamp = 1_000
        let a = Transaction(readState: state, store: t.store, options: options)
        let b = Transaction(readState: state, store: t.store, options: options)
        a.add(dataFile("a.parquet"))
        b.add(dataFile("b.parquet"))
        _ = try await a.commit(operation: "WRITE")
        _ = try await b.commit(operation: "WRITE")
        let first = try await t.actions(1)
        #expect(first.first.map(\.key) == "commitInfo")
        #expect(commitInfoOf(first)?.inCommitTimestamp == 1_001)
        // b lost the race to a (ICT 1001) and must land after it even though the clock did not move.
        #expect(commitInfoOf(try await t.actions(2))?.inCommitTimestamp == 1_002)
    }

    @Test func attemptsAreBounded() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let winner = Transaction(readState: v0, store: t.store)
        winner.add(dataFile("w.parquet"))
        _ = try await winner.commit(operation: "WRITE")
        let loser = Transaction(readState: v0, store: t.store, options: .init(maxAttempts: 1))
        loser.add(dataFile("l.parquet"))
        await #expect(throws: TransactionError.tooManyAttempts(attempts: 1, lastWinningVersion: 1)) {
            _ = try await loser.commit(operation: "WRITE")
        }
    }

    @Test func checkpointWriterRunsAtTheConfiguredInterval() async throws {
        let t = try TxnTempTable()
        let calls = Mutex<[Int64]>([])
        let options = Transaction.Options(checkpointHook: { _, version in calls.withLock { $0.append(version) } })
        var state = try await t.create(["delta.checkpointInterval": "2"], options: options)
        var results: [CommitResult] = []
        for i in 1...4 {
            let txn = Transaction(readState: state, store: t.store, options: options)
            txn.add(dataFile("\(i).parquet"))
            results.append(try await txn.commit(operation: "WRITE"))
            state.version += 1
        }
        #expect(calls.withLock { $0 } == [2, 4])
        #expect(results.map(\.checkpointWritten) == [false, true, false, true])
    }

    @Test func aFailingCheckpointDoesNotFailTheCommit() async throws {
        struct Boom: Error {}
        let t = try TxnTempTable()
        let options = Transaction.Options(checkpointHook: { _, _ in throw Boom() })
        let v0 = try await t.create(["delta.checkpointInterval": "1"], options: options)
        let txn = Transaction(readState: v0, store: t.store, options: options)
        txn.add(dataFile("a.parquet"))
        let r = try await txn.commit(operation: "WRITE")
        #expect(r.version == 1 && !r.checkpointWritten && r.checkpointError != nil)
    }

    @Test func commitsFromLoadedSnapshotsCheckpointEveryTenVersionsAndStayIdempotent() async throws {
        let t = try TxnTempTable()
        _ = try await t.create()
        for i in 1...10 {
            let txn = Transaction(snapshot: try await Snapshot.load(store: t.store))
            txn.setTransaction(appId: "etl", version: Int64(i))
            txn.add(dataFile("part-\(i).parquet"))
            let r = try await txn.commit(operation: "WRITE")
            #expect(r.version == Int64(i))
            #expect(r.checkpointWritten == (i == 10))
            #expect(r.checkpointError == nil)
        }
        #expect(try await t.store.list(prefix: "_delta_log/00000000000000000010.checkpoint.parquet").count == 1)
        let snapshot = try await Snapshot.load(store: t.store)
        #expect(snapshot.version == 10 && snapshot.files.count == 10)
        #expect(snapshot.transactionVersion(appId: "etl") == 10)
        // Replaying batch 10 after the fact is a no-op.
        let replay = Transaction(snapshot: snapshot)
        replay.setTransaction(appId: "etl", version: 10)
        replay.add(dataFile("part-10.parquet"))
        #expect(try await replay.commit(operation: "WRITE").isNoOp)
    }
}
