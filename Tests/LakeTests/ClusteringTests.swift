import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

/// The schema of `dmlRows`: (id long, region string, x long).
private let dmlSchema = Schema([Field("id", .int64), Field("region", .string), Field("x", .int64)])

/// A new table of `dmlSchema` (or `schema`) clustered by `columns`.
private func clusteredTable(_ columns: [String], schema: Schema = dmlSchema, properties: [String: String] = [:], name: String = #function) async throws -> (DeltaTable, Snapshot) {
    let t = try tempTable(name)
    let (s, _) = try await CreateTable(table: t, options: .init(schema: schema, properties: properties, clusterBy: columns)).execute()
    return (t, s)
}

/// The actions of commit `version`, one parsed JSON object per line, as the log file holds them.
private func commitLines(_ t: DeltaTable, _ version: Int64) throws -> [JSONValue] {
    let name = String(repeating: "0", count: 20 - String(version).count) + String(version) + ".json"
    let text = try String(contentsOfFile: t.location + "/_delta_log/" + name, encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
}

/// The members of the commit's action with key `key` (`protocol`, `commitInfo`, ...), if it has one.
private func action(_ lines: [JSONValue], _ key: String) -> JSONValue? {
    lines.lazy.compactMap { $0[key] }.first
}

/// The configurations of the commit's domainMetadata actions.
private func domainsOf(_ lines: [JSONValue]) -> [String] {
    lines.compactMap { $0["domainMetadata"]?["configuration"]?.stringValue }
}

/// Writes a commit file by hand, as another engine would.
private func writeCommit(_ t: DeltaTable, _ version: Int64, _ lines: [String]) throws {
    let dir = t.location + "/_delta_log"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let name = String(repeating: "0", count: 20 - String(version).count) + String(version) + ".json"
    try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
}

/// Expects `body` to throw a LakeError of `kind` whose message contains every one of `words`.
private func expectFailure(_ kind: LakeError.Kind, _ words: [String], _ body: () async throws(LakeError) -> Void) async {
    do {
        try await body()
        Issue.record("expected a \(kind) error")
    } catch {
        #expect(error.kind == kind, "\(error)")
        for w in words { #expect(error.message.contains(w), "\(error.message) lacks \(w)") }
    }
}

@Suite struct ClusteringCreateTests {
    @Test func createWithClusterByWritesTheDomainTheFeaturesAndClusterByAsSparkDoes() async throws {
        let (t, s) = try await clusteredTable(["x", "id"])
        defer { dmlCleanup(t) }
        let lines = try commitLines(t, 0)
        let domain = try #require(action(lines, "domainMetadata"))
        #expect(domain["domain"]?.stringValue == "delta.clustering")
        #expect(domain["configuration"]?.stringValue == #"{"clusteringColumns":[["x"],["id"]],"domainName":"delta.clustering"}"#)
        #expect(domain["removed"]?.boolValue == false)
        let proto = try #require(action(lines, "protocol"))
        #expect(proto["minReaderVersion"]?.int64Value == 1 && proto["minWriterVersion"]?.int64Value == 7)
        guard case let .array(features)? = proto["writerFeatures"] else { Issue.record("no writerFeatures"); return }
        #expect(Set(features.compactMap(\.stringValue)) == ["clustering", "domainMetadata"])
        let info = try #require(action(lines, "commitInfo"))
        #expect(info["operation"]?.stringValue == "CREATE TABLE")
        #expect(info["operationParameters"]?["clusterBy"]?.stringValue == #"["x","id"]"#)
        #expect(info["operationParameters"]?["partitionBy"]?.stringValue == "[]")
        #expect(try ClusteringColumns.of(s) == ["x", "id"])
    }

    @Test func clusteringColumnsResolveCaseInsensitivelyToTheSchemaSpelling() async throws {
        let (t, s) = try await clusteredTable(["X", "Region"])
        defer { dmlCleanup(t) }
        #expect(try ClusteringColumns.of(s) == ["x", "region"])
        #expect(try action(commitLines(t, 0), "commitInfo")?["operationParameters"]?["clusterBy"]?.stringValue == #"["x","region"]"#)
    }

    @Test func underColumnMappingTheDomainHoldsPhysicalNamesAndReadsBackLogical() async throws {
        let (t, s) = try await clusteredTable(["region"], properties: ["delta.columnMapping.mode": "name"])
        defer { dmlCleanup(t) }
        let physical = try #require(s.columnMapping.physicalName(of: "region"))
        #expect(physical != "region" && physical.hasPrefix("col-"))
        let config = s.domainMetadata["delta.clustering"]?.configuration
        #expect(config == #"{"clusteringColumns":[[""# + physical + #""]],"domainName":"delta.clustering"}"#)
        #expect(try ClusteringColumns.of(s) == ["region"])
        // Column mapping is a reader-writer feature: reader 3, both feature lists.
        #expect(s.protocolAction.minReaderVersion == 3 && s.protocolAction.readerFeatures == ["columnMapping"])
        #expect(Set(s.protocolAction.writerFeatures ?? []) == ["clustering", "columnMapping", "domainMetadata"])
    }

    @Test func aTableCreatedWithoutClusterByIsNotClustered() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let (s, _) = try await CreateTable(table: t, options: .init(schema: dmlSchema)).execute()
        #expect(try ClusteringColumns.of(s) == nil)
        #expect(try action(commitLines(t, 0), "commitInfo")?["operationParameters"]?["clusterBy"] == nil)
    }

    @Test func clusterByTogetherWithPartitionByIsRefusedAndNothingIsCreated() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        await expectFailure(.invalidRequest, ["partitioned and clustered"]) { () throws(LakeError) in
            _ = try await CreateTable(table: t, options: .init(schema: dmlSchema, partitionColumns: ["region"], clusterBy: ["x"])).execute()
        }
        await expectFailure(.notFound, []) { () throws(LakeError) in _ = try await t.snapshot() }
    }

    @Test func filesWrittenToAClusteredTableHaveStatsForTheClusteringColumns() async throws {
        let (t, _) = try await clusteredTable(["x"])
        defer { dmlCleanup(t) }
        let (s, _) = try await Write(table: t, data: try dmlRows([1, 2, 3], regions: ["a", "b", "c"], values: [30, 10, 20])).execute()
        let stats = try JSONValue.parse(try #require(s.files.first?.stats))
        #expect(stats["minValues"]?["x"]?.int64Value == 10 && stats["maxValues"]?["x"]?.int64Value == 30)
        #expect(stats["nullCount"]?["x"]?.int64Value == 0)
    }
}

@Suite struct ClusteringValidationTests {
    /// Creating a table of `schema` clustered by `columns` fails with an invalid request naming `words`.
    func refused(_ columns: [String], schema: Schema = dmlSchema, properties: [String: String] = [:], _ words: [String], name: String = #function) async throws {
        let t = try tempTable(name)
        defer { dmlCleanup(t) }
        await expectFailure(.invalidRequest, words) { () throws(LakeError) in
            _ = try await CreateTable(table: t, options: .init(schema: schema, properties: properties, clusterBy: columns)).execute()
        }
        #expect(!FileManager.default.fileExists(atPath: t.location + "/_delta_log/00000000000000000000.json"))
    }

    @Test func anUnknownColumnIsRefused() async throws {
        try await refused(["nope"], ["nope", "not in the schema", "id, region, x"])
    }

    @Test func aNestedFieldPathIsRefused() async throws {
        let schema = Schema([Field("id", .int64), Field("s", .structure([Field("a", .int64)]))])
        try await refused(["s.a"], schema: schema, ["s.a", "top-level"])
    }

    @Test func moreThanFourColumnsAreRefused() async throws {
        let schema = Schema((0..<5).map { Field("c\($0)", .int64) })
        try await refused(["c0", "c1", "c2", "c3", "c4"], schema: schema, ["5 clustering columns", "at most 4"])
    }

    @Test func aColumnGivenTwiceIsRefused() async throws {
        try await refused(["x", "X"], ["x", "twice"])
    }

    @Test func structMapArrayBooleanAndBinaryColumnsAreRefused() async throws {
        let schema = Schema([
            Field("id", .int64), Field("s", .structure([Field("a", .int64)])), Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .int64))),
            Field("l", .list(Field("element", .int64))), Field("b", .boolean), Field("bin", .binary),
        ])
        for column in ["s", "m", "l", "b", "bin"] {
            try await refused([column], schema: schema, [column, "cannot order"], name: "refuses" + column)
        }
    }

    @Test func aColumnPastTheIndexedColumnsIsRefused() async throws {
        // Stats are collected for the first delta.dataSkippingNumIndexedCols leaf columns only.
        try await refused(["region"], properties: ["delta.dataSkippingNumIndexedCols": "1"], ["region", "leaf column 2", "delta.dataSkippingNumIndexedCols"])
    }

    @Test func aStructsLeavesCountTowardTheIndexedColumns() async throws {
        let schema = Schema([Field("s", .structure([Field("a", .int64), Field("b", .int64)])), Field("x", .int64)])
        try await refused(["x"], schema: schema, properties: ["delta.dataSkippingNumIndexedCols": "2"], ["x", "leaf column 3"])
    }

    @Test func aColumnOutsideTheStatsColumnsIsRefused() async throws {
        try await refused(["x"], properties: ["delta.dataSkippingStatsColumns": "id, `region`"], ["x", "delta.dataSkippingStatsColumns"])
    }

    @Test func theStatsColumnListOverridesTheIndexedColumnCount() async throws {
        // Spark collects stats for exactly the listed columns when delta.dataSkippingStatsColumns is set.
        let properties = ["delta.dataSkippingStatsColumns": "id, `region`", "delta.dataSkippingNumIndexedCols": "1"]
        let (t, created) = try await clusteredTable(["region"], properties: properties)
        defer { dmlCleanup(t) }
        #expect(try ClusteringColumns.of(created) == ["region"])
        let (s, _) = try await Write(table: t, data: try dmlRows([1, 2], regions: ["b", "a"], values: [5, 6])).execute()
        let stats = try JSONValue.parse(try #require(s.files.first?.stats))
        guard case let .object(mins)? = stats["minValues"] else { Issue.record("no minValues"); return }
        #expect(Set(mins.keys) == ["id", "region"])
        #expect(stats["minValues"]?["region"]?.stringValue == "a")
    }

    @Test func aClusteringColumnPastThe32ndIsAcceptedWhenTheStatsColumnListNamesIt() async throws {
        let schema = Schema((0..<40).map { Field("c\($0)", .int64) })
        let (t, _) = try await clusteredTable(["c39"], schema: schema, properties: ["delta.dataSkippingStatsColumns": "c39", "delta.columnMapping.mode": "name"])
        defer { dmlCleanup(t) }
        let rows = try DataFrame((0..<40).map { (name: "c\($0)", column: try Column(.int64, [.int(Int64($0))])) })
        let (s, _) = try await Write(table: t, data: rows).execute()
        let physical = try #require(s.columnMapping.physicalName(of: "c39"))
        let stats = try JSONValue.parse(try #require(s.files.first?.stats))
        guard case let .object(mins)? = stats["minValues"] else { Issue.record("no minValues"); return }
        #expect(Array(mins.keys) == [physical] && mins[physical]?.int64Value == 39)
    }

    @Test func statsColumnListsParseQuotesAndNestedPaths() {
        #expect(StatsColumns.parse(" a ,`B,c`, s.t ,`d.e`,`x``y` ,") == [["a"], ["B,c"], ["s", "t"], ["d.e"], ["x`y"]])
    }

    @Test func aListedStructGivesStatsForEachOfItsLeaves() {
        let schema = Schema([Field("id", .int64), Field("s", .structure([Field("a", .int64), Field("b", .string)]))])
        #expect(StatsColumns.physicalPaths("S, nope, id.x", schema: schema, mapped: false) == [["s"]])
    }
}

@Suite struct ClusterOperationTests {
    @Test func clusterByOnAPlainTableUpgradesTheProtocolAndRecordsSparksOperation() async throws {
        let (t, before) = try await dmlTable(try dmlRows([1, 2], regions: ["a", "b"], values: [1, 2]))
        defer { dmlCleanup(t) }
        #expect(before.protocolAction.minWriterVersion == 2)
        let (s, m) = try await Cluster(table: t, columns: ["x"]).execute()
        #expect(m.changed && m.oldColumns == nil && m.newColumns == ["x"] && s.version == 1)
        #expect(try ClusteringColumns.of(s) == ["x"])
        // Legacy writer 2 means appendOnly and invariants; they stay listed at writer version 7.
        #expect(s.protocolAction.minWriterVersion == 7)
        #expect(Set(s.protocolAction.writerFeatures ?? []) == ["appendOnly", "invariants", "clustering", "domainMetadata"])
        let lines = try commitLines(t, 1)
        let info = try #require(action(lines, "commitInfo"))
        #expect(info["operation"]?.stringValue == "CLUSTER BY")
        #expect(info["operationParameters"]?["oldClusteringColumns"]?.stringValue == "")
        #expect(info["operationParameters"]?["newClusteringColumns"]?.stringValue == "x")
        #expect(action(lines, "add") == nil && action(lines, "metaData") == nil)
        #expect(try await dmlContents(t).map(\.0) == [1, 2])
    }

    @Test func clusterByOnAClusteredTableChangesOnlyTheDomain() async throws {
        let (t, _) = try await clusteredTable(["x", "id"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Cluster(table: t, columns: ["region"]).execute()
        #expect(m.oldColumns == ["x", "id"] && m.newColumns == ["region"])
        #expect(try ClusteringColumns.of(s) == ["region"])
        let lines = try commitLines(t, 1)
        #expect(action(lines, "protocol") == nil)
        #expect(action(lines, "commitInfo")?["operationParameters"]?["oldClusteringColumns"]?.stringValue == "x,id")
        #expect(action(lines, "commitInfo")?["operationParameters"]?["newClusteringColumns"]?.stringValue == "region")
    }

    @Test func clusterByNoneKeepsTheTableClusteredByNoColumn() async throws {
        let (t, _) = try await clusteredTable(["x"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Cluster(table: t, columns: []).execute()
        #expect(m.changed && s.version == 1)
        #expect(try ClusteringColumns.of(s) == [])
        #expect(s.domainMetadata["delta.clustering"]?.configuration == #"{"clusteringColumns":[],"domainName":"delta.clustering"}"#)
        #expect(action(try commitLines(t, 1), "commitInfo")?["operationParameters"]?["newClusteringColumns"]?.stringValue == "")
    }

    @Test func clusterByNoneOnATableThatIsNotClusteredCommitsNothing() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        let (s, m) = try await Cluster(table: t, columns: []).execute()
        #expect(!m.changed && s.version == 0)
        #expect(try await t.snapshot().version == 0)
        #expect(try ClusteringColumns.of(s) == nil)
    }

    @Test func aPartitionedTableCannotBeClustered() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]), partitionBy: ["region"])
        defer { dmlCleanup(t) }
        await expectFailure(.invalidRequest, ["partitioned by region", "cannot be clustered"]) { () throws(LakeError) in
            _ = try await Cluster(table: t, columns: ["x"]).execute()
        }
        #expect(try await t.snapshot().version == 0)
    }

    @Test func clusterByAnUnknownColumnCommitsNothing() async throws {
        let (t, _) = try await clusteredTable(["x"])
        defer { dmlCleanup(t) }
        await expectFailure(.invalidRequest, ["nope"]) { () throws(LakeError) in _ = try await Cluster(table: t, columns: ["nope"]).execute() }
        #expect(try await t.snapshot().version == 0)
    }

    @Test func twoConcurrentClusterBysConflictOnTheDomain() async throws {
        let (t, start) = try await clusteredTable(["x"])
        defer { dmlCleanup(t) }
        _ = try await Cluster(table: t, columns: ["id"]).execute()
        await expectFailure(.conflict, ["delta.clustering"]) { () throws(LakeError) in
            _ = try await Cluster(table: t, columns: ["region"]).execute(on: start)
        }
        #expect(try ClusteringColumns.of(try await t.snapshot()) == ["id"])
    }

    @Test func anAppendRacingAClusterByOnAClusteredTableStillCommits() async throws {
        let (t, start) = try await clusteredTable(["x"])
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        let (s, _) = try await Cluster(table: t, columns: ["id"]).execute(on: start)
        #expect(s.version == 2 && s.files.count == 1)
        #expect(try ClusteringColumns.of(s) == ["id"])
    }

    @Test func infoReportsTheClusteringColumns() async throws {
        let (t, _) = try await clusteredTable(["x", "id"])
        defer { dmlCleanup(t) }
        let (_, summary) = try await Info(table: t).execute()
        #expect(summary.clusteringColumns == ["x", "id"])
        #expect(TableDocuments.info(summary).pretty.contains(#""clusteringColumns""#))
    }
}

