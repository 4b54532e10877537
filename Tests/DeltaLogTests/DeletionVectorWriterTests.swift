import Foundation
import ObjectStore
import Testing
@testable import DeltaLog

/// Writing deletion vectors: Spark's files are the reference for the bytes, the reader for the round trip.
@Suite struct DeletionVectorWriterTests {
    /// A fresh directory, removed by the caller.
    static func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "lake-dvw-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let uuid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

    /// Every `deletion_vector_*.bin` Spark wrote in the golden tables, decoded and written again by lake,
    /// is the same file byte for byte (version, size, portable bitmap, CRC), and the descriptor points at it
    /// the way Spark's does (offset 1, same size and cardinality).
    @Test func sparkDeletionVectorFilesAreWrittenAgainByteForByte() throws {
        var checked = 0
        for name in ["dv-partitioned-with-checkpoint", "dv-with-columnmapping", "log-replay-dv-key-cases"] {
            let dir = Golden.root + "/" + name
            for file in try FileManager.default.contentsOfDirectory(atPath: dir) where file.hasPrefix("deletion_vector_") {
                let spark = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)))
                try #require(spark.count > 9 && spark[0] == 1)
                let size = spark[1..<5].reduce(0) { $0 << 8 | Int($1) }
                try #require(spark.count == 1 + 4 + size + 4, "\(file) holds one vector")
                let bitmap = Array(spark[5..<(5 + size)])
                let rows = try RoaringBitmapArray.decode(bitmap)
                #expect(RoaringBitmapArray.encode(rows) == bitmap, "\(name)/\(file)")

