import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

// Stats skipping: each test builds add actions in memory and asks DataSkipping whether they may match.

@Test func longBeyondTwoPow53ComparesExactly() throws {
    let v = "9007199254740993"
    #expect(try keeps("x = 9007199254740993", .int64, min: v, max: v))
    #expect(try !keeps("x = 9007199254740992", .int64, min: v, max: v))
    #expect(try !keeps("x = 9007199254740994", .int64, min: v, max: v))
    #expect(try keeps("x > 9007199254740992", .int64, min: v, max: v))
    #expect(try !keeps("x > 9007199254740993", .int64, min: v, max: v))
}

@Test func longExtremesCompareExactly() throws {
    let lo = "-9223372036854775808", hi = "9223372036854775807"
    #expect(try keeps("x = 9223372036854775807", .int64, min: hi, max: hi))
    #expect(try !keeps("x < 9223372036854775807", .int64, min: hi, max: hi))
    #expect(try keeps("x = -9223372036854775808", .int64, min: lo, max: lo))
    #expect(try !keeps("x > -9223372036854775808", .int64, min: lo, max: lo))
}

@Test func decimalLiteralAtFinerScaleThanColumn() throws {
    let t = DataType.decimal(precision: 10, scale: 2)
    #expect(try !keeps("x = 1.005", t, min: "1.00", max: "1.00"))
    #expect(try keeps("x < 1.005", t, min: "1.00", max: "1.00"))
    #expect(try !keeps("x > 1.005", t, min: "1.00", max: "1.00"))
    #expect(try keeps("x = 1.0", t, min: "1.00", max: "1.00"))
}

@Test func decimalLiteralWithTrailingZerosMatchesColumnValue() throws {
    let t = DataType.decimal(precision: 10, scale: 2)
    #expect(try keeps("x = 123.450", t, min: "123.45", max: "123.45"))
    #expect(try !keeps("x = 123.451", t, min: "123.45", max: "123.45"))
    #expect(try keeps("x > 123.449", t, min: "123.45", max: "123.45"))
    #expect(try !keeps("x >= 123.451", t, min: "123.45", max: "123.45"))
}

@Test func decimal38DigitsComparesExactly() throws {
    let t = DataType.decimal(precision: 38, scale: 18)
    let v = "12345678901234567890.123456789012345678"
    #expect(try keeps("x = 12345678901234567890.123456789012345678", t, min: v, max: v))
    #expect(try !keeps("x = 12345678901234567890.123456789012345679", t, min: v, max: v))
    #expect(try !keeps("x > 12345678901234567890.123456789012345678", t, min: v, max: v))
}

@Test func decimalStatsInExponentNotation() throws {
    let t = DataType.decimal(precision: 10, scale: 2)
    #expect(try keeps("x = 1500", t, min: "1.5E+3", max: "1.5E+3"))
    #expect(try !keeps("x = 1500.01", t, min: "1.5E+3", max: "1.5E+3"))
}

@Test func longColumnAgainstDecimalAndDoubleLiterals() throws {
    #expect(try keeps("x = 5.0", .int64, min: "5", max: "5"))
    #expect(try !keeps("x = 5.5", .int64, min: "5", max: "5"))
    #expect(try keeps("x < 5.5", .int64, min: "5", max: "5"))
    #expect(try !keeps("x > 5.5", .int64, min: "5", max: "5"))
    #expect(try !keeps("x > 5.5D", .int64, min: "5", max: "5"))
    #expect(try keeps("x = 5.0D", .int64, min: "5", max: "5"))
}

@Test func intColumnAgainstLongLiteralOutsideIntRange() throws {
    #expect(try !keeps("x = 3000000000", .int32, min: "1", max: "2147483647"))
    #expect(try keeps("x < 3000000000", .int32, min: "1", max: "2147483647"))
}

