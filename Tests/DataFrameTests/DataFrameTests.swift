import Columnar
import Testing
@testable import DataFrame

@Suite struct DataFrameTests {
    @Test func shapeAndColumnAccess() throws {
        let df = try sample()
        #expect(df.rowCount == 4)
        #expect(df.columnCount == 8)
        #expect(try df.column("qty").type == .int32)
        #expect(try df.column("QTY").type == .int32)
        let error = errorOf { try df.column("quantity") }
        guard case let .unknownColumn(name, available)? = error else { Issue.record("expected unknownColumn"); return }
        #expect(name == "quantity" && available == df.columnNames)
    }

    @Test func constructionChecksShapes() throws {
        let a = try Column(.int32, [.int(1), .int(2)]), b = try Column(.int32, [.int(1)])
        guard case .columnar? = errorOf({ try DataFrame([("a", a), ("b", b)]) }) else { Issue.record("lengths differ"); return }
        guard case .shapeMismatch? = errorOf({ try DataFrame([("a", a), ("a", a)]) }) else { Issue.record("duplicate names"); return }
        let ok = try DataFrame([("a", a)])
        #expect(ok.schema.fields[0].nullable == false)
    }

    @Test func selectDropRename() throws {
        let df = try sample()
        let s = try df.select("name", "id")
        #expect(s.columnNames == ["name", "id"])
        #expect(try s.value("id", row: 1) == .int(2))
        #expect(try df.drop(["ts", "day"]).columnCount == 6)
        #expect(try df.rename("qty", to: "quantity").columnNames.contains("quantity"))
        guard case .unknownColumn? = errorOf({ try df.select("nope") }) else { Issue.record("unknown column"); return }
    }

    @Test func sliceHeadTail() throws {
        let df = try sample()
        #expect(df.head(2).rowCount == 2)
        #expect(try df.head(2).value("name", row: 1) == .string("bob"))
        #expect(df.head(100).rowCount == 4)
        #expect(df.head(0).rowCount == 0)
        #expect(df.head(-1).rowCount == 0)
        #expect(try df.tail(1).value("id", row: 0) == .int(4))
        #expect(try df.slice(1..<3).value("name", row: 1) == .null)
        #expect(df.slice(3..<10).rowCount == 1)
        #expect(df.slice(10..<20).rowCount == 0)
    }

    @Test func concatAlignsColumnsByName() throws {
        let a = try frame([("id", .int64, [.int(1)]), ("name", .string, [.string("a")])])
        let b = try frame([("extra", .boolean, [.boolean(true), .boolean(false)]), ("id", .int64, [.int(2), .int(3)])])
        let c = try DataFrame.concat([a, b])
        #expect(c.columnNames == ["id", "name", "extra"])
        #expect(c.rowCount == 3)
        #expect(try c.column("id").scalars == [.int(1), .int(2), .int(3)])
        #expect(try c.column("name").scalars == [.string("a"), .null, .null])
        #expect(try c.column("extra").scalars == [.null, .boolean(true), .boolean(false)])
        #expect(c.schema.fields.allSatisfy { $0.nullable } == true)
    }

    @Test func concatRejectsTypeConflictsAndMissingNotNullColumns() throws {
        let a = try frame([("id", .int64, [.int(1)])])
        let b = try frame([("id", .int32, [.int(2)])])
        guard case .shapeMismatch? = errorOf({ try DataFrame.concat([a, b]) }) else { Issue.record("type conflict"); return }
        let strict = try DataFrame(schema: Schema([Field("k", .int64, nullable: false)]), columns: [try Column(.int64, [.int(1)])])
        let other = try frame([("v", .int64, [.int(1)])])
        guard case .shapeMismatch? = errorOf({ try DataFrame.concat([strict, other]) }) else { Issue.record("not null"); return }
        #expect(try DataFrame.concat([]).rowCount == 0)
        #expect(try a.appending(a.head(0)).rowCount == 1)
    }

    @Test func printout() throws {
        let text = try sample().head(2).description
        #expect(text.contains("│ id"))
        #expect(text.contains("Alice"))
        #expect(text.contains("decimal(10,2)"))
        #expect(text.hasSuffix("2 rows"))
    }

    @Test func filterKeepsOnlyTrueRows() throws {
        let df = try sample()
        let f = try df.filter("qty >= 0")
        #expect(try f.column("id").scalars == [.int(1), .int(4)])
        #expect(try f.column("name").scalars == [.string("Alice"), .string("Émile")])
        #expect(try f.column("flag").scalars == [.boolean(true), .boolean(true)])
        #expect(try df.filter("TRUE").rowCount == 4)
        #expect(try df.filter("FALSE").rowCount == 0)
        #expect(try df.filter("NULL").rowCount == 0)
        #expect(try df.filter("name IS NULL OR amount < 0").column("id").scalars == [.int(2), .int(3)])
        guard case .type? = errorOf({ try df.filter("qty + 1") }) else { Issue.record("not a predicate"); return }
    }

    @Test func filterGathersNestedColumns() throws {
        let list = try Column(.list(Field("item", .int32)), [.list([.int(1), .int(2)]), .null, .list([.int(3)])])
        let df = try DataFrame([("k", try Column(.int32, [.int(1), .int(2), .int(3)])), ("l", list)])
        let f = try df.filter("k <> 1")
        #expect(try f.column("l").scalars == [.null, .list([.int(3)])])
    }

    @Test func selectWithExpressionsAndAliases() throws {
        let df = try sample()
        let s = try df.select([NamedExpr(.col("id")), NamedExpr(try Expr.parse("qty * 2"), as: "double_qty"),
                               NamedExpr(try Expr.parse("upper(name)"))])
        #expect(s.columnNames == ["id", "double_qty", "upper(name)"])
        #expect(try s.column("double_qty").scalars == [.int(20), .null, .int(-6), .int(0)])
        let t = try df.select(sql: "id", "amount + 1 AS a1", "`name` n")
        #expect(t.columnNames == ["id", "a1", "n"])
        guard case .shapeMismatch? = errorOf({ try df.select(sql: "id", "qty AS id") }) else { Issue.record("duplicate output name"); return }
    }

    @Test func withColumnsAddsAndReplaces() throws {
        let df = try sample()
        let w = try df.withColumns([NamedExpr(try Expr.parse("qty + 1"), as: "qty"), NamedExpr(try Expr.parse("qty * 10"), as: "tens")])
        #expect(w.columnNames == df.columnNames + ["tens"])
        #expect(try w.column("qty").scalars == [.int(11), .null, .int(-2), .int(1)])
        // Both expressions see the original `qty`.
        #expect(try w.column("tens").scalars == [.int(100), .null, .int(-30), .int(0)])
        let v = try df.withColumn("big", sql: "amount > 1")
        #expect(v.schema.fields.last?.type == .boolean)
    }
}