                let id = String(file.dropFirst("deletion_vector_".count).dropLast(".bin".count))
                var writer = try DeletionVectorWriter(uuid: id, inlineLimit: 0)
                let dv = try writer.add(rows)
                #expect(writer.path == file)
                #expect(writer.fileBytes == spark, "\(name)/\(file)")
                #expect(dv.storageType == .uuidRelative && dv.offset == 1 && Int(dv.sizeInBytes) == size && dv.cardinality == Int64(rows.count))
                #expect(try dv.location() == .relative(file))
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    /// Vectors stored in the file (several, one after the other) and inline ones read back as the rows given,
    /// through the reader's size and checksum checks.
    @Test func storedAndInlineVectorsReadBack() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = LocalStore(root: dir)
        var writer = try DeletionVectorWriter(uuid: Self.uuid, inlineLimit: 80)
        let small: [Int64] = [3, 7]
        let scattered = (0..<200).map { Int64($0 * 3) }                       // an array container: 432 bytes, stored
        let dense = stride(from: 10_000, to: 80_000, by: 2).map { Int64($0) }   // bitmap containers
        let wide: [Int64] = [1, Int64(1) << 32 | 9, Int64(5) << 32 | 65_536]  // three 32-bit bitmaps: 78 bytes, inline
        let dvs = try [small, scattered, dense, wide].map { rows throws(DeltaError) in try writer.add(rows) }
        #expect(dvs.map(\.storageType) == [.inline, .uuidRelative, .uuidRelative, .inline])
        #expect(dvs[0].offset == nil && dvs[1].offset == 1)
        #expect(Int(dvs[2].offset ?? 0) == 1 + 4 + Int(dvs[1].sizeInBytes) + 4, "vectors follow each other")
        try await writer.store(to: store)
        #expect(FileManager.default.fileExists(atPath: dir + "/deletion_vector_" + Self.uuid + ".bin"))
        for (dv, rows) in zip(dvs, [small, scattered, dense, wide]) {
            #expect(try await DeletionVectorReader.deletedRows(dv, store: store) == rows)
            #expect(dv.cardinality == Int64(rows.count))
        }
    }

    /// A prefix puts the file in that directory and in front of the Z85 UUID in the descriptor.
    @Test func prefixedVectorsLiveInTheirDirectory() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var writer = try DeletionVectorWriter(uuid: Self.uuid, prefix: "ab", inlineLimit: 0)
        let dv = try writer.add([0, 5])
        #expect(writer.path == "ab/deletion_vector_\(Self.uuid).bin")
        #expect(dv.pathOrInlineDv.hasPrefix("ab") && dv.pathOrInlineDv.count == 22)
        try await writer.store(to: LocalStore(root: dir))
        #expect(try await DeletionVectorReader.deletedRows(dv, store: LocalStore(root: dir)) == [0, 5])
    }

    /// Only inline vectors: no file is written.
    @Test func inlineOnlyWritesNoFile() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var writer = try DeletionVectorWriter(uuid: Self.uuid)
        let dv = try writer.add([42])
        #expect(dv.storageType == .inline && dv.sizeInBytes == 34)
        #expect(writer.fileBytes == nil)
        try await writer.store(to: LocalStore(root: dir))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func rowsMustBeSortedDistinctAndNonNegative() throws {
        var writer = try DeletionVectorWriter(uuid: Self.uuid)
        #expect(throws: DeltaError.self) { try writer.add([]) }
        #expect(throws: DeltaError.self) { try writer.add([3, 2]) }
        #expect(throws: DeltaError.self) { try writer.add([2, 2]) }
        #expect(throws: DeltaError.self) { try writer.add([-1, 2]) }
        #expect(throws: DeltaError.self) { try DeletionVectorWriter(uuid: "not-a-uuid") }
        #expect(throws: DeltaError.self) { try DeletionVectorWriter(uuid: Self.uuid, prefix: "a/b") }
    }

    /// Ranges become run containers (a few bytes for 200,000 rows), mixed with array and bitmap containers
    /// in one bitmap (four containers or more: the run layout with an offset header), and decode back.
    @Test func rangesSerializeAsRunsAndRoundTrip() throws {
        let range = (100..<200_100).map { Int64($0) }
        let bytes = RoaringBitmapArray.encode(range)
        #expect(bytes.count < 100, "four run containers, not four 8 KiB bitmaps")
        #expect(try RoaringBitmapArray.decode(bytes) == range)

        var mixed: [Int64] = (0..<5000).map { Int64($0 * 2) }             // container 0: bitmap (5,000 scattered)
        mixed += [70_000, 70_005, 70_009]                                 // container 1: array
        mixed += (140_000..<150_000).map { Int64($0) }                     // container 2: run
        mixed += [200_000, 200_001, 200_002]                               // container 3: array (a run is no smaller)
        mixed += (Int64(3) << 32)..<((Int64(3) << 32) + 10)                 // another 32-bit bitmap: one run
        let encoded = RoaringBitmapArray.encode(mixed)
        #expect(try RoaringBitmapArray.decode(encoded) == mixed)
        // Cookie of the first 32-bit bitmap (after magic, count, key): runs, four containers.
        #expect(Array(encoded[16..<18]) == [0x3B, 0x30] && encoded[18] == 3)
        let containers = RoaringBitmapArray.containers(mixed[0..<(5000 + 3 + 10_000 + 3)])
        #expect(containers.map(\.kind) == [.bitmap, .array, .run, .array])
    }

    @Test func uuidTextAndBytesRoundTrip() throws {
        let bytes = try #require(DeletionVectorDescriptor.uuidBytes(Self.uuid.uppercased()))
        #expect(DeletionVectorDescriptor.uuidString(bytes) == Self.uuid)
        #expect(DeletionVectorDescriptor.uuidBytes("3f2504e0-4f89-41d3-9a0c-0305e82c330") == nil)
        #expect(DeletionVectorDescriptor.uuidBytes("3f2504e0x4f89-41d3-9a0c-0305e82c3301") == nil)
        #expect(DeletionVectorDescriptor.uuidBytes("3f2504e0-4f89-41d3-9a0c-0305e82c330g") == nil)
    }

    @Test func unionMergesSortedRowLists() {
        #expect(RoaringBitmapArray.union([1, 4, 9], [2, 4, 10, 11]) == [1, 2, 4, 9, 10, 11])
        #expect(RoaringBitmapArray.union([], [3]) == [3])
        #expect(RoaringBitmapArray.union([3], []) == [3])
    }
}
