import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

/// Rows of (id, region, v); nil for null.
private typealias Row = (id: Int64?, region: String?, v: Int64?)

private func rows(_ r: [Row]) throws -> DataFrame {
    try DataFrame([
        (name: "id", column: try Column(.int64, r.map { $0.id.map { .int($0) } ?? .null })),
        (name: "region", column: try Column(.string, r.map { $0.region.map { .string($0) } ?? .null })),
        (name: "v", column: try Column(.int64, r.map { $0.v.map { .int($0) } ?? .null })),
    ])
}

/// The table's rows as a sorted multiset of "id|region|v" strings.
private func contents(_ t: DeltaTable) async throws -> [String] {
    let (_, f, _) = try await Scan(table: t).execute()
    return try (0..<f.rowCount).map { i in
        try ["id", "region", "v"].map { "\(try f.value($0, row: i))" }.joined(separator: "|")
    }.sorted()
}

private func expected(_ r: [Row]) throws -> [String] {
    let f = try rows(r)
    return try (0..<f.rowCount).map { i in
        try ["id", "region", "v"].map { "\(try f.value($0, row: i))" }.joined(separator: "|")
    }.sorted()
}

/// A target table written in one file per batch (partitioned by region when asked).
private func target(_ batches: [[Row]], partitioned: Bool = false, name: String = #function) async throws -> DeltaTable {
    let t = try tempTable(name)
    for b in batches {
        var o = Write.Options()
        if partitioned { o.partitionBy = ["region"] }
        _ = try await Write(table: t, data: try rows(b), options: o).execute()
    }
    return t
}

private func merge(_ t: DeltaTable, _ source: [Row], on: String = "target.id = source.id", _ clauses: [String] = []) async throws -> (Snapshot, Merge.Metrics) {
    let parsed = try clauses.map { try Merge.Clause.parse($0) }
    return try await Merge(table: t, source: .frame(try rows(source)), on: on, clauses: parsed).execute()
}

@Test func mergeWithoutClausesUpsertsMatchedAndInsertsNew() async throws {
    let t = try await target([[(1, "EU", 10), (2, "US", 20)]])
    let (s, m) = try await merge(t, [(2, "US", 21), (3, "EU", 30)])
    #expect(s.version == 1)
    #expect(try await contents(t) == (try expected([(1, "EU", 10), (2, "US", 21), (3, "EU", 30)])))
    #expect(m.numSourceRows == 2 && m.numTargetRowsUpdated == 1 && m.numTargetRowsInserted == 1 && m.numTargetRowsCopied == 1)
    #expect(m.numTargetFilesRemoved == 1 && m.numTargetFilesAdded == 1)
}

@Test func mergeMatchedDeleteRemovesMatchedRows() async throws {
    let t = try await target([[(1, "EU", 10), (2, "US", 20), (3, "EU", 30)]])
    let (_, m) = try await merge(t, [(2, nil, nil), (9, nil, nil)], ["WHEN MATCHED THEN DELETE"])
    #expect(try await contents(t) == (try expected([(1, "EU", 10), (3, "EU", 30)])))
    #expect(m.numTargetRowsDeleted == 1 && m.numTargetRowsInserted == 0)
}

@Test func mergeFirstClauseWhoseConditionHoldsWins() async throws {
    let t = try await target([[(1, "EU", 10), (2, "US", 20), (3, "EU", 30)]])
    _ = try await merge(t, [(1, "x", 5), (2, "x", 50), (3, "x", 500)], [
        "WHEN MATCHED AND source.v > 100 THEN DELETE",
        "WHEN MATCHED AND source.v > 10 THEN UPDATE SET v = source.v + target.v",
        "WHEN MATCHED THEN UPDATE SET target.region = 'low'",
    ])
    #expect(try await contents(t) == (try expected([(1, "low", 10), (2, "US", 70)])))
}

@Test func mergeConditionalInsertWithColumnList() async throws {
    let t = try await target([[(1, "EU", 10)]])
    let (_, m) = try await merge(t, [(2, "US", 20), (3, "EU", 30)], [
        "WHEN NOT MATCHED AND source.region = 'US' THEN INSERT (id, v) VALUES (source.id, source.v * 2)",
    ])
    #expect(try await contents(t) == (try expected([(1, "EU", 10), (2, nil, 40)])))
    #expect(m.numTargetRowsInserted == 1 && m.numTargetFilesRemoved == 0)
}

