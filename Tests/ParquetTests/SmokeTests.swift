import Testing
@testable import Parquet

@Test func createdByNamesLake() { #expect(ParquetFormat.createdBy.hasPrefix("lake")) }
