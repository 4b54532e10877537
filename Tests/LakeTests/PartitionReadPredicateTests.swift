import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

// An Expr over partition columns as the ReadPredicate the conflict checker evaluates.

private let table = SkippingTable(schema: Schema([Field("p", .string), Field("q", .int32), Field("t", .timestampMicros), Field("x", .int64)]),
                                  partitionColumns: ["p", "q", "t"])

private func read(_ filter: String) throws -> ReadPredicate {
    ReadPredicate(partitionFilter: try Expr.parse(filter), table: table)
}

@Test func equalityOnAPartitionColumn() throws {
    #expect(try read("p = 'a'") == .equals(column: "p", value: "a"))
    #expect(try read("'a' = p") == .equals(column: "p", value: "a"))
}

@Test func dataColumnConjunctIsDropped() throws {
    #expect(try read("p = 'a' AND x > 5") == .equals(column: "p", value: "a"))
}

@Test func orWithDataColumnIsWholeTable() throws {
    #expect(try read("p = 'a' OR x > 5") == .wholeTable)
    #expect(try read("x > 5") == .wholeTable)
}

@Test func orOfPartitionEqualities() throws {
    let r = try read("p = 'a' OR p = 'b'")
    #expect(r == .or([.equals(column: "p", value: "a"), .equals(column: "p", value: "b")]))
    #expect(r.matches(["p": "b"]))
    #expect(!r.matches(["p": "c"]))
}

@Test func inListAndIsNull() throws {
    #expect(try read("q IN (1, 2)") == .isIn(column: "q", values: ["1", "2"]))
    let isNull = try read("p IS NULL")
    #expect(isNull.matches(["p": String?.none]))
    #expect(isNull.matches(["p": ""]))
    #expect(!isNull.matches(["p": "a"]))
    #expect(try read("p <=> NULL") == isNull)
}

@Test func constantsTypedAndSerializedCanonically() throws {
    // '05' compared with an int column is the integer 5, serialized "5".
    #expect(try read("q = '05'") == .equals(column: "q", value: "5"))
    #expect(try read("q = 5L") == .equals(column: "q", value: "5"))
}

@Test func comparisonsInAnotherTypeWiden() throws {
    // A string column against a number compares as numbers: 'p = 5' also holds for '05'.
    #expect(try read("p = 5") == .wholeTable)
    #expect(try read("q = 1.5") == .wholeTable)
}

@Test func typesWithSeveralSpellingsWiden() throws {
    #expect(try read("t = '2024-01-01 00:00:00'") == .wholeTable)
    #expect(try read("t = '2024-01-01 00:00:00' AND p = 'a'") == .equals(column: "p", value: "a"))
}

@Test func negationsAndRangesWiden() throws {
    #expect(try read("NOT (p = 'a')") == .wholeTable)
    #expect(try read("q > 1") == .wholeTable)
    #expect(try read("p <> 'a'") == .wholeTable)
}

@Test func nullComparisonSelectsNothing() throws {
    #expect(try read("p = NULL") == .or([]))
}

@Test func columnMappedPartitionKeysArePhysical() throws {
    let mapped = SkippingTable(schema: Schema([Field("p", .string, metadata: [DeltaSchema.physicalNameKey: "col-9"])]),
                               partitionColumns: ["p"], columnMapping: true)
    #expect(ReadPredicate(partitionFilter: try Expr.parse("p = 'a'"), table: mapped) == .equals(column: "col-9", value: "a"))
}