@Suite struct ClusteringDomainKeptTests {
    @Test func appendsDeletesUpdatesAndMergesKeepTheDomainUntouched() async throws {
        let (t, created) = try await clusteredTable(["x", "id"])
        defer { dmlCleanup(t) }
        let domain = try #require(created.domainMetadata["delta.clustering"])
        _ = try await Write(table: t, data: try dmlRows([1, 2, 3], regions: ["a", "b", "c"], values: [10, 20, 30])).execute()
        _ = try await Delete(table: t, options: .init(predicate: "id = 2")).execute()
        _ = try await Update(table: t, options: .init(set: [("x", "x + 1")], predicate: "id = 3")).execute()
        _ = try await Merge(table: t, source: .frame(try dmlRows([1, 4], regions: ["z", "y"], values: [5, 40])), on: "target.id = source.id").execute()
        let s = try await t.snapshot()
        #expect(s.version == 4)
        #expect(s.domainMetadata["delta.clustering"] == domain)
        #expect(try ClusteringColumns.of(s) == ["x", "id"])
        #expect(ClusteringColumns.isClustered(s.protocolAction))
        // Only the create commit writes the domain: later commits neither repeat nor remove it.
        for v in Int64(1)...4 { #expect(action(try commitLines(t, v), "domainMetadata") == nil) }
        #expect(try await dmlContents(t).map { "\($0.0):\($0.2 ?? -1)" } == ["1:5", "3:31", "4:40"])
    }

    @Test func restoreBringsBackTheOldVersionsClusteringColumns() async throws {
        let (t, _) = try await clusteredTable(["x"])
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        _ = try await Cluster(table: t, columns: ["region", "id"]).execute()
        let (s, _) = try await Restore(table: t, to: .version(1)).execute()
        #expect(s.version == 3)
        #expect(try ClusteringColumns.of(s) == ["x"])
        #expect(domainsOf(try commitLines(t, 3)) == [#"{"clusteringColumns":[["x"]],"domainName":"delta.clustering"}"#])
    }

    @Test func restoreToBeforeClusteringLeavesTheTableClusteredByNoColumn() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        _ = try await Cluster(table: t, columns: ["x"]).execute()
        _ = try await Write(table: t, data: try dmlRows([2], regions: ["b"], values: [2])).execute()
        let (s, _) = try await Restore(table: t, to: .version(0)).execute()
        // The protocol is never downgraded, so the table stays clustered, by the columns version 0 had: none.
        #expect(try ClusteringColumns.of(s) == [])
        #expect(try await dmlContents(t).map(\.0) == [1])
    }

