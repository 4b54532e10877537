import Columnar
import Testing
@testable import DataFrame

@Suite struct NDJSONTests {
    func read(_ text: String, schema: Schema? = nil) throws -> DataFrame {
        try NDJSONReader.read(Array(text.utf8), schema: schema)
    }

    func message(_ body: () throws -> DataFrame) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    @Test func infersScalarsAndKeyOrder() throws {
        let df = try read("""
            {"id": 1, "x": 2, "ok": true, "name": "a\\u00e9\\n"}

            {"id": 2, "x": 2.5, "name": null, "extra": "late"}
            """)
        #expect(df.columnNames == ["id", "x", "ok", "name", "extra"])
        #expect(df.schema.fields.map(\.type) == [.int64, .float64, .boolean, .string, .string])
        #expect(try df.value("x", row: 0) == .double(2))
        #expect(try df.value("name", row: 0) == .string("aé\n"))
        #expect(try df.value("ok", row: 1) == .null)
        #expect(try df.value("extra", row: 0) == .null)
        #expect(try df.value("extra", row: 1) == .string("late"))
    }

    @Test func infersNestedArraysAndStructs() throws {
        let df = try read("""
            {"tags": [1, 2], "s": {"a": 1, "b": [{"c": "x"}]}}
            {"tags": [], "s": {"b": null, "d": 1.5}}
            {"tags": [3.5, null], "s": null}
            """)
        let s = DataType.structure([
            Field("a", .int64),
            Field("b", .list(Field("element", .structure([Field("c", .string)])))),
            Field("d", .float64),
        ])
        #expect(df.schema.fields.map(\.type) == [.list(Field("element", .float64)), s])
        #expect(try df.value("tags", row: 0) == .list([.double(1), .double(2)]))
        #expect(try df.value("tags", row: 1) == .list([]))
        #expect(try df.value("s", row: 0) == .structure([.int(1), .list([.structure([.string("x")])]), .null]))
        #expect(try df.value("s", row: 2) == .null)
    }

    @Test func mixedKindsAreAnErrorNamingBothLines() {
        let m = message { try read("{\"a\": 1}\n{\"a\": \"x\"}\n") }
        #expect(m.contains("line 2, column 8") && m.contains("on line 1") && m.contains("`a`"))
    }

    @Test func mixedKindsKeepJSONTextWithStringSchema() throws {
        let df = try read("{\"a\": 1}\n{\"a\": \"x\"}\n{\"a\": [1, {\"b\": 2}]}\n", schema: Schema([Field("a", .string)]))
        #expect(try df.column("a").scalars == [.string("1"), .string("x"), .string("[1, {\"b\": 2}]")])
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        #expect(message { try read("{\"a\": 1}\n{\"a\": tru}\n") }.contains("line 2, column 7"))
        #expect(message { try read("{\"a\": 1,}\n") }.contains("line 1, column 9"))
        #expect(message { try read("[1]\n") }.contains("expected a JSON object"))
        #expect(message { try read("{\"a\": \"x}\n") }.contains("unterminated JSON string"))
        #expect(message { try read("{\"a\": 01}\n") }.contains("invalid JSON number"))
        #expect(message { try read("{\"a\": 1} x\n") }.contains("after the JSON object"))
    }

    @Test func givenSchemaErrorsNameTheField() {
        let schema = Schema([Field("d", .date)])
        let m = message { try read("{\"d\": \"2024-01-01\"}\n{\"d\": \"nope\"}\n", schema: schema) }
        #expect(m.contains("line 2, column 8") && m.contains("`d`") && m.contains("as date"))
        let n = message { try read("{\"d\": 5}\n", schema: schema) }
        #expect(n.contains("expected date but found an integer"))
        let s = message { try read("{\"s\": {\"a\": \"x\"}}\n", schema: Schema([Field("s", .structure([Field("a", .int32)]))])) }
        #expect(s.contains("`s`.a"))
    }

