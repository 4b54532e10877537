import Foundation
import ObjectStore
import Parquet
import Testing
@testable import DeltaLog

/// UUID-named V2 checkpoints with sidecars: written by `V2CheckpointWriter`, read back by lake's own log replay
/// (`Snapshot.load`), with the commits they cover deleted so only the checkpoint can rebuild the state.
@Suite struct V2CheckpointWriterTests {
    static let schema = #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},{"name":"p","type":"string","nullable":true,"metadata":{}}]}"#
    static let v2Protocol = ProtocolAction(
        minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["v2Checkpoint"], writerFeatures: ["domainMetadata", "v2Checkpoint"])
    static let now: Int64 = 1_800_000_000_000

    /// A v2Checkpoint table of `commits` commits with `perCommit` adds each (with stats, partition values, a
    /// deletion vector on every fifth), removes of two files of the previous commit, a txn and a domain.
    static func makeTable(commits: Int = 4, perCommit: Int = 30, protocolAction: ProtocolAction = v2Protocol) async throws -> (String, LocalStore) {
        let dir = NSTemporaryDirectory() + "lake-v2cp-\(UUID().uuidString)"
        let store = LocalStore(root: dir)
        for v in 0..<commits {
            var actions: [Action] = [.commitInfo(CommitInfo(timestamp: now + Int64(v), operation: "WRITE"))]
            if v == 0 {
                actions += [.protocol(protocolAction),
                            .metadata(Metadata(id: "id-v2", schemaString: schema, partitionColumns: ["p"],
                                               configuration: ["delta.checkpointPolicy": "v2"], createdTime: 1))]
            }
            for i in 0..<perCommit {
                let stats = #"{"numRecords":10,"minValues":{"id":\#(i)},"maxValues":{"id":\#(i + 10)},"nullCount":{"id":0}}"#
                let dv = i % 5 == 0
                    ? DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D89", offset: nil, sizeInBytes: 40, cardinality: 2)
                    : nil
                actions.append(.add(AddFile(
                    path: "p=\(i % 3)/part-\(v)-\(i).parquet", partitionValues: ["p": "\(i % 3)"], size: 1000 + Int64(i),
                    modificationTime: now, dataChange: true, stats: stats, tags: i == 1 ? ["k": "v"] : nil, deletionVector: dv)))
            }
            if v > 0 {
                for i in [2, 3] {
                    actions.append(.remove(RemoveFile(path: "p=\(i % 3)/part-\(v - 1)-\(i).parquet", deletionTimestamp: now - Int64(v) * 1000, dataChange: true)))
                }
            }
            if v == 1 { actions.append(.txn(SetTransaction(appId: "app", version: 3, lastUpdated: 9))) }
            if v == 2 { actions.append(.domainMetadata(DomainMetadata(domain: "delta.clustering", configuration: #"{"clusteringColumns":[]}"#))) }
            try await store.put(LogFile.commitPath(Int64(v)), CommitFile.serialize(actions))
        }
        return (dir, store)
    }

    /// Deletes the commit files of versions 0...version, so a snapshot can only come from the checkpoint.
    static func deleteCommits(_ store: LocalStore, through version: Int64) async throws {
        for v in 0...version { try await store.delete(LogFile.commitPath(v)) }
    }

    static func expectSameState(_ after: Snapshot, _ before: Snapshot) {
        #expect(after.version == before.version)
        #expect(Set(after.files) == Set(before.files))
        #expect(Set(after.tombstones) == Set(before.tombstones))
        #expect(after.metadata == before.metadata)
        #expect(after.protocolAction == before.protocolAction)
        #expect(after.transactions == before.transactions)
        #expect(after.domainMetadata == before.domainMetadata)
    }

    @Test func parquetCheckpointAloneRebuildsTheSnapshot() async throws {
        let (dir, store) = try await Self.makeTable()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: store)
        let written = try await V2CheckpointWriter.write(before)
        #expect(written.path.hasPrefix("_delta_log/00000000000000000003.checkpoint.") && written.path.hasSuffix(".parquet"))
        guard case .v2Checkpoint(_, json: false)? = LogFile.parse(name: String(written.path.dropFirst("_delta_log/".count)))?.kind else {
            Issue.record("\(written.path) is not a UUID-named parquet checkpoint name"); return
        }
        try await Self.deleteCommits(store, through: 3)
        let after = try await Snapshot.load(store: store)
        #expect(after.segment.checkpointVersion == 3 && after.segment.commits.isEmpty)
        #expect(after.segment.checkpointFiles.map(\.meta.path) == [written.path])
        Self.expectSameState(after, before)
    }

    @Test func jsonCheckpointAloneRebuildsTheSnapshot() async throws {
        let (dir, store) = try await Self.makeTable()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: store)
        let written = try await V2CheckpointWriter.write(before, options: .init(format: .json))
        #expect(written.path.hasSuffix(".json"))
        // The top-level JSON holds no file action: those are all in the sidecars.
        let top = try CommitFile.parse(try await store.get(written.path), file: written.path)
        #expect(!top.contains { if case .add = $0 { true } else if case .remove = $0 { true } else { false } })
        let metadata = top.compactMap { if case let .checkpointMetadata(m) = $0 { m } else { nil } }
        let bytes = try await sidecarBytes(store, written.sidecars)
        let tags: [String: String] = [
            "sidecarNumActions": String(before.files.count + before.tombstones.count),
            "sidecarSizeInBytes": String(bytes), "numOfAddFiles": String(before.files.count),
        ]
        #expect(metadata == [CheckpointMetadata(version: 3, tags: tags)])
        try await Self.deleteCommits(store, through: 3)
        Self.expectSameState(try await Snapshot.load(store: store), before)
    }

    func sidecarBytes(_ store: LocalStore, _ keys: [String]) async throws -> Int64 {
        var n: Int64 = 0
        for k in keys { n += try await store.head(k).size }
        return n
    }

    /// 114 live adds and 6 removes at 25 actions per sidecar: 5 sidecars, none above the bound, together holding
    /// every file action exactly once; the top-level file holds only the non-file actions and the references.
    @Test func fileActionsAreSplitIntoBoundedSidecars() async throws {
        let (dir, store) = try await Self.makeTable()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: store)
        let total = before.files.count + before.tombstones.count
        #expect(before.files.count == 114 && before.tombstones.count == 6)
        let written = try await V2CheckpointWriter.write(before, options: .init(maxActionsPerSidecar: 25))
        #expect(written.sidecars.count == 5 && total == 120)
        var adds: [AddFile] = [], removes: [RemoveFile] = []
        for key in written.sidecars {
            #expect(key.hasPrefix("_delta_log/_sidecars/") && key.hasSuffix(".parquet"))
            let bytes = try await store.get(key)
            let reader = try ParquetReader(source: MemorySource(bytes, name: key))
            #expect(reader.schema.fields.map(\.name) == ["add", "remove"])
            let actions = try CheckpointReader.parseParquet(bytes, file: key)
            #expect(actions.count <= 25)
            for a in actions {
                switch a {
                case let .add(f): adds.append(f)
                case let .remove(r): removes.append(r)
                default: Issue.record("sidecar \(key) holds a \(a.key) action")
                }
            }
        }
        #expect(adds.count == before.files.count && Set(adds) == Set(before.files))
        #expect(removes.count == before.tombstones.count && Set(removes) == Set(before.tombstones))
        let top = try CheckpointReader.parseParquet(try await store.get(written.path), file: written.path)
        let referenced = top.compactMap { if case let .sidecar(s) = $0 { s.relativePath } else { nil } }
        #expect(referenced == written.sidecars)
        // checkpointMetadata, protocol, metaData, txn, domain and the 5 sidecars.
        let expectedTopRows = 10
        #expect(top.count == expectedTopRows)
    }

    @Test func lastCheckpointDescribesTheV2Checkpoint() async throws {
        let (dir, store) = try await Self.makeTable()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: store)
        let written = try await V2CheckpointWriter.write(before, options: .init(maxActionsPerSidecar: 50))
        let hint = try #require(try await LastCheckpoint.read(store: store))
        #expect(hint == written.lastCheckpoint)
        let v2 = try #require(hint.v2Checkpoint)
        #expect("_delta_log/" + v2.path == written.path)
        #expect(v2.sizeInBytes == (try await store.head(written.path)).size)
        #expect(v2.sidecarFiles?.map(\.relativePath) == written.sidecars)
        #expect(hint.version == 3 && hint.numOfAddFiles == Int64(before.files.count))
        // size counts every action of the checkpoint: 5 non-file actions, 3 sidecar references, the file actions.
        #expect(hint.size == Int64(5 + 3 + before.files.count + before.tombstones.count))
        #expect(hint.sizeInBytes == v2.sizeInBytes + (try await sidecarBytes(store, written.sidecars)))
        #expect(v2.nonFileActions?.contains(.protocol(before.protocolAction)) == true)
    }