    @Test func restoreOfOnlyDataLeavesAnUnchangedDomainAlone() async throws {
        let (t, _) = try await clusteredTable(["x"])
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        _ = try await Write(table: t, data: try dmlRows([2], regions: ["a"], values: [2])).execute()
        _ = try await Restore(table: t, to: .version(1)).execute()
        #expect(domainsOf(try commitLines(t, 3)).isEmpty)
    }

    @Test func aCheckpointKeepsTheDomain() async throws {
        let (t, created) = try await clusteredTable(["region"])
        defer { dmlCleanup(t) }
        let (s, _) = try await Write(table: t, data: try dmlRows([1], regions: ["a"], values: [1])).execute()
        _ = try await CheckpointWriter.write(s)
        let reloaded = try await t.snapshot()
        #expect(reloaded.segment.checkpointVersion == 1)
        #expect(reloaded.domainMetadata["delta.clustering"] == created.domainMetadata["delta.clustering"])
        #expect(try ClusteringColumns.of(reloaded) == ["region"])
    }
}

/// Tables laid out the way Spark writes a clustered table (`CREATE TABLE ... CLUSTER BY`), written by hand.
@Suite struct SparkClusteredTableTests {
    static let schemaString = #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},{"name":"region","type":"string","nullable":true,"metadata":{}},{"name":"x","type":"long","nullable":true,"metadata":{}}]}"#

