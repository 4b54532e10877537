import Testing
@testable import ObjectStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh temporary directory per test.
func makeTempDir() throws -> String {
    var template = Array("/tmp/lake-os-XXXXXX".utf8CString)
    let ok = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
    try #require(ok)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func removeTree(_ path: String) {
    _ = path.withCString { p in
        // Small trees only; ignore errors (tests run in /tmp).
        system("rm -rf '\(String(cString: p))'")
    }
}

@Suite struct LocalStoreTests {
    @Test func putGetHeadRoundTrip() async throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        let store = LocalStore(root: dir)
        try await store.put("a/b/c.bin", [1, 2, 3, 4, 5])
        #expect(try await store.get("a/b/c.bin") == [1, 2, 3, 4, 5])
        #expect(try await store.getRange("a/b/c.bin", 1..<3) == [2, 3])
        #expect(try await store.getRange("a/b/c.bin", 3..<100) == [4, 5])
        let meta = try await store.head("a/b/c.bin")
        #expect(meta.size == 5)
        #expect(meta.lastModified > 1_600_000_000_000)
        try await store.put("a/b/c.bin", [9])
        #expect(try await store.get("a/b/c.bin") == [9])
    }

    @Test func specialCharactersRoundTrip() async throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        let store = LocalStore(root: dir)
        let keys = ["x y/a b.parquet", "p%20q/100%.bin", "k=v/c=1/f.parquet", "ünï/日本語/файл.json"]
        for (i, k) in keys.enumerated() { try await store.putIfAbsent(k, [UInt8(i)]) }
        for (i, k) in keys.enumerated() { #expect(try await store.get(k) == [UInt8(i)]) }
        let listed = try await store.list(prefix: "").map(\.path)
        #expect(Set(listed) == Set(keys))
    }

    @Test func putIfAbsentRefusesExisting() async throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        let store = LocalStore(root: dir)
        try await store.putIfAbsent("_delta_log/00000000000000000000.json", Array("one".utf8))
        await #expect(throws: ObjectStoreError.alreadyExists("_delta_log/00000000000000000000.json")) {
            try await store.putIfAbsent("_delta_log/00000000000000000000.json", Array("two".utf8))
        }
        #expect(try await store.get("_delta_log/00000000000000000000.json") == Array("one".utf8))
        // No temporary files are left behind.
        let names = try await store.list(prefix: "_delta_log/").map(\.path)
        #expect(names == ["_delta_log/00000000000000000000.json"])
    }

    @Test func listIsSortedRecursiveAndSkipsTempFiles() async throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        let store = LocalStore(root: dir)
        for k in ["_delta_log/00000000000000000002.json", "_delta_log/00000000000000000000.json", "_delta_log/_sidecars/s.parquet", "a=1/x.parquet", "_delta_log2/z"] {
            try await store.put(k, [0])
        }
        _ = system("touch '\(dir)/_delta_log/.00000000000000000003.json.lake-tmp-abc'")
        let log = try await store.list(prefix: "_delta_log/").map(\.path)
        #expect(log == ["_delta_log/00000000000000000000.json", "_delta_log/00000000000000000002.json", "_delta_log/_sidecars/s.parquet"])
        let partial = try await store.list(prefix: "_delta_log/0000").map(\.path)
        #expect(partial.count == 2)
        #expect(try await store.list(prefix: "missing/").isEmpty)
    }

    @Test func missingObjectsAndBadPaths() async throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        let store = LocalStore(root: dir)
        await #expect(throws: ObjectStoreError.notFound("nope")) { try await store.get("nope") }
        await #expect(throws: ObjectStoreError.notFound("nope")) { try await store.head("nope") }
        for bad in ["", "/abs", "a//b", "a/../b", "./a"] {
            await #expect(throws: ObjectStoreError.self) { try await store.put(bad, [1]) }
        }
        try await store.delete("nope")  // idempotent
        try await store.put("d", [1])
        try await store.delete("d")
        await #expect(throws: ObjectStoreError.notFound("d")) { try await store.get("d") }
        #expect(ObjectStoreError.notFound("x").description == "object not found: x")
    }

    @Test func concurrentPutIfAbsentHasExactlyOneWinner() async throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        let store = LocalStore(root: dir)
        for round in 0..<5 {
            let key = "_delta_log/\(round).json"
            let wins = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<32 {
                    group.addTask {
                        do { try await store.putIfAbsent(key, Array("writer \(i)".utf8)); return true } catch { return false }
                    }
                }
                var n = 0
                for await w in group where w { n += 1 }
                return n
            }
            #expect(wins == 1)
            let content = String(decoding: try await store.get(key), as: UTF8.self)
            #expect(content.hasPrefix("writer "))
        }
    }

    #if os(Linux)
    @Test func putIfAbsentRaceAcrossProcesses() throws {
        let dir = try makeTempDir(); defer { removeTree(dir) }
        let store = LocalStore(root: dir)
        let key = "_delta_log/00000000000000000007.json"
        let payloads = (0..<8).map { Array("process \($0)\n".utf8) }
        var pids: [pid_t] = []
        for i in 0..<8 {
            let pid = fork()
            if pid == 0 {
                // Child: one synchronous attempt; exit code 0 = won, 1 = lost, 2 = error.
                do { try store.putIfAbsentSync(key, payloads[i]); _exit(0) } catch ObjectStoreError.alreadyExists { _exit(1) } catch { _exit(2) }
            }
            try #require(pid > 0)
            pids.append(pid)
        }
        var winners = 0, losers = 0
        for pid in pids {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            let code = (status >> 8) & 0xFF
            if code == 0 { winners += 1 } else if code == 1 { losers += 1 }
        }
        #expect(winners == 1)
        #expect(losers == 7)
    }
    #endif

    @Test func locationParsing() throws {
        #expect(try StoreLocation.parse("/tmp/t") == .local(root: "/tmp/t"))
        #expect(try StoreLocation.parse("/tmp/t/") == .local(root: "/tmp/t"))
        #expect(try StoreLocation.parse("file:///tmp/my%20table") == .local(root: "/tmp/my table"))
        #expect(try StoreLocation.parse("file:/tmp/a%25b") == .local(root: "/tmp/a%b"))
        #expect(try StoreLocation.parse("file://localhost/tmp/x") == .local(root: "/tmp/x"))
        #expect(throws: ObjectStoreError.self) { try StoreLocation.parse("file://otherhost/tmp/x") }
        #expect(throws: ObjectStoreError.self) { try StoreLocation.parse("file:///tmp/%zz") }
        #expect(throws: ObjectStoreError.self) { try StoreLocation.parse("gs://bucket/t") }
        guard case let .local(root) = try StoreLocation.parse("rel/dir") else { return }
        #expect(root.hasPrefix("/") && root.hasSuffix("/rel/dir"))
        #expect(StoreLocation.local(root: "/tmp/my table").uri == "file:///tmp/my%20table")
    }
}
