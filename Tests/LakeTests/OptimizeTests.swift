import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

@Suite struct OptimizeTests {
    /// ids 1...n, regions cycling through `regions`, x = id * 10, one data file per row.
    static func smallFiles(_ n: Int, regions: [String] = ["EU", "US"], properties: [String: String] = [:], name: String = #function) async throws -> (DeltaTable, Snapshot) {
        let ids = (1...Int64(n)).map { $0 }
        let rows = try dmlRows(ids, regions: ids.map { regions[Int($0) % regions.count] }, values: ids.map { $0 * 10 })
        let t = try tempTable(name)
        var o = Write.Options()
        o.partitionBy = ["region"]
        o.properties = properties
        o.targetFileSize = 1
        let (s, _) = try await Write(table: t, data: rows, options: o).execute()
        return (t, s)
    }

    /// The file actions of commit `version`: (kind, path, dataChange).
    static func fileActions(_ t: DeltaTable, _ version: Int64) throws -> [(String, String, Bool?)] {
        try commitActions(t, version).compactMap { action in
            for kind in ["add", "remove"] {
                if let a = action[kind] as? [String: Any] { return (kind, a["path"] as? String ?? "", a["dataChange"] as? Bool) }
            }
            return nil
        }
    }

    static func commitInfo(_ t: DeltaTable, _ version: Int64) throws -> [String: Any] {
        try commitActions(t, version).compactMap { $0["commitInfo"] as? [String: Any] }.first ?? [:]
    }

