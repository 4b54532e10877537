import Columnar

/// The aggregate functions of `groupBy(...).agg(...)` and global `agg(...)`.
public enum AggFunction: String, Sendable, Hashable, CaseIterable {
    /// `count(*)` (no input) or `count(x)`: rows, or non-null values of `x`. Type `long`.
    case count
    /// `count(DISTINCT x)`: distinct non-null values. Type `long`.
    case countDistinct = "count_distinct"
    /// `sum(x)`: `long` for integers (overflow is an error), `double` for floats, `decimal(min(38, p + 10), s)`
    /// for decimals; null when every value is null.
    case sum
    /// `avg(x)` / `mean(x)`: `double`, or `decimal(p + 4, s + 4)` (capped at 38) for decimals.
    case avg
    /// `min(x)`: the smallest non-null value (NaN only when every value is NaN).
    case min
    /// `max(x)`: the largest non-null value (NaN is above every number, as in Spark).
    case max
    /// `stddev(x)` / `std(x)` / `stddev_samp(x)`: sample standard deviation as `double`; null below two values.
    case stddev
    /// `variance(x)` / `var_samp(x)`: sample variance as `double`; null below two values.
    case variance
    /// `first(x)`: the value in the group's first row (null when that row's value is null, as Spark by default).
    case first
    /// `last(x)`: the value in the group's last row.
    case last
    /// `n_unique(x)`: distinct values counting null as one value (Polars' `n_unique`). Type `long`.
    case nUnique = "n_unique"
}

/// One aggregate: a function, its input expression (`nil` for `count(*)`) and the output column name.
public struct Agg: Sendable, Hashable {
    /// The function.
    public var function: AggFunction
    /// The input; `nil` only for `count(*)`.
    public var input: Expr?
    /// The output name; `nil` derives `function(input)` as Spark names it.
    public var alias: String?

    /// Creates an aggregate.
    public init(_ function: AggFunction, _ input: Expr?, as alias: String? = nil) {
        self.function = function
        self.input = input
        self.alias = alias
    }

    /// The output column name.
    public var name: String {
        if let alias { return alias }
        guard let input else { return "count(*)" }
        switch function {
        case .countDistinct: return "count(DISTINCT \(input.sql))"
        default: return "\(function.rawValue)(\(input.sql))"
        }
    }

    /// This aggregate with output name `alias`.
    public func alias(_ alias: String) -> Agg {
        var copy = self
        copy.alias = alias
        return copy
    }

    /// `count(*)`.
    public static func count() -> Agg { Agg(.count, nil) }
    /// `count(column)`: non-null values.
    public static func count(_ column: String) -> Agg { Agg(.count, .col(column)) }
    /// `count(DISTINCT column)`.
    public static func countDistinct(_ column: String) -> Agg { Agg(.countDistinct, .col(column)) }
    /// `sum(column)`.
    public static func sum(_ column: String) -> Agg { Agg(.sum, .col(column)) }
    /// `avg(column)`.
    public static func avg(_ column: String) -> Agg { Agg(.avg, .col(column)) }
    /// `mean(column)`, the same as `avg`.
    public static func mean(_ column: String) -> Agg { Agg(.avg, .col(column)) }
    /// `min(column)`.
    public static func min(_ column: String) -> Agg { Agg(.min, .col(column)) }
    /// `max(column)`.
    public static func max(_ column: String) -> Agg { Agg(.max, .col(column)) }
    /// `stddev(column)` (sample).
    public static func stddev(_ column: String) -> Agg { Agg(.stddev, .col(column)) }
    /// `variance(column)` (sample).
    public static func variance(_ column: String) -> Agg { Agg(.variance, .col(column)) }
    /// `first(column)`.
    public static func first(_ column: String) -> Agg { Agg(.first, .col(column)) }
    /// `last(column)`.
    public static func last(_ column: String) -> Agg { Agg(.last, .col(column)) }
    /// `n_unique(column)`.
    public static func nUnique(_ column: String) -> Agg { Agg(.nUnique, .col(column)) }

    /// Parses one aggregate call with an optional alias: `sum(amount) AS total`, `count(*)`,
    /// `count(DISTINCT x)`, `avg(price * qty) revenue`. The argument is any SQL expression.
    ///
    /// Separate from the expression parser because `*` and `DISTINCT` are only meaningful inside
    /// aggregate calls.
    public static func parse(_ sql: String) throws(DataFrameError) -> Agg {
        let bytes = Array(sql.utf8)
        func fail(_ message: String, _ at: Int) -> DataFrameError { .parse(message: message, sql: sql, offset: at) }
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")) else {
            throw fail("expected an aggregate call such as sum(x)", bytes.count)
        }
        let fname = String(decoding: bytes[..<open], as: UTF8.self).trimmingSpaces.lowercased()
        // The matching parenthesis, skipping quoted text.
        var depth = 0, i = open, close = -1
        var quote: UInt8? = nil
        while i < bytes.count {
            let b = bytes[i]
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "`") {
                quote = b
            } else if b == UInt8(ascii: "(") {
                depth += 1
            } else if b == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 { close = i; break }
            }
            i += 1
        }
        guard close > open else { throw fail("missing ')'", bytes.count) }
        var inner = String(decoding: bytes[(open + 1)..<close], as: UTF8.self).trimmingSpaces
        let rest = String(decoding: bytes[(close + 1)...], as: UTF8.self).trimmingSpaces
        var alias: String?
        if !rest.isEmpty {
            var words = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if words.first?.uppercased() == "AS" { words.removeFirst() }
            guard words.count == 1, var a = words.first else { throw fail("expected `AS alias` after the call", close + 1) }
            if a.hasPrefix("`") && a.hasSuffix("`") && a.count >= 2 { a = String(a.dropFirst().dropLast()) }
            alias = a
        }
        var distinct = false
        if inner.uppercased().hasPrefix("DISTINCT ") {
            distinct = true
            inner = String(inner.dropFirst("DISTINCT ".count)).trimmingSpaces
        }
        let function: AggFunction
        switch fname {
        case "count": function = distinct ? .countDistinct : .count
        case "sum": function = .sum
        case "avg", "mean": function = .avg
        case "min": function = .min
        case "max": function = .max
        case "stddev", "std", "stddev_samp": function = .stddev
        case "variance", "var", "var_samp": function = .variance
        case "first", "first_value": function = .first
        case "last", "last_value": function = .last
        case "n_unique", "nunique", "approx_count_distinct": function = .nUnique
        default: throw fail("unknown aggregate function `\(fname)`; expected count, sum, avg, mean, min, max, stddev, variance, first, last or n_unique", 0)
        }
        if distinct && function != .countDistinct {
            throw fail("DISTINCT is supported only in count(DISTINCT x)", open + 1)
        }
        if inner == "*" || (function == .count && inner == "1") {
            guard function == .count else { throw fail("`*` is only allowed in count(*)", open + 1) }
            return Agg(.count, nil, as: alias)
        }
        guard !inner.isEmpty else { throw fail("\(fname) needs an argument", open + 1) }
        let input: Expr
        do { input = try Expr.parse(inner) } catch {
            // Re-anchor the caret on the whole aggregate text.
            if case let .parse(message, _, offset) = error { throw fail(message, open + 1 + offset) }
            throw error
        }
        return Agg(function, input, as: alias)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