@Test func shortAndByteColumns() throws {
    #expect(try !keeps("x > 100", .int16, min: "-5", max: "100"))
    #expect(try keeps("x >= 100", .int16, min: "-5", max: "100"))
    #expect(try !keeps("x < -5", .int8, min: "-5", max: "100"))
    #expect(try keeps("x <= -5Y", .int8, min: "-5", max: "100"))
}

@Test func dateColumnAgainstStringAndDateLiterals() throws {
    let min = "\"2024-01-10\"", max = "\"2024-01-20\""
    #expect(try keeps("x = '2024-01-15'", .date, min: min, max: max))
    #expect(try !keeps("x < '2024-01-10'", .date, min: min, max: max))
    #expect(try keeps("x <= '2024-01-10'", .date, min: min, max: max))
    #expect(try !keeps("x = DATE '2024-02-01'", .date, min: min, max: max))
    #expect(try keeps("x >= DATE '2024-01-20'", .date, min: min, max: max))
    #expect(try !keeps("x > CAST('2024-01-20' AS DATE)", .date, min: min, max: max))
}

@Test func dateColumnAgainstTimestampLiteral() throws {
    // The engine compares a date with a timestamp as timestamps (the date at midnight).
    let d = "\"2024-01-10\""
    #expect(try keeps("x = TIMESTAMP '2024-01-10 00:00:00'", .date, min: d, max: d))
    #expect(try !keeps("x = TIMESTAMP '2024-01-10 00:00:01'", .date, min: d, max: d))
}

@Test func timestampMaxTruncatedToMillisecondsIsWidened() throws {
    // A row at 10:00:00.123456 is written as max 10:00:00.123 by Delta.
    let min = "\"2024-01-01T09:00:00.000Z\"", max = "\"2024-01-01T10:00:00.123Z\""
    #expect(try keeps("x > TIMESTAMP '2024-01-01 10:00:00.123400'", .timestampMicros, min: min, max: max))
    #expect(try keeps("x = '2024-01-01 10:00:00.123999'", .timestampMicros, min: min, max: max))
    #expect(try !keeps("x >= '2024-01-01 10:00:00.124'", .timestampMicros, min: min, max: max))
    #expect(try !keeps("x < '2024-01-01 09:00:00'", .timestampMicros, min: min, max: max))
    #expect(try keeps("x <= '2024-01-01 09:00:00'", .timestampMicros, min: min, max: max))
}

@Test func timestampNTZStatsWithoutZone() throws {
    let min = "\"2024-01-01T09:00:00.000\"", max = "\"2024-01-01T10:00:00.123\""
    #expect(try keeps("x > TIMESTAMP_NTZ '2024-01-01 10:00:00.123400'", .timestampNTZ, min: min, max: max))
    #expect(try !keeps("x > '2024-01-01 10:00:00.124'", .timestampNTZ, min: min, max: max))
    #expect(try !keeps("x < TIMESTAMP_NTZ '2024-01-01 08:59:59.999999'", .timestampNTZ, min: min, max: max))
}

@Test func timestampStatsWithZoneOffset() throws {
    // 11:00+01:00 is 10:00Z.
    let v = "\"2024-01-01T11:00:00.000+01:00\""
    #expect(try keeps("x = '2024-01-01 10:00:00'", .timestampMicros, min: v, max: v))
    #expect(try !keeps("x = '2024-01-01 11:00:00'", .timestampMicros, min: v, max: v))
}

@Test func stringsCompareAsUTF8Bytes() throws {
    let min = "\"apple\"", max = "\"banana\""
    #expect(try !keeps("x = 'cherry'", .string, min: min, max: max))
    #expect(try keeps("x = 'b'", .string, min: min, max: max))
    #expect(try !keeps("x > 'banana'", .string, min: min, max: max))
    #expect(try keeps("x >= 'banana'", .string, min: min, max: max))
    #expect(try !keeps("x < 'apple'", .string, min: min, max: max))
    // 'é' (C3 A9) sorts after 'z' (7A) in UTF-8.
    #expect(try !keeps("x = 'é'", .string, min: "\"a\"", max: "\"z\""))
    #expect(try keeps("x = 'z'", .string, min: "\"a\"", max: "\"é\""))
}

