import Foundation
import ObjectStore
import Testing
@testable import DeltaLog

@Suite struct DeletionVectorTests {
    @Test func roaringRoundTripAcrossContainersAndKeys() throws {
        var rows: [Int64] = [0, 3, 65535, 65536, 70000]
        rows += (200_000..<205_000).map { Int64($0) }   // > 4096 in one container: a bitmap container
        rows += [Int64(1) << 32 | 5, Int64(3) << 32]     // high keys
        let decoded = try RoaringBitmapArray.decode(RoaringBitmapArray.encode(rows))
        #expect(decoded == rows)
    }

    @Test func runContainersDecode() throws {
        // Portable format with runs: cookie 12347 | (1 container - 1) << 16, run bitmap, key/card, 1 run [10, 10+4].
        var b: [UInt8] = [0xD1, 0xD3, 0x39, 0x64]  // magic 1681511377 LE
        b += [1, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0]
        b += [0x3B, 0x30, 0, 0] + [1] + [0, 0, 4, 0] + [1, 0] + [10, 0, 4, 0]
        #expect(try RoaringBitmapArray.decode(b) == [10, 11, 12, 13, 14])
    }

    @Test func malformedBitmapsThrow() {
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode([1, 2, 3]) }
        var b = RoaringBitmapArray.encode([1, 2, 3])
        b.removeLast()
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(b) }
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode([0xD1, 0xD3, 0x39, 0x64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) }
    }

    @Test func inlineDeletionVectorDecodes() async throws {
        var bytes = RoaringBitmapArray.encode([2, 4, 8])
        let size = bytes.count
        while bytes.count % 4 != 0 { bytes.append(0) }
        let dv = DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: try #require(Z85.encode(bytes)), sizeInBytes: Int32(size), cardinality: 3)
        let rows = try await DeletionVectorReader.deletedRows(dv, store: LocalStore(root: "/nonexistent"))
        #expect(rows == [2, 4, 8])
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    /// Every DV of the golden DV tables decodes to the rows pyroaring decodes.
    @Test func goldenDeletionVectorsMatchPyroaring() async throws {
        guard let python = Golden.python else { return }
        let script = try Golden.script("dv_oracle.py")
        defer { try? FileManager.default.removeItem(atPath: script) }
        for name in ["dv-partitioned-with-checkpoint", "dv-with-columnmapping", "log-replay-dv-key-cases"] {
            let dir = Golden.root + "/" + name
            let snap = try await Snapshot.load(store: LocalStore(root: dir))
            var mine: [String: [Int64]] = [:]
            for f in snap.files where f.deletionVector != nil {
                mine[f.path] = try await snap.deletedRows(for: f)
            }
            let out = try Golden.run(python, [script, dir])
            let expected = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: [Int]] ?? [:]
            #expect(!mine.isEmpty, "\(name) has deletion vectors")
            #expect(mine == expected.mapValues { $0.map(Int64.init) }, "\(name)")
        }
    }
}
