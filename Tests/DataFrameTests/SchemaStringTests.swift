import Columnar
import Testing
@testable import DataFrame

@Suite struct SchemaStringTests {
    func message(_ text: String) -> String {
        do { _ = try SchemaString.parse(text); return "" } catch { return "\(error)" }
    }

    @Test func parsesTheFullExample() throws {
        let s = try SchemaString.parse("id long not null, name string, amount decimal(10,2), ts timestamp, tags array<string>, m map<string,long>, s struct<a: int, b: string>")
        #expect(s.fields == [
            Field("id", .int64, nullable: false),
            Field("name", .string),
            Field("amount", .decimal(precision: 10, scale: 2)),
            Field("ts", .timestampMicros),
            Field("tags", .list(Field("element", .string))),
            Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .int64))),
            Field("s", .structure([Field("a", .int32), Field("b", .string)])),
        ])
    }

    @Test func everyScalarName() throws {
        let s = try SchemaString.parse("a bigint, b integer, c smallint, d tinyint, e short, f byte, g float, h double, i boolean, j binary, k date, l timestamp_ntz, m INT, n decimal")
        #expect(s.fields.map(\.type) == [.int64, .int32, .int16, .int8, .int16, .int8, .float32, .float64, .boolean, .binary,
                                         .date, .timestampNTZ, .int32, .decimal(precision: 10, scale: 0)])
    }

    @Test func backquotesColonsAndNesting() throws {
        let s = try SchemaString.parse("`odd name`: array<struct<x: map<int, array<double>> not null>>, `a``b` string")
        #expect(s.names == ["odd name", "a`b"])
        let inner = DataType.map(key: Field("key", .int32, nullable: false), value: Field("value", .list(Field("element", .float64))))
        #expect(s.fields[0].type == .list(Field("element", .structure([Field("x", inner, nullable: false)]))))
    }

    @Test func errorsShowThePosition() {
        let m = message("id long, name strin")
        #expect(m.contains("unknown type 'strin'"))
        #expect(m.contains("^"))
        if case let .parse(_, _, offset)? = errorOf({ try SchemaString.parse("id long, name strin") }) {
            #expect(offset == 14)
        } else {
            Issue.record("expected a parse error")
        }
        #expect(message("id long,").contains("field name"))
        #expect(message("a array<int").contains("expected '>'"))
        #expect(message("a decimal(40,2)").contains("precision"))
        #expect(message("a int, A long").contains("more than once"))
        #expect(message("a int b").contains("expected ','"))
        #expect(message("").contains("at least one field"))
        #expect(message("a map<string>").contains("expected ','"))
    }
}
