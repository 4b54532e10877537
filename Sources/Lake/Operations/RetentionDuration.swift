/// Retention periods in milliseconds, as Delta's table properties and lake's command line write them.
///
/// Table properties such as `delta.deletedFileRetentionDuration` and `delta.logRetentionDuration` hold Spark's
/// calendar-interval text: `interval 7 days`, `interval 1 week 12 hours`, `168 hours` (the `interval` keyword is
/// optional; units week, day, hour, minute, second, millisecond, microsecond, singular or plural, any case).
/// Months and years have no fixed length, so Delta refuses them for retention, and so does lake.
/// The command line takes the short form `168h`, `7d`, `30m`, `90s`, `1w`, `500ms`.
public enum RetentionDuration {
    /// Delta's default for `delta.deletedFileRetentionDuration`: one week.
    public static let defaultDeletedFileRetentionMillis: Int64 = 7 * 24 * 3_600_000
    /// Delta's default for `delta.logRetentionDuration`: 30 days.
    public static let defaultLogRetentionMillis: Int64 = 30 * 24 * 3_600_000

    /// Parses calendar-interval text (`interval 7 days`) into milliseconds; throws naming the text otherwise.
    public static func parseInterval(_ text: String, property: String) throws(LakeError) -> Int64 {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var rest = words[...]
        if rest.first == "interval" { rest = rest.dropFirst() }
        func bad(_ why: String) -> LakeError {
            LakeError(.invalidRequest, "\(property) = \"\(text)\" is not a retention lake can read (\(why)); write it as Delta does, e.g. \"interval 7 days\" or \"interval 168 hours\"")
        }
        guard !rest.isEmpty, rest.count % 2 == 0 else { throw bad("expected pairs of a number and a unit") }
        var total: Int64 = 0
        while let number = rest.popFirst(), let unit = rest.popFirst() {
            guard let n = Int64(number), n >= 0 else { throw bad("\"\(number)\" is not a whole number of 0 or more") }
            guard let perUnit = intervalUnits[unit.hasSuffix("s") ? String(unit.dropLast()) : unit] else {
                throw bad("unknown unit \"\(unit)\"")
            }
            total = try add(total, n, perUnit, onOverflow: bad("too long"))
        }
        return total
    }

    /// Parses the command line's short form (`168h`, `7d`, `30m`, `0h`) into milliseconds.
    public static func parseShort(_ text: String) throws(LakeError) -> Int64 {
        let t = text.lowercased()
        let digits = t.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = String(t.dropFirst(digits.count))
        let bad = LakeError(.invalidRequest, "--retain \(text) is not a duration: give a whole number and a unit, e.g. 168h, 7d, 30m, 0h (units w, d, h, m, s, ms)")
        guard !digits.isEmpty, let n = Int64(digits), let perUnit = shortUnits[unit] else { throw bad }
        return try add(0, n, perUnit, onOverflow: bad)
    }

    /// The table's `delta.deletedFileRetentionDuration`, or Delta's default of 7 days.
    public static func deletedFileRetentionMillis(_ configuration: [String: String]) throws(LakeError) -> Int64 {
        guard let text = configuration["delta.deletedFileRetentionDuration"] else { return defaultDeletedFileRetentionMillis }
        return try parseInterval(text, property: "delta.deletedFileRetentionDuration")
    }

    /// The table's `delta.logRetentionDuration`, or Delta's default of 30 days.
    public static func logRetentionMillis(_ configuration: [String: String]) throws(LakeError) -> Int64 {
        guard let text = configuration["delta.logRetentionDuration"] else { return defaultLogRetentionMillis }
        return try parseInterval(text, property: "delta.logRetentionDuration")
    }

    private static func add(_ total: Int64, _ n: Int64, _ perUnit: Int64, onOverflow: LakeError) throws(LakeError) -> Int64 {
        // Microseconds are the one unit below a millisecond: they count as whole milliseconds, rounded down.
        let (product, o1) = perUnit < 0 ? (n / 1000, false) : n.multipliedReportingOverflow(by: perUnit)
        let (sum, o2) = total.addingReportingOverflow(product)
        if o1 || o2 { throw onOverflow }
        return sum
    }

    /// Milliseconds per interval unit; -1 marks microseconds (divided, not multiplied).
    private static let intervalUnits: [String: Int64] = [
        "week": 7 * 24 * 3_600_000, "day": 24 * 3_600_000, "hour": 3_600_000, "minute": 60_000, "second": 1000,
        "millisecond": 1, "microsecond": -1,
    ]

    private static let shortUnits: [String: Int64] = [
        "w": 7 * 24 * 3_600_000, "d": 24 * 3_600_000, "h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1,
    ]
}
