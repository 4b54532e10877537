import Columnar
import Testing
@testable import DataFrame

@Suite struct TypeCheckTests {
    private func types() throws -> DataFrame {
        try frame([
            ("b", .int8, []), ("s", .int16, []), ("i", .int32, []), ("l", .int64, []),
            ("f", .float32, []), ("d", .float64, []),
            ("m", .decimal(precision: 10, scale: 2), []), ("n", .decimal(precision: 5, scale: 3), []),
            ("big", .decimal(precision: 38, scale: 10), []),
            ("str", .string, []), ("dt", .date, []), ("ts", .timestampMicros, []), ("ntz", .timestampNTZ, []),
            ("ok", .boolean, []), ("u", .uint32, []),
        ])
    }

    @Test func integerWidening() throws {
        let df = try types()
        #expect(try typeOf("b + s", df) == .int16)
        #expect(try typeOf("s * i", df) == .int32)
        #expect(try typeOf("i - l", df) == .int64)
        #expect(try typeOf("i + 1", df) == .int32)
        #expect(try typeOf("i + 3000000000", df) == .int64)
        #expect(try typeOf("b % b", df) == .int8)
        #expect(try typeOf("u + 1", df) == .int64)
    }

    @Test func divisionOfIntegersIsDouble() throws {
        let df = try types()
        #expect(try typeOf("i / 2", df) == .float64)
        #expect(try typeOf("f / f", df) == .float64)
    }

    @Test func floatingPoint() throws {
        let df = try types()
        #expect(try typeOf("i + d", df) == .float64)
        #expect(try typeOf("l * f", df) == .float32)
        #expect(try typeOf("m + d", df) == .float64)
        #expect(try typeOf("m + f", df) == .float64)
        #expect(try typeOf("1e2 + i", df) == .float64)
    }

    @Test func decimalPrecisionAndScale() throws {
        let df = try types()
        // + - : scale max(s1,s2), precision max(p1-s1, p2-s2) + scale + 1
        #expect(try typeOf("m + n", df) == .decimal(precision: 12, scale: 3))
        #expect(try typeOf("m - n", df) == .decimal(precision: 12, scale: 3))
        // * : p1+p2+1, s1+s2
        #expect(try typeOf("m * n", df) == .decimal(precision: 16, scale: 5))
        // / : scale max(6, s1+p2+1), precision p1-s1+s2+scale
        #expect(try typeOf("m / n", df) == .decimal(precision: 19, scale: 8))
        // int is decimal(10,0): 10-2+0+... => p = max(8,10)+2+1 = 13
        #expect(try typeOf("m + i", df) == .decimal(precision: 13, scale: 2))
        #expect(try typeOf("m * l", df) == .decimal(precision: 31, scale: 2))
        #expect(try typeOf("m + 1.50", df) == .decimal(precision: 11, scale: 2))
        // % : scale max(s1,s2), precision min(p1-s1, p2-s2) + scale
        #expect(try typeOf("m % n", df) == .decimal(precision: 5, scale: 3))
    }

    @Test func decimalPrecisionIsCappedAt38() throws {
        let df = try types()
        // p = 28 + 10 + 1 = 39 -> 38, scale keeps max(38 - 29, min(10, 6)) = 9
        #expect(try typeOf("big + big", df) == .decimal(precision: 38, scale: 9))
        #expect(try typeOf("big * big", df) == .decimal(precision: 38, scale: 6))
        #expect(try typeOf("big / big", df) == .decimal(precision: 38, scale: 6))
    }

    @Test func stringLiteralComparedWithDateOrTimestampIsCast() throws {
        let df = try types()
        let typed = try TypeChecker(schema: df.schema).check(try Expr.parse("dt >= '2024-01-01'"))
        guard case let .compare(_, _, r) = typed.node else { Issue.record("expected a comparison"); return }
        #expect(r.type == .date)
        #expect(r.literalValue == .int(19723))
        let ts = try TypeChecker(schema: df.schema).check(try Expr.parse("ts < '2024-01-01 10:00:00'"))
        guard case let .compare(_, _, r2) = ts.node else { Issue.record("expected a comparison"); return }
        #expect(r2.literalValue == .int(1_704_103_200_000_000))
    }

