import Testing
@testable import DeltaLog

// Targeted reads of add.stats: only the requested columns, numbers kept as their exact text.

private func add(_ stats: String?) -> AddFile {
    AddFile(path: "f.parquet", size: 1, modificationTime: 0, stats: stats)
}

@Test func statsLeavesReadsRequestedColumnsExactly() throws {
    let stats = #"{"numRecords":3,"minValues":{"a":9007199254740993,"b":"x","c":1.005},"maxValues":{"a":9223372036854775807,"c":1E+3},"nullCount":{"a":0,"b":2}}"#
    let leaves = try #require(add(stats).statsLeaves(StatsColumnPaths([["a"], ["c"], ["missing"]])))
    #expect(leaves.numRecords == 3)
    #expect(leaves.leaves[0] == StatsLeaf(min: .integer(9_007_199_254_740_993), max: .integer(Int64.max), nullCount: 0))
    #expect(leaves.leaves[1] == StatsLeaf(min: .number("1.005"), max: .number("1E+3"), nullCount: nil))
    #expect(leaves.leaves[2] == StatsLeaf())
}

@Test func statsLeavesFollowsNestedStructs() throws {
    let stats = #"{"numRecords":2,"minValues":{"s":{"t":{"u":5}},"u":1},"maxValues":{"s":{"t":{"u":7}}},"nullCount":{"s":{"t":{"u":1}}}}"#
    let leaves = try #require(add(stats).statsLeaves(StatsColumnPaths([["s", "t", "u"], ["u"]])))
    #expect(leaves.leaves[0] == StatsLeaf(min: .integer(5), max: .integer(7), nullCount: 1))
    #expect(leaves.leaves[1] == StatsLeaf(min: .integer(1)))
}

@Test func statsLeavesDecodesEscapedKeysAndStrings() throws {
    let stats = #"{"minValues":{"caf\u00e9":"\ud83d\ude00"},"tightBounds":false}"#
    let leaves = try #require(add(stats).statsLeaves(StatsColumnPaths([["café"]])))
    #expect(leaves.leaves[0].min == .string("😀"))
    #expect(leaves.tightBounds == false)
}

@Test func integerBeyondInt64StaysText() throws {
    let stats = #"{"minValues":{"a":99999999999999999999}}"#
    let leaves = try #require(add(stats).statsLeaves(StatsColumnPaths([["a"]])))
    #expect(leaves.leaves[0].min == .number("99999999999999999999"))
}

@Test func malformedOrMissingStatsReadAsNothing() {
    let paths = StatsColumnPaths([["a"]])
    #expect(add(nil).statsLeaves(paths) == nil)
    #expect(add(#"{"minValues":{"a":1"#).statsLeaves(paths) == nil)
    #expect(add("[]").statsLeaves(paths) == nil)
}