    /// Spark's version 0 of `CREATE TABLE t (id BIGINT, region STRING, x BIGINT) USING delta CLUSTER BY (x, id)`.
    static func sparkTable(configuration: String = #"{\"clusteringColumns\":[[\"x\"],[\"id\"]],\"domainName\":\"delta.clustering\"}"#, name: String = #function) throws -> DeltaTable {
        let t = try tempTable(name)
        try writeCommit(t, 0, [
            #"{"commitInfo":{"timestamp":1733100000000,"operation":"CREATE TABLE","operationParameters":{"partitionBy":"[]","clusterBy":"[\"x\",\"id\"]","description":null,"isManaged":"true","properties":"{}"},"isolationLevel":"Serializable","isBlindAppend":true,"operationMetrics":{},"engineInfo":"Apache-Spark/3.5.3 Delta-Lake/3.2.1","txnId":"3c0f0b8e-5b1e-4a47-9c39-7f1a3b2a1c11"}}"#,
            #"{"metaData":{"id":"6d1d2b64-3f93-4c1b-a0a1-5a0c0b9e8f10","format":{"provider":"parquet","options":{}},"schemaString":"\#(schemaString.replacingOccurrences(of: "\"", with: "\\\""))","partitionColumns":[],"configuration":{},"createdTime":1733100000000}}"#,
            #"{"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["domainMetadata","clustering","appendOnly","invariants"]}}"#,
            #"{"domainMetadata":{"domain":"delta.clustering","configuration":"\#(configuration)","removed":false}}"#,
        ])
        return t
    }

