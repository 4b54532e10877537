import Testing
@testable import DeltaLog
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct JSONTests {
    @Test func parsesEveryActionKind() throws {
        let text = """
        {"commitInfo":{"timestamp":1636147668568,"operation":"WRITE","operationParameters":{"mode":"ErrorIfExists","partitionBy":"[]"},"isBlindAppend":true,"operationMetrics":{"numFiles":"3"},"userId":"42","notebook":{"notebookId":"1"}}}
        {"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}
        {"metaData":{"id":"testId","format":{"provider":"parquet","options":{}},"schemaString":"{\\"type\\":\\"struct\\",\\"fields\\":[]}","partitionColumns":["p"],"configuration":{"delta.appendOnly":"true"},"createdTime":1}}
        {"add":{"path":"p=a%20b/f.parquet","partitionValues":{"p":"a b","q":null},"size":10,"modificationTime":2,"dataChange":true,"stats":"{\\"numRecords\\":1}","tags":{"t":"v"},"deletionVector":{"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":4,"sizeInBytes":40,"cardinality":6},"baseRowId":7,"defaultRowCommitVersion":1,"unknownField":[1,{"x":2}]}}
        {"remove":{"path":"old.parquet","deletionTimestamp":3,"dataChange":true,"extendedFileMetadata":true,"partitionValues":{},"size":5}}
        {"cdc":{"path":"_change_data/c.parquet","partitionValues":{},"size":4,"dataChange":false}}
        {"txn":{"appId":"app","version":364475,"lastUpdated":9}}
        {"domainMetadata":{"domain":"delta.rowTracking","configuration":"{}","removed":false}}
        {"checkpointMetadata":{"version":1,"tags":{}}}
        {"sidecar":{"path":"s.parquet","sizeInBytes":2304522,"modificationTime":1512909768000,"tags":{}}}
        {"someFutureAction":{"a":1}}

        """
        let actions = try CommitFile.parse(bytes(text), file: "_delta_log/00000000000000000000.json")
        #expect(actions.count == 10)
        guard case let .commitInfo(ci) = actions[0], case let .add(add) = actions[3], case let .protocol(p) = actions[1] else {
            Issue.record("wrong actions \(actions)"); return
        }
        #expect(ci.timestamp == 1636147668568 && ci.operation == "WRITE" && ci.isBlindAppend == true)
        #expect(ci.otherFields["userId"] == .string("42"))
        #expect(ci.otherFields["notebook"] == .object(["notebookId": .string("1")]))
        #expect(p.readerFeatures == ["deletionVectors"])
        #expect(add.partitionValues == ["p": Optional("a b"), "q": Optional<String>.none])
        #expect(add.stats == "{\"numRecords\":1}")
        #expect(add.deletionVector?.offset == 4 && add.baseRowId == 7)
        // Round trip: serialize and parse again.
        let again = try CommitFile.parse(CommitFile.serialize(actions), file: "x")
        #expect(again == actions)
    }

    @Test func serializesAsDeltaWritesIt() {
        let add = AddFile(path: "a=1/f.parquet", partitionValues: ["a": "1", "b": nil], size: 841, modificationTime: 1512909768000, dataChange: true, stats: "{\"numRecords\":1}")
        let out = String(decoding: CommitFile.serialize([.add(add), .txn(SetTransaction(appId: "x", version: -1))]), as: UTF8.self)
        #expect(out == """
        {"add":{"path":"a=1/f.parquet","partitionValues":{"a":"1","b":null},"size":841,"modificationTime":1512909768000,"dataChange":true,"stats":"{\\"numRecords\\":1}"}}
        {"txn":{"appId":"x","version":-1}}

        """)
    }

    @Test func decodesEveryEscapeIncludingSurrogatePairs() throws {
        let v = try JSONValue.parse(#"["\"\\\/\b\f\n\r\t", "\u00e9\u65e5", "\ud83d\ude00", "raw é😀", -0, 1.5e3, 9223372036854775807, 1e400]"#)
        #expect(v == .array([.string("\"\\/\u{8}\u{c}\n\r\t"), .string("é日"), .string("😀"), .string("raw é😀"), .int(0), .double(1500), .int(Int64.max), .double(.infinity)]))
        for bad in [#""\ud83d""#, #""\ude00""#, #""\x""#, #""\u12""#, "\"a\u{1}\"", "[1,]", "{\"a\" 1}", "01x", "tru", "\"open"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
        // Strings written by the serializer come back identical.
        let tricky = "q\"b\\s/\n\t\u{1}é😀"
        var w = JSONWriter(); w.string(tricky)
        #expect(try JSONValue.parse(w.bytes) == .string(tricky))
    }

    @Test func corruptLineNamesFileAndLine() {
        let text = "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n{\"add\":{\"path\":\"a\",\"size\":}\n"
        do {
            _ = try CommitFile.parse(bytes(text), file: "_delta_log/00000000000000000003.json")
            Issue.record("expected an error")
        } catch {
            guard case let .corruptLog(file, line, _) = error else { Issue.record("\(error)"); return }
            #expect(file == "_delta_log/00000000000000000003.json" && line == 2)
            #expect(error.description.hasPrefix("corrupt JSON in _delta_log/00000000000000000003.json line 2: "))
        }
        #expect(throws: DeltaError.self) { try CommitFile.parse(bytes("{\"add\":{\"size\":1}}"), file: "f") }
        #expect(throws: DeltaError.self) { try CommitFile.parse(bytes("{\"txn\":{\"appId\":\"a\",\"version\":1}} x"), file: "f") }
        #expect(throws: DeltaError.self) { try CommitFile.parse(bytes(String(repeating: "[", count: 10_000)), file: "f") }
    }

    @Test func everyGoldenCommitFileParses() throws {
        // The corpus lies beside the checkout: <checkout>/../shared/corpus (CI lays it out the same way).
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/corpus/delta-golden").path
        let files = goldenCommitFiles(root)
        try #require(files.count > 200, "golden corpus not found at \(root)")
        var actions = 0
        for f in files {
            guard let data = readFile(f) else { Issue.record("cannot read \(f)"); continue }
            let parsed = try CommitFile.parse(data, file: f)
            actions += parsed.count
            // Our own serialization of what we parsed parses back to the same actions.
            #expect(try CommitFile.parse(CommitFile.serialize(parsed), file: f) == parsed, "\(f)")
            for case let .metadata(m) in parsed where !m.schemaString.isEmpty {
                if let schema = try? DeltaSchema.parse(m.schemaString) {
                    #expect(try DeltaSchema.parse(DeltaSchema.serialize(schema)) == schema, "\(f)")
                }
            }
        }
        #expect(actions > 1000)
    }

    /// Measures parse speed of 100,000 delta-rs-like add actions; run with LAKE_BENCH=1 in a release build.
    @Test(.enabled(if: getenv("LAKE_BENCH") != nil)) func parseSpeedOf100kAdds() throws {
        var text = ""
        for i in 0..<100_000 {
            text += #"{"add":{"path":"part-00001-\#(i)-c000.snappy.parquet","partitionValues":{},"size":\#(10_000 + i),"modificationTime":1700000000000,"dataChange":true,"stats":"{\"numRecords\":1000,\"minValues\":{\"id\":\#(i),\"name\":\"a\#(i)\",\"ts\":\"2024-01-01T00:00:00.000Z\"},\"maxValues\":{\"id\":\#(i + 999),\"name\":\"z\#(i)\",\"ts\":\"2024-01-02T00:00:00.000Z\"},\"nullCount\":{\"id\":0,\"name\":0,\"ts\":0}}","tags":null,"deletionVector":null}}"# + "\n"
        }
        let data = bytes(text)
        var best = Double.infinity
        for _ in 0..<5 {
            var t0 = timespec(), t1 = timespec()
            clock_gettime(CLOCK_MONOTONIC, &t0)
            let actions = try CommitFile.parse(data, file: "bench.json")
            clock_gettime(CLOCK_MONOTONIC, &t1)
            #expect(actions.count == 100_000)
            best = min(best, Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) / 1e9)
        }
        print("LAKE_BENCH parse 100k adds (\(data.count / 100_000) bytes each): best \(best * 1000) ms")
        var t0 = timespec(), t1 = timespec()
        let actions = try CommitFile.parse(data, file: "bench.json")
        clock_gettime(CLOCK_MONOTONIC, &t0)
        let out = CommitFile.serialize(actions)
        clock_gettime(CLOCK_MONOTONIC, &t1)
        print("LAKE_BENCH serialize 100k adds: \((Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) / 1e9) * 1000) ms, \(out.count) bytes")
    }
}

func goldenCommitFiles(_ root: String) -> [String] {
    var out: [String] = []
    guard let d = opendir(root) else { return [] }
    defer { closedir(d) }
    while let e = readdir(d) {
        let name = withUnsafePointer(to: &e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
        if name.hasPrefix(".") { continue }
        let log = root + "/" + name + "/_delta_log"
        guard let ld = opendir(log) else { continue }
        while let le = readdir(ld) {
            let f = withUnsafePointer(to: &le.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if f.hasSuffix(".json") { out.append(log + "/" + f) }
        }
        closedir(ld)
    }
    return out.sorted()
}

func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[..<n])
    }
    return out
}

@Test func statsNumRecordsReadsOnlyTheTopLevelKey() {
    func add(_ stats: String?) -> AddFile { AddFile(path: "p", size: 1, modificationTime: 0, stats: stats) }
    #expect(add(#"{"minValues":{"numRecords":5},"numRecords":42,"maxValues":{}}"#).statsNumRecords == 42)
    #expect(add(#" { "numRecords" : 7 }"#).statsNumRecords == 7)
    #expect(add(#"{"minValues":{"a":1}}"#).statsNumRecords == nil)
    #expect(add(#"{"numRecords":"x"}"#).statsNumRecords == nil)
    #expect(add(#"{"numRec"#).statsNumRecords == nil)
    #expect(add(nil).statsNumRecords == nil)
}