    @Test func emptyAndBlankInput() throws {
        #expect(try read("").columnCount == 0)
        #expect(try read("\n  \n").rowCount == 0)
        let schema = Schema([Field("a", .int64)])
        #expect(try read("", schema: schema).schema == schema)
    }

    @Test func allNullColumnIsString() throws {
        let df = try read("{\"a\": null, \"b\": []}\n")
        #expect(df.schema.fields.map(\.type) == [.string, .list(Field("element", .string))])
    }

    @Test func integerOverflowIsAnError() {
        #expect(message { try read("{\"a\": 99999999999999999999}\n") }.contains("as long"))
        #expect(message { try read("{\"a\": 300}\n", schema: Schema([Field("a", .int8)])) }.contains("`a`: 300 is out of range for byte"))
    }

    @Test func roundTripsEveryTypeWithItsSchema() throws {
        let schema = Schema([
            Field("b", .boolean), Field("i8", .int8), Field("i16", .int16), Field("i32", .int32), Field("i64", .int64),
            Field("f32", .float32), Field("f64", .float64), Field("dec", .decimal(precision: 38, scale: 4)),
            Field("s", .string), Field("bin", .binary), Field("d", .date), Field("ts", .timestampMicros),
            Field("ntz", .timestampNTZ), Field("t", .time(.microsecond)),
            Field("l", .list(Field("element", .int32))),
            Field("st", .structure([Field("x", .string), Field("y", .float64)])),
            Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .int64))),
        ])
        let rows: [[Scalar]] = [
            [.boolean(true), .int(-128), .int(32767), .int(Int64(Int32.min)), .int(Int64.max), .float(0.1), .double(1e300),
             .decimal(Int128(-12345678901234)), .string("é\"\\\n\u{1}🎉"), .bytes([0, 255, 7]), .int(-719_162), .int(-1),
             .int(253_402_300_799_999_999), .int(86_399_999_999), .list([.int(1), .null]),
             .structure([.string("q"), .double(.infinity)]), .map([Scalar.MapEntry(.string("k"), .int(1)), Scalar.MapEntry(.string("z"), .null)])],
            [.boolean(false), .int(0), .int(0), .int(0), .int(Int64.min), .float(-.infinity), .double(-0.0),
             .decimal(1), .string(""), .bytes([]), .int(2_932_896), .int(1_704_103_200_123_456), .int(0), .int(0),
             .list([]), .structure([.null, .null]), .map([])],
            Array(repeating: .null, count: 17),
        ]
        var columns = [Column]()
        for (j, f) in schema.fields.enumerated() { columns.append(try Column(f.type, rows.map { $0[j] })) }
        let df = try DataFrame(schema: schema, columns: columns)
        let text = NDJSONWriter.write(df)
        let back = try NDJSONReader.read(text, schema: schema)
        #expect(back.rowCount == 3)
        for f in schema.fields {
            #expect(try back.column(f.name).scalars == df.column(f.name).scalars, "\(f.name)")
        }
        // Written again, the text is byte for byte the same.
        #expect(NDJSONWriter.write(back) == text)
    }

    @Test func nanRoundTrips() throws {
        let df = try read("{\"x\": \"NaN\"}\n{\"x\": \"-Infinity\"}\n", schema: Schema([Field("x", .float64)]))
        if case let .double(v) = try df.value("x", row: 0) { #expect(v.isNaN) } else { Issue.record("no NaN") }
        #expect(try df.value("x", row: 1) == .double(-.infinity))
    }

    @Test func mapFromJSONObject() throws {
        let type = DataType.map(key: Field("key", .string, nullable: false), value: Field("value", .int64))
        let df = try read("{\"m\": {\"a\": 1, \"b\": null}}\n", schema: Schema([Field("m", type)]))
        #expect(try df.value("m", row: 0) == .map([Scalar.MapEntry(.string("a"), .int(1)), Scalar.MapEntry(.string("b"), .null)]))
    }
}