@Test func mergeDuplicateSourceMatchFailsAndCommitsNothing() async throws {
    let t = try await target([[(1, "EU", 10), (2, "US", 20)]])
    let before = try await t.snapshot()
    do {
        _ = try await merge(t, [(2, "US", 21), (2, "US", 22)])
        Issue.record("expected the duplicate match to fail")
    } catch let e as LakeError {
        #expect(e.kind == .invalidRequest)
        #expect(e.message.contains("id = 2"))
    }
    #expect(try await t.snapshot().version == before.version)
    #expect(try await contents(t) == (try expected([(1, "EU", 10), (2, "US", 20)])))
}

@Test func insertOnlyMergeInsertsDuplicatesAndRewritesNothing() async throws {
    let t = try await target([[(1, "EU", 10)]])
    let path = try await t.snapshot().files[0].path
    let (s, m) = try await merge(t, [(1, "EU", 99), (5, "US", 50), (5, "US", 50)], ["WHEN NOT MATCHED THEN INSERT *"])
    #expect(s.files.contains { $0.path == path })
    #expect(m.numTargetFilesRemoved == 0 && m.numTargetRowsInserted == 2)
    #expect(try await contents(t) == (try expected([(1, "EU", 10), (5, "US", 50), (5, "US", 50)])))
}

@Test func mergeNullKeysNeverMatch() async throws {
    let t = try await target([[(nil, "EU", 10), (1, "US", 20)]])
    let (_, m) = try await merge(t, [(nil, "EU", 11)])
    #expect(m.numTargetRowsUpdated == 0 && m.numTargetRowsInserted == 1)
    #expect(try await contents(t) == (try expected([(nil, "EU", 10), (1, "US", 20), (nil, "EU", 11)])))
}

@Test func mergeNotMatchedBySourceDeletesAndUpdates() async throws {
    let t = try await target([[(1, "EU", 10), (2, "US", 20), (3, "EU", 30)]])
    let (_, m) = try await merge(t, [(1, "EU", 11)], [
        "WHEN MATCHED THEN UPDATE SET *",
        "WHEN NOT MATCHED BY SOURCE AND target.region = 'US' THEN DELETE",
        "WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = v + 1",
    ])
    #expect(try await contents(t) == (try expected([(1, "EU", 11), (3, "EU", 31)])))
    #expect(m.numTargetRowsDeleted == 1 && m.numTargetRowsUpdated == 2)
}

@Test func mergeLeavesFilesThatCannotMatchUntouched() async throws {
    // Three files with disjoint id ranges; the source only touches the middle one.
    let t = try await target([[(1, "EU", 1), (2, "EU", 2)], [(10, "EU", 10), (11, "EU", 11)], [(20, "EU", 20)]])
    let before = try await t.snapshot().files.map(\.path).sorted()
    let (s, m) = try await merge(t, [(11, "EU", 111)])
    #expect(m.numTargetFilesRead == 1 && m.numTargetFilesRemoved == 1)
    let after = Set(s.files.map(\.path))
    #expect(before.filter { after.contains($0) }.count == 2)
    #expect(try await contents(t) == (try expected([(1, "EU", 1), (2, "EU", 2), (10, "EU", 10), (11, "EU", 111), (20, "EU", 20)])))
}

@Test func mergePrunesPartitionsByTheSourceKeys() async throws {
    let t = try await target([[(1, "EU", 1), (2, "US", 2), (3, "APAC", 3)]], partitioned: true)
    let (_, m) = try await merge(t, [(2, "US", 22)], on: "target.id = source.id AND target.region = source.region")
    #expect(m.numTargetFilesRead == 1 && m.numTargetRowsUpdated == 1)
    #expect(try await contents(t) == (try expected([(1, "EU", 1), (2, "US", 22), (3, "APAC", 3)])))
}

@Test func mergeThatChangesNothingDoesNotCommit() async throws {
    let t = try await target([[(1, "EU", 10)]])
    let (s, m) = try await merge(t, [(1, "EU", 10), (2, "US", 20)], ["WHEN MATCHED AND source.v > 100 THEN DELETE"])
    #expect(s.version == 0 && m.version == 0)
}

@Test func mergeCommitInfoRecordsOperationAndMetrics() async throws {
    let t = try await target([[(1, "EU", 10)]])
    _ = try await merge(t, [(1, "EU", 11), (2, "US", 20)], ["WHEN MATCHED AND source.v > 0 THEN UPDATE SET *", "WHEN NOT MATCHED THEN INSERT *"])
    let (entries, _) = try await History(table: t).execute()
    let info = try #require(entries.first { $0.version == 1 }?.commitInfo)
    #expect(info.operation == "MERGE")
    #expect(info.operationParameters?["predicate"] == .string("[\"target.id = source.id\"]"))
    #expect(info.operationParameters?["matchedPredicates"] == .string("[{\"actionType\":\"update\",\"predicate\":\"source.v > 0\"}]"))
    #expect(info.operationMetrics?["numTargetRowsUpdated"] == .string("1"))
    #expect(info.operationMetrics?["numTargetRowsInserted"] == .string("1"))
    #expect(info.operationMetrics?["numSourceRows"] == .string("2"))
}