@Test func truncatedStringMaxWithReplacementTieBreakerBoundsOnlyItsPrefix() throws {
    let prefix = String(repeating: "a", count: 32)
    let max = "\"\(prefix)\u{FFFD}\""
    // Rows longer than 32 characters share the prefix and can sort anywhere after it.
    #expect(try keeps("x = '\(prefix)zzzz'", .string, min: "\"a\"", max: max))
    #expect(try keeps("x > '\(prefix)\u{10FFFF}'", .string, min: "\"a\"", max: max))
    #expect(try !keeps("x >= 'b'", .string, min: "\"a\"", max: max))
    #expect(try !keeps("x = 'ab'", .string, min: "\"b\"", max: max))
}

@Test func stringMaxCutAt32CharactersWithoutMarkerIsOnlyAPrefix() throws {
    let cut = String(repeating: "m", count: 32)
    #expect(try keeps("x = '\(cut)n'", .string, min: "\"a\"", max: "\"\(cut)\""))
    #expect(try !keeps("x = 'n'", .string, min: "\"a\"", max: "\"\(cut)\""))
}

@Test func truncatedNonASCIIStringMax() throws {
    // 31 'é' (62 bytes) then the newest Delta tie-breaker U+10FFFF.
    let prefix = String(repeating: "é", count: 31)
    let max = "\"\(prefix)\u{10FFFF}\""
    #expect(try keeps("x = '\(prefix)😀😀'", .string, min: "\"a\"", max: max))
    #expect(try !keeps("x = 'ê'", .string, min: "\"a\"", max: max))
}

@Test func shortStringMaxIsExact() throws {
    #expect(try !keeps("x > 'abc'", .string, min: "\"a\"", max: "\"abc\""))
    #expect(try keeps("x >= 'abc'", .string, min: "\"a\"", max: "\"abc\""))
}

@Test func doubleRowsMayBeNaNWhateverTheMax() throws {
    // Lake and Arrow leave NaN out of min/max, and NaN is above every number in Spark's order.
    #expect(try keeps("x > 10", .float64, min: "1.0", max: "5.0"))
    #expect(try keeps("x <> 3", .float64, min: "3.0", max: "3.0"))
    #expect(try keeps("x = CAST('NaN' AS DOUBLE)", .float64, min: "1.0", max: "5.0"))
    #expect(try !keeps("x < 0.5", .float64, min: "1.0", max: "5.0"))
    #expect(try !keeps("x = 10", .float64, min: "1.0", max: "5.0"))
    #expect(try !keeps("x <= 0.99", .float64, min: "1.0", max: "5.0"))
}

@Test func nanBoundsAreIgnored() throws {
    // Spark writes NaN as the max when present; the min still bounds the ordinary values.
    #expect(try !keeps("x < 0.5", .float64, min: "1.0", max: "\"NaN\""))
    #expect(try keeps("x > 100", .float64, min: "1.0", max: "\"NaN\""))
    #expect(try keeps("x < 0", .float64, min: "\"NaN\"", max: "\"NaN\""))
}

@Test func negativeZeroEqualsZero() throws {
    #expect(try keeps("x = 0.0", .float64, min: "-0.0", max: "-0.0"))
    #expect(try keeps("x = -0.0", .float64, min: "0.0", max: "0.0"))
}

@Test func floatStatsReadAsFloat() throws {
    // 0.1 as a float is 0.100000001490116...; a double 0.1 literal compares below it.
    #expect(try keeps("x >= 0.1F", .float32, min: "0.1", max: "0.1"))
    #expect(try keeps("x = CAST(0.1 AS FLOAT)", .float32, min: "0.1", max: "0.1"))
    #expect(try !keeps("x < 0.05", .float32, min: "0.1", max: "0.2"))
}

@Test func isNullThroughNullCount() throws {
    #expect(try !keeps("x IS NULL", .int64, min: "1", max: "5", nullCount: 0))
    #expect(try keeps("x IS NULL", .int64, min: "1", max: "5", nullCount: 3))
    #expect(try keeps("x IS NULL", .int64, min: "1", max: "5", nullCount: nil))
}

