import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

/// A fresh table directory under the system temp dir.
func tempTable(_ name: String = #function) throws -> DeltaTable {
    let dir = "/tmp/lake-tests-\(RandomUUID.make())/" + name.filter { $0.isLetter || $0.isNumber }
    return try DeltaTable(location: dir)
}

func frame(_ ids: [Int64], regions: [String?]) throws -> DataFrame {
    try DataFrame([
        (name: "id", column: try Column(.int64, ids.map { .int($0) })),
        (name: "region", column: try Column(.string, regions.map { $0.map { .string($0) } ?? .null })),
    ])
}

@Test func createThenCreateAgainFails() async throws {
    let t = try tempTable()
    let (s, _) = try await CreateTable(table: t, options: .init(schema: Schema([Field("id", .int64, nullable: false)]))).execute()
    #expect(s.version == 0)
    #expect(s.protocolAction.minReaderVersion == 1 && s.protocolAction.minWriterVersion == 2)
    do {
        _ = try await CreateTable(table: t, options: .init(schema: Schema([Field("id", .int64)]))).execute()
        Issue.record("expected an already-exists error")
    } catch {
        #expect(error.kind == .alreadyExists && error.exitCode == 1)
    }
}

@Test func appendCreatesAndOverwriteReplaces() async throws {
    let t = try tempTable()
    _ = try await Write(table: t, data: try frame([1, 2], regions: ["EU", "US"])).execute()
    let (s1, m1) = try await Write(table: t, data: try frame([3], regions: ["EU"])).execute()
    #expect(s1.version == 1 && m1.numOutputRows == 1)
    var o = Write.Options()
    o.mode = .overwrite
    let (s2, m2) = try await Write(table: t, data: try frame([9], regions: [nil]), options: o).execute()
    #expect(s2.version == 2 && m2.numRemovedFiles == 2)
    let (_, rows, _) = try await Scan(table: t).execute()
    #expect(rows.rowCount == 1)
    var old = Scan.Options()
    old.version = .version(1)
    let (_, v1, _) = try await Scan(table: t, options: old).execute()
    #expect(v1.rowCount == 3)
}

@Test func partitionedWriteWithNullPartitionAndPruning() async throws {
    let t = try tempTable()
    var o = Write.Options()
    o.partitionBy = ["region"]
    let (s, _) = try await Write(table: t, data: try frame([1, 2, 3, 4], regions: ["EU", "US", nil, "a b/c"]), options: o).execute()
    #expect(s.files.count == 4)
    #expect(s.files.contains { $0.path.hasPrefix("region=__HIVE_DEFAULT_PARTITION__/") })
    #expect(s.files.contains { $0.path.hasPrefix("region=a%20b%252Fc/") })
    var scan = Scan.Options()
    scan.predicate = "region = 'a b/c'"
    let (_, rows, m) = try await Scan(table: t, options: scan).execute()
    #expect(rows.rowCount == 1 && m.filesRead == 1 && m.filesPrunedByPartition == 3)
    #expect(try rows.value("id", row: 0) == .int(4))
    scan.predicate = "region IS NULL"
    let (_, nulls, _) = try await Scan(table: t, options: scan).execute()
    #expect(nulls.rowCount == 1)
}

@Test func schemaMismatchAndEvolution() async throws {
    let t = try tempTable()
    _ = try await Write(table: t, data: try frame([1], regions: ["EU"])).execute()
    let extra = try DataFrame([
        (name: "id", column: try Column(.int64, [.int(2)])),
        (name: "score", column: try Column(.float64, [.double(1.5)])),
    ])
    await #expect(throws: LakeError.self) { _ = try await Write(table: t, data: extra).execute() }
    let wrongType = try DataFrame([(name: "id", column: try Column(.string, [.string("x")]))])
    do {
        _ = try await Write(table: t, data: wrongType).execute()
        Issue.record("expected a schema violation")
    } catch {
        #expect(error.kind == .schemaViolation && error.message.contains("column id is long in the table but string in the data"))
    }
    var o = Write.Options()
    o.schemaEvolution = true
    let (s, _) = try await Write(table: t, data: extra, options: o).execute()
    #expect(s.schema.names == ["id", "region", "score"])
    let (_, rows, _) = try await Scan(table: t).execute()
    #expect(rows.rowCount == 2)
}

@Test func idempotentTransactionIsSkipped() async throws {
    let t = try tempTable()
    var o = Write.Options()
    o.transaction = SetTransaction(appId: "pipe", version: 7)
    let (_, a) = try await Write(table: t, data: try frame([1], regions: ["EU"]), options: o).execute()
    let (_, b) = try await Write(table: t, data: try frame([1], regions: ["EU"]), options: o).execute()
    #expect(!a.skipped && b.skipped && b.version == 0)
}

