import Columnar
import DataFrame
import DeltaLog
import Foundation
import Parquet
import Testing
@testable import Lake

/// A column-mapped table in a fresh temp dir, created with `mode` (name or id) and a pinned context, so the
/// physical names are `col-00000000-0000-4000-8000-<counter>`.
private func mappedTable(_ mode: String, schema: Schema = cmSchema, partitionBy: [String] = [], name: String = #function) async throws -> DeltaTable {
    var t = try tempTable(name)
    t.context = .pinned(start: 1_700_000_000_000)
    let options = CreateTable.Options(schema: schema, partitionColumns: partitionBy, properties: ["delta.columnMapping.mode": mode])
    _ = try await CreateTable(table: t, options: options).execute()
    return t
}

/// id long, region string, x long, info struct<a: string, b: struct<c: int>>.
private let cmSchema = Schema([
    Field("id", .int64), Field("region", .string), Field("x", .int64),
    Field("info", .structure([Field("a", .string), Field("b", .structure([Field("c", .int32)]))])),
])

/// Rows of `cmSchema`: info.a = "a<id>", info.b.c = id * 100.
private func cmRows(_ ids: [Int64], regions: [String], values: [Int64?]) throws -> DataFrame {
    let infoType = cmSchema.fields[3].type
    let info = ids.map { Scalar.structure([.string("a\($0)"), .structure([.int($0 * 100)])]) }
    return try DataFrame([
        (name: "id", column: try Column(.int64, ids.map { .int($0) })),
        (name: "region", column: try Column(.string, regions.map { .string($0) })),
        (name: "x", column: try Column(.int64, values.map { $0.map { .int($0) } ?? .null })),
        (name: "info", column: try Column(infoType, info)),
    ])
}

private func append(_ t: DeltaTable, _ rows: DataFrame) async throws -> Snapshot {
    try await Write(table: t, data: rows).execute().0
}

/// (id, region, x, info.a, info.b.c) of every row, sorted by id, read through lake (logical names).
private func contents(_ t: DeltaTable) async throws -> [String] {
    let (_, rows, _) = try await Scan(table: t).execute()
    #expect(rows.schema.names == ["id", "region", "x", "info"])
    var out: [String] = []
    for i in 0..<rows.rowCount {
        out.append("\(try rows.value("id", row: i))|\(try rows.value("region", row: i))|\(try rows.value("x", row: i))|\(try rows.value("info", row: i))")
    }
    return out.sorted()
}

/// The expected `contents` line of a row of `cmRows`.
private func line(_ id: Int64, _ region: String, _ x: Int64?) -> String {
    let info = Scalar.structure([.string("a\(id)"), .structure([.int(id * 100)])])
    return "\(Scalar.int(id))|\(Scalar.string(region))|\(x.map { Scalar.int($0) } ?? .null)|\(info)"
}

/// A field of the snapshot's logical schema by dotted path.
private func field(_ s: Snapshot, _ path: String) throws -> Field {
    var fields = s.schema.fields
    var found: Field?
    for part in path.split(separator: ".") {
        guard let f = fields.first(where: { $0.name == part }) else { throw LakeError(.notFound, "no field \(path)") }
        found = f
        if case let .structure(children) = f.type { fields = children } else { fields = [] }
    }
    guard let found else { throw LakeError(.notFound, "no field \(path)") }
    return found
}

private func physical(_ s: Snapshot, _ path: String) throws -> String {
    guard let p = try field(s, path).metadata[DeltaSchema.physicalNameKey] else { throw LakeError(.notFound, "\(path) has no physical name") }
    return p
}

/// The Parquet file of `add`, opened from the table directory.
private func parquet(_ t: DeltaTable, _ add: AddFile) throws -> ParquetReader {
    try ParquetReader(path: t.location + "/" + (add.path.removingPercentEncoding ?? add.path))
}

@Suite struct ColumnMappingWriteTests {
    @Test(arguments: ["name", "id"])
    func createGivesEveryFieldAnIdAndPhysicalName(_ mode: String) async throws {
        let t = try await mappedTable(mode)
        defer { dmlCleanup(t) }
        let s = try await t.snapshot()
        // Spark's numbering: parents before children, in schema order.
        let paths = ["id", "region", "x", "info", "info.a", "info.b", "info.b.c"]
        #expect(try paths.map { try DeltaSchema.columnMappingId(field(s, $0)) } == (1...7).map { Int64($0) })
        let names = try paths.map { try physical(s, $0) }
        #expect(names.allSatisfy { $0.hasPrefix("col-00000000-0000-4000-8000-") } && Set(names).count == names.count)
        #expect(s.metadata.configuration["delta.columnMapping.maxColumnId"] == "7")
        #expect(s.metadata.configuration["delta.columnMapping.mode"] == mode)
        #expect(s.protocolAction == ProtocolAction(minReaderVersion: 2, minWriterVersion: 5))
        // The ids are JSON numbers in the log, as Spark writes them.
        #expect(s.metadata.schemaString.contains("\"delta.columnMapping.id\":1,"))
    }