    @Test func invalidDateStringIsAnErrorBeforeEvaluation() throws {
        let df = try types()
        let error = errorOf { try TypeChecker(schema: df.schema).check(try Expr.parse("dt = 'yesterday'")) }
        guard case let .invalidCast(value, type, _)? = error else { Issue.record("expected invalidCast, got \(String(describing: error))"); return }
        #expect(value == "'yesterday'")
        #expect(type == "date")
    }

    @Test func comparisonsNeedComparableTypes() throws {
        let df = try types()
        for bad in ["ok = dt", "dt < 1", "str + 1 = 2", "ts = ok", "m = ok"] {
            guard case .type? = errorOf({ try typeOf(bad, df) }) else { Issue.record("\(bad) should not type-check"); continue }
        }
        #expect(try typeOf("dt < ts", df) == .boolean)
        #expect(try typeOf("ts = ntz", df) == .boolean)
        #expect(try typeOf("i = m", df) == .boolean)
        #expect(try typeOf("str = 1", df) == .boolean)
    }

    @Test func unknownColumnListsAvailableColumns() throws {
        let df = try types()
        let error = errorOf { try typeOf("amount > 1", df) }
        guard case let .unknownColumn(name, available)? = error else { Issue.record("expected unknownColumn"); return }
        #expect(name == "amount")
        #expect(available.contains("m") && available.count == df.columnCount)
        #expect(error?.description.contains("available columns: `b`, `s`") == true)
    }

    @Test func qualifiedAndCaseInsensitiveNames() throws {
        let df = try types()
        #expect(try typeOf("t.i", df) == .int32)
        #expect(try typeOf("I + 1", df) == .int32)
    }

    @Test func predicatesMustBeBoolean() throws {
        let df = try types()
        guard case .type? = errorOf({ try TypeChecker(schema: df.schema).checkPredicate(try Expr.parse("i + 1")) }) else {
            Issue.record("a number is not a predicate"); return
        }
        guard case .type? = errorOf({ try typeOf("NOT i", df) }) else { Issue.record("NOT needs a boolean"); return }
        guard case .type? = errorOf({ try typeOf("i AND ok", df) }) else { Issue.record("AND needs booleans"); return }
    }

    @Test func caseAndCoalesceResultTypes() throws {
        let df = try types()
        #expect(try typeOf("CASE WHEN ok THEN i ELSE l END", df) == .int64)
        #expect(try typeOf("CASE WHEN ok THEN 1 ELSE NULL END", df) == .int32)
        #expect(try typeOf("CASE WHEN ok THEN m ELSE 1.5 END", df) == .decimal(precision: 10, scale: 2))
        #expect(try typeOf("coalesce(i, m)", df) == .decimal(precision: 12, scale: 2))
        #expect(try typeOf("coalesce(dt, '2024-01-01')", df) == .date)
        guard case .type? = errorOf({ try typeOf("CASE WHEN ok THEN 1 ELSE 'x' END", df) }) else {
            Issue.record("int and string have no common result type"); return
        }
    }

    @Test func castRules() throws {
        let df = try types()
        #expect(try typeOf("CAST(str AS int)", df) == .int32)
        #expect(try typeOf("CAST(ts AS date)", df) == .date)
        guard case .type? = errorOf({ try typeOf("CAST(dt AS int)", df) }) else { Issue.record("date to int is not a cast"); return }
    }

    @Test func functionArgumentChecks() throws {
        let df = try types()
        for bad in ["upper(i)", "abs(str)", "round(d, i)", "substring(str, 'a')", "year(i)", "date_trunc('fortnight', ts)",
                    "coalesce()", "nosuch(i)", "to_date(str, 'yyyy-QQ')"] {
            guard case .type? = errorOf({ try typeOf(bad, df) }) else { Issue.record("\(bad) should not type-check"); continue }
        }
        #expect(try typeOf("round(m, 1)", df) == .decimal(precision: 10, scale: 1))
        #expect(try typeOf("floor(m)", df) == .decimal(precision: 9, scale: 0))
        #expect(try typeOf("ceil(d)", df) == .int64)
        #expect(try typeOf("length(str)", df) == .int32)
        #expect(try typeOf("date_trunc('month', dt)", df) == .timestampMicros)
        #expect(try typeOf("year('2024-05-06')", df) == .int32)
        #expect(try typeOf("dt + 1", df) == .date)
    }
}