    @Test func smallFilesOfEachPartitionBecomeOneFileWithDataChangeFalse() async throws {
        let (t, start) = try await Self.smallFiles(6)
        defer { dmlCleanup(t) }
        #expect(start.files.count == 6)
        let before = try await dmlContents(t)
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 20)).execute()
        #expect(s.version == start.version + 1 && m.commits == 1)
        #expect(s.files.count == 2)
        #expect(Set(s.files.map { $0.partitionValues["region"] ?? nil }) == ["EU", "US"])
        #expect(try await dmlContents(t).map { "\($0)" } == before.map { "\($0)" })
        let actions = try Self.fileActions(t, s.version)
        #expect(actions.filter { $0.0 == "remove" }.count == 6 && actions.filter { $0.0 == "add" }.count == 2)
        #expect(actions.allSatisfy { $0.2 == false })
        #expect(Set(actions.filter { $0.0 == "remove" }.map(\.1)) == Set(start.files.map(\.path)))
        let info = try Self.commitInfo(t, s.version)
        #expect(info["operation"] as? String == "OPTIMIZE")
        let metrics = info["operationMetrics"] as? [String: Any] ?? [:]
        #expect(metrics["numFilesRemoved"] as? String == "6" && metrics["numFilesAdded"] as? String == "2")
        #expect(metrics["partitionsOptimized"] as? String == "2" && metrics["totalConsideredFiles"] as? String == "6")
        let removedStats = try JSONSerialization.jsonObject(with: Data((metrics["filesRemoved"] as? String ?? "").utf8)) as? [String: Any]
        #expect(removedStats?["totalFiles"] as? Int == 6)
        #expect(removedStats?["totalSize"] as? Int == Int(start.files.reduce(0) { $0 + $1.size }))
        #expect(m.numAddedBytes == s.files.reduce(0) { $0 + $1.size })
    }

    @Test func filesAtTargetSizeAndLoneSmallFilesAreLeftAlone() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        let bigIds = (1...2000).map { Int64($0) }
        _ = try await Write(table: t, data: try dmlRows(bigIds, regions: bigIds.map { _ in "EU" }, values: bigIds), options: o).execute()
        let big = try #require(try await t.snapshot().files.first)
        // Two small EU files and one small US file.
        _ = try await Write(table: t, data: try dmlRows([3001, 3002], regions: ["EU", "US"], values: [1, 2]), options: o).execute()
        let (start, _) = try await Write(table: t, data: try dmlRows([3003], regions: ["EU"], values: [3]), options: o).execute()
        let before = try await dmlContents(t)
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: Int(big.size))).execute()
        #expect(m.numFilesRemoved == 2 && m.numFilesAdded == 1 && m.partitionsOptimized == 1)
        #expect(m.totalConsideredFiles == 4 && m.totalFilesSkipped == 2)
        let removed = Set(try Self.fileActions(t, s.version).filter { $0.0 == "remove" }.map(\.1))
        let kept = start.files.filter { !removed.contains($0.path) }.map { $0.partitionValues["region"] ?? nil }
        #expect(Set(kept) == ["EU", "US"] && !removed.contains(big.path))
        #expect(try await dmlContents(t).map { "\($0)" } == before.map { "\($0)" })
    }

    @Test func aSecondRunCommitsNothing() async throws {
        let (t, _) = try await Self.smallFiles(40)
        defer { dmlCleanup(t) }
        let one = try #require(try await t.snapshot().files.first)
        // A target of a few input files: the partitions are compacted into several files.
        let target = Int(one.size) * 5
        let (s1, m1) = try await Optimize(table: t, options: .init(targetSize: target)).execute()
        #expect(m1.numFilesRemoved == 40 && m1.numFilesAdded >= 2)
        let (s2, m2) = try await Optimize(table: t, options: .init(targetSize: target)).execute()
        #expect(m2.commits == 0 && s2.version == s1.version && m2.numFilesRemoved == 0)
        #expect(m2.totalFilesSkipped == s1.files.count)
    }

    @Test func rowsDeletedThroughDeletionVectorsStayDeleted() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.properties = ["delta.enableDeletionVectors": "true"]
        _ = try await Write(table: t, data: try dmlRows([1, 2, 3, 4], regions: ["EU", "EU", "EU", "EU"], values: [10, 20, 30, 40]), options: o).execute()
        _ = try await Write(table: t, data: try dmlRows([5, 6], regions: ["US", "US"], values: [50, 60]), options: o).execute()
        _ = try await Delete(table: t, options: .init(predicate: "id = 2 OR id = 6")).execute()
        let start = try await t.snapshot()
        #expect(start.files.filter { $0.deletionVector != nil }.count == 2)
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 20)).execute()
        #expect(m.numFilesRemoved == 2 && s.files.count == 1)
        #expect(s.files.allSatisfy { $0.deletionVector == nil })
        #expect(s.files.first?.statsNumRecords == 4)
        #expect(try await dmlContents(t).map(\.0) == [1, 3, 4, 5])
        let removes = try commitActions(t, s.version).compactMap { $0["remove"] as? [String: Any] }
        #expect(removes.filter { $0["deletionVector"] != nil }.count == 2)
    }

    @Test func whereLimitsTheCompactionToThePartitionsItSelects() async throws {
        let (t, start) = try await Self.smallFiles(6, regions: ["EU", "US", "ASIA"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 20, predicate: "region IN ('EU', 'ASIA')")).execute()
        #expect(m.partitionsOptimized == 2 && m.numFilesRemoved == 4 && m.totalConsideredFiles == 4)
        let us = { (files: [AddFile]) in files.filter { $0.partitionValues["region"] == .some("US") }.map(\.path).sorted() }
        #expect(us(s.files) == us(start.files) && us(s.files).count == 2)
        #expect(s.files.count == 4)
        let info = try Self.commitInfo(t, s.version)
        #expect((info["operationParameters"] as? [String: Any])?["predicate"] as? String == "[\"region IN ('EU', 'ASIA')\"]")
    }

    @Test func whereOnADataColumnIsRefusedAndCommitsNothing() async throws {
        let (t, start) = try await Self.smallFiles(4)
        defer { dmlCleanup(t) }
        do {
            _ = try await Optimize(table: t, options: .init(predicate: "region = 'EU' AND x > 10")).execute()
            Issue.record("expected a request error")
        } catch {
            #expect(error.kind == .invalidRequest)
            #expect(error.message.contains("only partition columns") && error.message.contains("x"))
        }
        #expect(try await t.snapshot().version == start.version)
    }

    @Test func aBlindAppendCommittedMeanwhileIsKept() async throws {
        let (t, start) = try await Self.smallFiles(6)
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.partitionBy = ["region"]
        _ = try await Write(table: t, data: try dmlRows([100, 101], regions: ["EU", "US"], values: [1, 2]), options: o).execute()
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 20)).execute(on: start)
        #expect(m.commits == 1 && s.version == start.version + 2)
        #expect(try await dmlContents(t).map(\.0) == [1, 2, 3, 4, 5, 6, 100, 101])
        // The appended files were not compacted (the plan did not see them) and stay.
        #expect(s.files.count == 4)
    }

    @Test func aCompactedFileRemovedMeanwhileIsAConflict() async throws {
        let (t, start) = try await Self.smallFiles(6)
        defer { dmlCleanup(t) }
        _ = try await Delete(table: t, options: .init(predicate: "id = 2")).execute()
        let afterDelete = try await t.snapshot()
        do {
            _ = try await Optimize(table: t, options: .init(targetSize: 1 << 20)).execute(on: start)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.kind == .conflict && error.exitCode == 3)
        }
        #expect(try await t.snapshot().version == afterDelete.version)
        #expect(try await dmlContents(t).map(\.0) == [1, 3, 4, 5, 6])
    }

    @Test func maxCommitBinsCommitsEachGroupOfBinsOnItsOwn() async throws {
        let (t, start) = try await Self.smallFiles(12, regions: ["EU"])
        defer { dmlCleanup(t) }
        let largest = start.files.map(\.size).max() ?? 0
        // Two files per bin: six bins, committed two at a time.
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: Int(largest) * 2 + 1, maxCommitBins: 2)).execute()
        #expect(m.numBatches >= 4)
        #expect(m.commits == (m.numBatches + 1) / 2 && s.version == start.version + Int64(m.commits))
        #expect(m.numFilesRemoved == 12)
        for v in (start.version + 1)...s.version {
            #expect(try Self.commitInfo(t, v)["operation"] as? String == "OPTIMIZE")
            #expect(try Self.fileActions(t, v).allSatisfy { $0.2 == false })
        }
        #expect(try await dmlContents(t).map(\.0) == Array(1...12))
    }

    /// Under column mapping the log keys partition values by physical name: partitions are still told apart.
    @Test func columnMappedPartitionsAreCompactedSeparately() async throws {
        let (t, start) = try await Self.smallFiles(6, properties: ["delta.columnMapping.mode": "name"])
        defer { dmlCleanup(t) }
        #expect(start.metadata.configuration["delta.columnMapping.mode"] == "name")
        let before = try await dmlContents(t)
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 20, predicate: "region = 'EU'")).execute()
        #expect(m.partitionsOptimized == 1 && m.numFilesRemoved == 3 && m.totalConsideredFiles == 3)
        #expect(s.files.count == 4)
        #expect(try await dmlContents(t).map { "\($0)" } == before.map { "\($0)" })
    }

    @Test func appendOnlyTablesAreCompactedToo() async throws {
        let (t, start) = try await Self.smallFiles(4, properties: ["delta.appendOnly": "true"])
        defer { dmlCleanup(t) }
        let (s, m) = try await Optimize(table: t, options: .init(targetSize: 1 << 20)).execute()
        #expect(m.numFilesRemoved == 4 && s.version == start.version + 1)
        #expect(try await dmlContents(t).map(\.0) == [1, 2, 3, 4])
    }

    @Test func binsHoldAtMostTheTargetAndNoBinIsASingleFile() throws {
        func add(_ path: String, _ size: Int64, time: Int64) -> AddFile {
            AddFile(path: path, partitionValues: [:], size: size, modificationTime: time, dataChange: true)
        }
        let files = [add("a", 40, time: 1), add("b", 40, time: 2), add("c", 40, time: 3), add("d", 90, time: 4), add("big", 100, time: 5)]
        let plan = BinPacking(files: files, targetSize: 100) { _ in [] }
        // a+b fit, c does not join them (120 > 100) and d fits nowhere: the two singles make one bin; big is at size.
        #expect(plan.bins.map { $0.files.map(\.path) } == [["a", "b"], ["c", "d"]])
        let tail = BinPacking(files: files.prefix(3) + [add("e", 10, time: 6)], targetSize: 100) { _ in [] }
        // a+b, then c+e (50): no single is left.
        #expect(tail.bins.map { $0.files.map(\.path) } == [["a", "b"], ["c", "e"]])
        let last = BinPacking(files: Array(files.prefix(3)), targetSize: 100) { _ in [] }
        // c alone at the end joins the bin before it.
        #expect(last.bins.map { $0.files.map(\.path) } == [["a", "b", "c"]])
        #expect(plan.consideredFiles == 5)
    }
}
