import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

// MERGE with `Merge.Options.schemaEvolution`: what grows, what existing rows read, what the commit records,
// and that without the option Delta's rules (target columns only, unknown assignments fail) still hold.

/// A frame from named columns of scalars.
private func frame(_ columns: [(String, DataType, [Scalar])]) throws -> DataFrame {
    try DataFrame(columns.map { (name: $0.0, column: try Column($0.1, $0.2)) })
}

/// The rows of the table's latest snapshot as [column: value], sorted by `id`.
private func tableRows(_ t: DeltaTable) async throws -> [[String: Scalar]] {
    let (_, f, _) = try await Scan(table: t).execute()
    var out: [[String: Scalar]] = []
    for i in 0..<f.rowCount {
        var r: [String: Scalar] = [:]
        for name in f.schema.names { r[name] = try f.value(name, row: i) }
        out.append(r)
    }
    return out.sorted { a, b in
        if case let .int(x) = a["id"] ?? .null, case let .int(y) = b["id"] ?? .null { return x < y }
        return false
    }
}

/// Target (id long, v long) with ids 1...3 in one file and 10 in another.
private func idValueTarget(_ name: String = #function) async throws -> DeltaTable {
    let t = try tempTable(name)
    _ = try await Write(table: t, data: try frame([("id", .int64, [.int(1), .int(2), .int(3)]), ("v", .int64, [.int(1), .int(2), .int(3)])])).execute()
    _ = try await Write(table: t, data: try frame([("id", .int64, [.int(10)]), ("v", .int64, [.int(10)])])).execute()
    return t
}

/// Source (id, v, note string) updating id 2 and inserting id 4.
private func sourceWithNote() throws -> DataFrame {
    try frame([("id", .int64, [.int(2), .int(4)]), ("v", .int64, [.int(20), .int(40)]), ("note", .string, [.string("b"), .string("d")])])
}

private func evolving() -> Merge.Options {
    var o = Merge.Options()
    o.schemaEvolution = true
    return o
}

/// The text of commit `version` of a local table.
private func commitText(_ t: DeltaTable, _ version: Int64) throws -> String {
    var dir = t.location
    if dir.hasPrefix("file://") { dir.removeFirst("file://".count) }
    let name = String(format: "%020lld.json", version)
    return try String(contentsOfFile: dir + "/_delta_log/" + name, encoding: .utf8)
}

@Test func mergeSchemaEvolutionAddsSourceColumnsAtTheEndAndOldRowsReadNull() async throws {
    let t = try await idValueTarget()
    let (s, m) = try await Merge(table: t, source: .frame(try sourceWithNote()), on: "target.id = source.id", options: evolving()).execute()
    #expect(s.schema.names == ["id", "v", "note"])
    #expect(s.schema.fields[2].nullable && s.schema.fields[2].type == .string)
    #expect(m.numTargetRowsUpdated == 1 && m.numTargetRowsInserted == 1)
    let rows = try await tableRows(t)
    #expect(rows.map { $0["id"] } == [.int(1), .int(2), .int(3), .int(4), .int(10)])
    #expect(rows.map { $0["v"] } == [.int(1), .int(20), .int(3), .int(40), .int(10)])
    // Copied rows of the rewritten file and rows of the untouched file both read the new column as null.
    #expect(rows.map { $0["note"] } == [.null, .string("b"), .null, .string("d"), .null])
    // The merge's own commit carries the grown schema.
    let text = try commitText(t, s.version)
    #expect(text.contains("\"metaData\"") && text.contains("note"))
    #expect(try await t.snapshot(at: .version(s.version - 1)).schema.names == ["id", "v"])
}

@Test func mergeWithoutSchemaEvolutionUsesOnlyTheTargetColumns() async throws {
    let t = try await idValueTarget()
    let (s, _) = try await Merge(table: t, source: .frame(try sourceWithNote()), on: "target.id = source.id").execute()
    #expect(s.schema.names == ["id", "v"])
    #expect(try await tableRows(t).map { $0["v"] } == [.int(1), .int(20), .int(3), .int(40), .int(10)])
    #expect(!(try commitText(t, s.version)).contains("\"metaData\""))
}

@Test func mergeAssignmentToAColumnTheTargetLacksFailsWithoutEvolution() async throws {
    let t = try await idValueTarget()
    let clause = try Merge.Clause.parse("WHEN MATCHED THEN UPDATE SET note = source.note")
    await #expect(throws: LakeError.self) {
        _ = try await Merge(table: t, source: .frame(try sourceWithNote()), on: "target.id = source.id", clauses: [clause]).execute()
    }
    #expect(try await t.snapshot().version == 1)
}