    @Test func modeIsCaseInsensitiveAndStoredLowercase() async throws {
        let t = try await mappedTable("Name")
        defer { dmlCleanup(t) }
        #expect(try await t.snapshot().metadata.configuration["delta.columnMapping.mode"] == "name")
    }

    @Test func columnMappingWithAFeatureWithoutLegacyVersionUsesFeatureLists() async throws {
        let schema = Schema([Field("id", .int64), Field("ts", .timestamp(.microsecond, utc: false))])
        let t = try await mappedTable("name", schema: schema)
        defer { dmlCleanup(t) }
        let p = try await t.snapshot().protocolAction
        #expect(p == ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["columnMapping", "timestampNtz"], writerFeatures: ["columnMapping", "timestampNtz"]))
    }

    @Test func columnMappingWithDeletionVectorsNeedsReaderThreeWriterSeven() throws {
        let (schema, configuration) = try ColumnMapping.assign(
            cmSchema, configuration: ["delta.columnMapping.mode": "id", "delta.enableDeletionVectors": "true"], uuid: { "u" })
        let p = TableFeatures.minimumProtocol(schema: schema, configuration: configuration)
        #expect(p == ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["columnMapping", "deletionVectors"], writerFeatures: ["columnMapping", "deletionVectors"]))
    }

