import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Parquet
import Synchronization
import Testing
@testable import Lake

/// Data files end to end: the streaming writer (partitions, target size, stats from the Parquet writer), the
/// reader (ranged reads, row index, deletion vectors) and path resolution.
@Suite struct ReadWriteFileTests {
    func table(_ name: String) throws -> DeltaTable {
        try DeltaTable(location: "/tmp/lake-tests-\(RandomUUID.make())/" + name)
    }

    func ids(_ range: Range<Int64>, p: String? = nil) throws -> DataFrame {
        var cols: [(name: String, column: Column)] = [(name: "id", column: try Column(.int64, range.map { .int($0) }))]
        if let p { cols.append((name: "p", column: try Column(.string, range.map { _ in .string(p) }))) }
        return try DataFrame(cols)
    }

    @Test func batchesStreamIntoFilesCutAtTheTargetSize() async throws {
        let t = try table("stream")
        let batches = BatchQueue(try (0..<4).map { try ids(Int64($0) * 1000..<Int64($0 + 1) * 1000) })
        let data = WriteData(schema: try ids(0..<1).schema) { batches.next() }
        var o = Write.Options()
        o.targetFileSize = 6000
        let (s, m) = try await Write(table: t, data: data, options: o).execute()
        #expect(m.numOutputRows == 4000)
        #expect(m.numFiles == s.files.count && m.numFiles > 1)
        let (_, rows, _) = try await Scan(table: t).execute()
        #expect(rows.rowCount == 4000)
        // Stats of every file agree with the rows it holds.
        let reader = DataFileReader(table: t, snapshot: s)
        var total = 0
        for f in s.files {
            let r = try await reader.read(f, schema: s.schema)
            guard case let .int64(v) = r.frame.columns[0].values else { Issue.record("not int64"); continue }
            let stats = try #require(f.stats)
            #expect(stats.contains("\"minValues\":{\"id\":\(v.min()!)}") && stats.contains("\"maxValues\":{\"id\":\(v.max()!)}"))
            #expect(stats.hasPrefix("{\"numRecords\":\(v.count),"))
            total += v.count
        }
        #expect(total == 4000)
    }

    @Test func partitionsGetTheirOwnFilesAcrossBatches() async throws {
        let t = try table("parts")
        let batches = BatchQueue([try ids(0..<10, p: "x"), try ids(10..<20, p: "y"), try ids(20..<30, p: "x")])
        let data = WriteData(schema: try ids(0..<1, p: "x").schema) { batches.next() }
        var o = Write.Options()
        o.partitionBy = ["p"]
        let (s, _) = try await Write(table: t, data: data, options: o).execute()
        #expect(s.files.count == 2)
        var scan = Scan.Options()
        scan.predicate = "p = 'x'"
        let (_, rows, m) = try await Scan(table: t, options: scan).execute()
        #expect(rows.rowCount == 20 && m.filesRead == 1)
    }

    @Test func rowIndexCountsEveryRowOfTheFile() async throws {
        let t = try table("rowindex")
        let (s, _) = try await Write(table: t, data: try ids(0..<50)).execute()
        let r = try await DataFileReader(table: t, snapshot: s).read(s.files[0], schema: s.schema, rowIndex: true)
        #expect(r.rowIndex == Array(0..<50))
        #expect(r.path == s.files[0].path)
        #expect(r.bytesRead > 0 && r.bytesRead <= Int(s.files[0].size))
    }

    @Test func onlyTheNeededColumnChunksAreFetched() async throws {
        let t = try table("ranged")
        let wide = try DataFrame([
            (name: "a", column: try Column(.int64, (0..<20_000).map { .int(Int64($0 % 7)) })),
            (name: "b", column: try Column(.string, (0..<20_000).map { .string("value-\($0 &* 2_654_435_761)-\($0)") })),
        ])
        let (s, _) = try await Write(table: t, data: wide).execute()
        var o = Scan.Options()
        o.columns = ["a"]
        let (_, rows, m) = try await Scan(table: t, options: o).execute()
        #expect(rows.rowCount == 20_000)
        #expect(m.bytesRead < Int(s.files[0].size) / 2)
    }

    @Test func pathsThatEscapeTheTableAreRefused() throws {
        let t = try table("escape")
        #expect(throws: LakeError.self) { try FileResolution.resolve("../other/part.parquet", table: t) }
        #expect(throws: LakeError.self) { try FileResolution.resolve("a/../../x.parquet", table: t) }
        let inside = try FileResolution.resolve("a/b.parquet", table: t)
        #expect(inside.key == "a/b.parquet")
    }

    @Test func absolutePathsInsideTheTableBecomeKeys() throws {
        let t = try table("abs")
        guard case let .local(root)? = t.root else { Issue.record("no root"); return }
        let r = try FileResolution.resolve("file://" + root + "/x%20y/f.parquet", table: t)
        #expect(r.key == "x y/f.parquet")
        let outside = try FileResolution.resolve("/var/data/f.parquet", table: t)
        #expect(outside.key == "f.parquet")
    }
}

/// Batches handed out one at a time, as an input file reader would.
final class BatchQueue: Sendable {
    private let batches: Mutex<[DataFrame]>
    init(_ batches: [DataFrame]) { self.batches = Mutex(batches) }
    func next() -> DataFrame? { batches.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
}
