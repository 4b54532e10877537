import Columnar
import Parquet
import Testing
@testable import DataFrame

/// CSV and NDJSON written into an existing table: every value is parsed with the table column's type.
/// Expected epoch values come from `date -u -d <time> +%s`, not from lake.
@Suite struct TextTableSchemaTests {
    /// 2024-01-01T00:00:00Z in microseconds (`date -u -d 2024-01-01T00:00:00Z +%s` = 1704067200).
    let newYear: Int64 = 1_704_067_200_000_000
    let hour: Int64 = 3_600_000_000

    func table(_ schema: String) throws -> Schema { try SchemaString.parse(schema) }

    /// All batches of `text` read with `table`, concatenated.
    func read(_ text: String, _ format: TextFormat, table: Schema?, chunkSize: Int = 1 << 20) throws -> (TextBatchReader, DataFrame) {
        let reader = try TextBatchReader(source: MemorySource(Array(text.utf8)), format: format, table: table, chunkSize: chunkSize)
        var frames = [DataFrame]()
        while let f = try reader.next() { frames.append(f) }
        return (reader, frames.isEmpty ? DataFrame(emptyOf: reader.schema) : try DataFrame.concat(frames))
    }

    func ndjson(_ text: String, _ schema: String) throws -> DataFrame { try read(text, .ndjson(), table: table(schema)).1 }
    func csv(_ text: String, _ schema: String) throws -> DataFrame { try read(text, .csv(CSVOptions()), table: table(schema)).1 }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    // MARK: - NOT NULL inside nullable structs

    @Test func notNullChildOfANullStructIsNull() throws {
        let df = try ndjson("{\"id\":1}\n{\"id\":2,\"s\":{\"a\":5}}\n{\"id\":3,\"s\":null}\n", "id long, s struct<a: long not null>")
        #expect(df.rowCount == 3)
        #expect(try df.value("s", row: 0) == .null)
        #expect(try df.value("s", row: 1) == .structure([.int(5)]))
        #expect(try df.value("s", row: 2) == .null)
    }

    @Test func notNullChildOfAPresentStructMustBeThere() throws {
        let m = message { try ndjson("{\"id\":1,\"s\":{\"a\":null}}\n", "id long, s struct<a: long not null>") }
        #expect(m.contains("line 1") && m.contains("`s`.a") && m.contains("not null"))
    }

    // MARK: - timestamps and dates

    @Test func timestampWithZIsUTC() throws {
        let df = try ndjson("{\"id\":1,\"ts\":\"2024-01-01T00:00:00Z\"}\n", "id long, ts timestamp")
        #expect(df.schema.fields.map(\.type) == [.int64, .timestampMicros])
        #expect(try df.value("ts", row: 0) == .int(newYear))
    }

    @Test func timestampWithOffsetIsShiftedToUTC() throws {
        let df = try csv("ts\n2024-01-01T02:00:00+02:00\n2024-01-01 00:00:00-01:30\n", "ts timestamp")
        #expect(try df.value("ts", row: 0) == .int(newYear))
        #expect(try df.value("ts", row: 1) == .int(newYear + hour + hour / 2))
    }

    @Test func timestampWithoutZoneIntoTimestampNTZKeepsTheWallClock() throws {
        // `date -u -d 2024-01-01T10:30:00Z +%s` = 1704105000.
        let df = try ndjson("{\"t\":\"2024-01-01T10:30:00\"}\n{\"t\":\"2024-01-01 10:30:00.25\"}\n", "t timestamp_ntz")
        #expect(df.schema.fields[0].type == .timestampNTZ)
        #expect(try df.value("t", row: 0) == .int(1_704_105_000_000_000))
        #expect(try df.value("t", row: 1) == .int(1_704_105_000_250_000))
    }

    @Test func zoneOnATimestampNTZValueIsIgnoredAsSparkCastDoes() throws {
        let df = try csv("t\n2024-01-01T10:30:00+02:00\n", "t timestamp_ntz")
        #expect(try df.value("t", row: 0) == .int(1_704_105_000_000_000))
    }

    @Test func dateOnlyIntoTimestampIsMidnightUTC() throws {
        // Spark: CAST('2024-01-01' AS TIMESTAMP) is midnight (in the session zone; lake's is UTC).
        let df = try ndjson("{\"ts\":\"2024-01-01\"}\n", "ts timestamp")
        #expect(try df.value("ts", row: 0) == .int(newYear))
    }

