import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Lake

/// Table operations as one set of scenarios on a local directory and on S3 (moto, when tools/test configured it):
/// write, read, time travel, delete, update, merge, restore, optimize, vacuum and concurrent appends behave alike.
enum TableStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case local
    case s3

    var testDescription: String { rawValue }

    static var s3Bucket: String? {
        var env: [String: String] = [:]
        for name in ["LAKE_TEST_S3_BUCKET", "AWS_ENDPOINT_URL"] {
            if let v = getenvString(name) { env[name] = v }
        }
        guard let bucket = env["LAKE_TEST_S3_BUCKET"], env["AWS_ENDPOINT_URL"] != nil else { return nil }
        return bucket
    }

    static var available: [TableStore] { s3Bucket == nil ? [.local] : [.local, .s3] }

    /// A fresh table location on this store, through the same location parsing the CLI uses.
    func newTable(_ name: String = #function) throws -> DeltaTable {
        let unique = "\(name.filter { $0.isLetter || $0.isNumber })-\(String(UInt64.random(in: .min ... .max), radix: 36))"
        switch self {
        case .local: return try DeltaTable(location: "/tmp/lake-tests-stores/\(unique)")
        case .s3: return try DeltaTable(location: "s3://\(TableStore.s3Bucket ?? "")/lake-tests/tables/\(unique)")
        }
    }

    /// Removes everything under the table root (the directory itself for a local table).
    func cleanUp(_ t: DeltaTable) async {
        if case let .local(root)? = t.root {
            _ = system("rm -rf '\(root)'")
            return
        }
        if let all = try? await t.store.list(prefix: "") { try? await t.store.delete(all.map(\.path)) }
    }
}

func getenvString(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}

private func rows(_ ids: [Int64], region: String = "EU", x: Int64 = 0) throws -> DataFrame {
    try DataFrame([
        (name: "id", column: try Column(.int64, ids.map { .int($0) })),
        (name: "region", column: try Column(.string, ids.map { _ in .string(region) })),
        (name: "x", column: try Column(.int64, ids.map { .int($0 * 10 + x) })),
    ])
}

/// (id, x) of every row at `version`, sorted by id.
private func contents(_ t: DeltaTable, at version: VersionSpec = .latest) async throws -> [[Int64]] {
    var o = Scan.Options()
    o.version = version
    let (_, df, _) = try await Scan(table: t, options: o).execute()
    var out: [[Int64]] = []
    for i in 0 ..< df.rowCount {
        guard case let .int(id) = try df.value("id", row: i), case let .int(x) = try df.value("x", row: i) else {
            Issue.record("null in row \(i)"); continue
        }
        out.append([id, x])
    }
    return out.sorted { $0[0] < $1[0] }
}

@Suite struct TableOnStoresTests {
    @Test(arguments: TableStore.available)
    func writeReadAndTimeTravel(store: TableStore) async throws {
        let t = try store.newTable()
        _ = try await Write(table: t, data: try rows([1, 2])).execute()
        _ = try await Write(table: t, data: try rows([3])).execute()
        #expect(try await contents(t) == [[1, 10], [2, 20], [3, 30]])
        #expect(try await contents(t, at: .version(0)) == [[1, 10], [2, 20]])
        #expect(try await t.snapshot().version == 1)
        await store.cleanUp(t)
    }

    @Test(arguments: TableStore.available)
    func deleteAndUpdateRewriteFiles(store: TableStore) async throws {
        let t = try store.newTable()
        _ = try await Write(table: t, data: try rows([1, 2, 3, 4])).execute()
        _ = try await Delete(table: t, options: .init(predicate: "id = 2")).execute()
        _ = try await Update(table: t, options: .init(set: [(column: "x", expression: "x + 1")], predicate: "id > 2")).execute()
        #expect(try await contents(t) == [[1, 10], [3, 31], [4, 41]])
        await store.cleanUp(t)
    }

