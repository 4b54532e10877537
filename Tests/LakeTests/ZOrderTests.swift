import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

/// `optimize --zorder`: checked against a Z-value computed here bit by bit from the column values (not
/// through lake's key code), so a wrong interleave, sort, cut or tag shows.
@Suite struct ZOrderTests {
    /// Rows (id, x, y, s, region): x and y pseudo-random in 0..<1000 from `seed`, s a short string.
    static func rows(_ n: Int, seed: UInt64, firstID: Int64 = 0, xRange: Range<Int64> = 0..<1000, region: String = "EU") throws -> DataFrame {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func next(_ r: Range<Int64>) -> Int64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return r.lowerBound + Int64((state >> 33) % UInt64(r.upperBound - r.lowerBound))
        }
        var ids: [Scalar] = [], xs: [Scalar] = [], ys: [Scalar] = [], ss: [Scalar] = [], regions: [Scalar] = []
        for i in 0..<n {
            ids.append(.int(firstID + Int64(i)))
            xs.append(.int(next(xRange)))
            ys.append(.int(next(0..<1000)))
            ss.append(.string("s\(next(0..<100_000))"))
            regions.append(.string(region))
        }
        return try DataFrame([
            (name: "id", column: try Column(.int64, ids)), (name: "x", column: try Column(.int64, xs)),
            (name: "y", column: try Column(.int64, ys)), (name: "s", column: try Column(.string, ss)),
            (name: "region", column: try Column(.string, regions)),
        ])
    }

    /// A table of `batches` appends of `each` rows (one file each).
    static func table(batches: Int, each: Int, partitionBy: [String] = [], properties: [String: String] = [:], name: String = #function) async throws -> DeltaTable {
        let t = try tempTable(name)
        for b in 0..<batches {
            var o = Write.Options()
            o.partitionBy = partitionBy
            o.properties = properties
            let region = partitionBy.isEmpty ? "EU" : (b % 2 == 0 ? "EU" : "US")
            _ = try await Write(table: t, data: .frame(try rows(each, seed: UInt64(b + 1), firstID: Int64(b * each), region: region)), options: o).execute()
        }
        return t
    }

    /// The Z-value of (x, y) written out bit by bit: bit `level` of x, then of y, from bit 63 down, of the
    /// values with their sign bit flipped.
    static func referenceZ(_ x: Int64, _ y: Int64) -> [UInt64] {
        let keys = [UInt64(bitPattern: x) ^ (1 << 63), UInt64(bitPattern: y) ^ (1 << 63)]
        var out: [UInt64] = [0, 0]
        var p = 0
        for level in stride(from: 63, through: 0, by: -1) {
            for k in keys {
                if (k >> UInt64(level)) & 1 == 1 { out[p / 64] |= 1 << UInt64(63 - p % 64) }
                p += 1
            }
        }
        return out
    }

    static func hex(_ z: [UInt64]) -> String {
        z.map { w in let d = String(w, radix: 16); return String(repeating: "0", count: 16 - d.count) + d }.joined()
    }

    /// Each file's reference Z-values in the order its rows are stored.
    static func fileZ(_ t: DeltaTable, _ s: Snapshot, _ add: AddFile) async throws -> [[UInt64]] {
        let rows = try await DataFileReader(table: t, snapshot: s).read(add, schema: s.schema).frame
        return try (0..<rows.rowCount).map { i in
            guard case let .int(x) = try rows.value("x", row: i), case let .int(y) = try rows.value("y", row: i) else { throw LakeError(.failed, "null x or y") }
            return referenceZ(x, y)
        }
    }

    /// Every file's rows are sorted by the reference Z-value, its tags give its first and last one, and the
    /// files' ranges do not overlap (they may share a boundary value).
    static func expectClustered(_ t: DeltaTable, _ s: Snapshot, files: [AddFile]) async throws {
        var ranges: [(lo: [UInt64], hi: [UInt64])] = []
        for add in files {
            let z = try await fileZ(t, s, add)
            guard let first = z.first, let last = z.last else { Issue.record("\(add.path) is empty"); continue }
            for i in 1..<max(1, z.count) where z[i - 1].lexicographicallyPrecedes(z[i]) == false && z[i - 1] != z[i] {
                Issue.record("\(add.path): row \(i) is out of Z-order")
                break
            }
            #expect(add.tags?["lake.zOrderMin"] == hex(first) && add.tags?["lake.zOrderMax"] == hex(last), "\(add.path) tags")
            #expect(add.tags?["ZCUBE_ZORDER_BY"] == "[\"x\",\"y\"]" && add.tags?["ZCUBE_ID"] != nil)
            ranges.append((first, last))
        }
        ranges.sort { $0.lo.lexicographicallyPrecedes($1.lo) }
        for i in ranges.indices.dropFirst() {
            // Rows of equal Z-value may end one file and start the next: ranges touch at most.
            #expect(!ranges[i].lo.lexicographicallyPrecedes(ranges[i - 1].hi), "files \(i - 1) and \(i) overlap in Z-values")
        }
    }

    /// (id, x, y, s) of every row, sorted by id.
    static func contents(_ t: DeltaTable) async throws -> [String] {
        let (_, rows, _) = try await Scan(table: t).execute()
        return try (0..<rows.rowCount).map { i in
            "\(try rows.value("id", row: i)) \(try rows.value("x", row: i)) \(try rows.value("y", row: i)) \(try rows.value("s", row: i))"
        }.sorted()
    }

    @Test func zOrderSortsEveryFileAndKeepsTheirRangesApart() async throws {
        let t = try await Self.table(batches: 6, each: 2_000)
        defer { dmlCleanup(t) }
        let before = try await Self.contents(t)
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 16 << 10, zOrderBy: ["X", "y"])).execute()
        #expect(m.commits == 1 && m.numFilesRemoved == 6 && m.numFilesAdded == s.files.count && s.files.count > 4)
        #expect(!m.preserveInsertionOrder)
        #expect(try await Self.contents(t) == before)
        try await Self.expectClustered(t, s, files: s.files)
        let info = try OptimizeTests.commitInfo(t, s.version)
        #expect(info["operation"] as? String == "OPTIMIZE")
        #expect((info["operationParameters"] as? [String: Any])?["zOrderBy"] as? String == "[\"x\",\"y\"]")
        #expect(try OptimizeTests.fileActions(t, s.version).allSatisfy { $0.2 == false })
    }

    @Test func aPredicateOnBothColumnsSkipsMostFilesAfterTheZOrder() async throws {
        let t = try await Self.table(batches: 8, each: 2_000)
        defer { dmlCleanup(t) }
        let text = "x BETWEEN 100 AND 200 AND y BETWEEN 300 AND 400"
        let request = ScanRequest(predicate: try Expr.parse(text))
        let beforePlan = try ScanPlanner.plan(try await t.snapshot(), request)
        #expect(beforePlan.files.count == 8)
        let (s, _) = try await Optimize(table: t, options: .init(targetSize: 8 << 10, zOrderBy: ["x", "y"])).execute()
        let plan = try ScanPlanner.plan(s, request)
        #expect(s.files.count >= 16)
        #expect(plan.files.count * 4 <= s.files.count, "read \(plan.files.count) of \(s.files.count) files")
        // The skipping is sound: every matching row is in a file kept.
        var scan = Scan.Options()
        scan.predicate = text
        let (_, matching, _) = try await Scan(table: t, options: scan).execute()
        let (_, all, _) = try await Scan(table: t).execute()
        var expected = 0
        for i in 0..<all.rowCount {
            if case let .int(x) = try all.value("x", row: i), case let .int(y) = try all.value("y", row: i), (100...200).contains(x), (300...400).contains(y) { expected += 1 }
        }
        #expect(matching.rowCount == expected && expected > 0)
    }

    @Test func aSecondRunRewritesNothing() async throws {
        let t = try await Self.table(batches: 3, each: 1_000)
        defer { dmlCleanup(t) }
        let (s1, _) = try await Optimize(table: t, options: .init(targetSize: 16 << 10, zOrderBy: ["x", "y"])).execute()
        let (s2, m2) = try await Optimize(table: t, options: .init(targetSize: 16 << 10, zOrderBy: ["x", "y"])).execute()
        #expect(s2.version == s1.version && m2.commits == 0 && m2.numFilesRemoved == 0)
        #expect(m2.totalConsideredFiles == s1.files.count && m2.totalFilesSkipped == s1.files.count)
    }

    @Test func otherColumnsReclusterTheFiles() async throws {
        let t = try await Self.table(batches: 2, each: 1_000)
        defer { dmlCleanup(t) }
        let (s1, _) = try await Optimize(table: t, options: .init(targetSize: 16 << 10, zOrderBy: ["x", "y"])).execute()
        let (s2, m2) = try await Optimize(table: t, options: .init(targetSize: 16 << 10, zOrderBy: ["y"])).execute()
        #expect(s2.version == s1.version + 1 && m2.numFilesRemoved == s1.files.count)
        #expect(s2.files.allSatisfy { $0.tags?["ZCUBE_ZORDER_BY"] == "[\"y\"]" })
    }

    @Test func afterAnAppendOnlyTheNewFileAndTheClusteredFilesItsRowsFallInAreRewritten() async throws {
        let t = try await Self.table(batches: 6, each: 2_000)
        defer { dmlCleanup(t) }
        let (s1, _) = try await Optimize(table: t, options: .init(targetSize: 8 << 10, zOrderBy: ["x", "y"])).execute()
        // New rows in a narrow band of x.
        let extra = try Self.rows(300, seed: 99, firstID: 1_000_000, xRange: 0..<40)
        let (s2, _) = try await Write(table: t, data: .frame(extra), options: Write.Options()).execute()
        guard let newFile = s2.files.first(where: { add in !s1.files.contains { $0.path == add.path } }) else { Issue.record("no new file"); return }
        let newZ = try await Self.fileZ(t, s2, newFile)
        // The clustered files a new row falls into, by the reference Z-values of their own rows.
        var expectedRewritten: Set<String> = [newFile.path]
        for add in s1.files {
            let z = try await Self.fileZ(t, s1, add)
            guard let lo = z.first, let hi = z.last else { continue }
            if newZ.contains(where: { !$0.lexicographicallyPrecedes(lo) && !hi.lexicographicallyPrecedes($0) }) { expectedRewritten.insert(add.path) }
        }
        #expect(expectedRewritten.count < s1.files.count / 2, "the band should hit few files")
        let before = try await Self.contents(t)
        let (s3, m3) = try await Optimize(table: t, options: .init(targetSize: 8 << 10, zOrderBy: ["x", "y"])).execute()
        let removed = Set(try OptimizeTests.fileActions(t, s3.version).filter { $0.0 == "remove" }.map(\.1))
        #expect(removed == expectedRewritten && m3.numFilesRemoved == expectedRewritten.count)
        #expect(try await Self.contents(t) == before)
        try await Self.expectClustered(t, s3, files: s3.files)
    }

    @Test func eachPartitionIsClusteredOnItsOwnAndOnlyPartitionsWithNewFiles() async throws {
        let t = try await Self.table(batches: 4, each: 1_000, partitionBy: ["region"])
        defer { dmlCleanup(t) }
        let (s1, m1) = try await Optimize(table: t, options: .init(targetSize: 16 << 10, zOrderBy: ["x", "y"])).execute()
        #expect(m1.partitionsOptimized == 2)
        for region in ["EU", "US"] {
            try await Self.expectClustered(t, s1, files: s1.files.filter { $0.partitionValues["region"] == region })
        }
        var o = Write.Options()
        o.partitionBy = ["region"]
        _ = try await Write(table: t, data: .frame(try Self.rows(50, seed: 5, firstID: 50_000, region: "US")), options: o).execute()
        let (s3, m3) = try await Optimize(table: t, options: .init(targetSize: 16 << 10, zOrderBy: ["x", "y"])).execute()
        #expect(m3.partitionsOptimized == 1)
        let removed = try OptimizeTests.fileActions(t, s3.version).filter { $0.0 == "remove" }.map(\.1)
        #expect(!removed.isEmpty && removed.allSatisfy { $0.hasPrefix("region=US/") })
    }

    @Test func rowsDeletedThroughDeletionVectorsStayDeleted() async throws {
        let t = try await Self.table(batches: 3, each: 500, properties: ["delta.enableDeletionVectors": "true"])
        defer { dmlCleanup(t) }
        _ = try await Delete(table: t, options: .init(predicate: "id % 7 = 0")).execute()
        let before = try await Self.contents(t)
        #expect(try await t.snapshot().files.contains { $0.deletionVector != nil })
        let (s, _) = try await Optimize(table: t, options: .init(zOrderBy: ["x", "y"])).execute()
        #expect(s.files.allSatisfy { $0.deletionVector == nil })
        #expect(try await Self.contents(t) == before)
    }

    @Test(arguments: ["region", "nope", "x,x"])
    func badColumnsAreRefusedAndNothingIsCommitted(columns: String) async throws {
        let t = try await Self.table(batches: 2, each: 100, partitionBy: ["region"])
        defer { dmlCleanup(t) }
        let version = try await t.snapshot().version
        do {
            _ = try await Optimize(table: t, options: .init(zOrderBy: columns.split(separator: ",").map(String.init))).execute()
            Issue.record("expected \(columns) to be refused")
        } catch {
            #expect(error.kind == .invalidRequest)
        }
        #expect(try await t.snapshot().version == version)
    }

    @Test func aPartitionLargerThanTheMemoryLimitIsSortedInSpilledRanges() async throws {
        let t = try await Self.table(batches: 4, each: 15_000)
        defer { dmlCleanup(t) }
        let s = try await t.snapshot()
        let before = try await Self.contents(t)
        let cube = "spill-test-\(RandomUUID.make())"
        let rewrite = ZOrderRewrite(table: t, snapshot: s, columns: ["x", "y"], targetSize: 64 << 10, memoryLimit: 1 << 20, cubeID: cube)
        let result = try await rewrite.run(new: s.files, clustered: [])
        #expect(result.ranges >= 3, "ranges \(result.ranges)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/lake-zorder-" + cube), "the scratch directory is removed")
        let (after, m) = try await Optimize(table: t, options: .init(targetSize: 64 << 10, zOrderBy: ["x", "y"], memoryLimit: 1 << 20)).execute()
        #expect(m.numFilesRemoved == 4)
        #expect(try await Self.contents(t) == before)
        // Range boundaries cut files too, so ranges stay apart as well as the files inside each.
        try await Self.expectClustered(t, after, files: after.files)
    }

    @Test(arguments: [1, 2, 3])
    func theMultiCoreSortEqualsTheReferenceOrder(width: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let n = 200_000
        // Few distinct leading words, so ties on the first two words occur and are broken by the rest.
        let words = (0..<(n * width)).map { i -> UInt64 in i % width < 2 ? UInt64.random(in: 0..<4, using: &rng) : UInt64.random(in: 0...UInt64.max, using: &rng) }
        let z = ZValues(width: width, words: words)
        let expected = ZOrderKeys.order(words, width: width, rows: n)
        #expect(z.sortedOrder(threads: 2).map { Int($0) } == expected)
        #expect(z.sortedOrder(threads: 1).map { Int($0) } == expected)
    }

    @Test func filesAreCutBeforeTheRangeOfAClusteredFileLeftAlone() {
        let z = ZValues(width: 1, words: (0..<100).map { UInt64($0) })
        let order = (0..<UInt32(100)).map { $0 }
        let slices = ZOrderRewrite.slices(z, order: order, cuts: [ZValue(words: [30]), ZValue(words: [31]), ZValue(words: [75])], rowsPerFile: 40)
        #expect(slices == [0..<30, 30..<31, 31..<71, 71..<75, 75..<100])
    }

    @Test func zValuesRoundTripThroughTheirHexTags() {
        let z = ZValue(words: [0, .max, 0x0123_4567_89ab_cdef])
        #expect(z.hex == "0000000000000000ffffffffffffffff0123456789abcdef")
        #expect(ZValue(hex: z.hex, width: 3) == z)
        #expect(ZValue(hex: z.hex, width: 2) == nil && ZValue(hex: "zz", width: 1) == nil)
    }

    /// A liquid-clustered table (CLUSTER BY x, y) with `batches` appends of `each` rows.
    static func clusteredTable(batches: Int, each: Int, name: String = #function) async throws -> DeltaTable {
        let t = try tempTable(name)
        let schema = Schema([Field("id", .int64), Field("x", .int64), Field("y", .int64), Field("s", .string), Field("region", .string)])
        _ = try await CreateTable(table: t, options: .init(schema: schema, clusterBy: ["x", "y"])).execute()
        for b in 0..<batches {
            _ = try await Write(table: t, data: .frame(try rows(each, seed: UInt64(b + 1), firstID: Int64(b * each))), options: Write.Options()).execute()
        }
        return t
    }

    @Test func optimizeOnALiquidClusteredTableClustersByItsColumnsIncrementally() async throws {
        let t = try await Self.clusteredTable(batches: 4, each: 1_000)
        defer { dmlCleanup(t) }
        let before = try await Self.contents(t)
        let (s1, m1) = try await Optimize(table: t, options: .init(targetSize: 16 << 10)).execute()
        #expect(m1.numFilesRemoved == 4 && s1.files.count > 2)
        #expect(s1.files.allSatisfy { $0.clusteringProvider == "liquid" })
        try await Self.expectClustered(t, s1, files: s1.files)
        #expect(try await Self.contents(t) == before)
        let parameters = try OptimizeTests.commitInfo(t, s1.version)["operationParameters"] as? [String: Any]
        #expect(parameters?["clusterBy"] as? String == "[\"x\",\"y\"]" && parameters?["zOrderBy"] as? String == "[]")
        #expect(try ClusteringColumns.of(s1) == ["x", "y"], "the clustering domain is kept")
        // Nothing new: nothing rewritten.
        let (s2, m2) = try await Optimize(table: t).execute()
        #expect(m2.commits == 0 && s2.version == s1.version)
    }

    @Test func zOrderByOnALiquidClusteredTableIsRefused() async throws {
        let t = try await Self.clusteredTable(batches: 1, each: 10)
        defer { dmlCleanup(t) }
        do {
            _ = try await Optimize(table: t, options: .init(zOrderBy: ["y"])).execute()
            Issue.record("expected a refusal")
        } catch {
            #expect(error.kind == .invalidRequest && error.message.contains("liquid clustering"))
        }
    }

    @Test func filesAnotherClusteringProviderWroteAreLeftAlone() async throws {
        let t = try await Self.clusteredTable(batches: 2, each: 200)
        defer { dmlCleanup(t) }
        let s0 = try await t.snapshot()
        var foreign = s0.files[0]
        foreign.clusteringProvider = "some-other-provider"
        foreign.dataChange = false
        _ = try await OperationCommit(table: t, snapshot: s0, operation: .optimize(predicate: nil, zOrderBy: []), read: .wholeTable)
            .commit([.remove(s0.files[0].removal(deletionTimestamp: 1, dataChange: false)), .add(foreign)], metrics: Optimize.Metrics())
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 20)).execute()
        #expect(m.numFilesRemoved == 1 && s.files.contains { $0.path == foreign.path })
    }
}
