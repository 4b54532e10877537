import ObjectStore
import Testing
@testable import DeltaLog

@Suite struct ReplayTests {
    let proto = Action.protocol(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2))
    let meta = Action.metadata(Metadata(id: "t", schemaString: #"{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}"#))

    func add(_ p: String, dv: String? = nil) -> Action {
        .add(AddFile(path: p, size: 1, modificationTime: 0, deletionVector: dv.map {
            DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: $0, sizeInBytes: 1, cardinality: 1)
        }))
    }

    func remove(_ p: String, at ts: Int64, dv: String? = nil) -> Action {
        .remove(RemoveFile(path: p, deletionTimestamp: ts, deletionVector: dv.map {
            DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: $0, sizeInBytes: 1, cardinality: 1)
        }))
    }

    @Test func newestActionWinsAndRemovesBecomeTombstones() throws {
        let s = try LogReplay.replay(commits: [[proto, meta, add("a"), add("b")], [remove("a", at: 7)], [add("c")]])
        #expect(Set(s.files.keys.map(\.path)) == ["b", "c"])
        #expect(s.tombstones[LogicalFileKey(path: "a", dvId: nil)]?.deletionTimestamp == 7)
    }

    @Test func reAddingATombstonedFileRevivesIt() throws {
        let s = try LogReplay.replay(commits: [[proto, meta, add("a")], [remove("a", at: 1)], [add("a")]])
        #expect(s.files.count == 1)
        #expect(s.tombstones.isEmpty)
    }

    @Test func filesAreKeyedByPathAndDeletionVector() throws {
        let s = try LogReplay.replay(commits: [[proto, meta, add("a")], [remove("a", at: 1), add("a", dv: "dv1")], [remove("a", at: 2, dv: "dv1"), add("a", dv: "dv2")]])
        #expect(s.files.count == 1)
        #expect(s.files.values.first?.deletionVector?.pathOrInlineDv == "dv2")
        #expect(s.tombstones.count == 2)
    }

    @Test func latestProtocolMetadataTxnAndDomainsWin() throws {
        let p2 = Action.protocol(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["deletionVectors"], writerFeatures: ["deletionVectors"]))
        let s = try LogReplay.replay(
            checkpoint: [proto, meta, .txn(SetTransaction(appId: "app", version: 1)), .domainMetadata(DomainMetadata(domain: "d1", configuration: "x"))],
            commits: [[p2, .txn(SetTransaction(appId: "app", version: 5)), .domainMetadata(DomainMetadata(domain: "d1", configuration: "", removed: true)),
                       .domainMetadata(DomainMetadata(domain: "d2", configuration: "y")), .commitInfo(CommitInfo(inCommitTimestamp: 42))]])
        #expect(s.protocolAction?.minReaderVersion == 3)
        #expect(s.transactions["app"]?.version == 5)
        #expect(Array(s.domainMetadata.keys) == ["d2"])
        #expect(s.lastCommitInfo?.inCommitTimestamp == 42)
    }

    @Test func missingProtocolOrMetadataThrows() {
        #expect(throws: DeltaError.self) { try LogReplay.replay(commits: [[meta, add("a")]]) }
        #expect(throws: DeltaError.self) { try LogReplay.replay(commits: [[proto, add("a")]]) }
    }

    @Test func unknownReaderFeatureIsNamed() {
        let p = Action.protocol(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["futureThing"], writerFeatures: ["futureThing"]))
        #expect(throws: DeltaError.unsupportedFeature(kind: .reader, features: ["futureThing"])) { try LogReplay.replay(commits: [[p, meta]]) }
    }

    // MARK: Log segments (pure listing logic)

    func listing(_ names: [String]) -> [ObjectMeta] {
        names.map { ObjectMeta(path: "_delta_log/" + $0, size: 1, lastModified: 0) }
    }

    func json(_ v: Int64) -> String { String(LogFile.commitPath(v).dropFirst("_delta_log/".count)) }

    @Test func segmentStartsAtTheNewestCompleteCheckpoint() throws {
        let cp = "00000000000000000002.checkpoint.0000000001.0000000002.parquet"
        let cp2 = "00000000000000000004.checkpoint.0000000001.0000000002.parquet"  // part 2 missing
        let seg = try LogSegment.build(listing: listing((0...5).map(json) + [cp, "00000000000000000002.checkpoint.0000000002.0000000002.parquet", cp2]), version: nil)
        #expect(seg.version == 5)
        #expect(seg.checkpointVersion == 2)
        #expect(seg.checkpointFiles.count == 2)
        #expect(seg.commits.map(\.version) == [3, 4, 5])
    }

    @Test func gapNamesTheMissingVersion() {
        #expect(throws: DeltaError.versionGap(missing: 2, after: 1)) {
            try LogSegment.build(listing: listing([0, 1, 3].map(json)), version: nil)
        }
    }

    @Test func outOfRangeGivesTheAvailableRange() {
        #expect(throws: DeltaError.versionOutOfRange(requested: 9, available: 0...2)) {
            try LogSegment.build(listing: listing([0, 1, 2].map(json)), version: 9)
        }
        #expect(throws: DeltaError.notATable(location: "table")) { try LogSegment.build(listing: [], version: nil) }
    }

    @Test func fileNamesParse() {
        #expect(LogFile.parse(name: "00000000000000000010.json")?.kind == .commit)
        #expect(LogFile.parse(name: "00000000000000000010.checkpoint.parquet")?.kind == .classicCheckpoint)
        #expect(LogFile.parse(name: "00000000000000000002.checkpoint.6374b053-df23.json")?.kind == .v2Checkpoint(uuid: "6374b053-df23", json: true))
        #expect(LogFile.parse(name: "00000000000000000002.00000000000000000005.compacted.json") == nil)
        #expect(LogFile.parse(name: "_last_checkpoint") == nil)
    }
}