    @Test func anUnknownModeIsRefusedAndNothingIsCreated() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let options = CreateTable.Options(schema: cmSchema, properties: ["delta.columnMapping.mode": "physical"])
        do {
            _ = try await CreateTable(table: t, options: options).execute()
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("delta.columnMapping.mode=physical") && error.message.contains("none, name or id"))
        }
        #expect(try await t.snapshotIfExists() == nil)
    }

    @Test(arguments: ["name", "id"])
    func appendWritesPhysicalNamesAndFieldIdsIntoTheDataFile(_ mode: String) async throws {
        let t = try await mappedTable(mode)
        defer { dmlCleanup(t) }
        let s = try await append(t, try cmRows([1, 2], regions: ["EU", "US"], values: [10, nil]))
        let add = try #require(s.files.first)
        let fileSchema = try parquet(t, add).schema
        #expect(fileSchema.names == (try ["id", "region", "x", "info"].map { try physical(s, $0) }))
        for (f, logical) in zip(fileSchema.fields, ["id", "region", "x", "info"]) {
            #expect(f.metadata["PARQUET:field_id"] == (try DeltaSchema.columnMappingId(field(s, logical))).map { String($0) })
        }
        guard case let .structure(info) = fileSchema.fields[3].type, case let .structure(b) = info[1].type else {
            Issue.record("info is not a struct of a struct in the file")
            return
        }
        #expect(info.map(\.name) == (try [physical(s, "info.a"), physical(s, "info.b")]))
        #expect(b.map(\.name) == [try physical(s, "info.b.c")] && b[0].metadata["PARQUET:field_id"] == "7")
        #expect(try await contents(t) == [line(1, "EU", 10), line(2, "US", nil)])
    }

    @Test func aWriteThatCreatesAColumnMappedTableWritesPhysicalNames() async throws {
        var t = try tempTable()
        t.context = .pinned(start: 1_700_000_000_000)
        defer { dmlCleanup(t) }
        var options = Write.Options()
        options.properties = ["delta.columnMapping.mode": "name"]
        options.partitionBy = ["region"]
        let (s, _) = try await Write(table: t, data: try cmRows([1, 2], regions: ["EU", "US"], values: [1, 2]), options: options).execute()
        #expect(s.protocolAction == ProtocolAction(minReaderVersion: 2, minWriterVersion: 5))
        let region = try physical(s, "region")
        for add in s.files {
            #expect(add.partitionValues.keys.first == region)
            #expect(try parquet(t, add).schema.names == (try ["id", "x", "info"].map { try physical(s, $0) }))
        }
        #expect(try await contents(t) == [line(1, "EU", 1), line(2, "US", 2)])
    }

    @Test func statsAreKeyedByPhysicalNamesNestedToo() async throws {
        let t = try await mappedTable("name")
        defer { dmlCleanup(t) }
        let s = try await append(t, try cmRows([3, 1, 2], regions: ["EU", "US", "EU"], values: [10, nil, 30]))
        let stats = try JSONValue.parse(try #require(s.files.first?.stats))
        #expect(stats["minValues"]?[try physical(s, "id")] == .int(1))
        #expect(stats["maxValues"]?[try physical(s, "x")] == .int(30))
        #expect(stats["nullCount"]?[try physical(s, "x")] == .int(1))
        #expect(stats["maxValues"]?[try physical(s, "info")]?[try physical(s, "info.b")]?[try physical(s, "info.b.c")] == .int(300))
        #expect(stats["minValues"]?["id"] == nil)
        // The skipping engine finds them: a predicate outside every file's range reads nothing.
        var options = Scan.Options()
        options.predicate = "id > 3"
        let (_, none, m) = try await Scan(table: t, options: options).execute()
        #expect(none.rowCount == 0 && m.filesSkippedByStats == 1)
    }

    @Test func partitionValuesAndDirectoriesUsePhysicalNames() async throws {
        let t = try await mappedTable("name", partitionBy: ["region"])
        defer { dmlCleanup(t) }
        let s = try await append(t, try cmRows([1, 2, 3], regions: ["EU", "US", "EU"], values: [1, 2, 3]))
        let region = try physical(s, "region")
        #expect(s.files.count == 2)
        for add in s.files {
            #expect(Array(add.partitionValues.keys) == [region])
            let value = try #require(add.partitionValues[region] ?? nil)
            #expect(add.path.hasPrefix(region + "=" + value + "/"))
            #expect(!(try parquet(t, add).schema.names.contains(region)))
        }
        var options = Scan.Options()
        options.predicate = "region = 'EU'"
        let (_, eu, m) = try await Scan(table: t, options: options).execute()
        #expect(eu.rowCount == 2 && m.filesPrunedByPartition == 1)
    }

    @Test func deleteRewritesWithPhysicalNames() async throws {
        let t = try await mappedTable("id")
        defer { dmlCleanup(t) }
        _ = try await append(t, try cmRows([1, 2, 3], regions: ["EU", "US", "EU"], values: [1, 2, 3]))
        let (s, m) = try await Delete(table: t, options: .init(predicate: "x >= 2 AND id < 3")).execute()
        #expect(m.numDeletedRows == 1 && m.numCopiedRows == 2)
        #expect(try await contents(t) == [line(1, "EU", 1), line(3, "EU", 3)])
        let add = try #require(s.files.first)
        #expect(try parquet(t, add).schema.names.first == (try physical(s, "id")))
    }

    @Test func updateOfAPartitionColumnMovesTheRowUnderPhysicalNames() async throws {
        let t = try await mappedTable("name", partitionBy: ["region"])
        defer { dmlCleanup(t) }
        _ = try await append(t, try cmRows([1, 2, 3], regions: ["EU", "EU", "US"], values: [1, 2, 3]))
        let (s, m) = try await Update(table: t, options: .init(set: [("region", "'US'"), ("x", "x + 100")], predicate: "id = 1")).execute()
        #expect(m.numUpdatedRows == 1 && m.numCopiedRows == 1)
        let region = try physical(s, "region")
        #expect(s.files.compactMap { $0.partitionValues[region] ?? nil }.sorted() == ["EU", "US", "US"])
        #expect(try await contents(t) == [line(1, "US", 101), line(2, "EU", 2), line(3, "US", 3)])
    }

    @Test func mergeUpsertsIntoAColumnMappedTable() async throws {
        let t = try await mappedTable("id", partitionBy: ["region"])
        defer { dmlCleanup(t) }
        _ = try await append(t, try cmRows([1, 2], regions: ["EU", "US"], values: [1, 2]))
        let source = try cmRows([2, 4], regions: ["US", "EU"], values: [20, 40])
        let (s, m) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id").execute()
        #expect(m.numTargetRowsUpdated == 1 && m.numTargetRowsInserted == 1)
        #expect(try await contents(t) == [line(1, "EU", 1), line(2, "US", 20), line(4, "EU", 40)])
        let region = try physical(s, "region")
        #expect(s.files.allSatisfy { $0.partitionValues.keys.first == region && $0.path.hasPrefix(region + "=") })
    }

    @Test func schemaEvolutionGivesNewColumnsTheNextIds() async throws {
        let t = try await mappedTable("name")
        defer { dmlCleanup(t) }
        let first = try await append(t, try cmRows([1], regions: ["EU"], values: [1]))
        let wider = try cmRows([2], regions: ["US"], values: [2]).withColumn("extra", sql: "'new'")
        var options = Write.Options()
        options.schemaEvolution = true
        let (s, _) = try await Write(table: t, data: wider, options: options).execute()
        let extra = try field(s, "extra")
        #expect(DeltaSchema.columnMappingId(extra) == 8 && s.metadata.configuration["delta.columnMapping.maxColumnId"] == "8")
        let name = try #require(extra.metadata[DeltaSchema.physicalNameKey])
        let x = try physical(s, "x")
        #expect(name.hasPrefix("col-") && name != x)
        let added = try #require(s.files.first { add in !first.files.contains { $0.path == add.path } })
        #expect(try parquet(t, added).schema.names.last == name)
        let (_, rows, _) = try await Scan(table: t).execute()
        let sorted = try rows.sort("id")
        #expect(try sorted.value("extra", row: 0) == .null && sorted.value("extra", row: 1) == .string("new"))
    }

    @Test func mergeSchemaEvolutionGivesNewNestedFieldsIdsAndPhysicalNames() async throws {
        let t = try await mappedTable("id")
        defer { dmlCleanup(t) }
        _ = try await append(t, try cmRows([1, 2], regions: ["EU", "US"], values: [1, 2]))
        // The source's info struct has a field d the table lacks, and a new top-level column n.
        let wideInfo = DataType.structure([Field("a", .string), Field("b", .structure([Field("c", .int32)])), Field("d", .int64)])
        let source = try DataFrame([
            (name: "id", column: try Column(.int64, [.int(2), .int(3)])),
            (name: "region", column: try Column(.string, [.string("US"), .string("EU")])),
            (name: "x", column: try Column(.int64, [.int(20), .int(30)])),
            (name: "info", column: try Column(wideInfo, [.structure([.string("a2"), .structure([.int(200)]), .int(22)]), .structure([.string("a3"), .structure([.int(300)]), .int(33)])])),
            (name: "n", column: try Column(.string, [.string("two"), .string("three")])),
        ])
        var options = Merge.Options()
        options.schemaEvolution = true
        let (s, m) = try await Merge(table: t, source: .frame(source), on: "target.id = source.id", options: options).execute()
        #expect(m.numTargetRowsUpdated == 1 && m.numTargetRowsInserted == 1)
        let ids = try [DeltaSchema.columnMappingId(field(s, "info.d")), DeltaSchema.columnMappingId(field(s, "n"))].compactMap { $0 }
        #expect(Set(ids) == [8, 9] && s.metadata.configuration["delta.columnMapping.maxColumnId"] == "9")
        let d = try physical(s, "info.d"), n = try physical(s, "n")
        let added = try #require(s.files.first { (try? parquet(t, $0).schema.names.contains(n)) == true })
        let fileSchema = try parquet(t, added).schema
        guard case let .structure(info)? = fileSchema.fields.first(where: { $0.name == (try? physical(s, "info")) })?.type else {
            Issue.record("no info struct in the rewritten file")
            return
        }
        #expect(info.map(\.name).last == d)
        let (_, rows, _) = try await Scan(table: t).execute()
        let sorted = try rows.sort("id")
        #expect(try sorted.value("n", row: 0) == .null && sorted.value("n", row: 2) == .string("three"))
        #expect(try sorted.value("info", row: 1) == .structure([.string("a2"), .structure([.int(200)]), .int(22)]))
        #expect(try sorted.value("info", row: 0) == .structure([.string("a1"), .structure([.int(100)]), .null]))
    }

    /// A table Spark wrote under name mode (structs, arrays, maps), copied: lake appends its own rows back and
    /// deletes some, and the result reads as the two operations say.
    @Test(arguments: ["table-with-columnmapping-mode-name", "table-with-columnmapping-mode-id"])
    func sparkColumnMappedTableTakesAppendsAndDeletes(_ golden: String) async throws {
        let source = ColumnMappingScanTests.golden + "/" + golden
        guard FileManager.default.fileExists(atPath: source) else { return }
        let t = try tempTable(golden)
        defer { dmlCleanup(t) }
        try FileManager.default.createDirectory(atPath: (t.location as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: t.location)
        let (before, original, _) = try await Scan(table: t).execute()
        #expect(original.rowCount == 6)
        let appended = try await append(t, original)
        #expect(appended.files.count == before.files.count + 1)
        let (_, doubled, _) = try await Scan(table: t).execute()
        #expect(doubled.rowCount == 12)
        // Every value of every type reads back as Spark wrote it: the doubled table has each row twice.
        let originalRows = try (0..<original.rowCount).map { i in try original.schema.names.map { "\(try original.value($0, row: i))" }.joined(separator: "|") }
        let doubledRows = try (0..<doubled.rowCount).map { i in try doubled.schema.names.map { "\(try doubled.value($0, row: i))" }.joined(separator: "|") }
        #expect(doubledRows.sorted() == (originalRows + originalRows).sorted())
        let (_, m) = try await Delete(table: t, options: .init(predicate: "IntegerType < 2")).execute()
        let kept = try original.filter("IntegerType >= 2 OR IntegerType IS NULL").rowCount
        #expect(m.numDeletedRows == 2 * (6 - kept))
        let (_, after, _) = try await Scan(table: t).execute()
        #expect(after.rowCount == 2 * kept)
    }
}
