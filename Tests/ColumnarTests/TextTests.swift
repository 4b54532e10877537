import Testing
@testable import Columnar

private func json(_ type: DataType, _ values: [Scalar]) throws -> [String] {
    let c = try Column(type, values)
    return (0..<c.count).map { ValueText.string(c, row: $0, style: .json) }
}

@Test func datesAndTimestampsFollowTheConventions() throws {
    #expect(try json(.date, [.int(0), .int(19723), .int(-1)]) == [#""1970-01-01""#, #""2024-01-01""#, #""1969-12-31""#])
    let us: Int64 = 1_704_067_200_000_000 + 3_723_000_123
    #expect(try json(.timestampMicros, [.int(us)]) == [#""2024-01-01T01:02:03.000123Z""#])
    #expect(try json(.timestampNTZ, [.int(-1)]) == [#""1969-12-31T23:59:59.999999""#])
    #expect(try json(.timestamp(.nanosecond, utc: false), [.int(1)]) == [#""1970-01-01T00:00:00.000000001""#])
    #expect(try json(.time(.millisecond), [.int(45_296_789)]) == [#""12:34:56.789000""#])
}

@Test func civilDaysRoundTrip() {
    for d in stride(from: Int64(-800_000), through: 800_000, by: 997) {
        let (y, m, day) = CivilTime.date(fromDays: d)
        #expect(CivilTime.days(year: y, month: m, day: day) == d)
    }
    #expect(CivilTime.days(year: 2023, month: 2, day: 29) == nil)
}

@Test func numbersDecimalsAndSpecialFloats() throws {
    #expect(try json(.float64, [.double(.nan), .double(-.infinity), .double(0.1), .double(1e300)]) == [#""NaN""#, #""-Infinity""#, "0.1", "1e+300"])
    #expect(try json(.float32, [.float(0.1)]) == ["0.1"])
    #expect(try json(.decimal(precision: 5, scale: 2), [.decimal(1230), .decimal(-5), .decimal(0)]) == [#""12.30""#, #""-0.05""#, #""0.00""#])
    #expect(try json(.int64, [.int(Int64.min), .null]) == ["-9223372036854775808", "null"])
    #expect(try json(.uint64, [.uint(UInt64.max)]) == ["18446744073709551615"])
}

@Test func stringsBinaryAndNested() throws {
    #expect(try json(.string, [.string("a\"b\\\n\u{1}é")]) == [#""a\"b\\\n\u0001é""#])
    #expect(try json(.binary, [.bytes([0xff, 0x00]), .bytes([1, 2, 3])]) == [#""/wA=""#, #""AQID""#])
    let s = DataType.structure([Field("a", .int32), Field("b", .list(Field("element", .string)))])
    #expect(try json(s, [.structure([.int(1), .list([.string("x"), .null])])]) == [#"{"a":1,"b":["x",null]}"#])
    let m = DataType.map(key: Field("key", .string, nullable: false), value: Field("value", .int64))
    #expect(try json(m, [.map([.init(.string("k"), .int(2))])]) == [#"[{"key":"k","value":2}]"#])
}

@Test func csvQuotesOnlyWhenNeeded() throws {
    let batch = try RecordBatch(
        schema: Schema([Field("id", .int64), Field("name", .string)]),
        columns: [try Column(.int64, [.int(1), .null]), try Column(.string, [.string("a,b"), .string("plain")])])
    var out = [UInt8]()
    BatchText.csv(batch, to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "id,name\n1,\"a,b\"\n,plain\n")
    var nd = [UInt8]()
    BatchText.ndjson(batch, to: &nd)
    #expect(String(decoding: nd, as: UTF8.self) == "{\"id\":1,\"name\":\"a,b\"}\n{\"id\":null,\"name\":\"plain\"}\n")
    #expect(BatchText.table(batch).contains("2 rows"))
}

@Test func csvDistinguishesEmptyStringsFromNulls() throws {
    let batch = try RecordBatch(
        schema: Schema([Field("s", .string)]),
        columns: [try Column(.string, [.string(""), .null, .string("x")])])
    var out = [UInt8]()
    BatchText.csv(batch, to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "s\n\"\"\n\nx\n")
}
