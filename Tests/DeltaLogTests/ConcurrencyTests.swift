import Foundation
import ObjectStore
import Testing
@testable import DeltaLog

/// Many writers racing on one table through `putIfAbsent`, each with its own `Transaction` and its own
/// `LocalStore` instance (as separate processes would have). Multi-process races with real `lake` processes
/// belong to the CLI's end-to-end tests.
@Suite struct ConcurrencyTests {
    @Test func twentyConcurrentAppendersEachLandExactlyOnceWithContiguousVersions() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let writers = 20
        let results = try await withThrowingTaskGroup(of: (Int, CommitResult).self) { group in
            for i in 0..<writers {
                group.addTask {
                    let txn = Transaction(readState: v0, store: LocalStore(root: t.root))
                    txn.add(dataFile("part-\(i).parquet"))
                    return (i, try await txn.commit(operation: "WRITE", metrics: ["numFiles": "1"]))
                }
            }
            var out: [(Int, CommitResult)] = []
            for try await r in group { out.append(r) }
            return out
        }
        #expect(results.count == writers)
        #expect(Set(results.map(\.1.version)) == Set(1...Int64(writers)))
        #expect(results.allSatisfy { !$0.1.isNoOp && $0.1.attempts >= 1 && $0.1.attempts <= writers })
        #expect(try await t.commitVersions() == Array(0...Int64(writers)))

        // Every file is in exactly one commit, the one its writer was told about.
        var seen: [String: Int64] = [:]
        for v in 1...Int64(writers) {
            for case let .add(a) in try await t.actions(v) {
                #expect(seen[a.path] == nil)
                seen[a.path] = v
            }
        }
        for (i, r) in results { #expect(seen["part-\(i).parquet"] == r.version) }
    }

    @Test func appendsDuringAnOptimizeAllSucceedAndTheAppendedFilesSurvive() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let seed = Transaction(readState: v0, store: t.store)
        seed.add(files: [dataFile("small-1.parquet"), dataFile("small-2.parquet")])
        _ = try await seed.commit(operation: "WRITE")
        let v1 = Transaction.ReadState(version: 1, protocolAction: TxnTempTable.protocolAction, metadata: TxnTempTable.metadata())

        let appenders = 8
        let results = try await withThrowingTaskGroup(of: CommitResult.self) { group in
            group.addTask {
                let optimize = Transaction(readState: v1, store: LocalStore(root: t.root))
                optimize.recordRead(predicate: .equals(column: "p", value: "a"))
                optimize.recordRead(files: ["small-1.parquet", "small-2.parquet"])
                optimize.remove(files: ["small-1.parquet", "small-2.parquet"].map { dataFile($0).removal(deletionTimestamp: 2, dataChange: false) })
                optimize.add(dataFile("big.parquet", dataChange: false))
                return try await optimize.commit(operation: "OPTIMIZE")
            }
            for i in 0..<appenders {
                group.addTask {
                    let txn = Transaction(readState: v1, store: LocalStore(root: t.root))
                    txn.add(dataFile("new-\(i).parquet"))
                    return try await txn.commit(operation: "WRITE")
                }
            }
            var out: [CommitResult] = []
            for try await r in group { out.append(r) }
            return out
        }
        #expect(Set(results.map(\.version)) == Set(2...Int64(2 + appenders)))

        // Replay the adds and removes: the appended files and the compacted file are active, the small ones not.
        var active: Set<String> = []
        for v in 1...Int64(1 + results.count) {
            for action in try await t.actions(v) {
                if case let .add(a) = action { active.insert(a.path) }
                if case let .remove(r) = action { active.remove(r.path) }
            }
        }
        #expect(active == Set((0..<appenders).map { "new-\($0).parquet" } + ["big.parquet"]))
    }

    @Test func concurrentDeletesOfTheSameFileLetExactlyOneWin() async throws {
        let t = try TxnTempTable()
        let v0 = try await t.create()
        let seed = Transaction(readState: v0, store: t.store)
        seed.add(dataFile("victim.parquet"))
        _ = try await seed.commit(operation: "WRITE")
        let v1 = Transaction.ReadState(version: 1, protocolAction: TxnTempTable.protocolAction, metadata: TxnTempTable.metadata())

        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let d = Transaction(readState: v1, store: LocalStore(root: t.root))
                    d.recordRead(files: ["victim.parquet"])
                    d.remove(dataFile("victim.parquet").removal(deletionTimestamp: 3))
                    do {
                        _ = try await d.commit(operation: "DELETE")
                        return true
                    } catch let DeltaError.conflict(kind, _, operation) {
                        #expect(kind == .concurrentDeleteDelete(path: "victim.parquet"))
                        #expect(operation == "DELETE")
                        return false
                    } catch {
                        Issue.record("unexpected error \(error)")
                        return false
                    }
                }
            }
            var wins = 0
            for await won in group where won { wins += 1 }
            return wins
        }
        #expect(outcomes == 1)
        #expect(try await t.commitVersions() == [0, 1, 2])
    }
}
