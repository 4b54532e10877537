import Columnar
import Testing
@testable import DataFrame

@Suite struct EvaluateTests {
    @Test func arithmeticPropagatesNulls() throws {
        let df = try sample()
        #expect(try values("qty + 1", df) == [.int(11), .null, .int(-2), .int(1)])
        #expect(try values("qty * id", df) == [.int(10), .null, .int(-9), .int(0)])
        #expect(try values("id - qty", df) == [.int(-9), .null, .int(6), .int(4)])
        #expect(try values("-qty", df) == [.int(-10), .null, .int(3), .int(0)])
        #expect(try values("qty % 4", df) == [.int(2), .null, .int(-3), .int(0)])
        #expect(try values("NULL + 1", df) == [.null, .null, .null, .null])
    }

    @Test func integerDivisionGivesDouble() throws {
        let df = try sample()
        #expect(try values("id / 2", df) == [.double(0.5), .double(1), .double(1.5), .double(2)])
    }

    @Test func integerOverflowIsAnErrorNamingTheExpression() throws {
        let df = try frame([("x", .int32, [.int(Int64(Int32.max)), .int(1)]), ("y", .int64, [.int(Int64.max), .null])])
        let error = errorOf { try df.evaluate("x + 1") }
        guard case let .arithmeticOverflow(expression)? = error else { Issue.record("expected overflow"); return }
        #expect(expression == "x + 1")
        guard case .arithmeticOverflow? = errorOf({ try df.evaluate("y * 2") }) else { Issue.record("expected overflow"); return }
        guard case .arithmeticOverflow? = errorOf({ try df.evaluate("-CAST(-2147483648 AS int)") }) else { Issue.record("expected overflow"); return }
        guard case .arithmeticOverflow? = errorOf({ try df.evaluate("abs(CAST(x - x - 2147483647 - 1 AS int))") }) else {
            Issue.record("expected abs overflow"); return
        }
        // Widening first avoids the overflow.
        #expect(try values("CAST(x AS bigint) + 1", df) == [.int(2_147_483_648), .int(2)])
    }

    @Test func overflowOnNullRowsIsIgnored() throws {
        let df = try frame([("x", .int64, [.int(Int64.max), .int(1)]), ("y", .int64, [.null, .int(1)])])
        #expect(try values("x + y", df) == [.null, .int(2)])
    }

    @Test func divisionByZeroIsAnError() throws {
        let df = try frame([("a", .int32, [.int(1), .int(2)]), ("b", .int32, [.int(1), .int(0)]),
                            ("d", .float64, [.double(1), .double(0)]), ("m", .decimal(precision: 5, scale: 2), [.decimal(100), .decimal(0)])])
        for sql in ["a / b", "a % b", "1.0 / d", "d % 0", "a / m", "m % m"] {
            let error = errorOf { try df.evaluate(sql) }
            guard case let .divisionByZero(expression)? = error else { Issue.record("\(sql) should divide by zero"); continue }
            #expect(expression == sql)
        }
        #expect(error(message: errorOf { try df.evaluate("a / b") }).contains("nullif"))
        // Zero divisors on null rows do not count.
        #expect(try values("a / nullif(b, 0)", df) == [.double(1), .null])
    }

    private func error(message: DataFrameError?) -> String { message?.description ?? "" }

    @Test func decimalArithmetic() throws {
        let df = try frame([("m", .decimal(precision: 10, scale: 2), [.decimal(1050), .decimal(-333), .null]),
                            ("n", .decimal(precision: 5, scale: 3), [.decimal(2500), .decimal(3000), .decimal(1)])])
        #expect(try values("m + n", df) == [.decimal(13000), .decimal(-330), .null])
        #expect(try values("m * n", df) == [.decimal(2_625_000), .decimal(-999_000), .null])
        // 10.50 / 2.500 = 4.2 at scale 8; -3.33 / 3 = -1.11
        #expect(try values("m / n", df) == [.decimal(420_000_000), .decimal(-111_000_000), .null])
        #expect(try values("m + 1", df) == [.decimal(1150), .decimal(-233), .null])
        #expect(try values("m % n", df) == [.decimal(500), .decimal(-330), .null])
        #expect(try values("1.50 * 2", df) == Array(repeating: .decimal(300), count: 3))
    }

    @Test func decimalDivisionRoundsHalfUp() throws {
        // 1 / 3 at scale 6 and 2 / 3 rounding up.
        #expect(try constant("CAST(1 AS decimal(1,0)) / CAST(3 AS decimal(1,0))") == .decimal(333_333))
        #expect(try constant("CAST(2 AS decimal(1,0)) / CAST(3 AS decimal(1,0))") == .decimal(666_667))
        #expect(try constant("CAST(-2 AS decimal(1,0)) / CAST(3 AS decimal(1,0))") == .decimal(-666_667))
    }