    @Test(arguments: TableStore.available)
    func mergeUpsertsAndRestoreGoesBack(store: TableStore) async throws {
        let t = try store.newTable()
        _ = try await Write(table: t, data: try rows([1, 2])).execute()
        _ = try await Merge(table: t, source: .frame(try rows([2, 5], x: 7)), on: "target.id = source.id").execute()
        #expect(try await contents(t) == [[1, 10], [2, 27], [5, 57]])
        _ = try await Restore(table: t, to: .version(0)).execute()
        #expect(try await contents(t) == [[1, 10], [2, 20]])
        #expect(try await t.snapshot().version == 2)
        await store.cleanUp(t)
    }

    @Test(arguments: TableStore.available)
    func optimizeCompactsAndVacuumDeletesUnreferencedFiles(store: TableStore) async throws {
        let t = try store.newTable()
        for i in 0 ..< 4 { _ = try await Write(table: t, data: try rows([Int64(i)])).execute() }
        let (compacted, _) = try await Optimize(table: t).execute()
        #expect(compacted.files.count == 1)
        var o = Vacuum.Options()
        o.retentionMillis = 0
        o.force = true
        _ = try await Vacuum(table: t, options: o).execute()
        let data = try await t.store.list(prefix: "").map(\.path).filter { !$0.hasPrefix("_delta_log/") }
        #expect(data == compacted.files.map(\.path))
        #expect(try await contents(t) == [[0, 0], [1, 10], [2, 20], [3, 30]])
        await store.cleanUp(t)
    }

    @Test(arguments: TableStore.available)
    func zOrderClustersIncrementallyAndScd2ClosesChangedRows(store: TableStore) async throws {
        let t = try store.newTable()
        for i in 0 ..< 3 { _ = try await Write(table: t, data: try rows((0 ..< 50).map { Int64($0 * 3 + i) })).execute() }
        let (clustered, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 10, zOrderBy: ["x", "id"])).execute()
        #expect(m.numFilesRemoved == 3 && clustered.files.allSatisfy { $0.tags?["ZCUBE_ZORDER_BY"] == "[\"x\",\"id\"]" })
        let (again, m2) = try await Optimize(table: t, options: .init(targetSize: 1 << 10, zOrderBy: ["x", "id"])).execute()
        #expect(m2.commits == 0 && again.version == clustered.version)
        #expect(try await contents(t) == (0 ..< 150).map { [Int64($0), Int64($0) * 10] })

        let dim = try store.newTable("dimension")
        let source = { (x: Int64) throws -> DataFrame in try rows([1, 2], x: x) }
        _ = try await SCD2(table: dim, source: .frame(try source(0)), options: .init(keys: ["id"], effective: .at(1_700_000_000_000))).execute()
        _ = try await SCD2(table: dim, source: .frame(try source(5)), options: .init(keys: ["id"], effective: .at(1_700_000_100_000))).execute()
        let (_, all, _) = try await Scan(table: dim).execute()
        #expect(all.rowCount == 4, "two closed rows and two current ones")
        await store.cleanUp(t)
        await store.cleanUp(dim)
    }

    @Test(arguments: TableStore.available)
    func concurrentAppendsCommitEachOnceWithContiguousVersions(store: TableStore) async throws {
        let t = try store.newTable()
        _ = try await Write(table: t, data: try rows([0])).execute()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 1 ... 6 { group.addTask { _ = try await Write(table: t, data: try rows([Int64(w)])).execute() } }
            try await group.waitForAll()
        }
        let log = try await t.store.list(prefix: "_delta_log/").map(\.path).filter { $0.hasSuffix(".json") }
        #expect(log == (0 ... 6).map { "_delta_log/" + String(repeating: "0", count: 20 - String($0).count) + String($0) + ".json" })
        #expect(try await contents(t).map { $0[0] } == [0, 1, 2, 3, 4, 5, 6])
        await store.cleanUp(t)
    }
}
