import Columnar
import Testing
@testable import DataFrame

@Suite struct CSVTests {
    func read(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> DataFrame {
        try CSVReader.read(Array(text.utf8), options: options)
    }

    func message(_ body: () throws -> DataFrame) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    @Test func infersEveryScalarType() throws {
        let df = try read("""
            i,d,b,day,ts,s,n
            1,1.5,true,2024-01-31,2024-01-31 10:00:00,x,
            -2,NaN,FALSE,1970-01-01,2024-01-31T10:00:00.123456,y,
            3,1e3,true,2000-02-29,2024-01-31,z,
            """)
        #expect(df.schema.fields.map(\.type) == [.int64, .float64, .boolean, .date, .timestampMicros, .string, .string])
        #expect(try df.value("i", row: 1) == .int(-2))
        #expect(try df.value("d", row: 2) == .double(1000))
        #expect(try df.value("b", row: 1) == .boolean(false))
        #expect(try df.value("day", row: 2) == .int(Int64(CivilTime.days(year: 2000, month: 2, day: 29) ?? 0)))
        #expect(try df.value("ts", row: 1) == .int(1_706_695_200_123_456))
        #expect(try df.value("n", row: 0) == .null)
        #expect(df.rowCount == 3)
    }

    @Test func longFallsBackToDoubleThenString() throws {
        let df = try read("a,b\n1,1\n2.5,x\n")
        #expect(df.schema.fields.map(\.type) == [.float64, .string])
        #expect(try df.value("b", row: 0) == .string("1"))
    }

    @Test func quotingEmbeddedNewlinesAndDoubledQuotes() throws {
        let df = try read("name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\r\nplain,\"\"\r\n")
        #expect(df.rowCount == 2)
        #expect(try df.value("name", row: 0) == .string("Smith, J"))
        #expect(try df.value("note", row: 0) == .string("said \"hi\"\nthen left"))
        // A quoted empty field is an empty string, an unquoted one null.
        #expect(try df.value("note", row: 1) == .string(""))
    }

    @Test func delimiterAndNoHeader() throws {
        let df = try read("1;a\n2;b\n", CSVOptions(header: false, delimiter: UInt8(ascii: ";")))
        #expect(df.columnNames == ["column_1", "column_2"])
        #expect(df.schema.fields[0].type == .int64)
        #expect(try df.value("column_2", row: 1) == .string("b"))
    }

    @Test func tabDelimiter() throws {
        let df = try read("a\tb\n1\tx y\n", CSVOptions(delimiter: 0x09))
        #expect(try df.value("b", row: 0) == .string("x y"))
    }

    @Test func configurableNullStrings() throws {
        let df = try read("a,b\nNULL,NA\n1,\n", CSVOptions(nullValues: ["NULL", "NA"]))
        #expect(df.schema.fields[0].type == .int64)
        #expect(try df.value("a", row: 0) == .null)
        #expect(try df.value("b", row: 0) == .null)
        // "" is no longer a null string, but an empty field of a non-string column is still null.
        #expect(try df.value("b", row: 1) == .string(""))
    }

    @Test func givenSchemaConvertsValues() throws {
        let schema = try SchemaString.parse("id int not null, amount decimal(10,2), day date, ts timestamp_ntz, tags array<string>, s struct<a: int>")
        let df = try read("x,y,z,w,t,s\n7,12.5,2024-02-01,2024-02-01 01:02:03,\"[\"\"a\"\",null]\",\"{\"\"a\"\":5}\"\n8,,,,,\n",
                          CSVOptions(schema: schema))
        #expect(df.schema == schema)
        #expect(try df.value("id", row: 0) == .int(7))
        #expect(try df.value("amount", row: 0) == .decimal(1250))
        #expect(try df.value("tags", row: 0) == .list([.string("a"), .null]))
        #expect(try df.value("s", row: 0) == .structure([.int(5)]))
        #expect(try df.value("amount", row: 1) == .null)
        #expect(try df.value("tags", row: 1) == .null)
    }

    @Test func badValueNamesLineAndColumn() {
        let schema = Schema([Field("a", .string), Field("n", .int64)])
        let m = message { try read("a,n\nx,1\ny,oops\n", CSVOptions(schema: schema)) }
        #expect(m.contains("line 3, column 3"))
        #expect(m.contains("`n`"))
        #expect(m.contains("\"oops\" as long"))
    }

    @Test func nullInNotNullColumnIsAnError() {
        let schema = Schema([Field("n", .int64, nullable: false)])
        let m = message { try read("n\n1\nNULL\n", CSVOptions(nullValues: ["NULL"], schema: schema)) }
        #expect(m.contains("line 3") && m.contains("not null"))
    }

    @Test func wrongFieldCountNamesTheLine() {
        let m = message { try read("a,b\n1,2\n3\n") }
        #expect(m.contains("line 3") && m.contains("expected 2 fields but found 1"))
    }

    @Test func unterminatedQuoteAndGarbageAfterQuote() {
        #expect(message { try read("a\n\"abc\n") }.contains("unterminated quoted field"))
        #expect(message { try read("a,b\n\"x\"y,1\n") }.contains("line 2, column 4"))
    }

    @Test func emptyInputAndHeaderOnly() throws {
        let empty = try read("")
        #expect(empty.columnCount == 0 && empty.rowCount == 0)
        let header = try read("a,b\n")
        #expect(header.columnNames == ["a", "b"] && header.rowCount == 0)
        #expect(header.schema.fields.map(\.type) == [.string, .string])
        let schema = Schema([Field("a", .int64)])
        #expect(try read("", CSVOptions(schema: schema)).schema == schema)
    }

    @Test func allNullColumnIsString() throws {
        let df = try read("a,b\n1,\n2,\n")
        #expect(df.schema.fields[1].type == .string)
        #expect(try df.column("b").nullCount == 2)
    }

    @Test func unicodeAndBOM() throws {
        let df = try read("\u{FEFF}名前,v\n\"Émile 🎉\",1\n")
        #expect(df.columnNames == ["名前", "v"])
        #expect(try df.value("名前", row: 0) == .string("Émile 🎉"))
        let m = message { try read("a,b\nÉé,1\nx\n") }
        #expect(m.contains("line 3"))
    }

    @Test func writerRoundTripsThroughReaderWithSchema() throws {
        let df = try sample()
        let text = CSVWriter.write(df)
        let back = try CSVReader.read(text, options: CSVOptions(schema: df.schema))
        #expect(back.rowCount == df.rowCount)
        for name in df.columnNames where name != "price" {
            #expect(try back.column(name).scalars == df.column(name).scalars, "\(name)")
        }
        #expect(try back.value("price", row: 0) == .double(1.5))
        if case let .double(v) = try back.value("price", row: 1) { #expect(v.isNaN) } else { Issue.record("NaN lost") }
    }
}