    @Test func decimalOverflowIsAnError() throws {
        let df = try frame([("big", .decimal(precision: 38, scale: 0), [.decimal(DecimalMath.pow10(38) - 1)])])
        guard case .arithmeticOverflow? = errorOf({ try df.evaluate("big + big") }) else { Issue.record("expected overflow"); return }
        guard case .arithmeticOverflow? = errorOf({ try df.evaluate("big * 10") }) else { Issue.record("expected overflow"); return }
    }

    @Test func floatingPointAndNaN() throws {
        let df = try sample()
        let doubled = try values("price * 2", df)
        #expect(doubled[0] == .double(3))
        if case let .double(x) = doubled[1] { #expect(x.isNaN) } else { Issue.record("NaN expected") }
        #expect(doubled[2] == .null)
        // Spark: NaN = NaN is true and NaN is larger than any other value.
        #expect(try values("price = price", df) == [.boolean(true), .boolean(true), .null, .boolean(true)])
        #expect(try values("price > 1000", df) == [.boolean(false), .boolean(true), .null, .boolean(false)])
        #expect(try values("price < CAST('NaN' AS double)", df) == [.boolean(true), .boolean(false), .null, .boolean(true)])
        #expect(try values("greatest(price, 0)", df)[1] != .double(0))
    }

    @Test func comparisonsOverEveryType() throws {
        let df = try sample()
        #expect(try values("qty >= 0", df) == [.boolean(true), .null, .boolean(false), .boolean(true)])
        #expect(try values("0 < qty", df) == [.boolean(true), .null, .boolean(false), .boolean(false)])
        #expect(try values("amount > 0", df) == [.boolean(true), .boolean(false), .null, .boolean(false)])
        #expect(try values("amount = 10.5", df) == [.boolean(true), .boolean(false), .null, .boolean(false)])
        #expect(try values("name < 'b'", df) == [.boolean(true), .boolean(false), .null, .boolean(false)])
        #expect(try values("name <> 'bob'", df) == [.boolean(true), .boolean(false), .null, .boolean(true)])
        #expect(try values("flag = TRUE", df) == [.boolean(true), .boolean(false), .null, .boolean(true)])
        #expect(try values("flag > FALSE", df) == [.boolean(true), .boolean(false), .null, .boolean(true)])
        #expect(try values("day = DATE '2024-01-01'", df) == [.boolean(true), .boolean(false), .null, .boolean(false)])
        #expect(try values("day >= '1970-01-01'", df) == [.boolean(true), .boolean(true), .null, .boolean(false)])
        #expect(try values("ts > '2023-12-31'", df) == [.boolean(true), .boolean(false), .null, .boolean(false)])
        #expect(try values("day < ts", df) == [.boolean(true), .boolean(false), .null, .boolean(true)])
        #expect(try values("id = qty", df) == [.boolean(false), .null, .boolean(false), .boolean(false)])
    }

    @Test func threeValuedLogic() throws {
        let df = try frame([("a", .boolean, [.boolean(true), .boolean(true), .boolean(true), .boolean(false), .boolean(false), .boolean(false), .null, .null, .null]),
                            ("b", .boolean, [.boolean(true), .boolean(false), .null, .boolean(true), .boolean(false), .null, .boolean(true), .boolean(false), .null])])
        let t = Scalar.boolean(true), f = Scalar.boolean(false), n = Scalar.null
        #expect(try values("a AND b", df) == [t, f, n, f, f, f, n, f, n])
        #expect(try values("a OR b", df) == [t, t, t, t, f, n, t, n, n])
        #expect(try values("NOT a", df) == [f, f, f, t, t, t, n, n, n])
        #expect(try values("a IS NULL", df) == [f, f, f, f, f, f, t, t, t])
        #expect(try values("a IS NOT NULL", df) == [t, t, t, t, t, t, f, f, f])
        #expect(try values("a IS DISTINCT FROM b", df) == [f, t, t, t, f, t, t, t, f])
        #expect(try values("a <=> b", df) == [t, f, f, f, t, f, f, f, t])
        #expect(try values("a IS TRUE", df) == [t, t, t, f, f, f, f, f, f])
        #expect(try values("a IS NOT FALSE", df) == [t, t, t, f, f, f, t, t, t])
    }

    @Test func inListWithNulls() throws {
        let df = try sample()
        let t = Scalar.boolean(true), f = Scalar.boolean(false), n = Scalar.null
        #expect(try values("qty IN (10, 0)", df) == [t, n, f, t])
        #expect(try values("qty NOT IN (10, 0)", df) == [f, n, t, f])
        // x NOT IN (..., NULL) is never true.
        #expect(try values("qty IN (10, NULL)", df) == [t, n, n, n])
        #expect(try values("qty NOT IN (10, NULL)", df) == [f, n, n, n])
        #expect(try values("name IN ('bob', 'Alice')", df) == [t, t, n, f])
        #expect(try values("amount IN (10.5, 0)", df) == [t, f, n, t])
        #expect(try values("id IN (qty, 2)", df) == [f, t, f, f])
    }

    @Test func between() throws {
        let df = try sample()
        let t = Scalar.boolean(true), f = Scalar.boolean(false), n = Scalar.null
        #expect(try values("qty BETWEEN 0 AND 10", df) == [t, n, f, t])
        #expect(try values("qty NOT BETWEEN 0 AND 9", df) == [t, n, t, f])
        #expect(try values("day BETWEEN '1970-01-01' AND '2024-01-01'", df) == [t, t, n, f])
    }

    @Test func like() throws {
        let df = try sample()
        let t = Scalar.boolean(true), f = Scalar.boolean(false), n = Scalar.null
        #expect(try values("name LIKE 'A%'", df) == [t, f, n, f])
        #expect(try values("name LIKE '%b'", df) == [f, t, n, f])
        #expect(try values("name LIKE '%li%'", df) == [t, f, n, f])
        #expect(try values("name LIKE '%il%'", df) == [f, f, n, t])
        #expect(try values("name LIKE '_ob'", df) == [f, t, n, f])
        #expect(try values("name LIKE '_mile'", df) == [f, f, n, t])
        #expect(try values("name LIKE 'Alice'", df) == [t, f, n, f])
        #expect(try values("name LIKE '%'", df) == [t, t, n, t])
        #expect(try values("name LIKE 'A%c_'", df) == [t, f, n, f])
        #expect(try values("name NOT LIKE 'a%'", df) == [t, t, n, t])
        #expect(try values("name ILIKE 'a%'", df) == [t, f, n, f])
        #expect(try values("name ILIKE 'émile'", df) == [f, f, n, t])
        #expect(try values("name LIKE NULL", df) == [n, n, n, n])
    }

    @Test func likeEscapes() throws {
        let df = try frame([("s", .string, [.string("50%"), .string("500"), .string("a_b"), .string("axb")])])
        let t = Scalar.boolean(true), f = Scalar.boolean(false)
        #expect(try values(#"s LIKE '50\%'"#, df) == [t, f, f, f])
        #expect(try values("s LIKE '50!%' ESCAPE '!'", df) == [t, f, f, f])
        #expect(try values(#"s LIKE 'a\_b'"#, df) == [f, f, t, f])
        #expect(try values("s LIKE 'a_b'", df) == [f, f, t, t])
        #expect(try values("s LIKE s", df) == [t, t, t, t])
    }

    @Test func caseWhen() throws {
        let df = try sample()
        #expect(try values("CASE WHEN qty > 5 THEN 'big' WHEN qty >= 0 THEN 'small' ELSE 'other' END", df) ==
            [.string("big"), .string("other"), .string("other"), .string("small")])
        #expect(try values("CASE WHEN qty > 5 THEN 'big' END", df) == [.string("big"), .null, .null, .null])
        #expect(try values("CASE id WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END", df) ==
            [.string("one"), .string("two"), .string("many"), .string("many")])
        #expect(try values("CASE WHEN flag THEN qty ELSE id END", df) == [.int(10), .int(2), .int(3), .int(0)])
    }

    @Test func caseAndLogicDoNotEvaluateUntakenBranches() throws {
        let df = try frame([("a", .int32, [.int(10), .int(5)]), ("b", .int32, [.int(0), .int(5)])])
        #expect(try values("CASE WHEN b = 0 THEN NULL ELSE a / b END", df) == [.null, .double(1)])
        #expect(try values("b <> 0 AND a / b > 0.5", df) == [.boolean(false), .boolean(true)])
        #expect(try values("b = 0 OR a / b > 0.5", df) == [.boolean(true), .boolean(true)])
        #expect(try values("coalesce(nullif(b, 0), 1) + a", df) == [.int(11), .int(10)])
        #expect(try df.filter("b <> 0 AND a % b = 0").rowCount == 1)
    }

    @Test func casts() throws {
        #expect(try constant("CAST('42' AS int)") == .int(42))
        #expect(try constant("CAST(' -7 ' AS bigint)") == .int(-7))
        #expect(try constant("CAST('1.9' AS int)") == .int(1))
        #expect(try constant("CAST('2.5' AS double)") == .double(2.5))
        #expect(try constant("CAST('1.005' AS decimal(5,2))") == .decimal(101))
        #expect(try constant("CAST('yes' AS boolean)") == .boolean(true))
        #expect(try constant("CAST('2024-02-29' AS date)") == .int(19782))
        #expect(try constant("CAST('2024-01-01T10:00:00Z' AS timestamp)") == .int(1_704_103_200_000_000))
        #expect(try constant("CAST('2024-01-01 12:00:00+02:00' AS timestamp)") == .int(1_704_103_200_000_000))
        #expect(try constant("CAST(3.7 AS int)") == .int(3))
        #expect(try constant("CAST(-3.7D AS int)") == .int(-3))
        #expect(try constant("CAST(1.255 AS decimal(4,2))") == .decimal(126))
        #expect(try constant("CAST(12 AS string)") == .string("12"))
        #expect(try constant("CAST(1.50 AS string)") == .string("1.50"))
        #expect(try constant("CAST(TRUE AS int)") == .int(1))
        #expect(try constant("CAST(DATE '2024-01-01' AS timestamp)") == .int(1_704_067_200_000_000))
        #expect(try constant("CAST(TIMESTAMP '2024-01-01 23:59:59' AS date)") == .int(19723))
        #expect(try constant("CAST(TIMESTAMP '2024-01-01 10:00:00' AS string)") == .string("2024-01-01 10:00:00"))
        #expect(try constant("CAST(TIMESTAMP '2024-01-01 10:00:10.5' AS string)") == .string("2024-01-01 10:00:10.5"))
        #expect(try constant("CAST(DATE '2024-01-01' AS string)") == .string("2024-01-01"))
        #expect(try constant("CAST('abc' AS binary)") == .bytes(Array("abc".utf8)))
        #expect(try constant("CAST(NULL AS int)") == .null)
    }

    @Test func invalidCastsAreErrors() throws {
        for (sql, value) in [("CAST('abc' AS int)", "'abc'"), ("CAST('3000000000' AS int)", "'3000000000'"),
                             ("CAST(300 AS tinyint)", "300 (int)"), ("CAST(CAST('NaN' AS double) AS int)", "NaN (double)"),
                             ("CAST(123.45 AS decimal(3,1))", "123.45 (decimal(5,2))"), ("CAST('2024-02-30' AS date)", "'2024-02-30'")] {
            let error = errorOf { try constant(sql) }
            guard case let .invalidCast(v, _, expression)? = error else { Issue.record("\(sql) should fail"); continue }
            #expect(v == value)
            #expect(expression.hasPrefix("CAST("))
        }
        let df = try frame([("s", .string, [.string("1"), .null, .string("x")])])
        let error = errorOf { try df.evaluate("CAST(s AS int)") }
        #expect(error?.description == "cannot cast 'x' to int in `CAST(s AS int)`")
        #expect(try values("CAST(s AS int)", df.head(2)) == [.int(1), .null])
    }

    @Test func stringConcatOperator() throws {
        let df = try sample()
        #expect(try values("name || '!'", df) == [.string("Alice!"), .string("bob!"), .null, .string("Émile!")])
        #expect(try values("name || id", df) == [.string("Alice1"), .string("bob2"), .null, .string("Émile4")])
    }

    @Test func dateArithmetic() throws {
        #expect(try constant("DATE '2024-02-28' + 1") == .int(19782))
        #expect(try constant("DATE '2024-03-01' - 1") == .int(19782))
    }

    @Test func emptyFrames() throws {
        let df = try sample().head(0)
        #expect(df.rowCount == 0)
        for sql in ["qty + 1", "name LIKE 'a%'", "CASE WHEN flag THEN 1 END", "CAST(name AS int)", "upper(name)",
                    "coalesce(qty, 0)", "qty / 0", "year(day)", "greatest(qty, id)"] {
            #expect(try df.evaluate(sql).count == 0, "\(sql)")
        }
        #expect(try df.filter("qty > 0").rowCount == 0)
    }

    @Test func oneRow() throws {
        let df = try sample().slice(1..<2)
        #expect(try values("qty + id", df) == [.null])
        #expect(try values("coalesce(qty, id, 0)", df) == [.int(2)])
        #expect(try df.filter("qty IS NULL").rowCount == 1)
        #expect(try df.filter("price IS NULL").rowCount == 0)
    }

    @Test func literalsAloneBroadcast() throws {
        let df = try sample()
        #expect(try values("1 + 2", df) == Array(repeating: .int(3), count: 4))
        #expect(try values("NULL", df) == Array(repeating: .null, count: 4))
        #expect(try df.evaluate("'x'").type == .string)
    }
}