    @Test func datesFromText() throws {
        let df = try csv("d\n2024-01-01\n1969-12-31\n", "d date")
        #expect(try df.value("d", row: 0) == .int(19723))  // 1704067200 / 86400
        #expect(try df.value("d", row: 1) == .int(-1))
    }

    @Test func badTimestampNamesLineColumnAndValue() {
        let m = message { try ndjson("{\"ts\":\"2024-01-01T00:00:00Z\"}\n\n{\"ts\":\"yesterday\"}\n", "ts timestamp") }
        #expect(m.contains("line 3"))
        #expect(m.contains("`ts`"))
        #expect(m.contains("\"yesterday\""))
    }

    // MARK: - numbers

    @Test func decimalsAreExactFromTextAndJSONNumbers() throws {
        let a = try csv("amount\n123.45\n-0.01\n", "amount decimal(10,2)")
        #expect(try a.value("amount", row: 0) == .decimal(12345))
        #expect(try a.value("amount", row: 1) == .decimal(-1))
        let b = try ndjson("{\"amount\":123.45}\n{\"amount\":\"123.45\"}\n{\"amount\":7}\n", "amount decimal(10,2)")
        #expect(b.columns[0].scalars == [.decimal(12345), .decimal(12345), .decimal(700)])
    }

    @Test func decimalRoundsHalfUpToTheScaleAsSparkCasts() throws {
        let df = try csv("amount\n1.005\n1.004\n", "amount decimal(10,2)")
        #expect(df.columns[0].scalars == [.decimal(101), .decimal(100)])
    }

    @Test func decimalExponentsAreExactNotThroughADouble() throws {
        let df = try ndjson("""
            {"a":1.5e2,"b":12345678901234567890123.45e1,"c":1.2345E-2}
            {"a":"-2E-2","b":"9.99999999999999999999999e23","c":0.00005}

            """, "a decimal(10,2), b decimal(38,2), c decimal(10,4)")
        #expect(df.columns[0].scalars == [.decimal(15000), .decimal(-2)])
        // 123456789012345678901234.5 and 999999999999999999999999: more digits than a double holds.
        #expect(df.columns[1].scalars == [.decimal(12_345_678_901_234_567_890_123_450), .decimal(99_999_999_999_999_999_999_999_900)])
        #expect(df.columns[2].scalars == [.decimal(123), .decimal(1)])
    }

    @Test func decimalWithTooManyDigitsIsAnError() {
        let m = message { try csv("amount\n1.00\n123456789.1\n", "amount decimal(10,2)") }
        #expect(m.contains("line 3"))
        #expect(m.contains("`amount`"))
        #expect(m.contains("\"123456789.1\""))
        #expect(m.contains("decimal(10,2)"))
    }

    @Test func integersOfEachWidthAreRangeChecked() throws {
        let df = try csv("a,b,c,d\n-128,-32768,-2147483648,-9223372036854775808\n127,32767,2147483647,9223372036854775807\n",
                         "a byte, b short, c int, d long")
        #expect(df.schema.fields.map(\.type) == [.int8, .int16, .int32, .int64])
        #expect(df.columns.map { $0.scalars[1] } == [.int(127), .int(32767), .int(2_147_483_647), .int(.max)])
        let m = message { try csv("a\n1\n300\n", "a byte") }
        #expect(m.contains("line 3") && m.contains("`a`") && m.contains("300 is out of range for byte"))
        let i = message { try ndjson("{\"c\":1}\n{\"c\":2147483648}\n", "c int") }
        #expect(i.contains("line 2") && i.contains("`c`") && i.contains("2147483648"))
        let l = message { try csv("d\n99999999999999999999\n", "d long") }
        #expect(l.contains("line 2") && l.contains("\"99999999999999999999\"") && l.contains("as long"))
    }

