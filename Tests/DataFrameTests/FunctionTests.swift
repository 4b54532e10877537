import Columnar
import Testing
@testable import DataFrame

@Suite struct FunctionTests {
    @Test func coalesceNullifGreatestLeast() throws {
        let df = try sample()
        #expect(try values("coalesce(qty, 99)", df) == [.int(10), .int(99), .int(-3), .int(0)])
        #expect(try values("coalesce(NULL, name, 'none')", df) == [.string("Alice"), .string("bob"), .string("none"), .string("Émile")])
        #expect(try values("nullif(qty, 0)", df) == [.int(10), .null, .int(-3), .null])
        #expect(try values("greatest(qty, id)", df) == [.int(10), .int(2), .int(3), .int(4)])
        #expect(try values("least(qty, id, 2)", df) == [.int(1), .int(2), .int(-3), .int(0)])
        #expect(try values("greatest(NULL, qty)", df) == [.int(10), .null, .int(-3), .int(0)])
        #expect(try values("least(amount, 0)", df) == [.decimal(0), .decimal(-5), .decimal(0), .decimal(0)])
        #expect(try values("greatest(name, 'b')", df) == [.string("b"), .string("bob"), .string("b"), .string("Émile")])
    }

    @Test func absRoundFloorCeil() throws {
        let df = try sample()
        #expect(try values("abs(qty)", df) == [.int(10), .null, .int(3), .int(0)])
        #expect(try values("abs(amount)", df) == [.decimal(1050), .decimal(5), .null, .decimal(0)])
        #expect(try constant("abs(-2.5D)") == .double(2.5))
        #expect(try constant("round(2.5D)") == .double(3))
        #expect(try constant("round(-2.5D)") == .double(-3))
        #expect(try constant("round(1.005D, 2)") == .double(1.01))
        #expect(try constant("round(1234.5678D, -2)") == .double(1200))
        guard case let .double(nan) = try constant("round(CAST('NaN' AS double))") else { Issue.record("double expected"); return }
        #expect(nan.isNaN)
        #expect(try constant("round(1.25, 1)") == .decimal(13))
        #expect(try constant("round(-1.25, 1)") == .decimal(-13))
        #expect(try constant("round(1250, -2)") == .int(1300))
        #expect(try constant("round(17, 1)") == .int(17))
        #expect(try constant("round(155.5, -1)") == .decimal(160))
        #expect(try constant("floor(-1.5D)") == .int(-2))
        #expect(try constant("ceil(-1.5D)") == .int(-1))
        #expect(try constant("floor(2.7)") == .decimal(2))
        #expect(try constant("ceil(2.1)") == .decimal(3))
        #expect(try constant("floor(-2.1)") == .decimal(-3))
        #expect(try constant("ceil(7)") == .int(7))
        guard case .arithmeticOverflow? = errorOf({ try constant("floor(1e300)") }) else { Issue.record("floor(1e300) overflows bigint"); return }
    }

    @Test func caseAndLength() throws {
        let df = try sample()
        #expect(try values("lower(name)", df) == [.string("alice"), .string("bob"), .null, .string("émile")])
        #expect(try values("upper(name)", df) == [.string("ALICE"), .string("BOB"), .null, .string("ÉMILE")])
        #expect(try values("length(name)", df) == [.int(5), .int(3), .null, .int(5)])
        #expect(try constant("length('')") == .int(0))
        #expect(try constant("length(CAST('é' AS binary))") == .int(2))
    }

    @Test func trims() throws {
        #expect(try constant("trim('  a b  ')") == .string("a b"))
        #expect(try constant("ltrim('  a ')") == .string("a "))
        #expect(try constant("rtrim('  a ')") == .string("  a"))
        #expect(try constant("trim('\ta ')") == .string("\ta"))
    }

    @Test func substringFollowsSpark() throws {
        #expect(try constant("substring('Spark SQL', 5)") == .string("k SQL"))
        #expect(try constant("substring('Spark SQL', -3)") == .string("SQL"))
        #expect(try constant("substring('Spark SQL', 5, 1)") == .string("k"))
        #expect(try constant("substring('Spark SQL', 0, 2)") == .string("Sp"))
        #expect(try constant("substring('Spark SQL', 1, 0)") == .string(""))
        #expect(try constant("substring('Spark SQL', 2, -1)") == .string(""))
        #expect(try constant("substring('Spark SQL', 100)") == .string(""))
        #expect(try constant("substring('Spark SQL', -100, 3)") == .string(""))
        #expect(try constant("substr('Émile', 1, 2)") == .string("Ém"))
        #expect(try constant("substring('abc', NULL)") == .null)
        let df = try sample()
        #expect(try values("substring(name, id, 2)", df) == [.string("Al"), .string("ob"), .null, .string("le")])
    }

