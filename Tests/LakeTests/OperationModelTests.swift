import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Testing
@testable import Lake

/// The operation model: metrics rendering, Delta's operation descriptions, the table context, and the reads an
/// operation records reaching the conflict checker.
@Suite struct OperationModelTests {
    struct Sample: OperationMetrics {
        var version: Int64 = 7
        @DeltaMetric var numFiles = 3
        @DeltaMetric var numOutputBytes: Int64 = 1 << 40
        var skipped = true
    }

    @Test func onlyDeltaMetricsAreRenderedAsStrings() {
        #expect(Sample().operationMetrics == ["numFiles": "3", "numOutputBytes": "1099511627776"])
    }

    @Test func writeMetricsCarryDeltaNames() {
        var m = Write.Metrics()
        m.numFiles = 2
        m.numOutputRows = 10
        m.numOutputBytes = 99
        m.numRemovedFiles = 4
        #expect(m.operationMetrics == ["numFiles": "2", "numOutputRows": "10", "numOutputBytes": "99"])
    }

    @Test func operationNamesAndParametersAreSparks() {
        #expect(DeltaOperation.write(mode: "Append", partitionBy: ["a"], predicate: nil).parameters == ["mode": "Append", "partitionBy": "[\"a\"]"])
        #expect(DeltaOperation.delete(predicate: "id > 1").parameters == ["predicate": "[\"id > 1\"]"])
        #expect(DeltaOperation.delete(predicate: nil).parameters == ["predicate": "[]"])
        let merge = DeltaOperation.merge(predicate: "t.id = s.id", matched: [.init(actionType: "update")], notMatched: [.init(actionType: "insert", predicate: "s.x > 0")], notMatchedBySource: [])
        #expect(merge.name == "MERGE")
        #expect(merge.parameters["matchedPredicates"] == "[{\"actionType\":\"update\"}]")
        #expect(merge.parameters["notMatchedBySourcePredicates"] == "[]")
        #expect(DeltaOperation.optimize(predicate: nil, zOrderBy: ["c1", "c2"]).parameters["zOrderBy"] == "[\"c1\",\"c2\"]")
        #expect(DeltaOperation.vacuumStart(retentionCheckEnabled: true, specifiedRetentionMillis: 0, defaultRetentionMillis: 604_800_000).name == "VACUUM START")
        #expect(DeltaOperation.vacuumEnd(status: "COMPLETED").parameters == ["status": "COMPLETED"])
        #expect(DeltaOperation.restore(version: 3, timestamp: nil).parameters == ["version": "3"])
        #expect(!DeltaOperation.optimize(predicate: nil, zOrderBy: []).changesData)
        #expect(DeltaOperation.update(predicate: nil).changesData)
    }

    @Test func pinnedContextNamesFilesAndStampsCommits() async throws {
        let dir = "/tmp/lake-tests-\(RandomUUID.make())/pinned"
        let t = try DeltaTable(location: dir, context: .pinned(start: 1_700_000_000_000, step: 1))
        let data = try DataFrame([(name: "id", column: try Column(.int64, [.int(1), .int(2)]))])
        let (s, _) = try await Write(table: t, data: data).execute()
        #expect(s.metadata.id == "00000000-0000-4000-8000-000000000000")
        #expect(s.files.count == 1)
        #expect(s.files[0].path == "part-00000-00000000-0000-4000-8000-000000000001-c000.snappy.parquet")
        let (entries, _) = try await History(table: t).execute()
        #expect(entries.count == 1)
        // commitInfo's timestamp comes from the pinned clock, not the wall clock.
        let written = try #require(entries[0].commitInfo?.timestamp)
        #expect(written >= 1_700_000_000_000 && written < 1_700_000_000_100)
    }

