import ObjectStore
import Testing
@testable import DeltaLog
@testable import Columnar

/// Values from a log that sit at or past the edge of their types: each must throw or parse exactly, never trap
/// and never take time proportional to a number in the input.
@Suite struct ExtremeValueTests {
    // MARK: Partition values

    @Test func decimalPartitionValuesWithHugeExponentsFailAtOnce() {
        #expect(PartitionValues.parseDecimal("1e999999999", precision: 10, scale: 2) == nil)
        #expect(PartitionValues.parseDecimal("1e-999999999", precision: 10, scale: 2) == nil)
        #expect(PartitionValues.parseDecimal("1e9223372036854775807", precision: 38, scale: 2) == nil)
        #expect(PartitionValues.parseDecimal("1e-9223372036854775808", precision: 38, scale: 2) == nil)
        #expect(PartitionValues.parseDecimal(String(repeating: "1", count: 39), precision: 38, scale: 0) == nil)
        #expect(PartitionValues.parseDecimal("1", precision: 50, scale: 45) == nil)
    }

    @Test func decimalPartitionValuesKeepTheirExactValue() {
        #expect(PartitionValues.parseDecimal("0e999999999", precision: 10, scale: 2) == 0)
        #expect(PartitionValues.parseDecimal("12345.6e3", precision: 10, scale: 2) == 1_234_560_000)
        #expect(PartitionValues.parseDecimal("-1.50", precision: 3, scale: 2) == -150)
        #expect(PartitionValues.parseDecimal("1.500", precision: 3, scale: 2) == 150)
        #expect(PartitionValues.parseDecimal("1.505", precision: 4, scale: 2) == nil)
        #expect(PartitionValues.parseDecimal("123.4", precision: 4, scale: 2) == nil)
        #expect(PartitionValues.parseDecimal("1200e-2", precision: 4, scale: 2) == 1200)
        #expect(PartitionValues.parseDecimal("000123", precision: 3, scale: 0) == 123)
        let nines = String(repeating: "9", count: 38)
        #expect(PartitionValues.parseDecimal(nines, precision: 38, scale: 0) == Int128(nines))
    }

    @Test func timestampPartitionValuesBeyondMicrosecondsThrow() throws {
        for text in ["999999-01-01", "-300000-01-01 00:00:00", "300000-01-01 00:00:00", "294247-01-10 04:00:54.775808"] {
            #expect(throws: DeltaError.self) { try PartitionValues.parse(text, type: .timestampMicros, column: "p") }
        }
        #expect(try PartitionValues.parse("294247-01-10 04:00:54.775807", type: .timestampMicros, column: "p") == .int(Int64.max))
    }

