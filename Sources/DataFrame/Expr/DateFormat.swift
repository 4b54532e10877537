import Columnar

/// A datetime pattern for `to_date` / `to_timestamp` (the common subset of Spark's patterns):
/// `yyyy` `yy` `MM` `M` `dd` `d` `HH` `H` `mm` `m` `ss` `s` `S…` (fraction), quoted text `'T'`,
/// and punctuation taken literally.
struct DateFormat: Sendable {
    /// A pattern that is not understood.
    struct Invalid: Error {
        let message: String
    }

    enum Piece: Sendable {
        case year(digits: Int)
        case month(exact: Bool), day(exact: Bool), hour(exact: Bool), minute(exact: Bool), second(exact: Bool)
        case fraction(digits: Int)
        case literal([UInt8])
    }

    let pieces: [Piece]

    init(_ pattern: String) throws(Invalid) {
        let chars = Array(pattern)
        var pieces = [Piece]()
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var run = 1
            while i + run < chars.count && chars[i + run] == c { run += 1 }
            switch c {
            case "y":
                guard run == 4 || run == 2 else { throw Invalid(message: "use yyyy or yy for the year in '\(pattern)'") }
                pieces.append(.year(digits: run))
            case "M", "d", "H", "m", "s":
                guard run <= 2 else { throw Invalid(message: "'\(String(repeating: c, count: run))' is not supported in '\(pattern)'") }
                let exact = run == 2
                pieces.append(c == "M" ? .month(exact: exact) : c == "d" ? .day(exact: exact)
                    : c == "H" ? .hour(exact: exact) : c == "m" ? .minute(exact: exact) : .second(exact: exact))
            case "S":
                guard run <= 9 else { throw Invalid(message: "at most 9 fraction digits in '\(pattern)'") }
                pieces.append(.fraction(digits: run))
            case "'":
                var j = i + 1
                var text = ""
                while j < chars.count && chars[j] != "'" { text.append(chars[j]); j += 1 }
                guard j < chars.count else { throw Invalid(message: "unclosed quote in '\(pattern)'") }
                pieces.append(.literal(Array((text.isEmpty ? "'" : text).utf8)))
                i = j + 1
                continue
            default:
                if c.isLetter { throw Invalid(message: "pattern letter '\(c)' is not supported in '\(pattern)'") }
                pieces.append(.literal(Array(String(repeating: c, count: run).utf8)))
            }
            i += run
        }
        self.pieces = pieces
    }

    /// Microseconds since the epoch (UTC) of the text, or nil when it does not match the whole pattern.
    func parse(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var year: Int64 = 1970, month = 1, day = 1
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, micros: Int64 = 0
        func number(min: Int, max: Int) -> Int64? {
            var v: Int64 = 0
            var k = 0
            while k < max && i < b.count && Lexer.isDigit(b[i]) {
                v = v * 10 + Int64(b[i] - UInt8(ascii: "0"))
                i += 1
                k += 1
            }
            return k >= min ? v : nil
        }
        for p in pieces {
            switch p {
            case let .year(digits):
                guard let y = number(min: digits, max: digits) else { return nil }
                year = digits == 2 ? 2000 + y : y
            case let .month(exact): guard let v = number(min: exact ? 2 : 1, max: 2) else { return nil }; month = Int(v)
            case let .day(exact): guard let v = number(min: exact ? 2 : 1, max: 2) else { return nil }; day = Int(v)
            case let .hour(exact): guard let v = number(min: exact ? 2 : 1, max: 2), v < 24 else { return nil }; hour = v
            case let .minute(exact): guard let v = number(min: exact ? 2 : 1, max: 2), v < 60 else { return nil }; minute = v
            case let .second(exact): guard let v = number(min: exact ? 2 : 1, max: 2), v < 60 else { return nil }; second = v
            case let .fraction(digits):
                guard var v = number(min: digits, max: digits) else { return nil }
                if digits > 6 { for _ in 6..<digits { v /= 10 } } else { for _ in digits..<6 { v *= 10 } }
                micros = v
            case let .literal(text):
                guard i + text.count <= b.count else { return nil }
                for (k, ch) in text.enumerated() where b[i + k] != ch { return nil }
                i += text.count
            }
        }
        guard i == b.count, let days = CivilTime.days(year: year, month: month, day: day) else { return nil }
        return days * 86_400_000_000 + ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros
    }
}