@Test func isNotNullThroughNullCountAndNumRecords() throws {
    #expect(try !keeps("x IS NOT NULL", .int64, min: nil, max: nil, nullCount: 10, numRecords: 10))
    #expect(try keeps("x IS NOT NULL", .int64, min: nil, max: nil, nullCount: 9, numRecords: 10))
    // An all-null column satisfies no comparison.
    #expect(try !keeps("x = 1", .int64, min: nil, max: nil, nullCount: 10, numRecords: 10))
    #expect(try !keeps("x <> 1", .int64, min: nil, max: nil, nullCount: 10, numRecords: 10))
}

@Test func notPushedThroughThreeValuedLogic() throws {
    #expect(try keeps("NOT (x > 5)", .int64, min: "1", max: "10"))
    #expect(try !keeps("NOT (x > 0)", .int64, min: "1", max: "10"))
    // Nulls make NOT (x > 0) NULL, never TRUE.
    #expect(try !keeps("NOT (x > 0)", .int64, min: "1", max: "10", nullCount: 4))
    #expect(try !keeps("NOT (x >= 1 AND x <= 10)", .int64, min: "1", max: "10"))
    #expect(try keeps("NOT (x >= 2 AND x <= 10)", .int64, min: "1", max: "10"))
    #expect(try !keeps("NOT NOT (x > 10)", .int64, min: "1", max: "10"))
    #expect(try !keeps("NOT (x IS NOT NULL)", .int64, min: "1", max: "10", nullCount: 0))
}

@Test func orNeedsEveryBranchRuledOut() throws {
    #expect(try !keeps("x > 20 OR x < 0", .int64, min: "1", max: "10"))
    #expect(try keeps("x > 20 OR x < 2", .int64, min: "1", max: "10"))
    #expect(try !keeps("x > 20 OR x IS NULL", .int64, min: "1", max: "10", nullCount: 0))
    #expect(try keeps("x > 20 OR x IS NULL", .int64, min: "1", max: "10", nullCount: 1))
}

@Test func orWithUnknownBranchKeeps() throws {
    let s = try skipping("x > 20 OR y = 1", [Field("x", .int64), Field("y", .int64)])
    #expect(s.statsMayMatch(addFile(stats: columnStats("x", min: "1", max: "10"))))
    let and = try skipping("x > 20 AND y = 1", [Field("x", .int64), Field("y", .int64)])
    #expect(!and.statsMayMatch(addFile(stats: columnStats("x", min: "1", max: "10"))))
}

@Test func literalOnTheLeft() throws {
    #expect(try !keeps("5 > x", .int64, min: "5", max: "9"))
    #expect(try keeps("5 >= x", .int64, min: "5", max: "9"))
    #expect(try keeps("9 <= x", .int64, min: "5", max: "9"))
    #expect(try !keeps("9 < x", .int64, min: "5", max: "9"))
    #expect(try !keeps("'2024-02-01' = x", .date, min: "\"2024-01-01\"", max: "\"2024-01-31\""))
}

@Test func inLists() throws {
    #expect(try !keeps("x IN (20, 30)", .int64, min: "1", max: "10"))
    #expect(try keeps("x IN (5, 30)", .int64, min: "1", max: "10"))
    #expect(try !keeps("x IN (NULL)", .int64, min: "1", max: "10"))
    #expect(try !keeps("x NOT IN (1, 2)", .int64, min: "1", max: "1"))
    #expect(try keeps("x NOT IN (1, 2)", .int64, min: "1", max: "3"))
    // NOT IN with a NULL item is never TRUE.
    #expect(try !keeps("x NOT IN (50, NULL)", .int64, min: "1", max: "10"))
    // The list is compared in its common type: decimal here.
    #expect(try keeps("x IN (1.5, 2.5)", .int64, min: "1", max: "10"))
    #expect(try !keeps("x IN (10.5, 11)", .int64, min: "1", max: "10"))
}

