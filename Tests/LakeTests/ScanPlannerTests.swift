import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Testing
@testable import Lake

/// The scan planner is a pure function of a snapshot and a request: these snapshots are replayed from
/// hand-written actions, and no data file exists.
@Suite struct ScanPlannerTests {
    static func snapshot(files: [AddFile], partitionBy: [String] = ["p"]) throws -> Snapshot {
        let schema = Schema([Field("id", .int64), Field("name", .string), Field("p", .string)])
        let meta = Metadata(id: "t", schemaString: try DeltaSchema.serialize(schema), partitionColumns: partitionBy, configuration: [:], createdTime: 0)
        let commit: [Action] = [.protocol(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2)), .metadata(meta)] + files.map { .add($0) }
        let state = try LogReplay.replay(commits: [commit])
        let segment = LogSegment(version: 0, checkpointVersion: nil, checkpointFiles: [], commits: [], available: 0...0)
        return try Snapshot(store: LocalStore(root: "/nonexistent-lake-planner"), segment: segment, state: state, timestamp: 0)
    }

    static func file(_ path: String, p: String?, min: Int64, max: Int64) -> AddFile {
        AddFile(path: path, partitionValues: ["p": p], size: 10, modificationTime: 0, dataChange: true,
                stats: "{\"numRecords\":5,\"minValues\":{\"id\":\(min)},\"maxValues\":{\"id\":\(max)},\"nullCount\":{\"id\":0}}")
    }

    static let files = [
        file("p=a/f3.parquet", p: "a", min: 0, max: 9),
        file("p=a/f1.parquet", p: "a", min: 10, max: 19),
        file("p=b/f2.parquet", p: "b", min: 0, max: 9),
        file("p=__HIVE_DEFAULT_PARTITION__/f4.parquet", p: nil, min: 100, max: 200),
    ]

    @Test func noPredicateKeepsEveryFileInPathOrder() throws {
        let plan = try ScanPlanner.plan(try Self.snapshot(files: Self.files), ScanRequest())
        #expect(plan.files.map(\.path) == ["p=__HIVE_DEFAULT_PARTITION__/f4.parquet", "p=a/f1.parquet", "p=a/f3.parquet", "p=b/f2.parquet"])
        #expect(plan.filesTotal == 4 && plan.filesPrunedByPartition == 0 && plan.filesSkippedByStats == 0)
        #expect(plan.outputSchema.names == ["id", "name", "p"] && plan.readSchema.names == ["id", "name", "p"])
        #expect(plan.residual == nil)
    }

    @Test func partitionPruningThenStatsSkipping() throws {
        let plan = try ScanPlanner.plan(try Self.snapshot(files: Self.files), ScanRequest(predicate: try Expr.parse("p = 'a' AND id >= 10")))
        #expect(plan.files.map(\.path) == ["p=a/f1.parquet"])
        #expect(plan.filesPrunedByPartition == 2 && plan.filesSkippedByStats == 1)
        #expect(plan.residual != nil)
    }

    @Test func nullPartitionIsSelectedByIsNull() throws {
        let plan = try ScanPlanner.plan(try Self.snapshot(files: Self.files), ScanRequest(predicate: try Expr.parse("p IS NULL")))
        #expect(plan.files.map(\.path) == ["p=__HIVE_DEFAULT_PARTITION__/f4.parquet"])
    }

    @Test func projectionReadsThePredicateColumnsToo() throws {
        let plan = try ScanPlanner.plan(try Self.snapshot(files: Self.files), ScanRequest(columns: ["NAME"], predicate: try Expr.parse("id > 5")))
        #expect(plan.outputSchema.names == ["name"])
        #expect(plan.readSchema.names == ["id", "name"])
    }

    @Test func unknownColumnsAreBadRequests() throws {
        let s = try Self.snapshot(files: Self.files)
        #expect(throws: LakeError.self) { try ScanPlanner.plan(s, ScanRequest(columns: ["nope"])) }
        do {
            _ = try ScanPlanner.plan(s, ScanRequest(predicate: try Expr.parse("missing = 1")))
            Issue.record("expected an error")
        } catch let e as LakeError {
            #expect(e.kind == .invalidRequest && e.exitCode == 2 && e.message.contains("missing"))
        }
    }

    @Test func filesWithoutStatsAreKept() throws {
        var noStats = Self.file("p=a/x.parquet", p: "a", min: 0, max: 0)
        noStats.stats = nil
        let plan = try ScanPlanner.plan(try Self.snapshot(files: [noStats]), ScanRequest(predicate: try Expr.parse("id = 12345")))
        #expect(plan.files.count == 1)
    }
}