@Test func mergeEvolutionAddsTheSourceColumnAnAssignmentNames() async throws {
    let t = try await idValueTarget()
    let clause = try Merge.Clause.parse("WHEN MATCHED THEN UPDATE SET target.note = upper(source.note)")
    let (s, _) = try await Merge(table: t, source: .frame(try sourceWithNote()), on: "target.id = source.id", clauses: [clause], options: evolving()).execute()
    #expect(s.schema.names == ["id", "v", "note"])
    let rows = try await tableRows(t)
    #expect(rows.map { $0["note"] } == [.null, .string("B"), .null, .null])
    #expect(rows.map { $0["v"] } == [.int(1), .int(2), .int(3), .int(10)])
}

@Test func mergeEvolutionRefusesAnAssignmentToAColumnNeitherSideHas() async throws {
    let t = try await idValueTarget()
    let clause = try Merge.Clause.parse("WHEN NOT MATCHED THEN INSERT (id, ghost) VALUES (source.id, 1)")
    await #expect(throws: LakeError.self) {
        _ = try await Merge(table: t, source: .frame(try sourceWithNote()), on: "target.id = source.id", clauses: [clause], options: evolving()).execute()
    }
}

@Test func mergeEvolutionAddsNewStructFieldsAndKeepsExistingStructValues() async throws {
    let t = try tempTable()
    let old: DataType = .structure([Field("a", .int64)])
    _ = try await Write(table: t, data: try frame([("id", .int64, [.int(1), .int(2)]), ("s", old, [.structure([.int(1)]), .structure([.int(2)])])])).execute()
    _ = try await Write(table: t, data: try frame([("id", .int64, [.int(5)]), ("s", old, [.structure([.int(5)])])])).execute()
    // The source's struct has a new field and orders its fields otherwise.
    let grown: DataType = .structure([Field("b", .string), Field("a", .int64)])
    let source = try frame([("id", .int64, [.int(2), .int(3)]), ("s", grown, [.structure([.string("x"), .int(20)]), .structure([.string("y"), .int(30)])])])
    let (s, _) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id", options: evolving()).execute()
    #expect(s.schema.fields.map(\.type) == [.int64, .structure([Field("a", .int64), Field("b", .string)])])
    let rows = try await tableRows(t)
    #expect(rows.map { $0["s"] } == [
        .structure([.int(1), .null]),  // copied from the rewritten file
        .structure([.int(20), .string("x")]),
        .structure([.int(30), .string("y")]),
        .structure([.int(5), .null]),  // an untouched file
    ])
}

@Test func mergeEvolutionKeepsTheTargetTypeOfAnExistingColumn() async throws {
    let t = try tempTable()
    _ = try await Write(table: t, data: try frame([("id", .int64, [.int(1)]), ("v", .int32, [.int(1)])])).execute()
    let source = try frame([("id", .int64, [.int(1), .int(2)]), ("v", .int64, [.int(7), .int(8)])])
    let (s, _) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id", options: evolving()).execute()
    #expect(s.schema.fields.map(\.type) == [.int64, .int32])
    #expect(try await tableRows(t).map { $0["v"] } == [.int(7), .int(8)])
}

@Test func mergeMatchesStructFieldsOfTheSourceCaseInsensitively() async throws {
    let t = try tempTable()
    _ = try await Write(table: t, data: try frame([("id", .int64, [.int(1)]), ("s", .structure([Field("a", .int64)]), [.structure([.int(1)])])])).execute()
    let source = try frame([("id", .int64, [.int(1)]), ("s", .structure([Field("A", .int64), Field("b", .string)]), [.structure([.int(10), .string("z")])])])
    let (s, _) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id", options: evolving()).execute()
    #expect(s.schema.fields[1].type == .structure([Field("a", .int64), Field("b", .string)]))
    #expect(try await tableRows(t).map { $0["s"] } == [.structure([.int(10), .string("z")])])
}

@Test func mergeEvolutionInsertsNullForAStructColumnTheSourceLacks() async throws {
    let t = try tempTable()
    _ = try await Write(table: t, data: try frame([("id", .int64, [.int(1)]), ("s", .structure([Field("a", .int64)]), [.structure([.int(1)])])])).execute()
    let source = try frame([("id", .int64, [.int(1), .int(2)]), ("x", .string, [.string("p"), .string("q")])])
    let (s, _) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id", options: evolving()).execute()
    #expect(s.schema.names == ["id", "s", "x"])
    let rows = try await tableRows(t)
    #expect(rows.map { $0["s"] } == [.structure([.int(1)]), .null])
    #expect(rows.map { $0["x"] } == [.string("p"), .string("q")])
}