@Test func betweenAndNotBetween() throws {
    #expect(try !keeps("x BETWEEN 11 AND 20", .int64, min: "1", max: "10"))
    #expect(try keeps("x BETWEEN 10 AND 20", .int64, min: "1", max: "10"))
    #expect(try !keeps("x NOT BETWEEN 0 AND 100", .int64, min: "1", max: "10"))
    #expect(try keeps("x NOT BETWEEN 2 AND 9", .int64, min: "1", max: "10"))
}

@Test func nullLiteralComparisonsNeverMatch() throws {
    #expect(try !keeps("x = NULL", .int64, min: "1", max: "10"))
    #expect(try !keeps("NOT (x = NULL)", .int64, min: "1", max: "10"))
    #expect(try !keeps("x <=> NULL", .int64, min: "1", max: "10", nullCount: 0))
    #expect(try keeps("x <=> NULL", .int64, min: "1", max: "10", nullCount: 2))
    #expect(try keeps("x <=> 5", .int64, min: "5", max: "5"))
    #expect(try !keeps("x <=> 6", .int64, min: "5", max: "5"))
    #expect(try !keeps("x IS DISTINCT FROM 5", .int64, min: "5", max: "5", nullCount: 0))
    #expect(try keeps("x IS DISTINCT FROM 5", .int64, min: "5", max: "5", nullCount: 1))
}

@Test func missingStatsKeepTheFile() throws {
    let s = try skipping("x = 1", [Field("x", .int64)])
    #expect(s.statsMayMatch(addFile(stats: nil)))
    #expect(s.statsMayMatch(addFile(stats: "{not json")))
    #expect(s.statsMayMatch(addFile(stats: "{\"numRecords\":5}")))
    #expect(s.statsMayMatch(addFile(stats: columnStats("other", min: "100", max: "100"))))
    // Only a min: still a lower bound.
    #expect(try !keeps("x = 1", .int64, min: "5", max: nil))
    #expect(try keeps("x = 100", .int64, min: "5", max: nil))
}

@Test func booleanAndBinaryUseOnlyNullCounts() throws {
    #expect(try keeps("x = TRUE", .boolean, min: "false", max: "false"))
    #expect(try !keeps("x", .boolean, min: nil, max: nil, nullCount: 10, numRecords: 10))
    #expect(try keeps("x IS NOT NULL", .binary, min: nil, max: nil, nullCount: 1))
}

@Test func unsupportedPredicatesKeep() throws {
    #expect(try keeps("x + 1 = 100", .int64, min: "1", max: "10"))
    #expect(try keeps("x LIKE 'zz%'", .string, min: "\"a\"", max: "\"b\""))
    #expect(try keeps("abs(x) > 100", .int64, min: "1", max: "10"))
    // A string column against a number compares as numbers: not orderable from string stats.
    #expect(try keeps("x = 5", .string, min: "\"a\"", max: "\"b\""))
}

@Test func columnMappingReadsStatsByPhysicalName() throws {
    let field = Field("x", .int64, metadata: [DeltaSchema.physicalNameKey: "col-7f3a"])
    let s = try skipping("x > 100", [field], mapping: true)
    #expect(!s.statsMayMatch(addFile(stats: columnStats("col-7f3a", min: "1", max: "10"))))
    #expect(s.statsMayMatch(addFile(stats: columnStats("x", min: "1", max: "10"))))
}

@Test func wideBoundsStillBoundValues() throws {
    let stats = "{\"numRecords\":10,\"tightBounds\":false,\"minValues\":{\"x\":1},\"maxValues\":{\"x\":10},\"nullCount\":{\"x\":3}}"
    let s = try skipping("x > 10", [Field("x", .int64)])
    #expect(!s.statsMayMatch(addFile(stats: stats)))
    #expect(try skipping("x IS NULL", [Field("x", .int64)]).statsMayMatch(addFile(stats: stats)))
}