    @Test func integerPartitionValuesOutsideTheirColumnTypeThrow() {
        let cases: [(String, DataType)] = [("300", .int8), ("-129", .int8), ("40000", .int16), ("2147483648", .int32), ("99999999999999999999", .int64)]
        for (text, type) in cases {
            #expect(throws: DeltaError.invalidPartitionValue(column: "p", value: text, type: type.name)) {
                try PartitionValues.parse(text, type: type, column: "p")
            }
        }
    }

    @Test func everyThirtyTwoBitDatePartitionRoundTripsAndNoMore() throws {
        for days in [Int64(Int32.min), Int64(Int32.max), 0] {
            let text = try #require(try PartitionValues.serialize(.int(days), type: .date))
            #expect(try PartitionValues.parse(text, type: .date, column: "p") == .int(days))
        }
        #expect(throws: DeltaError.self) { try PartitionValues.parse("5881580-07-12", type: .date, column: "p") }
        #expect(throws: DeltaError.self) { try PartitionValues.parse("99999999-01-01", type: .date, column: "p") }
    }

    // MARK: Deletion vectors

    /// A RoaringBitmapArray holding one 32-bit bitmap of run containers: (key, header cardinality, runs).
    func runBitmap(_ containers: [(UInt16, Int, [(UInt16, UInt16)])]) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(v >> 8)] }
        let n = containers.count
        var b = le32(RoaringBitmapArray.magic) + le32(1) + le32(0) + le32(0)
        b += le32(12347 | UInt32(n - 1) << 16) + [UInt8](repeating: 0xFF, count: (n + 7) / 8)
        for (key, card, _) in containers { b += le16(key) + le16(UInt16(truncatingIfNeeded: card - 1)) }
        if n >= 4 { b += [UInt8](repeating: 0, count: 4 * n) }
        for (_, _, runs) in containers {
            b += le16(UInt16(runs.count))
            for (start, length) in runs { b += le16(start) + le16(length) }
        }
        return b
    }

    @Test func runContainersAreBoundedBeforeTheyExpand() throws {
        // 65536 full run containers claim 2^32 rows; with a limit of 10 the first run already fails.
        let huge = runBitmap((0..<65536).map { (UInt16($0), 65536, [(0, 65535)]) })
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(huge, limit: 10) }
        #expect(try RoaringBitmapArray.decode(runBitmap([(0, 3, [(4, 2)])]), limit: 3) == [4, 5, 6])
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(runBitmap([(0, 3, [(4, 2)])]), limit: 2) }
    }

    @Test func runContainersMustMatchTheirHeaderAndBeSorted() {
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(runBitmap([(0, 2, [(0, 5)])])) }
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(runBitmap([(0, 6, [(0, 3), (2, 1)])])) }
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(runBitmap([(0, 3, [(5, 1), (0, 0)])])) }
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(runBitmap([(0, 3, [(65534, 2)])])) }
    }

    @Test func bitmapKeysBeyondInt32WouldMakeNegativeRowsAndThrow() {
        var b = RoaringBitmapArray.encode([Int64(5)])
        b.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: DeltaError.self) { try RoaringBitmapArray.decode(b) }
    }

    @Test func deletionVectorsAreCheckedAgainstTheFileRowCount() async throws {
        let store = LocalStore(root: "/nonexistent")
        func inline(_ rows: [Int64], cardinality: Int64) throws -> DeletionVectorDescriptor {
            var bytes = RoaringBitmapArray.encode(rows)
            let size = bytes.count
            while bytes.count % 4 != 0 { bytes.append(0) }
            return DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: try #require(Z85.encode(bytes)), sizeInBytes: Int32(size), cardinality: cardinality)
        }
        #expect(try await DeletionVectorReader.deletedRows(inline([1, 9], cardinality: 2), store: store, rowCount: 10) == [1, 9])
        await #expect(throws: DeltaError.self) { try await DeletionVectorReader.deletedRows(inline([1, 10], cardinality: 2), store: store, rowCount: 10) }
        await #expect(throws: DeltaError.self) { try await DeletionVectorReader.deletedRows(inline([1], cardinality: 11), store: store, rowCount: 10) }
        await #expect(throws: DeltaError.self) { try await DeletionVectorReader.deletedRows(inline([1, 2, 3], cardinality: 1), store: store) }
    }

    // MARK: Log versions

    @Test func aCommitAtTheLargestVersionIsAGapNotATrap() {
        let listing = [0, Int64.max].map { ObjectMeta(path: LogFile.commitPath($0), size: 1, lastModified: 0) }
        #expect(throws: DeltaError.versionGap(missing: 1, after: 0)) { try LogSegment.build(listing: listing, version: nil) }
    }

    @Test func aCheckpointAtTheLargestVersionHasNoCommitsAfterIt() throws {
        let listing = [ObjectMeta(path: LogFile.classicCheckpointPath(Int64.max), size: 1, lastModified: 0)]
        let segment = try LogSegment.build(listing: listing, version: nil)
        #expect(segment.version == Int64.max)
        #expect(segment.commits.isEmpty)
    }
}