    /// A crash after the sidecars but before the top-level file leaves sidecars nothing references: the table
    /// still reads from its earlier checkpoint and commits, and the orphan's actions are not in the state.
    @Test func sidecarsWithoutTheirTopLevelFileAreIgnored() async throws {
        let (dir, store) = try await Self.makeTable()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await V2CheckpointWriter.write(try await Snapshot.load(store: store, version: 2))
        let hintAt2 = try await store.get(LastCheckpoint.path)
        let before = try await Snapshot.load(store: store)
        let crashed = try await V2CheckpointWriter.write(before)
        try await store.delete(crashed.path)
        try await store.put(LastCheckpoint.path, hintAt2)
        // An orphan that would change the state if anyone read it.
        let ghost = CheckpointRows(adds: [AddFile(path: "ghost.parquet", size: 1, modificationTime: 1, dataChange: true)][...])
        try await store.put(V2CheckpointWriter.sidecarDirectory + "orphan.parquet", try ghost.encode(schema: CheckpointRows.sidecarSchema))
        try await Self.deleteCommits(store, through: 2)
        let after = try await Snapshot.load(store: store)
        #expect(after.segment.checkpointVersion == 2 && after.segment.commits.map(\.version) == [3])
        Self.expectSameState(after, before)
        #expect(!after.files.contains { $0.path == "ghost.parquet" })
    }