    @Test func sparksClusteredTableIsReadAppendedToAndItsDomainKept() async throws {
        let t = try Self.sparkTable()
        defer { dmlCleanup(t) }
        let before = try await t.snapshot()
        #expect(try ClusteringColumns.of(before) == ["x", "id"])
        let domain = try #require(before.domainMetadata["delta.clustering"])
        let (s, _) = try await Write(table: t, data: try dmlRows([2, 1], regions: ["b", "a"], values: [20, 10])).execute()
        #expect(s.domainMetadata["delta.clustering"] == domain)
        #expect(Set(s.protocolAction.writerFeatures ?? []) == ["domainMetadata", "clustering", "appendOnly", "invariants"])
        let appended = try commitLines(t, 1)
        #expect(action(appended, "domainMetadata") == nil && action(appended, "protocol") == nil)
        #expect(try await dmlContents(t).map(\.0) == [1, 2])
        let stats = try JSONValue.parse(try #require(s.files.first?.stats))
        #expect(stats["minValues"]?["x"]?.int64Value == 10 && stats["minValues"]?["id"]?.int64Value == 1)
        // A later ALTER TABLE CLUSTER BY records Spark's old column list.
        let (_, m) = try await Cluster(table: t, columns: ["region"]).execute()
        #expect(m.oldColumns == ["x", "id"])
    }

    @Test func sparksColumnMappedClusteredTableResolvesPhysicalNames() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let schema = #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-5f1b9c2a-1d0e-4c55-9a7e-2b6f3e1d8a01"}},{"name":"x","type":"long","nullable":true,"metadata":{"delta.columnMapping.id":2,"delta.columnMapping.physicalName":"col-0a9e8d7c-6b5a-4f3e-2d1c-0b9a8f7e6d02"}}]}"#
        try writeCommit(t, 0, [
            #"{"commitInfo":{"timestamp":1733100000000,"operation":"CREATE TABLE","operationParameters":{"partitionBy":"[]","clusterBy":"[\"x\"]","properties":"{\"delta.columnMapping.mode\":\"name\"}"},"engineInfo":"Apache-Spark/3.5.3 Delta-Lake/3.2.1"}}"#,
            #"{"metaData":{"id":"0b7f3a52-9c1d-4e8f-a2b3-c4d5e6f7a8b9","format":{"provider":"parquet","options":{}},"schemaString":"\#(schema.replacingOccurrences(of: "\"", with: "\\\""))","partitionColumns":[],"configuration":{"delta.columnMapping.mode":"name","delta.columnMapping.maxColumnId":"2"},"createdTime":1733100000000}}"#,
            #"{"protocol":{"minReaderVersion":2,"minWriterVersion":7,"writerFeatures":["columnMapping","domainMetadata","clustering"]}}"#,
            #"{"domainMetadata":{"domain":"delta.clustering","configuration":"{\"clusteringColumns\":[[\"col-0a9e8d7c-6b5a-4f3e-2d1c-0b9a8f7e6d02\"]],\"domainName\":\"delta.clustering\"}","removed":false}}"#,
        ])
        let before = try await t.snapshot()
        #expect(try ClusteringColumns.of(before) == ["x"])
        let rows = try DataFrame([(name: "id", column: try Column(.int64, [.int(1)])), (name: "x", column: try Column(.int64, [.int(7)]))])
        let (s, _) = try await Write(table: t, data: rows).execute()
        #expect(s.domainMetadata == before.domainMetadata)
        let stats = try JSONValue.parse(try #require(s.files.first?.stats))
        #expect(stats["minValues"]?["col-0a9e8d7c-6b5a-4f3e-2d1c-0b9a8f7e6d02"]?.int64Value == 7)
    }

    @Test func theProtocolExamplesPlainStringShapeIsRead() async throws {
        let t = try Self.sparkTable(configuration: #"{\"clusteringColumns\":[\"region\"]}"#)
        defer { dmlCleanup(t) }
        #expect(try ClusteringColumns.of(try await t.snapshot()) == ["region"])
    }

    @Test func aDomainNamingAColumnTheSchemaLacksIsACorruptTable() async throws {
        let t = try Self.sparkTable(configuration: #"{\"clusteringColumns\":[[\"gone\"]]}"#)
        defer { dmlCleanup(t) }
        let s = try await t.snapshot()
        await expectFailure(.corruptTable, ["delta.clustering", "gone", "not in the schema"]) { () throws(LakeError) in _ = try ClusteringColumns.of(s) }
    }

    @Test func aMalformedDomainIsACorruptTable() async throws {
        for (i, config) in [#"{\"clusteringColumns\":\"x\"}"#, #"{\"domainName\":\"delta.clustering\"}"#, #"not json"#, #"{\"clusteringColumns\":[[]]}"#, #"{\"clusteringColumns\":[[1]]}"#].enumerated() {
            let t = try Self.sparkTable(configuration: config, name: "malformed\(i)")
            defer { dmlCleanup(t) }
            let s = try await t.snapshot()
            await expectFailure(.corruptTable, ["delta.clustering", "malformed"]) { () throws(LakeError) in _ = try ClusteringColumns.of(s) }
        }
    }

    @Test func aNestedClusteringColumnIsReportedAsUnsupportedButListedByPath() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let schema = #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},{"name":"user","type":{"type":"struct","fields":[{"name":"city","type":"string","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]}"#
        try writeCommit(t, 0, [
            #"{"metaData":{"id":"1b7f3a52-9c1d-4e8f-a2b3-c4d5e6f7a8b9","format":{"provider":"parquet","options":{}},"schemaString":"\#(schema.replacingOccurrences(of: "\"", with: "\\\""))","partitionColumns":[],"configuration":{},"createdTime":1733100000000}}"#,
            #"{"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["domainMetadata","clustering"]}}"#,
            #"{"domainMetadata":{"domain":"delta.clustering","configuration":"{\"clusteringColumns\":[[\"USER\",\"city\"]]}","removed":false}}"#,
        ])
        let s = try await t.snapshot()
        #expect(try ClusteringColumns.paths(of: s) == [["user", "city"]])
        await expectFailure(.unsupported, ["user.city", "top-level"]) { () throws(LakeError) in _ = try ClusteringColumns.of(s) }
    }

    @Test func aClusteredProtocolWithoutTheDomainIsClusteredByNoColumn() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        try writeCommit(t, 0, [
            #"{"metaData":{"id":"2b7f3a52-9c1d-4e8f-a2b3-c4d5e6f7a8b9","format":{"provider":"parquet","options":{}},"schemaString":"\#(Self.schemaString.replacingOccurrences(of: "\"", with: "\\\""))","partitionColumns":[],"configuration":{},"createdTime":1733100000000}}"#,
            #"{"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["domainMetadata","clustering"]}}"#,
        ])
        #expect(try ClusteringColumns.of(try await t.snapshot()) == [])
    }
}
