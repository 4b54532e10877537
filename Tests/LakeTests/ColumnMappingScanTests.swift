import Columnar
import DataFrame
import DeltaLog
import Foundation
import Testing
@testable import Lake

/// Partition values of column-mapped tables: the log keys them by physical name, so a scan that looked
/// them up by logical name would return nulls (and partition pruning would drop every file).
@Suite struct ColumnMappingScanTests {
    static let golden: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/LakeTests/X.swift → checkout's parent
        return url.path + "/shared/corpus/delta-golden"
    }()

    func scan(_ name: String, where predicate: String? = nil) async throws -> DataFrame {
        var options = Scan.Options()
        options.predicate = predicate
        return try await Scan(table: try DeltaTable(location: Self.golden + "/" + name), options: options).execute().1
    }

    @Test(arguments: ["data-reader-timestamp_ntz-id-mode", "data-reader-timestamp_ntz-name-mode"])
    func timestampNtzPartitionsUnderColumnMapping(_ name: String) async throws {
        let frame = try await scan(name)
        let partitions = try frame.column("tsNtzPartition").scalars
        // 2021-11-18 02:30:00.123456 and 2013-07-05 17:01:00.123456 as µs since the epoch, and one null partition.
        let late: Int64 = 1_637_202_600_123_456, early: Int64 = 1_373_043_660_123_456
        #expect(Set(partitions.map { "\($0)" }) == Set([Scalar.int(late), .int(early), .null].map { "\($0)" }))
        #expect(partitions.filter { $0 == .null }.count == 3)
        let pruned = try await scan(name, where: "tsNtzPartition = TIMESTAMP_NTZ '2013-07-05 17:01:00.123456'")
        #expect(pruned.rowCount == partitions.filter { $0 == .int(early) }.count && pruned.rowCount > 0)
    }

    @Test func deletionVectorsWithColumnMappingKeepPartitionValues() async throws {
        let frame = try await scan("dv-with-columnmapping")
        let parts = try frame.column("part").scalars
        #expect(!parts.isEmpty && !parts.contains(.null))
        let nine = try await scan("dv-with-columnmapping", where: "part = 9")
        #expect(nine.rowCount == parts.filter { $0 == .int(9) }.count && nine.rowCount > 0)
    }
}
