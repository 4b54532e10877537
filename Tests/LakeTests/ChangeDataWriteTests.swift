import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

/// Change data files lake writes, read back through `Changes` (checked against delta-rs's `load_cdf` in
/// conformance/test_delta_changes_write.py; here the combinations delta-rs cannot read).
@Suite struct ChangeDataWriteTests {
    /// (id, x, _change_type, _commit_version) of the changes from `from`, sorted.
    func changes(_ t: DeltaTable, from: Int64) async throws -> [String] {
        let (rows, _) = try await Changes(table: t, options: .init(from: .version(from))).execute()
        return (0..<rows.rowCount).map { i in
            ["id", "x", "_change_type", "_commit_version"].map { n in
                guard let c = try? rows.column(n) else { return "?" }
                return c.isNull(i) ? "null" : ValueText.string(c, row: i)
            }.joined(separator: "|")
        }.sorted()
    }

    func cdfTable(_ properties: [String: String] = [:], name: String = #function) async throws -> DeltaTable {
        let t = try tempTable(name)
        var o = Write.Options()
        o.properties = ["delta.enableChangeDataFeed": "true"].merging(properties) { $1 }
        _ = try await Write(table: t, data: try dmlRows([1, 2, 3, 4], regions: ["a", "a", "b", "b"], values: [10, 20, 30, 40]), options: o).execute()
        return t
    }

    /// With deletion vectors the data file stays and only its vector changes, so the deleted rows exist only in
    /// the change data: the commit has a `cdc` file, and the feed gives exactly the deleted rows.
    @Test func aDeletionVectorDeleteRecordsTheDeletedRows() async throws {
        let t = try await cdfTable(["delta.enableDeletionVectors": "true"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Delete(table: t, options: .init(predicate: "x >= 30")).execute()
        #expect(m.numAddedChangeFiles == 1 && m.numDeletionVectorsAdded == 1)
        #expect(try await changes(t, from: s.version) == ["3|30|delete|1", "4|40|delete|1"])
        let (_, rows, _) = try await Scan(table: t).execute()
        #expect(rows.rowCount == 2)
    }

    @Test func anUpdateRecordsBothImagesAndAMergeItsInserts() async throws {
        let t = try await cdfTable()
        defer { dmlCleanup(t) }
        _ = try await Update(table: t, options: .init(set: [("x", "x + 1")], predicate: "id = 2")).execute()
        let source = try dmlRows([4, 5], regions: ["b", "c"], values: [400, 500])
        let (s, m) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id").execute()
        #expect(m.numTargetChangeFilesAdded >= 1)
        #expect(try await changes(t, from: 1) == [
            "2|20|update_preimage|1", "2|21|update_postimage|1",
            "4|40|update_preimage|\(s.version)", "4|400|update_postimage|\(s.version)", "5|500|insert|\(s.version)",
        ].sorted())
    }

    /// A delete the partition values decide would remove files unread; with the feed on their rows are the
    /// change, so they are read and recorded.
    @Test func aPartitionDeleteRecordsEveryRowOfTheFilesItRemoves() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        o.properties = ["delta.enableChangeDataFeed": "true"]
        _ = try await Write(table: t, data: try dmlRows([1, 2, 3], regions: ["a", "b", "b"], values: [1, 2, 3]), options: o).execute()
        let (_, m) = try await Delete(table: t, options: .init(predicate: "region = 'b'")).execute()
        #expect(m.numDeletedRows == 2 && m.numAddedChangeFiles == 1)
        #expect(try await changes(t, from: 1) == ["2|2|delete|1", "3|3|delete|1"])
    }
}
