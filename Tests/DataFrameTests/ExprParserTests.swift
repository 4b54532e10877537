import Columnar
import Testing
@testable import DataFrame

@Suite struct ExprParserTests {
    private func p(_ s: String) throws -> Expr { try Expr.parse(s) }

    @Test func precedenceOfOrAndNot() throws {
        #expect(try p("a OR b AND c") == .binary(.or, .col("a"), .binary(.and, .col("b"), .col("c"))))
        #expect(try p("NOT a AND b") == .binary(.and, .not(.col("a")), .col("b")))
        #expect(try p("NOT a = b") == .not(.binary(.equal, .col("a"), .col("b"))))
        #expect(try p("a = 1 OR b = 2 AND NOT c") ==
            .binary(.or, .binary(.equal, .col("a"), .lit(1)), .binary(.and, .binary(.equal, .col("b"), .lit(2)), .not(.col("c")))))
    }

    @Test func precedenceOfArithmetic() throws {
        #expect(try p("a + b * c") == .binary(.add, .col("a"), .binary(.multiply, .col("b"), .col("c"))))
        #expect(try p("a - b - c") == .binary(.subtract, .binary(.subtract, .col("a"), .col("b")), .col("c")))
        #expect(try p("(a + b) % c") == .binary(.modulo, .binary(.add, .col("a"), .col("b")), .col("c")))
        #expect(try p("-a * b") == .binary(.multiply, .negate(.col("a")), .col("b")))
        #expect(try p("a + b > c * 2") == .binary(.greater, .binary(.add, .col("a"), .col("b")), .binary(.multiply, .col("c"), .lit(2))))
        #expect(try p("a || b = c") == .binary(.equal, .binary(.concat, .col("a"), .col("b")), .col("c")))
    }

    @Test func columnNames() throws {
        #expect(try p("t.amount") == .column(["t", "amount"]))
        #expect(try p("`odd name`") == .column(["odd name"]))
        #expect(try p("`a``b`.c") == .column(["a`b", "c"]))
        #expect(try p("`select`") == .column(["select"]))
        #expect(try p("s.`end`") == .column(["s", "end"]))
    }

    @Test func numericLiterals() throws {
        #expect(try p("42") == .lit(.integer(42)))
        #expect(try p("-2147483648") == .lit(.integer(-2_147_483_648)))
        #expect(try p("-9223372036854775808") == .lit(.integer(Int64.min)))
        #expect(try p("1.50") == .lit(.decimal(unscaled: 150, precision: 3, scale: 2)))
        #expect(try p("0.05") == .lit(.decimal(unscaled: 5, precision: 2, scale: 2)))
        #expect(try p("1e3") == .lit(.double(1000)))
        #expect(try p("2.5E-1") == .lit(.double(0.25)))
        #expect(try p("10L") == .lit(.typedInteger(10, .int64)))
        #expect(try p("7S") == .lit(.typedInteger(7, .int16)))
        #expect(try p("7Y") == .lit(.typedInteger(7, .int8)))
        #expect(try p("1.5D") == .lit(.double(1.5)))
        #expect(try p("99999999999999999999") == .lit(.decimal(unscaled: 99_999_999_999_999_999_999, precision: 20, scale: 0)))
    }

    @Test func stringAndOtherLiterals() throws {
        #expect(try p("'it''s'") == .lit(.string("it's")))
        #expect(try p(#"'a\'b'"#) == .lit(.string("a'b")))
        #expect(try p("\"dq\"") == .lit(.string("dq")))
        #expect(try p("TRUE") == .lit(.boolean(true)))
        #expect(try p("false") == .lit(.boolean(false)))
        #expect(try p("NULL") == .lit(.null))
        #expect(try p("DATE '2024-01-01'") == .lit(.date(days: 19723)))
        #expect(try p("TIMESTAMP '2024-01-01 10:00:00'") == .lit(.timestamp(micros: 1_704_103_200_000_000, utc: true)))
        #expect(try p("TIMESTAMP_NTZ '2024-01-01T10:00:00.5'") == .lit(.timestamp(micros: 1_704_103_200_500_000, utc: false)))
        // A column called `date` still works.
        #expect(try p("date = 1") == .binary(.equal, .col("date"), .lit(1)))
    }

    @Test func comparisonOperators() throws {
        for (text, op) in [("=", BinaryOperator.equal), ("==", .equal), ("!=", .notEqual), ("<>", .notEqual),
                           ("<", .less), ("<=", .lessOrEqual), (">", .greater), (">=", .greaterOrEqual)] {
            #expect(try p("a \(text) b") == .binary(op, .col("a"), .col("b")))
        }
        #expect(try p("a <=> b") == .isDistinctFrom(.col("a"), .col("b"), negated: true))
    }

    @Test func predicates() throws {
        #expect(try p("a IS NULL") == .isNull(.col("a"), negated: false))
        #expect(try p("a IS NOT NULL") == .isNull(.col("a"), negated: true))
        #expect(try p("a IS DISTINCT FROM b") == .isDistinctFrom(.col("a"), .col("b"), negated: false))
        #expect(try p("a IS NOT DISTINCT FROM b") == .isDistinctFrom(.col("a"), .col("b"), negated: true))
        #expect(try p("a IN (1, 2)") == .inList(.col("a"), [.lit(1), .lit(2)], negated: false))
        #expect(try p("a NOT IN ('x')") == .inList(.col("a"), [.lit("x")], negated: true))
        #expect(try p("a BETWEEN 1 AND 2 AND b") ==
            .binary(.and, .between(.col("a"), low: .lit(1), high: .lit(2), negated: false), .col("b")))
        #expect(try p("a NOT BETWEEN 1 AND 2") == .between(.col("a"), low: .lit(1), high: .lit(2), negated: true))
        #expect(try p("a LIKE 'x%'") == .like(.col("a"), pattern: .lit("x%"), escape: nil, caseInsensitive: false, negated: false))
        #expect(try p("a NOT ILIKE 'x!%' ESCAPE '!'") ==
            .like(.col("a"), pattern: .lit("x!%"), escape: "!", caseInsensitive: true, negated: true))
    }

    @Test func caseCastAndFunctions() throws {
        #expect(try p("CASE WHEN a > 1 THEN 'big' ELSE 'small' END") ==
            .caseWhen(operand: nil, branches: [CaseBranch(when: .binary(.greater, .col("a"), .lit(1)), then: .lit("big"))], otherwise: .lit("small")))
        #expect(try p("CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END") ==
            .caseWhen(operand: .col("a"), branches: [CaseBranch(when: .lit(1), then: .lit("one")), CaseBranch(when: .lit(2), then: .lit("two"))], otherwise: nil))
        #expect(try p("CAST(a AS decimal(12, 3))") == .cast(.col("a"), .decimal(precision: 12, scale: 3)))
        let types: [(String, DataType)] = [("int", .int32), ("bigint", .int64), ("long", .int64), ("smallint", .int16), ("tinyint", .int8),
                                          ("double", .float64), ("float", .float32), ("decimal", .decimal(precision: 10, scale: 0)),
                                          ("string", .string), ("boolean", .boolean), ("date", .date), ("timestamp", .timestampMicros),
                                          ("timestamp_ntz", .timestampNTZ), ("binary", .binary), ("varchar(10)", .string)]
        for (name, type) in types { #expect(try p("CAST(x AS \(name))") == .cast(.col("x"), type)) }
        #expect(try p("coalesce(a, 0)") == .function("coalesce", [.col("a"), .lit(0)]))
        #expect(try p("UPPER(t.name)") == .function("upper", [.column(["t", "name"])]))
        #expect(try p("current_date") == .function("current_date", []))
        #expect(try p("current_timestamp()") == .function("current_timestamp", []))
    }

    @Test func sqlTextRoundTrips() throws {
        for text in ["a + b * c", "(a + b) * c", "a - (b - c)", "NOT (a AND b)", "a IS NOT NULL OR b IN (1, 2, 3)",
                     "CASE WHEN a THEN 1 ELSE 2 END", "CAST(`odd name` AS decimal(5,2))", "x NOT LIKE 'a%' ESCAPE '!'",
                     "-(a + 1)", "DATE '2024-02-29'", "TIMESTAMP '2024-01-01 10:00:00.250000'", "'it''s'", "1.50 + 2L"] {
            let e = try p(text)
            #expect(try p(e.sql) == e, "\(text) -> \(e.sql)")
        }
    }

    @Test func errorShowsCaretUnderProblem() throws {
        let error = errorOf { try Expr.parse("a + (b * 2") }
        guard case let .parse(message, _, offset)? = error else { Issue.record("expected a parse error"); return }
        #expect(message.contains("expected ')'"))
        #expect(offset == 10)
        let text = error?.description ?? ""
        #expect(text.contains("  a + (b * 2\n            ^"))
    }

    @Test func errorCaretCountsCharactersNotBytes() throws {
        let error = errorOf { try Expr.parse("'é' = é AND") }
        #expect(error?.description.hasSuffix("\n             ^") == true)
    }

    @Test func rejectsMalformedInput() throws {
        for bad in ["", "a +", "a AND", "(a", "a b", "'open", "`open", "CASE END", "CAST(a AS widget)", "a IN ()", "1abc",
                    "a NOT 5", "a IS 5", "DATE '2024-13-01'", "x LIKE 'a' ESCAPE 'ab'", "a ? b", "f(a,", "CAST(a AS decimal(40,2))"] {
            let error = errorOf { try Expr.parse(bad) }
            guard case .parse? = error else { Issue.record("\(bad) should not parse"); continue }
        }
    }

    @Test func reservedWordsNeedBackquotes() throws {
        let error = errorOf { try Expr.parse("from = 1") }
        #expect(error?.description.contains("backquote") == true)
    }

    @Test func namedExpressions() throws {
        #expect(try NamedExpr.parse("a + 1 AS b") == NamedExpr(.binary(.add, .col("a"), .lit(1)), as: "b"))
        #expect(try NamedExpr.parse("a `my col`") == NamedExpr(.col("a"), as: "my col"))
        #expect(try NamedExpr.parse("t.a").name == "a")
        #expect(try NamedExpr.parse("a * 2").name == "a * 2")
    }
}