    @Test func concat() throws {
        let df = try sample()
        #expect(try values("concat(name, '-', id)", df) == [.string("Alice-1"), .string("bob-2"), .null, .string("Émile-4")])
        #expect(try values("concat(name, NULL)", df) == [.null, .null, .null, .null])
        #expect(try constant("concat('a')") == .string("a"))
        #expect(try constant("concat(1.50, TRUE, DATE '2024-01-01')") == .string("1.50true2024-01-01"))
    }

    @Test func dateParts() throws {
        let df = try sample()
        #expect(try values("year(day)", df) == [.int(2024), .int(1970), .null, .int(1969)])
        #expect(try values("month(day)", df) == [.int(1), .int(1), .null, .int(12)])
        #expect(try values("day(day)", df) == [.int(1), .int(1), .null, .int(31)])
        #expect(try values("hour(ts)", df) == [.int(10), .int(0), .null, .int(23)])
        #expect(try values("year(ts)", df) == [.int(2024), .int(1970), .null, .int(1969)])
        #expect(try constant("minute(TIMESTAMP '2024-01-01 10:42:13')") == .int(42))
        #expect(try constant("second(TIMESTAMP '2024-01-01 10:42:13')") == .int(13))
        #expect(try constant("dayofmonth('2024-02-29')") == .int(29))
        #expect(try constant("hour(DATE '2024-02-29')") == .int(0))
    }

    @Test func dateTrunc() throws {
        func ts(_ text: String) throws -> Scalar { try constant("TIMESTAMP '\(text)'") }
        let t = "TIMESTAMP '2024-05-15 13:45:30.123456'"
        #expect(try constant("date_trunc('year', \(t))") == ts("2024-01-01 00:00:00"))
        #expect(try constant("date_trunc('quarter', \(t))") == ts("2024-04-01 00:00:00"))
        #expect(try constant("date_trunc('MONTH', \(t))") == ts("2024-05-01 00:00:00"))
        #expect(try constant("date_trunc('week', \(t))") == ts("2024-05-13 00:00:00"))
        #expect(try constant("date_trunc('day', \(t))") == ts("2024-05-15 00:00:00"))
        #expect(try constant("date_trunc('hour', \(t))") == ts("2024-05-15 13:00:00"))
        #expect(try constant("date_trunc('minute', \(t))") == ts("2024-05-15 13:45:00"))
        #expect(try constant("date_trunc('second', \(t))") == ts("2024-05-15 13:45:30"))
        #expect(try constant("date_trunc('millisecond', \(t))") == ts("2024-05-15 13:45:30.123"))
        #expect(try constant("date_trunc('day', TIMESTAMP '1969-12-31 23:00:00')") == ts("1969-12-31 00:00:00"))
        #expect(try constant("date_trunc('month', DATE '2024-05-15')") == ts("2024-05-01 00:00:00"))
    }

    @Test func toDateAndToTimestamp() throws {
        #expect(try constant("to_date('2024-03-05')") == .int(19787))
        #expect(try constant("to_date('05/03/2024', 'dd/MM/yyyy')") == .int(19787))
        #expect(try constant("to_date('2024-3-5', 'yyyy-M-d')") == .int(19787))
        #expect(try constant("to_date(TIMESTAMP '2024-03-05 23:00:00')") == .int(19787))
        #expect(try constant("to_timestamp('2024-01-01 10:00:00')") == .int(1_704_103_200_000_000))
        #expect(try constant("to_timestamp('20240101 100000.5', 'yyyyMMdd HHmmss.S')") == .int(1_704_103_200_500_000))
        #expect(try constant("to_timestamp('2024-01-01T10:00', 'yyyy-MM-dd''T''HH:mm')") == .int(1_704_103_200_000_000))
        let df = try frame([("s", .string, [.string("2024-01-01"), .null, .string("nope")])])
        let error = errorOf { try df.evaluate("to_date(s, 'yyyy-MM-dd')") }
        guard case let .invalidCast(value, type, _)? = error else { Issue.record("expected invalid input"); return }
        #expect(value == "'nope'" && type == "date")
        #expect(try values("to_date(s, 'yyyy-MM-dd')", df.head(2)) == [.int(19723), .null])
    }

    @Test func currentDateAndTimestampAreConstantPerEvaluation() throws {
        let df = try sample()
        let ts = try values("current_timestamp()", df)
        #expect(Set(ts).count == 1)
        guard case let .int(micros) = ts[0] else { Issue.record("timestamp expected"); return }
        #expect(micros > 1_700_000_000_000_000)
        let d = try values("current_date", df)
        #expect(d[0] == .int(micros / 86_400_000_000))
        #expect(try df.evaluate("current_date()").type == .date)
    }
}
