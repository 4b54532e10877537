import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

// Partition pruning through the same evaluator: a partition value is a column with min = max = value.

private let fields = [Field("p", .string), Field("q", .int32), Field("x", .int64)]

private func prunes(_ predicate: String, _ values: [String: String?]) throws -> Bool {
    !(try skipping(predicate, fields, partitions: ["p", "q"]).partitionMayMatch(addFile(stats: nil, partitions: values)))
}

@Test func partitionEqualityAndInequality() throws {
    #expect(try !prunes("p = 'a'", ["p": "a", "q": "1"]))
    #expect(try prunes("p = 'a'", ["p": "b", "q": "1"]))
    #expect(try prunes("p <> 'a'", ["p": "a", "q": "1"]))
    #expect(try !prunes("p <> 'a'", ["p": "b", "q": "1"]))
    #expect(try prunes("'a' = p", ["p": "b", "q": "1"]))
}

@Test func nullPartitionMatchesOnlyIsNull() throws {
    let null: [String: String?] = ["p": String?.none, "q": "1"]
    #expect(try !prunes("p IS NULL", null))
    #expect(try prunes("p IS NOT NULL", null))
    #expect(try prunes("p = 'a'", null))
    #expect(try prunes("p <> 'a'", null))
    #expect(try prunes("NOT (p = 'a')", null))
    #expect(try prunes("p IS NULL", ["p": "a", "q": "1"]))
    #expect(try !prunes("p <=> NULL", null))
}

@Test func emptyPartitionValueIsNull() throws {
    #expect(try !prunes("q IS NULL", ["p": "a", "q": ""]))
    #expect(try prunes("q > 0", ["p": "a", "q": ""]))
}

@Test func integerPartitionRanges() throws {
    #expect(try !prunes("q > 5", ["p": "a", "q": "10"]))
    #expect(try prunes("q > 5", ["p": "a", "q": "3"]))
    #expect(try prunes("q BETWEEN 4 AND 9", ["p": "a", "q": "3"]))
    #expect(try !prunes("q IN (1, 3)", ["p": "a", "q": "3"]))
    #expect(try prunes("q NOT IN (1, 3)", ["p": "a", "q": "3"]))
    // A string literal is read as the column's integer, as the engine does.
    #expect(try !prunes("q = '3'", ["p": "a", "q": "3"]))
}

@Test func partitionOnlyPrunesOnPartitionColumns() throws {
    // x is a data column: unknown to partition pruning.
    #expect(try !prunes("p = 'b' OR x > 100", ["p": "a", "q": "1"]))
    #expect(try prunes("p = 'b' AND x > 100", ["p": "a", "q": "1"]))
}

@Test func statsSkippingUsesPartitionValuesToo() throws {
    let s = try skipping("p = 'b' OR x > 100", fields, partitions: ["p", "q"])
    let file = addFile(stats: columnStats("x", min: "1", max: "10"), partitions: ["p": "a", "q": "1"])
    #expect(s.partitionMayMatch(file))
    #expect(!s.statsMayMatch(file))
}

@Test func datePartitionAgainstStringLiteral() throws {
    let s = try skipping("d >= '2024-02-01'", [Field("d", .date)], partitions: ["d"])
    #expect(!s.partitionMayMatch(addFile(stats: nil, partitions: ["d": "2024-01-31"])))
    #expect(s.partitionMayMatch(addFile(stats: nil, partitions: ["d": "2024-02-01"])))
}

@Test func timestampPartitionIsExact() throws {
    let s = try skipping("t > '2024-01-01 10:00:00'", [Field("t", .timestampMicros)], partitions: ["t"])
    #expect(!s.partitionMayMatch(addFile(stats: nil, partitions: ["t": "2024-01-01 10:00:00"])))
    #expect(s.partitionMayMatch(addFile(stats: nil, partitions: ["t": "2024-01-01 10:00:00.000001"])))
}

@Test func nanPartitionValue() throws {
    let field = [Field("f", .float64)]
    let nan = addFile(stats: nil, partitions: ["f": "NaN"])
    #expect(try skipping("f > 1e300", field, partitions: ["f"]).partitionMayMatch(nan))
    #expect(try !skipping("f < 0", field, partitions: ["f"]).partitionMayMatch(nan))
    #expect(try skipping("f = CAST('NaN' AS DOUBLE)", field, partitions: ["f"]).partitionMayMatch(nan))
}

@Test func booleanPartitionAsCondition() throws {
    let s = try skipping("b", [Field("b", .boolean)], partitions: ["b"])
    #expect(s.partitionMayMatch(addFile(stats: nil, partitions: ["b": "true"])))
    #expect(!s.partitionMayMatch(addFile(stats: nil, partitions: ["b": "false"])))
    #expect(!s.partitionMayMatch(addFile(stats: nil, partitions: ["b": String?.none])))
}

@Test func malformedPartitionValueIsKeptForTheReadToReport() throws {
    #expect(try !prunes("q = 1", ["p": "a", "q": "not-a-number"]))
}

@Test func columnMappedPartitionValuesByPhysicalName() throws {
    let p = Field("p", .string, metadata: [DeltaSchema.physicalNameKey: "col-1"])
    let s = try skipping("p = 'a'", [p], partitions: ["p"], mapping: true)
    #expect(s.partitionMayMatch(addFile(stats: nil, partitions: ["col-1": "a"])))
    #expect(!s.partitionMayMatch(addFile(stats: nil, partitions: ["col-1": "b"])))
}
