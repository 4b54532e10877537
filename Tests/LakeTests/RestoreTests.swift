import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

@Suite struct RestoreTests {
    /// v0 write, v1 append, v2 delete: the restore to v0 re-adds the file the delete rewrote, removes the ones
    /// added since, and the table reads exactly as v0 (compared with a time-travel read of v0).
    @Test func restoreToAVersionReadsAsThatVersion() async throws {
        let (t, v0) = try await dmlTable(try dmlRows([1, 2, 3], regions: ["a", "b", "c"], values: [10, 20, 30]))
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([4, 5], regions: ["d", "e"], values: [40, 50])).execute()
        _ = try await Delete(table: t, options: .init(predicate: "id = 2")).execute()
        let before = try await t.snapshot()
        let (s, m) = try await Restore(table: t, to: .version(0)).execute()
        #expect(s.version == 3 && m.version == 3 && m.committed && m.restoredVersion == 0)
        #expect(Set(s.files.map(\.path)) == Set(v0.files.map(\.path)))
        #expect(m.numRestoredFiles == 1 && m.numRemovedFiles == before.files.count)
        #expect(m.numOfFilesAfterRestore == 1 && m.tableSizeAfterRestore == v0.files[0].size)
        #expect(m.restoredFilesSize == v0.files[0].size)
        #expect(m.removedFilesSize == before.files.reduce(0) { $0 + $1.size })
        #expect(try await dmlContents(t).map(\.0) == [1, 2, 3])
        let (history, _) = try await History(table: t).execute()
        let last = try #require(history.first { $0.version == 3 })
        #expect(last.commitInfo?.operation == "RESTORE")
        #expect(last.commitInfo?.operationParameters?["version"] == .string("0"))
        #expect(last.commitInfo?.operationMetrics?["numRestoredFiles"] == .string("1"))
    }

    @Test func restoreToTheCurrentStateCommitsNothing() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([2], regions: ["a"], values: [2])).execute()
        let (s, m) = try await Restore(table: t, to: .version(1)).execute()
        #expect(s.version == 1 && !m.committed && m.numRestoredFiles == 0 && m.numRemovedFiles == 0)
        // Restored once, a second restore to the same version finds nothing to do.
        let (s2, m2) = try await Restore(table: t, to: .version(0)).execute()
        #expect(s2.version == 2 && m2.committed)
        let (s3, m3) = try await Restore(table: t, to: .version(0)).execute()
        #expect(s3.version == 2 && !m3.committed)
        #expect(try await dmlContents(t).map(\.0) == [1])
    }

    @Test func restoreToAFutureOrNegativeVersionIsRefused() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        do {
            _ = try await Restore(table: t, to: .version(5)).execute()
            Issue.record("restoring a version past the latest must fail")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.message.contains("latest version is 0"))
        }
        await #expect(throws: LakeError.self) { _ = try await Restore(table: t, to: .version(-1)).execute() }
        await #expect(throws: LakeError.self) { _ = try await Restore(table: t, to: .latest).execute() }
    }

    /// When vacuum (here: a plain file delete) removed a data file of the old version, the error names it and
    /// the log does not move.
    @Test func restoreNamesVacuumedFilesAndCommitsNothing() async throws {
        let (t, v0) = try await dmlTable(try dmlRows([1, 2], regions: ["a", "a"], values: [1, 2]))
        defer { dmlCleanup(t) }
        _ = try await Delete(table: t, options: .init(predicate: "id = 1")).execute()
        let gone = v0.files[0].path
        try FileManager.default.removeItem(atPath: t.location + "/" + gone)
        do {
            _ = try await Restore(table: t, to: .version(0)).execute()
            Issue.record("the restore must fail when a file of the old version is gone")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.message.contains(gone))
        }
        #expect(try await t.snapshot().version == 1)
        #expect(try await dmlContents(t).map(\.0) == [2])
    }

    /// A timestamp selects the latest commit at or before it; the old metadata (without the column a later
    /// append added by schema evolution) comes back with the files.
    @Test func restoreByTimestampBringsBackTheOldMetadata() async throws {
        let t0 = try tempTable()
        let t = DeltaTable(store: t0.store, location: t0.location, root: t0.root, context: .pinned(start: 1_700_000_000_000, step: 60_000))
        defer { dmlCleanup(t) }
        let (v0, _) = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        var o = Write.Options()
        o.schemaEvolution = true
        let wider = try DataFrame([
            (name: "id", column: try Column(.int64, [.int(2)])),
            (name: "region", column: try Column(.string, [.string("a")])),
            (name: "x", column: try Column(.int64, [.int(2)])),
            (name: "y", column: try Column(.string, [.string("new")])),
        ])
        _ = try await Write(table: t, data: wider, options: o).execute()
        let v1 = try await t.snapshot()
        #expect(v1.schema.names == ["id", "region", "x", "y"])
        let (s, m) = try await Restore(table: t, to: .timestamp(v0.timestamp + 1)).execute()
        #expect(m.restoredVersion == 0 && s.version == 2)
        #expect(s.schema.names == ["id", "region", "x"])
        #expect(s.metadata == v0.metadata)
        #expect(try await dmlContents(t).map(\.0) == [1])
    }

    /// A delete that rewrote a file the restore wants back, committed after the restore read the table,
    /// conflicts: the restore must not undo it silently.
    @Test func restoreRacingADeleteOfTheSameFilesConflicts() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1, 2], regions: ["a", "a"], values: [1, 2]))
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([3], regions: ["a"], values: [3])).execute()
        let read = try await t.snapshot()
        _ = try await Delete(table: t, options: .init(predicate: "id = 3")).execute()
        do {
            _ = try await Restore(table: t, to: .version(0)).execute(on: read)
            Issue.record("the restore must conflict with the delete that removed a file it removes")
        } catch {
            #expect(error.kind == .conflict)
        }
        #expect(try await t.snapshot().version == 2)
    }
}