    /// A writer that dies at the put of the top-level file leaves only sidecars: the table reads as before
    /// from its commits and the old hint; one that dies at the put of `_last_checkpoint` leaves a complete
    /// checkpoint that the listing finds without the hint.
    @Test func aWriterDyingMidwayLeavesAReadableTable() async throws {
        let (dir, local) = try await Self.makeTable()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: local)

        let dieAtTop = DyingStore(local, diesAt: { $0.hasPrefix("_delta_log/00000000000000000003.checkpoint.") })
        await #expect(throws: DeltaError.self) { try await V2CheckpointWriter.write(try await Snapshot.load(store: dieAtTop)) }
        #expect(try await local.list(prefix: "_delta_log/_sidecars/").count == 1)
        #expect(try await LastCheckpoint.read(store: local) == nil)
        let afterTopCrash = try await Snapshot.load(store: local)
        #expect(afterTopCrash.segment.checkpointVersion == nil)
        Self.expectSameState(afterTopCrash, before)

        let dieAtHint = DyingStore(local, diesAt: { $0 == LastCheckpoint.path })
        await #expect(throws: DeltaError.self) { try await V2CheckpointWriter.write(try await Snapshot.load(store: dieAtHint)) }
        #expect(try await LastCheckpoint.read(store: local) == nil)
        try await Self.deleteCommits(local, through: 3)
        let afterHintCrash = try await Snapshot.load(store: local)
        #expect(afterHintCrash.segment.checkpointVersion == 3)
        Self.expectSameState(afterHintCrash, before)
    }

    @Test func tombstonesAtOrBeforeTheCutoffAreLeftOut() async throws {
        let (dir, store) = try await Self.makeTable()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: store)
        // Commit v removes at now - v*1000: the cutoff keeps version 1's removes only.
        try await V2CheckpointWriter.write(before, options: .init(tombstoneCutoff: Self.now - 2000))
        try await Self.deleteCommits(store, through: 3)
        let after = try await Snapshot.load(store: store)
        let expected = before.tombstones.filter { ($0.deletionTimestamp ?? 0) > Self.now - 2000 }
        #expect(expected.count == 2)
        #expect(Set(after.tombstones) == Set(expected))
        #expect(Set(after.files) == Set(before.files))
    }

    @Test func anEmptyTableGetsACheckpointWithoutSidecars() async throws {
        let (dir, store) = try await Self.makeTable(commits: 1, perCommit: 0)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try await Snapshot.load(store: store)
        let written = try await V2CheckpointWriter.write(before)
        #expect(written.sidecars.isEmpty)
        try await Self.deleteCommits(store, through: 0)
        Self.expectSameState(try await Snapshot.load(store: store), before)
    }

    @Test func tablesWithoutTheFeatureAreRefused() async throws {
        let (dir, store) = try await Self.makeTable(commits: 1, perCommit: 2, protocolAction: ProtocolAction(minReaderVersion: 1, minWriterVersion: 2))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try await Snapshot.load(store: store)
        #expect(!V2CheckpointWriter.applies(to: s))
        await #expect(throws: DeltaError.self) { try await V2CheckpointWriter.write(s) }
        #expect(try await store.list(prefix: "_delta_log/_sidecars/").isEmpty)
    }

    @Test func aSidecarBoundBelowOneIsRefused() async throws {
        let (dir, store) = try await Self.makeTable(commits: 1, perCommit: 2)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try await Snapshot.load(store: store)
        await #expect(throws: DeltaError.self) { try await V2CheckpointWriter.write(s, options: .init(maxActionsPerSidecar: 0)) }
    }

    @Test func sparksLastCheckpointWithV2InfoParses() throws {
        let path = Golden.root + "/v2-checkpoint-json/_delta_log/_last_checkpoint"
        let hint = try LastCheckpoint.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let v2 = try #require(hint.v2Checkpoint)
        #expect(v2.path == "00000000000000000002.checkpoint.6374b053-df23-479b-b2cf-c9c550132b49.json")
        #expect(v2.sizeInBytes == 891 && v2.modificationTime == 1_714_496_115_810)
        #expect(v2.nonFileActions?.map(\.key) == ["protocol", "metaData", "checkpointMetadata"])
        #expect(v2.sidecarFiles?.map(\.sizeInBytes) == [9367, 9296])
    }

    /// The golden table Spark wrote with a JSON v2 checkpoint: lake's own v2 checkpoint of it (written into a
    /// copy) rebuilds the same state as Spark's.
    @Test func lakeRewritesSparksV2CheckpointOfTheGoldenTable() async throws {
        let golden = Golden.root + "/v2-checkpoint-json"
        try #require(FileManager.default.fileExists(atPath: golden), "the delta-golden corpus is missing at \(golden)")
        let dir = NSTemporaryDirectory() + "lake-v2cp-golden-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: golden, toPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = LocalStore(root: dir)
        let spark = try await Snapshot.load(store: store)
        #expect(spark.segment.checkpointFiles.count == 1)
        let written = try await V2CheckpointWriter.write(spark)
        for f in spark.segment.checkpointFiles { try await store.delete(f.meta.path) }
        try await Self.deleteCommits(store, through: spark.version)
        let after = try await Snapshot.load(store: store)
        #expect(after.segment.checkpointFiles.map(\.meta.path) == [written.path])
        Self.expectSameState(after, spark)
    }
}

