import Foundation
import ObjectStore
import Testing
@testable import DeltaLog

@Suite struct CheckpointTests {
    static let schema = #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},{"name":"p","type":"string","nullable":true,"metadata":{}}]}"#

    /// Writes a table of `commits` commits with `perCommit` adds each (with stats) into a fresh directory.
    static func makeTable(commits: Int, perCommit: Int, removeEvery: Int = 0) async throws -> (String, LocalStore) {
        let dir = NSTemporaryDirectory() + "lake-snap-\(UUID().uuidString)"
        let store = LocalStore(root: dir)
        for v in 0..<commits {
            var actions: [Action] = [.commitInfo(CommitInfo(timestamp: 1_700_000_000_000 + Int64(v), operation: "WRITE"))]
            if v == 0 {
                actions += [.protocol(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2)),
                            .metadata(Metadata(id: "id-1", schemaString: schema, partitionColumns: ["p"], createdTime: 1))]
            }
            for i in 0..<perCommit {
                let stats = #"{"numRecords":10,"minValues":{"id":\#(i)},"maxValues":{"id":\#(i + 10)},"nullCount":{"id":0}}"#
                actions.append(.add(AddFile(path: "p=\(i % 3)/part-\(v)-\(i).parquet", partitionValues: ["p": "\(i % 3)"], size: 1000, modificationTime: 1, stats: stats)))
            }
            if removeEvery > 0, v > 0 {
                for i in stride(from: 0, to: perCommit, by: removeEvery) {
                    actions.append(.remove(RemoveFile(path: "p=\(i % 3)/part-\(v - 1)-\(i).parquet", deletionTimestamp: 5, dataChange: true)))
                }
            }
            if v == 1 { actions.append(.txn(SetTransaction(appId: "app", version: 3, lastUpdated: 9))) }
            try await store.put(LogFile.commitPath(Int64(v)), CommitFile.serialize(actions))
        }
        return (dir, store)
    }

    @Test func checkpointRoundTripsTheSnapshot() async throws {
        let (dir, store) = try await Self.makeTable(commits: 4, perCommit: 30, removeEvery: 7)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: store)
        let written = try await CheckpointWriter.write(before)
        #expect(written.lastCheckpoint.version == 3)
        #expect(try await LastCheckpoint.read(store: store)?.numOfAddFiles == Int64(before.files.count))
        let after = try await Snapshot.load(store: store)
        #expect(after.segment.checkpointVersion == 3)
        #expect(after.segment.commits.isEmpty)
        #expect(Set(after.files) == Set(before.files))
        #expect(Set(after.tombstones) == Set(before.tombstones))
        #expect(after.metadata == before.metadata)
        #expect(after.protocolAction == before.protocolAction)
        #expect(after.transactionVersion(appId: "app") == 3)
        // A commit after the checkpoint is replayed on top of it.
        try await store.put(LogFile.commitPath(4), CommitFile.serialize([.remove(RemoveFile(path: before.files[0].path, deletionTimestamp: 8))]))
        let next = try await Snapshot.load(store: store)
        #expect(next.version == 4 && next.files.count == before.files.count - 1)
    }

    @Test func corruptLastCheckpointFallsBackToListing() async throws {
        let (dir, store) = try await Self.makeTable(commits: 3, perCommit: 5)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await CheckpointWriter.write(try await Snapshot.load(store: store))
        try await store.put(LastCheckpoint.path, Array("{not json".utf8))
        let s = try await Snapshot.load(store: store)
        #expect(s.segment.checkpointVersion == 2 && s.files.count == 15)
    }

    @Test func deltaRsReadsOurCheckpoint() async throws {
        guard let python = Golden.python else { return }
        let (dir, store) = try await Self.makeTable(commits: 3, perCommit: 20, removeEvery: 5)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let snap = try await Snapshot.load(store: store)
        try await CheckpointWriter.write(snap)
        // Hide the commits before the checkpoint so delta-rs must read it.
        for v in 0..<2 { try await store.delete(LogFile.commitPath(Int64(v))) }
        let out = try Golden.run(python, ["-c", "import deltalake,sys; t=deltalake.DeltaTable(sys.argv[1]); print(t.version(), len(t.file_uris()))", dir])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "\(snap.version) \(snap.files.count)")
    }

    /// 100 commits × 1,000 adds with stats; prints load times from JSON and from a checkpoint.
    @Test func loadsAHundredThousandFilesQuickly() async throws {
        let (dir, store) = try await Self.makeTable(commits: 100, perCommit: 1000)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ContinuousClock()
        var best = Duration.seconds(100)
        for _ in 0..<1 {
            let t = clock.now
            let s = try await Snapshot.load(store: store)
            best = min(best, clock.now - t)
            #expect(s.files.count == 100_000)
        }
        try await CheckpointWriter.write(try await Snapshot.load(store: store))
        var bestCp = Duration.seconds(100)
        for _ in 0..<1 {
            let t = clock.now
            let s = try await Snapshot.load(store: store)
            bestCp = min(bestCp, clock.now - t)
            #expect(s.files.count == 100_000 && s.segment.checkpointVersion == 99)
        }
        print("snapshot load of 100,000 files: JSON log \(best), checkpoint \(bestCp)")
    }
}
