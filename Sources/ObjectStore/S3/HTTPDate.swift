/// Timestamps in S3 responses: ISO 8601 in listings (`2026-12-02T00:40:17.000Z`) and RFC 7231 in the
/// `Last-Modified` header (`Wed, 02 Dec 2026 00:40:17 GMT`), as milliseconds since the Unix epoch.
enum HTTPDate {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    static func parseISO8601Millis(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
              let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2) else { return nil }
        var millis: Int64 = 0
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                millis += Int64(b[i] - UInt8(ascii: "0")) * scale
                scale /= 10
                i += 1
            }
        }
        guard i < b.count, b[i] == UInt8(ascii: "Z") else { return nil }
        return epochMillis(year: year, month: month, day: day, hour: hour, minute: minute, second: second).map { $0 + millis }
    }

    /// Parses the IMF-fixdate form `Wed, 02 Dec 2026 00:40:17 GMT`.
    static func parseMillis(_ s: String) -> Int64? {
        let parts = s.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let m = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let h = Int(clock[0]), let mi = Int(clock[1]), let se = Int(clock[2]) else { return nil }
        return epochMillis(year: year, month: m + 1, day: day, hour: h, minute: mi, second: se)
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for i in start ..< start + count {
            guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(b[i] - UInt8(ascii: "0"))
        }
        return v
    }

    /// Days from civil (proleptic Gregorian), then seconds; nil for out-of-range fields.
    static func epochMillis(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
              (0...60).contains(second), (1...9999).contains(year) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return (Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1000
    }
}