/// A store that fails every `put` of a key `diesAt` selects, as a writer killed at that step would leave it.
struct DyingStore: ObjectStore {
    let base: LocalStore
    let diesAt: @Sendable (String) -> Bool

    init(_ base: LocalStore, diesAt: @escaping @Sendable (String) -> Bool) {
        self.base = base
        self.diesAt = diesAt
    }

    func get(_ path: String) async throws -> [UInt8] { try await base.get(path) }
    func getRange(_ path: String, _ range: Range<Int>) async throws -> [UInt8] { try await base.getRange(path, range) }
    func head(_ path: String) async throws -> ObjectMeta { try await base.head(path) }
    func put(_ path: String, _ bytes: [UInt8]) async throws {
        if diesAt(path) { throw ObjectStoreError.io(path, "writer killed") }
        try await base.put(path, bytes)
    }
    func upload(_ path: String) async throws -> any ObjectUpload { try await base.upload(path) }
    func putIfAbsent(_ path: String, _ bytes: [UInt8]) async throws {
        if diesAt(path) { throw ObjectStoreError.io(path, "writer killed") }
        try await base.putIfAbsent(path, bytes)
    }
    func list(prefix: String) async throws -> [ObjectMeta] { try await base.list(prefix: prefix) }
    func delete(_ path: String) async throws { try await base.delete(path) }
}