@Test func statsAndFileSkipping() async throws {
    let t = try tempTable()
    var o = Write.Options()
    o.targetFileSize = 1  // one row per file
    let long = String(repeating: "x", count: 40)
    let data = try DataFrame([
        (name: "id", column: try Column(.int64, [.int(1), .int(50)])),
        (name: "s", column: try Column(.string, [.string(long), .null])),
        (name: "ts", column: try Column(.timestampMicros, [.int(1_704_103_200_000_000), .int(0)])),
    ])
    let (s, m) = try await Write(table: t, data: data, options: o).execute()
    #expect(m.numFiles == 2)
    let stats = s.files.compactMap(\.stats)
    #expect(stats.contains { $0.contains("\"ts\":\"2024-01-01T10:00:00.000Z\"") })
    #expect(stats.contains { $0.contains("\"s\":\"\(String(repeating: "x", count: 32))\"") })
    #expect(stats.contains { $0.contains("\"nullCount\":{\"id\":0,\"s\":1,\"ts\":0}") })
    var scan = Scan.Options()
    scan.predicate = "id > 10"
    let (_, rows, sm) = try await Scan(table: t, options: scan).execute()
    #expect(rows.rowCount == 1 && sm.filesSkippedByStats == 1)
}

@Test func missingTableAndMissingFileErrors() async throws {
    let t = try tempTable()
    do {
        _ = try await Scan(table: t).execute()
        Issue.record("expected a not-found error")
    } catch {
        #expect(error.kind == .notFound && error.exitCode == 4)
    }
    let (s, _) = try await Write(table: t, data: try frame([1], regions: ["EU"])).execute()
    try await t.store.delete(s.files[0].path)
    do {
        _ = try await Scan(table: t).execute()
        Issue.record("expected a missing file error")
    } catch {
        #expect(error.kind == .corruptTable && error.message.contains(s.files[0].path) && error.message.contains("missing"))
    }
}

@Test func historyNewestFirst() async throws {
    let t = try tempTable()
    for i in 0..<3 { _ = try await Write(table: t, data: try frame([Int64(i)], regions: ["EU"])).execute() }
    let (entries, _) = try await History(table: t, limit: 2).execute()
    #expect(entries.map(\.version) == [2, 1])
    #expect(entries[0].commitInfo?.operation == "WRITE")
    let (_, info) = try await Info(table: t).execute()
    #expect(info.numFiles == 3 && info.numRows == 3)
}

@Test func timeTravelByVersionAndTimestampAndOutOfRange() async throws {
    let t = try tempTable()
    let (s0, _) = try await Write(table: t, data: try frame([1], regions: ["EU"])).execute()
    _ = try await Write(table: t, data: try frame([2], regions: ["EU"])).execute()
    var o = Scan.Options()
    o.version = .timestamp(s0.timestamp)
    let (s, rows, _) = try await Scan(table: t, options: o).execute()
    #expect(s.version == 0 && rows.rowCount == 1)
    o.version = .version(5)
    do {
        _ = try await Scan(table: t, options: o).execute()
        Issue.record("expected an out-of-range error")
    } catch {
        #expect(error.kind == .notFound && error.message == DeltaError.versionOutOfRange(requested: 5, available: 0...1).description)
    }
}

@Test func everyPrimitiveTypeRoundTripsThroughPartitionsAndFiles() async throws {
    let t = try tempTable()
    let types: [(String, DataType, Scalar)] = [
        ("b", .boolean, .boolean(true)), ("i8", .int8, .int(-3)), ("i16", .int16, .int(300)), ("i32", .int32, .int(-70000)),
        ("i64", .int64, .int(1 << 40)), ("f32", .float32, .float(1.5)), ("f64", .float64, .double(-2.25)),
        ("dec", .decimal(precision: 10, scale: 2), .decimal(12345)), ("s", .string, .string("a=b/c d")),
        ("bin", .binary, .bytes([104, 105])), ("d", .date, .int(19723)), ("ts", .timestampMicros, .int(1_704_103_200_123_456)),
    ]
    var named: [(name: String, column: Column)] = [(name: "id", column: try Column(.int64, [.int(1), .int(2)]))]
    for (name, type, value) in types { named.append((name: name, column: try Column(type, [value, .null]))) }
    var o = Write.Options()
    o.partitionBy = types.map(\.0)
    let (s, m) = try await Write(table: t, data: try DataFrame(named), options: o).execute()
    #expect(m.numFiles == 2 && s.files.count == 2)
    let (_, rows, _) = try await Scan(table: t).execute()
    let sorted = try rows.sort("id")
    for (name, _, value) in types {
        #expect(try sorted.value(name, row: 0) == value, "column \(name)")
        #expect(try sorted.value(name, row: 1) == .null, "column \(name)")
    }
}

@Test func multiColumnPartitionsGroupEveryCombination() async throws {
    let t = try tempTable()
    let data = try DataFrame([
        (name: "p", column: try Column(.int32, [.int(1), .int(2), .int(1), .int(1), .null])),
        (name: "q", column: try Column(.string, [.string("a"), .string("a"), .string("b"), .string("a"), .string("a")])),
        (name: "v", column: try Column(.int64, [.int(10), .int(20), .int(30), .int(40), .int(50)])),
    ])
    var o = Write.Options()
    o.partitionBy = ["p", "q"]
    let (s, _) = try await Write(table: t, data: data, options: o).execute()
    let dirs = Set(s.files.map { $0.path.split(separator: "/").dropLast().joined(separator: "/") })
    #expect(dirs == ["p=1/q=a", "p=2/q=a", "p=1/q=b", "p=__HIVE_DEFAULT_PARTITION__/q=a"])
    var scan = Scan.Options()
    scan.predicate = "p = 1 AND q = 'a'"
    let (_, rows, m) = try await Scan(table: t, options: scan).execute()
    #expect(rows.rowCount == 2 && m.filesRead == 1)
}
