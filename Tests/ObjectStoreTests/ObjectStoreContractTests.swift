import Testing
@testable import ObjectStore

/// The `ObjectStore` contract, one scenario per test, run against LocalStore and (when the S3 test server is
/// configured) S3Store on moto: what table code relies on holds for both.
@Suite struct ObjectStoreContractTests {
    @Test(.disabled(if: S3TestEnvironment.isConfigured, S3TestEnvironment.skipReason))
    func s3ScenariosNeedTheTestServer() {}

    @Test(arguments: StoreKind.available)
    func putThenGetHeadAndRangeReturnTheBytes(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let bytes = patternBytes(1000, seed: 1)
            try await store.put("dir/sub/object.bin", bytes)
            #expect(try await store.get("dir/sub/object.bin") == bytes)
            #expect(try await store.getRange("dir/sub/object.bin", 10 ..< 20) == Array(bytes[10 ..< 20]))
            let meta = try await store.head("dir/sub/object.bin")
            #expect(meta.path == "dir/sub/object.bin")
            #expect(meta.size == 1000)
            #expect(meta.lastModified > 1_600_000_000_000)
        }
    }

    @Test(arguments: StoreKind.available)
    func getRangeIsClampedToTheObjectEnd(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.put("f", [1, 2, 3, 4, 5])
            #expect(try await store.getRange("f", 3 ..< 100) == [4, 5])
            #expect(try await store.getRange("f", 5 ..< 10) == [])
            #expect(try await store.getRange("f", 50 ..< 60) == [])
            #expect(try await store.getRange("f", 2 ..< 2) == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func missingObjectsAreNotFoundAndDeletingThemIsFine(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            await #expect(throws: ObjectStoreError.notFound("nope/x")) { try await store.get("nope/x") }
            await #expect(throws: ObjectStoreError.notFound("nope/x")) { try await store.head("nope/x") }
            await #expect(throws: ObjectStoreError.notFound("nope/x")) { try await store.getRange("nope/x", 0 ..< 4) }
            try await store.delete("nope/x")
            try await store.delete(["nope/x", "nope/y"])
        }
    }

    @Test(arguments: StoreKind.available)
    func invalidPathsAreRefused(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for bad in ["", "/abs", "a//b", "a/../b", "./a"] {
                await #expect(throws: ObjectStoreError.self) { try await store.put(bad, [1]) }
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func putReplacesAndDeleteRemoves(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.put("k", [1])
            try await store.put("k", [2, 3])
            #expect(try await store.get("k") == [2, 3])
            try await store.delete("k")
            await #expect(throws: ObjectStoreError.notFound("k")) { try await store.get("k") }
        }
    }

    @Test(arguments: StoreKind.available)
    func putIfAbsentRefusesAnExistingObjectAndKeepsIt(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let key = "_delta_log/00000000000000000000.json"
            try await store.putIfAbsent(key, Array("one".utf8))
            await #expect(throws: ObjectStoreError.alreadyExists(key)) { try await store.putIfAbsent(key, Array("two".utf8)) }
            #expect(try await store.get(key) == Array("one".utf8))
            #expect(try await store.list(prefix: "_delta_log/").map(\.path) == [key])
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentPutIfAbsentHasExactlyOneWinner(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for round in 0 ..< 3 {
                let key = "_delta_log/\(round).json"
                let winners = await withTaskGroup(of: Int?.self) { group in
                    for i in 0 ..< 16 {
                        group.addTask {
                            do { try await store.putIfAbsent(key, Array("writer \(i)".utf8)); return i } catch { return nil }
                        }
                    }
                    var w: [Int] = []
                    for await r in group { if let r { w.append(r) } }
                    return w
                }
                #expect(winners.count == 1)
                let stored = try await store.get(key)
                #expect(winners.map { Array("writer \($0)".utf8) } == [stored])
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func listIsRecursiveSortedByBytesAndBoundedByPrefix(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let keys = ["_delta_log/00000000000000000002.json", "_delta_log/00000000000000000000.json",
                        "_delta_log/_sidecars/s.parquet", "a=1/x.parquet", "_delta_log2/z", "Z", "é/x", "b/c/d/e"]
            for k in keys { try await store.put(k, [0]) }
            #expect(try await store.list(prefix: "_delta_log/").map(\.path) ==
                ["_delta_log/00000000000000000000.json", "_delta_log/00000000000000000002.json", "_delta_log/_sidecars/s.parquet"])
            #expect(try await store.list(prefix: "_delta_log/0000").count == 2)
            #expect(try await store.list(prefix: "").map(\.path) == keys.sorted { ObjectPath.precedes($0, $1) })
            #expect(try await store.list(prefix: "missing/").isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func listStartAfterSkipsEarlierKeys(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for v in 0 ..< 12 { try await store.put("_delta_log/\(String(v + 100)).json", [UInt8(v)]) }
            let after = try await store.list(prefix: "_delta_log/", startAfter: "_delta_log/105.json").map(\.path)
            #expect(after == (106 ..< 112).map { "_delta_log/\($0).json" })
            #expect(try await store.list(prefix: "_delta_log/", startAfter: nil).count == 12)
        }
    }

    @Test(arguments: StoreKind.available)
    func listPaginatesOverMoreThanAThousandKeys(kind: StoreKind) async throws {
        try await withStore(kind, "paging") { store in
            let keys = (0 ..< 1005).map { "p/\(String($0 * 7919 % 1005)).bin" }
            try await putAll(store, keys)
            let listed = try await store.list(prefix: "p/").map(\.path)
            #expect(listed.count == 1005)
            #expect(listed == keys.sorted { ObjectPath.precedes($0, $1) })
        }
    }

    @Test(arguments: StoreKind.available)
    func batchDeleteRemovesMoreThanAThousandKeys(kind: StoreKind) async throws {
        try await withStore(kind, "batchdelete") { store in
            let keys = (0 ..< 1003).map { "d/\($0)" }
            try await putAll(store, keys)
            try await store.put("keep", [1])
            try await store.delete(keys + ["d/never-existed"])
            #expect(try await store.list(prefix: "").map(\.path) == ["keep"])
        }
    }

    @Test(arguments: StoreKind.available)
    func keysWithSpecialCharactersRoundTrip(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let keys = ["x y/a b.parquet", "p%20q/100%.bin", "k=v/c=1/f.parquet", "ünï/日本語/файл.json", "plus+sign/a&b<c>'\"", "t~/_-./x"]
            for (i, k) in keys.enumerated() { try await store.putIfAbsent(k, [UInt8(i)]) }
            for (i, k) in keys.enumerated() {
                #expect(try await store.get(k) == [UInt8(i)])
                #expect(try await store.head(k).size == 1)
            }
            #expect(try await store.list(prefix: "").map(\.path) == keys.sorted { ObjectPath.precedes($0, $1) })
            #expect(try await store.list(prefix: "x y/").map(\.path) == ["x y/a b.parquet"])
        }
    }

    @Test(arguments: StoreKind.available)
    func multipartUploadAssemblesPartsInOrder(kind: StoreKind) async throws {
        try await withStore(kind, adjust: { $0.partSize = 5 << 20; $0.maxConcurrentParts = 2 }) { store in
            let bytes = patternBytes((5 << 20) * 2 + 123_457, seed: 7)
            let upload = try await store.upload("big/file.parquet")
            // Odd-sized appends, so parts are cut across append boundaries.
            var offset = 0
            var step = 1_000_003
            while offset < bytes.count {
                let end = min(offset + step, bytes.count)
                try await upload.append(Array(bytes[offset ..< end]))
                offset = end
                step = step * 3 % 4_000_000 + 1
            }
            await #expect(throws: ObjectStoreError.notFound("big/file.parquet")) { try await store.head("big/file.parquet") }
            try await upload.complete()
            #expect(try await store.head("big/file.parquet").size == Int64(bytes.count))
            #expect(try await store.get("big/file.parquet") == bytes)
        }
    }

    @Test(arguments: StoreKind.available)
    func smallUploadIsPublishedAtComplete(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.put("f", [9])
            let upload = try await store.upload("f")
            try await upload.append([1, 2])
            try await upload.append([3])
            #expect(try await store.get("f") == [9])
            try await upload.complete()
            #expect(try await store.get("f") == [1, 2, 3])
        }
    }

    @Test(arguments: StoreKind.available)
    func abortedUploadLeavesNothing(kind: StoreKind) async throws {
        try await withStore(kind, adjust: { $0.partSize = 5 << 20 }) { store in
            try await store.put("old", [4, 2])
            let upload = try await store.upload("old")
            try await upload.append(patternBytes((5 << 20) + 10, seed: 3))  // one part already sent
            let fresh = try await store.upload("new")
            try await fresh.append(patternBytes((5 << 20) + 10, seed: 4))
            await upload.abort()
            await fresh.abort()
            #expect(try await store.get("old") == [4, 2])
            await #expect(throws: ObjectStoreError.notFound("new")) { try await store.head("new") }
            #expect(try await store.list(prefix: "").map(\.path) == ["old"])
            await #expect(throws: ObjectStoreError.self) { try await upload.complete() }
        }
    }
}

/// Writes one small object per key, 16 at a time.
func putAll(_ store: any ObjectStore, _ keys: [String]) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            let key = keys[next]
            next += 1
            group.addTask { try await store.put(key, Array(key.utf8)) }
        }
        while next < min(16, keys.count) { add() }
        while try await group.next() != nil {
            if next < keys.count { add() }
        }
    }
}