@Test func mergeClauseParsing() throws {
    let u = try Merge.Clause.parse("when matched and s.a = 'THEN' then update set x = case when s.b then 1 else 2 end, y = 3")
    #expect(u.kind == .matched && u.condition == "s.a = 'THEN'")
    #expect(u.action == .update([.init(column: "x", value: "case when s.b then 1 else 2 end"), .init(column: "y", value: "3")]))
    #expect(try Merge.Clause.parse("WHEN NOT MATCHED BY TARGET THEN INSERT *").kind == .notMatched)
    let i = try Merge.Clause.parse("WHEN NOT MATCHED THEN INSERT (a, b) VALUES (s.a, f(1, 2))")
    #expect(i.action == .insert([.init(column: "a", value: "s.a"), .init(column: "b", value: "f(1, 2)")]))
    #expect(try Merge.Clause.parse("WHEN NOT MATCHED BY SOURCE AND t.x IS NULL THEN DELETE") == Merge.Clause(.notMatchedBySource, condition: "t.x IS NULL", .delete))
    #expect(throws: LakeError.self) { try Merge.Clause.parse("WHEN MATCHED THEN INSERT *") }
    #expect(throws: LakeError.self) { try Merge.Clause.parse("WHEN MATCHED UPDATE SET *") }
}

@Test func mergePrunesByTargetOnlyConditionsOfOn() async throws {
    let t = try await target([[(1, "EU", 1), (2, "US", 2)]], partitioned: true)
    let (_, m) = try await merge(t, [(1, "EU", 11), (2, "US", 22)], on: "target.id = source.id AND target.region = 'EU'",
                                 ["WHEN MATCHED THEN UPDATE SET *"])
    #expect(m.numTargetFilesRead == 1 && m.numTargetRowsUpdated == 1)
    #expect(try await contents(t) == (try expected([(1, "EU", 11), (2, "US", 2)])))
}

@Test func mergeOnAPartitionKeyRecordsAPartitionReadPredicate() async throws {
    let t = try await target([[(1, "EU", 1), (2, "US", 2)]], partitioned: true)
    let snapshot = try await t.snapshot()
    let plan = try MergePlan(snapshot: snapshot, source: try rows([(1, "EU", 5)]), on: "target.id = source.id AND target.region = source.region",
                             clauses: [.updateAll, .insertAll], options: Merge.Options())
    // Only the EU partition was read, so an append to US does not conflict with this merge (CONFLICTS.md rule 5).
    #expect(plan.candidates.count == 1)
    #expect(!plan.readPredicate.matches(["region": "US"]))
    #expect(plan.readPredicate.matches(["region": "EU"]))
}

@Test func mergeWithAnUnconditionalBySourceClauseReadsEveryFile() async throws {
    let t = try await target([[(1, "EU", 1)], [(50, "EU", 50)]])
    let (_, m) = try await merge(t, [(1, "EU", 2)], ["WHEN MATCHED THEN UPDATE SET *", "WHEN NOT MATCHED BY SOURCE THEN DELETE"])
    #expect(m.numTargetFilesRead == 2 && m.numTargetRowsDeleted == 1 && m.numTargetRowsUpdated == 1)
    #expect(try await contents(t) == (try expected([(1, "EU", 2)])))
}

@Test func mergeSkipsFilesBetweenScatteredSourceKeys() async throws {
    let t = try await target([[(1, "EU", 1), (2, "EU", 2)], [(10, "EU", 10), (11, "EU", 11)], [(20, "EU", 20)]])
    let middle = try await t.snapshot().files.first { $0.stats?.contains("\"minValues\":{\"id\":10") == true }?.path
    let (s, m) = try await merge(t, [(1, "EU", 100), (20, "EU", 200)])
    // The key range 1...20 covers every file; the key list rules out the middle one.
    #expect(m.numTargetFilesRead == 2 && m.numTargetFilesRemoved == 2)
    #expect(middle != nil && s.files.contains { $0.path == middle })
    #expect(try await contents(t) == (try expected([(1, "EU", 100), (2, "EU", 2), (10, "EU", 10), (11, "EU", 11), (20, "EU", 200)])))
}
