import Columnar
import DataFrame
import DeltaLog
import Parquet
import Testing
@testable import Lake

/// Delete, update and merge change files a row group at a time: a change in a late group of a many-group
/// file must keep the earlier groups' rows (copy-on-write reads them again), and with deletion vectors the row
/// indexes of every group must land in the one vector.
@Suite struct RowGroupRewriteTests {
    /// One 100-row file of 10 row groups: ids 0..<100, x = id, region "a" then "b" (half each).
    func manyGroups(_ properties: [String: String] = [:], name: String = #function) async throws -> DeltaTable {
        let t = try tempTable(name)
        var o = Write.Options()
        o.rowGroupRows = 10
        o.properties = properties
        let ids = (0..<100).map { Int64($0) }
        _ = try await Write(table: t, data: try dmlRows(ids, regions: ids.map { $0 < 50 ? "a" : "b" }, values: ids), options: o).execute()
        let s = try await t.snapshot()
        #expect(s.files.count == 1)
        let location = try FileResolution.resolve(s.files[0].path, table: t)
        let (reader, _) = try await FetchedRanges.openParquet(store: location.store, key: location.key, expectedSize: s.files[0].size)
        #expect(reader.rowGroupCount == 10)
        return t
    }

    @Test(arguments: [false, true])
    func aDeleteInALateGroupKeepsEveryOtherRow(deletionVectors: Bool) async throws {
        let t = try await manyGroups(deletionVectors ? ["delta.enableDeletionVectors": "true"] : [:])
        defer { dmlCleanup(t) }
        let (_, m) = try await Delete(table: t, options: .init(predicate: "id IN (33, 77, 78, 99)")).execute()
        #expect(m.numDeletedRows == 4)
        #expect(m.numCopiedRows == (deletionVectors ? 0 : 96))
        #expect(try await dmlContents(t).map(\.0) == (0..<100).map { Int64($0) }.filter { ![33, 77, 78, 99].contains($0) })
    }

    @Test(arguments: [false, true])
    func anUpdateOfOneGroupRewritesTheRestUnchanged(deletionVectors: Bool) async throws {
        let t = try await manyGroups(deletionVectors ? ["delta.enableDeletionVectors": "true"] : [:])
        defer { dmlCleanup(t) }
        let (_, m) = try await Update(table: t, options: .init(set: [("x", "x * 100")], predicate: "id >= 60 AND id < 70")).execute()
        #expect(m.numUpdatedRows == 10)
        let rows = try await dmlContents(t)
        #expect(rows.count == 100)
        #expect(rows.allSatisfy { $0.2 == ($0.0 >= 60 && $0.0 < 70 ? $0.0 * 100 : $0.0) })
    }

    @Test func aMergeAcrossGroupsMatchesEachTargetRowOnce() async throws {
        let t = try await manyGroups()
        defer { dmlCleanup(t) }
        let source = try dmlRows([5, 55, 95, 200], regions: ["a", "b", "b", "c"], values: [-5, -55, -95, -200])
        let (_, m) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id").execute()
        #expect(m.numTargetRowsUpdated == 3 && m.numTargetRowsInserted == 1 && m.numTargetRowsCopied == 97)
        let rows = try await dmlContents(t)
        #expect(rows.count == 101)
        #expect(rows.filter { $0.2 ?? 0 < 0 }.map(\.0) == [5, 55, 95, 200])
    }

    @Test func deletingEveryRowGroupByGroupRemovesTheFile() async throws {
        let t = try await manyGroups(["delta.enableDeletionVectors": "true"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Delete(table: t, options: .init(predicate: "x >= 0")).execute()
        #expect(m.numDeletedRows == 100 && m.numRemovedFiles == 1 && m.numDeletionVectorsAdded == 0)
        #expect(s.files.isEmpty)
    }
}