    @Test func floatsBooleansStringsAndBinary() throws {
        let df = try ndjson("""
            {"f":1.5,"g":2,"b":true,"s":"x","bin":"aGk="}
            {"f":"NaN","g":-0.25,"b":false,"s":"","bin":""}

            """, "f float, g double, b boolean, s string, bin binary")
        #expect(try df.value("f", row: 0) == .float(1.5))
        #expect(try df.value("g", row: 0) == .double(2))
        #expect(try df.value("g", row: 1) == .double(-0.25))
        #expect(df.columns[2].scalars == [.boolean(true), .boolean(false)])
        #expect(df.columns[3].scalars == [.string("x"), .string("")])
        #expect(df.columns[4].scalars == [.bytes(Array("hi".utf8)), .bytes([])])
        if case let .float(nan) = try df.value("f", row: 1) { #expect(nan.isNaN) } else { Issue.record("f is not a float") }
        let c = try csv("b,g\ntrue,1e3\nFALSE,-2\n", "b boolean, g double")
        #expect(c.columns[0].scalars == [.boolean(true), .boolean(false)])
        #expect(c.columns[1].scalars == [.double(1000), .double(-2)])
    }

    // MARK: - nested values

    @Test func ndjsonNestedStructsListsAndMaps() throws {
        let df = try ndjson("""
            {"s":{"a":1,"b":"x"},"l":[1,null,3],"m":[{"key":"k","value":2}],"o":{"p":5}}
            {"s":{"b":"y"},"l":[],"m":[],"o":{}}
            {"s":null,"l":null,"m":null,"o":null}

            """, "s struct<a: int, b: string>, l array<long>, m map<string, long>, o map<string, int>")
        #expect(df.columns[0].scalars == [.structure([.int(1), .string("x")]), .structure([.null, .string("y")]), .null])
        #expect(df.columns[1].scalars == [.list([.int(1), .null, .int(3)]), .list([]), .null])
        #expect(df.columns[2].scalars == [.map([Scalar.MapEntry(.string("k"), .int(2))]), .map([]), .null])
        #expect(df.columns[3].scalars == [.map([Scalar.MapEntry(.string("p"), .int(5))]), .map([]), .null])
    }

    @Test func nestedValueOfTheWrongKindNamesThePath() {
        let m = message { try ndjson("{\"s\":{\"a\":\"one\"}}\n", "s struct<a: int>") }
        #expect(m.contains("line 1") && m.contains("`s`.a") && m.contains("\"one\""))
    }

    // MARK: - matching columns

    @Test func csvHeaderMatchesTableColumnsCaseInsensitivelyInAnyOrder() throws {
        let (reader, df) = try read("TS,Id\n2024-01-01T00:00:00Z,7\n", .csv(CSVOptions()), table: table("id long not null, ts timestamp, note string"))
        #expect(df.schema.fields.map(\.name) == ["id", "ts", "note"])
        #expect(df.columns[0].scalars == [.int(7)])
        #expect(df.columns[1].scalars == [.int(newYear)])
        // The table column the file lacks is null, and nullable: the writer decides whether that is allowed.
        #expect(df.columns[2].scalars == [.null])
        #expect(df.schema.fields[2].nullable)
        #expect(!df.schema.fields[0].nullable)
        #expect(reader.extraColumns.isEmpty)
    }

    @Test func fileColumnsTheTableLacksComeLastWithInferredTypes() throws {
        let (reader, df) = try read("id,extra,more\n1,2.5,x\n2,3,y\n", .csv(CSVOptions()), table: table("id long"))
        #expect(reader.extraColumns == [Field("extra", .float64), Field("more", .string)])
        #expect(df.schema.fields.map(\.name) == ["id", "extra", "more"])
        #expect(df.columns[1].scalars == [.double(2.5), .double(3)])
    }

    @Test func ndjsonKeysMatchCaseInsensitivelyAndExtrasAreInferred() throws {
        let (reader, df) = try read("{\"ID\":1,\"Tags\":[\"a\"],\"ts\":\"2024-01-01\"}\n{\"id\":2,\"tags\":[]}\n", .ndjson(),
                                    table: table("id long, ts timestamp, missing int"))
        #expect(df.columns[0].scalars == [.int(1), .int(2)])
        #expect(df.columns[1].scalars == [.int(newYear), .null])
        #expect(df.columns[2].scalars == [.null, .null])
        #expect(reader.extraColumns == [Field("Tags", .list(Field("element", .string)))])
        #expect(df.columns[3].scalars == [.list([.string("a")]), .list([])])
    }

    @Test func mixedValuesInATableStringColumnKeepTheirJSONText() throws {
        // Inference would refuse the mix; the table's string type takes every value.
        let df = try ndjson("{\"s\":1}\n{\"s\":\"two\"}\n{\"s\":[3]}\n", "s string")
        #expect(df.columns[0].scalars == [.string("1"), .string("two"), .string("[3]")])
    }

    @Test func nullInANotNullTableColumnNamesTheLine() {
        let m = message { try csv("id,x\n1,a\n,b\n", "id long not null, x string") }
        #expect(m.contains("line 3") && m.contains("`id`") && m.contains("not null"))
    }

    @Test func duplicateHeaderColumnIsAnError() {
        let m = message { try csv("id,ID\n1,2\n", "id long") }
        #expect(m.contains("line 1") && m.contains("twice"))
    }
}