    @Test func historyTimesAreTheTimesTimeTravelResolves() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        for i in 0..<4 {
            _ = try await Write(table: t, data: try DataFrame([(name: "id", column: try Column(.int64, [.int(Int64(i))]))])).execute()
        }
        let (entries, _) = try await History(table: t).execute()
        #expect(entries.map(\.version) == [3, 2, 1, 0])
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.timestamp > $1.timestamp }, "times increase with versions")
        for e in entries {
            #expect(try await t.snapshot(at: .timestamp(e.timestamp)).version == e.version, "version \(e.version) at \(e.timestamp)")
        }
        // A limit reads only the newest commits and gives them the same times.
        let (newest, m) = try await History(table: t, limit: 2).execute()
        #expect(newest == Array(entries.prefix(2)) && m.commitsRead == 2)
    }

    @Test func commitInfoRecordsOperationParametersAndMetrics() async throws {
        let t = try DeltaTable(location: "/tmp/lake-tests-\(RandomUUID.make())/ci")
        let data = try DataFrame([(name: "id", column: try Column(.int64, [.int(1), .int(2), .int(3)]))])
        let (_, m) = try await Write(table: t, data: data).execute()
        let (entries, _) = try await History(table: t).execute()
        let info = try #require(entries.first?.commitInfo)
        #expect(info.operation == "WRITE")
        #expect(info.operationParameters?["mode"] == .string("Append"))
        #expect(info.operationMetrics?["numOutputRows"] == .string("3"))
        #expect(info.operationMetrics?["numOutputBytes"] == .string(String(m.numOutputBytes)))
        #expect(info.isBlindAppend == true)
    }

    /// Under Serializable isolation an operation that read one partition conflicts with a concurrent append to
    /// that partition and not with one to another partition: the ReadSet reaches the conflict checker.
    @Test func recordedReadPredicateDecidesConcurrentAppends() async throws {
        let t = try DeltaTable(location: "/tmp/lake-tests-\(RandomUUID.make())/reads")
        var o = Write.Options()
        o.partitionBy = ["p"]
        o.properties = ["delta.isolationLevel": "Serializable"]
        func rows(_ p: String) throws -> DataFrame {
            try DataFrame([(name: "id", column: try Column(.int64, [.int(1)])), (name: "p", column: try Column(.string, [.string(p)]))])
        }
        let (start, _) = try await Write(table: t, data: try rows("a"), options: o).execute()
        _ = try await Write(table: t, data: try rows("b"), options: o).execute()  // lands after `start` was read

        let onA = OperationCommit(table: t, snapshot: start, operation: .delete(predicate: "p = 'a'"),
                                  read: ReadSet(predicates: [.equals(column: "p", value: "a")], files: start.files.map(\.path)))
        let removeA = start.files.map { Action.remove($0.removal(deletionTimestamp: 1)) }
        let ok = try await onA.commit(removeA, metrics: Sample())
        #expect(ok.version == 2 && ok.attempts == 2)

        let (now, _) = try await Write(table: t, data: try rows("b"), options: o).execute()
        _ = try await Write(table: t, data: try rows("b"), options: o).execute()
        let onB = OperationCommit(table: t, snapshot: now, operation: .delete(predicate: "p = 'b'"), read: ReadSet(predicates: [.equals(column: "p", value: "b")]))
        do {
            _ = try await onB.commit(now.files.map { Action.remove($0.removal(deletionTimestamp: 1)) }, metrics: Sample())
            Issue.record("expected a concurrent append conflict")
        } catch {
            #expect(error.kind == .conflict && error.exitCode == 3 && error.message.contains("concurrent append"))
        }
    }

    @Test func errorKindsMapToExitCodesAndStatuses() {
        #expect(LakeError(DeltaError.notATable(location: "x")).exitCode == 4)
        #expect(LakeError(DeltaError.versionOutOfRange(requested: 9, available: 0...1)).httpStatus == 404)
        #expect(LakeError(DeltaError.conflict(.metadataChanged, winningVersion: 3, operation: "WRITE")).exitCode == 3)
        #expect(LakeError(DeltaError.invalidArgument("bad")).exitCode == 2)
        #expect(LakeError(DeltaError.corruptLog(file: "f", line: 1, message: "m")).exitCode == 1)
        #expect(LakeError(DeltaError.tableAlreadyExists(location: "x")).httpStatus == 409)
        #expect(LakeError(DeltaError.schemaMismatch("s")).kind == .schemaViolation)
        #expect(LakeError(TransactionError.tooManyAttempts(attempts: 3, lastWinningVersion: 9)).kind == .conflict)
        #expect(LakeError(ObjectStoreError.io("k", "disk")).kind == .storage)
        // The message of the underlying error is kept.
        #expect(LakeError(DeltaError.notATable(location: "/t")).message.contains("/t"))
    }
}
