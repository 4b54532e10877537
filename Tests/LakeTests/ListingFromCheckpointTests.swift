import Columnar
import DataFrame
import DeltaLog
import Foundation
import ObjectStore
import Synchronization
import Testing
@testable import Lake

/// A store that records the listings asked of it and passes everything to a LocalStore.
final class ListingRecorder: ObjectStore {
    let base: LocalStore
    let calls = Mutex<[(prefix: String, startAfter: String?)]>([])

    init(_ base: LocalStore) { self.base = base }

    func get(_ path: String) async throws -> [UInt8] { try await base.get(path) }
    func getRange(_ path: String, _ range: Range<Int>) async throws -> [UInt8] { try await base.getRange(path, range) }
    func head(_ path: String) async throws -> ObjectMeta { try await base.head(path) }
    func put(_ path: String, _ bytes: [UInt8]) async throws { try await base.put(path, bytes) }
    func upload(_ path: String) async throws -> any ObjectUpload { try await base.upload(path) }
    func putIfAbsent(_ path: String, _ bytes: [UInt8]) async throws { try await base.putIfAbsent(path, bytes) }
    func delete(_ path: String) async throws { try await base.delete(path) }
    func list(prefix: String) async throws -> [ObjectMeta] {
        calls.withLock { $0.append((prefix, nil)) }
        return try await base.list(prefix: prefix)
    }
    func list(prefix: String, startAfter: String?) async throws -> [ObjectMeta] {
        calls.withLock { $0.append((prefix, startAfter)) }
        return try await base.list(prefix: prefix, startAfter: startAfter)
    }
}

@Suite struct ListingFromCheckpointTests {
    /// 13 appends: the commit hook checkpoints version 10.
    func table(_ name: String = #function) async throws -> DeltaTable {
        let t = try tempTable(name)
        for i in 0..<13 {
            _ = try await Write(table: t, data: try DataFrame([(name: "id", column: try Column(.int64, [.int(Int64(i))]))])).execute()
        }
        #expect(FileManager.default.fileExists(atPath: t.location + "/_delta_log/00000000000000000010.checkpoint.parquet"))
        return t
    }

    @Test func theLatestSnapshotIsListedFromTheCheckpointOn() async throws {
        let t = try await table()
        defer { dmlCleanup(t) }
        let store = ListingRecorder(LocalStore(root: t.location))
        let snapshot = try await Snapshot.load(store: store, location: t.location)
        let full = try await t.snapshot()
        #expect(snapshot.version == 12 && Set(snapshot.files.map(\.path)) == Set(full.files.map(\.path)))
        let calls = store.calls.withLock { $0 }
        #expect(calls.count == 1 && calls[0].startAfter == "_delta_log/00000000000000000010", "\(calls)")
    }

    @Test func aVersionBeforeTheCheckpointAndTimestampTravelListEverything() async throws {
        let t = try await table()
        defer { dmlCleanup(t) }
        let store = ListingRecorder(LocalStore(root: t.location))
        let old = try await Snapshot.load(store: store, version: 5, location: t.location)
        #expect(old.version == 5 && old.files.count == 6)
        #expect(store.calls.withLock { $0 }.allSatisfy { $0.startAfter == nil })
        // A time before the checkpoint resolves to its version: the listing reaches back past the checkpoint.
        let (history, _) = try await History(table: t).execute()
        let third = try #require(history.first { $0.version == 3 })
        #expect(try await Snapshot.load(store: store, asOfTimestamp: third.timestamp, location: t.location).version == 3)
    }

    @Test func aHintWhoseCheckpointIsGoneFallsBackToTheWholeLog() async throws {
        let t = try await table()
        defer { dmlCleanup(t) }
        try FileManager.default.removeItem(atPath: t.location + "/_delta_log/00000000000000000010.checkpoint.parquet")
        let store = ListingRecorder(LocalStore(root: t.location))
        let snapshot = try await Snapshot.load(store: store, location: t.location)
        #expect(snapshot.version == 12 && snapshot.files.count == 13)
        let calls = store.calls.withLock { $0 }
        #expect(calls.count == 2 && calls[0].startAfter != nil && calls[1].startAfter == nil)
    }
}
