import Columnar

/// Date and timestamp kernels in integer arithmetic (proleptic Gregorian, UTC).
enum TemporalKernels {
    /// year / month / day of dates and timestamps; hour / minute / second of timestamps.
    static func field(_ f: Function, _ c: Column) throws(DataFrameError) -> Column {
        var days: [Int64]
        var inDay = [Int64]()
        var perSecond: Int64 = 1
        switch c.type {
        case .date:
            days = try Kernels.buffer(c, as: Int32.self).map { Int64($0) }
        case let .timestamp(unit, _):
            let a = try Kernels.buffer(c, as: Int64.self)
            perSecond = unit.perSecond
            let perDay = 86_400 * unit.perSecond
            days = [Int64](repeating: 0, count: a.count)
            inDay = [Int64](repeating: 0, count: a.count)
            for i in a.indices { (days[i], inDay[i]) = CivilTime.floorDivMod(a[i], perDay) }
        default:
            throw .columnar(.invalid("date field of \(c.type.name)"))
        }
        let out: [Int32]
        switch f {
        case .year: out = days.map { Int32(truncatingIfNeeded: CivilTime.date(fromDays: $0).year) }
        case .month: out = days.map { Int32(CivilTime.date(fromDays: $0).month) }
        case .day: out = days.map { Int32(CivilTime.date(fromDays: $0).day) }
        case .hour: out = inDay.map { Int32($0 / perSecond / 3600) }
        case .minute: out = inDay.map { Int32($0 / perSecond / 60 % 60) }
        default: out = inDay.map { Int32($0 / perSecond % 60) }
        }
        return Kernels.column(.int32, out, validity: c.validity)
    }

    /// `date_trunc(unit, ts)`: the start of the year, quarter, month, week (Monday), day, ... containing `ts`.
    /// A start before the earliest representable timestamp (only near Int64.min) is an overflow error.
    static func truncate(_ c: Column, _ unit: TruncUnit, expression e: Expr) throws(DataFrameError) -> Column {
        guard case let .timestamp(tu, _) = c.type else { throw .columnar(.invalid("date_trunc of \(c.type.name)")) }
        let a = try Kernels.buffer(c, as: Int64.self)
        let ps = tu.perSecond, perDay = 86_400 * ps
        func floor(_ v: Int64, _ step: Int64) -> Int64? {
            let (r, o) = v.subtractingReportingOverflow(CivilTime.floorDivMod(v, step).1)
            return o ? nil : r
        }
        func atDay(_ days: Int64?) -> Int64? {
            guard let days else { return nil }
            let (r, o) = days.multipliedReportingOverflow(by: perDay)
            return o ? nil : r
        }
        let transform: (Int64) -> Int64?
        switch unit {
        case .microsecond: transform = { floor($0, max(1, ps / 1_000_000)) }
        case .millisecond: transform = { floor($0, max(1, ps / 1_000)) }
        case .second: transform = { floor($0, ps) }
        case .minute: transform = { floor($0, 60 * ps) }
        case .hour: transform = { floor($0, 3600 * ps) }
        case .day: transform = { floor($0, perDay) }
        case .week:
            // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
            transform = { v in
                let days = CivilTime.floorDivMod(v, perDay).0
                return atDay(days - CivilTime.floorDivMod(days + 3, 7).1)
            }
        case .year, .quarter, .month:
            transform = { v in
                let (y, m, _) = CivilTime.date(fromDays: CivilTime.floorDivMod(v, perDay).0)
                let month = unit == .year ? 1 : unit == .quarter ? (m - 1) / 3 * 3 + 1 : m
                return atDay(CivilTime.days(year: y, month: month, day: 1))
            }
        }
        let (out, failed) = Cast.convert(a, c.validity, transform)
        if failed != nil { throw .arithmeticOverflow(expression: e.sql) }
        return Kernels.column(c.type, out, validity: c.validity)
    }

    /// to_date / to_timestamp with a pattern; text that does not match raises (ANSI).
    static func parse(_ c: Column, _ format: DateFormat, date: Bool, expression e: Expr) throws(DataFrameError) -> Column {
        let (o, d) = try Kernels.bytes(c)
        var out = [Int64](repeating: 0, count: c.count)
        var failed: Int?
        d.withUnsafeBufferPointer { s in
            for i in 0..<c.count where !c.isNull(i) {
                guard let v = format.parse(UnsafeBufferPointer(rebasing: s[Int(o[i])..<Int(o[i + 1])])) else {
                    failed = i
                    return
                }
                out[i] = v
            }
        }
        if let row = failed {
            throw .invalidCast(value: "'\(ValueText.string(c, row: row))'", type: date ? "date" : "timestamp", expression: e.sql)
        }
        if date {
            return Kernels.column(.date, out.map { Int32(truncatingIfNeeded: CivilTime.floorDivMod($0, 86_400_000_000).0) }, validity: c.validity)
        }
        return Kernels.column(.timestampMicros, out, validity: c.validity)
    }

    /// `date ± days` with overflow checks.
    static func dateAdd(_ date: Column, _ days: Column, subtract: Bool, expression e: Expr) throws(DataFrameError) -> Column {
        let a = try Kernels.buffer(date, as: Int32.self), b = try Kernels.buffer(days, as: Int32.self)
        let validity = BitmapOps.and(date.validity, days.validity)
        let (out, failed) = Arithmetic.map2(a, b, validity) { (x: Int32, y: Int32) -> Int32? in
            let (r, o) = subtract ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y)
            return o ? nil : r
        }
        if failed != nil { throw .arithmeticOverflow(expression: e.sql) }
        return Kernels.column(.date, out, validity: validity)
    }

    /// Spark's text for a timestamp: `yyyy-MM-dd HH:mm:ss` plus the fraction without trailing zeros.
    static func appendSparkTimestamp(_ v: Int64, unit: TimeUnit, to out: inout [UInt8]) {
        var text = [UInt8]()
        CivilTime.appendTimestamp(v, unit: unit, utc: false, to: &text)
        // text is yyyy-MM-ddTHH:mm:ss.ffffff[fff]
        if let t = text.firstIndex(of: UInt8(ascii: "T")) { text[t] = UInt8(ascii: " ") }
        if let dot = text.lastIndex(of: UInt8(ascii: ".")) {
            var end = text.count
            while end > dot + 1 && text[end - 1] == UInt8(ascii: "0") { end -= 1 }
            text.removeSubrange((end == dot + 1 ? dot : end)...)
        }
        out.append(contentsOf: text)
    }
}
