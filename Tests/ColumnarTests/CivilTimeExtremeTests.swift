import Testing
@testable import Columnar

/// Calendar arithmetic is total: any 64-bit day count or timestamp (a corrupt file can hold one) converts
/// and renders without trapping, and converts back exactly where the result fits.
@Suite struct CivilTimeExtremeTests {
    @Test func everyDayCountHasACalendarDateThatConvertsBack() {
        let samples: [Int64] = [Int64.min, Int64.min + 1, -1 << 62, Int64(Int32.min), -719_468, -1, 0, 1, 146_097, Int64(Int32.max), 1 << 62, Int64.max - 1, Int64.max]
        for days in samples {
            let (y, m, d) = CivilTime.date(fromDays: days)
            #expect((1...12).contains(m) && (1...31).contains(d))
            #expect(CivilTime.days(year: y, month: m, day: d) == days, "days \(days) -> \(y)-\(m)-\(d)")
        }
    }

    @Test func yearsWhoseDayCountOverflowsAreRefused() {
        #expect(CivilTime.days(year: Int64.max, month: 12, day: 31) == nil)
        #expect(CivilTime.days(year: Int64.min, month: 1, day: 1) == nil)
        #expect(CivilTime.days(year: 2024, month: 2, day: 29) == 19_782)
    }

    @Test func extremeDatesAndTimesRenderWithoutTrapping() {
        var out: [UInt8] = []
        CivilTime.appendDate(days: Int64(Int32.min), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "-5877641-06-23")
        out = []
        CivilTime.appendTimestamp(Int64.min, unit: .microsecond, utc: true, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "-290308-12-21T19:59:05.224192Z")
        out = []
        // A TIME before midnight or past a day (only a corrupt file holds one) still renders.
        CivilTime.appendTimeOfDay(-1, unit: .microsecond, to: &out)
        #expect(!out.isEmpty)
        out = []
        CivilTime.appendTimeOfDay(86_400_000_000 * 5 + 1, unit: .microsecond, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "120:00:00.000001")
    }
}
