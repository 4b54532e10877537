import Columnar
import DataFrame
import Lake
import Foundation
import Parquet

/// A `lake frame` option value that cannot be understood; the message names the option and the problem.
struct FrameSpecError: Error, CustomStringConvertible {
    /// What is wrong and how to write it instead.
    let message: String
    var description: String { message }
}

/// Splitting and scanning of the SQL-like texts given to `lake frame` options.
enum FrameText {
    /// `text` split at commas that are outside parentheses and quotes ('...', "...", `...`), each part
    /// trimmed; empty parts are dropped.
    static func splitTopLevel(_ text: String) -> [String] {
        var parts = [String]()
        var current = [UInt8]()
        var depth = 0
        var quote: UInt8? = nil
        for b in text.utf8 {
            if let q = quote {
                if b == q { quote = nil }
                current.append(b)
                continue
            }
            switch b {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                quote = b
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
            case UInt8(ascii: ",") where depth == 0:
                parts.append(String(decoding: current, as: UTF8.self).trimmingSpaces())
                current.removeAll(keepingCapacity: true)
                continue
            default:
                break
            }
            current.append(b)
        }
        parts.append(String(decoding: current, as: UTF8.self).trimmingSpaces())
        return parts.filter { !$0.isEmpty }
    }

    /// The UTF-8 offsets of every top-level (outside parentheses and quotes) occurrence of `word` as a
    /// whole word, compared case-insensitively.
    static func topLevelWord(_ word: String, in text: String) -> [Int] {
        let bytes = Array(text.utf8)
        let target = Array(word.uppercased().utf8)
        var hits = [Int]()
        var depth = 0
        var quote: UInt8? = nil
        var i = 0
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
        while i < bytes.count {
            let b = bytes[i]
            if let q = quote {
                if b == q { quote = nil }
                i += 1
                continue
            }
            if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "`") {
                quote = b
            } else if b == UInt8(ascii: "(") {
                depth += 1
            } else if b == UInt8(ascii: ")") {
                depth -= 1
            } else if depth == 0 && i + target.count <= bytes.count
                        && (i == 0 || !isWordByte(bytes[i - 1]))
                        && (i + target.count == bytes.count || !isWordByte(bytes[i + target.count])) {
                var match = true
                for (j, t) in target.enumerated() {
                    let c = bytes[i + j]
                    let upper = (c >= 0x61 && c <= 0x7A) ? c - 0x20 : c
                    if upper != t { match = false; break }
                }
                if match { hits.append(i) }
            }
            i += 1
        }
        return hits
    }

    /// The UTF-8 bytes `range` of `text` as a trimmed string.
    static func substring(_ text: String, _ range: Range<Int>) -> String {
        String(decoding: Array(text.utf8)[range], as: UTF8.self).trimmingSpaces()
    }

    /// A column name written plainly or in backquotes.
    static func unquote(_ name: String) -> String {
        let t = name.trimmingSpaces()
        if t.count >= 2 && t.hasPrefix("`") && t.hasSuffix("`") {
            return String(t.dropFirst().dropLast()).replacingOccurrences(of: "``", with: "`")
        }
        return t
    }
}

/// One `--window` item: `name = fn(args) OVER (PARTITION BY ... ORDER BY ... [ROWS BETWEEN n PRECEDING
/// AND CURRENT ROW])`, parsed into the pieces `DataFrame.withWindow` takes.
struct WindowSpec {
    /// The output column.
    let name: String
    /// The function name, lowercased.
    let function: String
    /// The argument texts (SQL expressions).
    let arguments: [String]
    /// PARTITION BY expressions.
    let partitionBy: [Expr]
    /// ORDER BY keys.
    let orderBy: [SortKey]
    /// `n` of `ROWS BETWEEN n PRECEDING AND CURRENT ROW`, when given.
    let precedingRows: Int?

    /// The accepted functions, for messages and help.
    static let functions = "row_number(), rank(), dense_rank(), percent_rank(), lag(x[, offset[, default]]), "
        + "lead(x[, offset[, default]]), sum(x), avg(x), min(x), max(x), count(x|*), rolling_sum(x, n), rolling_avg(x, n)"

    /// Parses one `--window` item.
    static func parse(_ text: String) throws -> WindowSpec {
        func fail(_ why: String) -> FrameSpecError {
            FrameSpecError(message: "--window `\(text)`: \(why); expected `name=fn(args) over (partition by a order by b)` with fn one of \(functions)")
        }
        let bytes = Array(text.utf8)
        // name = ... (the first '=' outside parentheses and quotes)
        var eq = -1, depth = 0
        var quote: UInt8? = nil
        for (i, b) in bytes.enumerated() {
            if let q = quote { if b == q { quote = nil }; continue }
            if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "`") { quote = b }
            else if b == UInt8(ascii: "(") { depth += 1 }
            else if b == UInt8(ascii: ")") { depth -= 1 }
            else if b == UInt8(ascii: "=") && depth == 0 { eq = i; break }
        }
        guard eq > 0 else { throw fail("missing `name=` before the function") }
        let name = FrameText.unquote(FrameText.substring(text, 0..<eq))
        guard !name.isEmpty else { throw fail("empty output name") }
        let rhs = FrameText.substring(text, (eq + 1)..<bytes.count)
        let overs = FrameText.topLevelWord("over", in: rhs)
        let rb = Array(rhs.utf8)
        let call = overs.first.map { FrameText.substring(rhs, 0..<$0) } ?? rhs
        var overText = overs.first.map { FrameText.substring(rhs, ($0 + 4)..<rb.count) } ?? ""
        // fn(args)
        let cb = Array(call.utf8)
        guard let open = cb.firstIndex(of: UInt8(ascii: "(")), cb.last == UInt8(ascii: ")") else {
            throw fail("expected a call such as sum(amount)")
        }
        let function = FrameText.substring(call, 0..<open).lowercased()
        let arguments = FrameText.splitTopLevel(FrameText.substring(call, (open + 1)..<(cb.count - 1)))
        // over (...)
        var partitionBy = [Expr](), orderBy = [SortKey](), preceding: Int? = nil
        if !overText.isEmpty {
            let ob = Array(overText.utf8)
            guard ob.first == UInt8(ascii: "("), ob.last == UInt8(ascii: ")") else { throw fail("OVER needs a parenthesized window") }
            overText = FrameText.substring(overText, 1..<(ob.count - 1))
            let partition = FrameText.topLevelWord("partition", in: overText).first
            let order = FrameText.topLevelWord("order", in: overText).first
            let rows = FrameText.topLevelWord("rows", in: overText).first
            let n = overText.utf8.count
            let marks = [partition, order, rows].compactMap { $0 }.sorted()
            if marks.first.map({ $0 > 0 }) ?? (n > 0) { throw fail("unexpected text in OVER (...)") }
            func clause(_ start: Int, keyword: Int) -> String {
                let end = marks.first(where: { $0 > start }) ?? n
                return FrameText.substring(overText, (start + keyword)..<end)
            }
            func afterBy(_ s: String) throws -> String {
                let words = FrameText.topLevelWord("by", in: s)
                guard words.first == 0 else { throw fail("expected BY") }
                return FrameText.substring(s, 2..<s.utf8.count)
            }
            if let p = partition {
                for item in FrameText.splitTopLevel(try afterBy(clause(p, keyword: 9))) { partitionBy.append(try Expr.parse(item)) }
            }
            if let o = order {
                for item in FrameText.splitTopLevel(try afterBy(clause(o, keyword: 5))) { orderBy.append(try SortKey.parse(item)) }
            }
            if let r = rows {
                let words = clause(r, keyword: 4).split(separator: " ").map { $0.uppercased() }
                guard words.count == 6, words[0] == "BETWEEN", let k = Int(words[1]), k >= 0, words[2] == "PRECEDING",
                      words[3] == "AND", words[4] == "CURRENT", words[5] == "ROW" else {
                    throw fail("only `ROWS BETWEEN n PRECEDING AND CURRENT ROW` frames are supported")
                }
                preceding = k
            }
        }
        return WindowSpec(name: name, function: function, arguments: arguments, partitionBy: partitionBy,
                          orderBy: orderBy, precedingRows: preceding)
    }

    /// `frame` with this window's column added (or replaced). Arguments and partition keys that are not
    /// plain column names are computed into temporary columns first and dropped afterwards.
    func apply(to frame: DataFrame) throws -> DataFrame {
        var work = frame
        var temporary = [String]()
        func columnName(_ expr: Expr) throws -> String {
            if case let .column(parts) = expr, parts.count == 1, let only = parts.first { return only }
            let tmp = "__lake_window_\(name)_\(temporary.count)"
            work = try work.withColumn(tmp, expr)
            temporary.append(tmp)
            return tmp
        }
        func argument(_ i: Int) throws -> String {
            guard i < arguments.count else { throw FrameSpecError(message: "--window `\(name)`: \(function) needs an argument") }
            return try columnName(try Expr.parse(arguments[i]))
        }
        func integer(_ i: Int, default value: Int) throws -> Int {
            guard i < arguments.count else { return value }
            guard let v = Int(arguments[i].trimmingSpaces()) else {
                throw FrameSpecError(message: "--window `\(name)`: argument \(i + 1) of \(function) must be an integer, not `\(arguments[i])`")
            }
            return v
        }
        func arity(_ allowed: ClosedRange<Int>) throws {
            guard allowed.contains(arguments.count) else {
                throw FrameSpecError(message: "--window `\(name)`: \(function) takes \(allowed.lowerBound == allowed.upperBound ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)") argument(s), not \(arguments.count)")
            }
        }
        if precedingRows != nil && !["sum", "avg", "mean"].contains(function) {
            throw FrameSpecError(message: "--window `\(name)`: a ROWS frame is supported for sum and avg only")
        }
        let fn: WindowFunction
        switch function {
        case "row_number": try arity(0...0); fn = .rowNumber
        case "rank": try arity(0...0); fn = .rank
        case "dense_rank": try arity(0...0); fn = .denseRank
        case "percent_rank": try arity(0...0); fn = .percentRank
        case "lag", "lead":
            try arity(1...3)
            let column = try argument(0)
            let offset = try integer(1, default: 1)
            guard offset >= 0 else { throw FrameSpecError(message: "--window `\(name)`: the offset of \(function) must be zero or more") }
            var fill = Scalar.null
            if arguments.count == 3 {
                fill = try Self.scalar(arguments[2], like: column, in: work)
            }
            fn = function == "lag" ? .lag(column, offset: offset, default: fill) : .lead(column, offset: offset, default: fill)
        case "sum", "avg", "mean":
            try arity(1...1)
            let column = try argument(0)
            let average = function != "sum"
            if let k = precedingRows {
                // k preceding rows plus this one; a k past any partition (up to Int.max) is every row so far.
                let rows = k == Int.max ? k : k + 1
                fn = average ? .rollingAvg(column, rows: rows) : .rollingSum(column, rows: rows)
            } else {
                fn = average ? .runningAvg(column) : .runningSum(column)
            }
        case "min": try arity(1...1); fn = .runningMin(try argument(0))
        case "max": try arity(1...1); fn = .runningMax(try argument(0))
        case "count":
            try arity(1...1)
            let a = arguments[0].trimmingSpaces()
            fn = a == "*" || a == "1" ? .runningCount(nil) : .runningCount(try argument(0))
        case "rolling_sum", "rolling_avg", "rolling_mean":
            try arity(2...2)
            let column = try argument(0)
            let rows = try integer(1, default: 1)
            fn = function == "rolling_sum" ? .rollingSum(column, rows: rows) : .rollingAvg(column, rows: rows)
        default:
            throw FrameSpecError(message: "--window `\(name)`: unknown window function `\(function)`; expected one of \(Self.functions)")
        }
        var partitions = [String]()
        for p in partitionBy { partitions.append(try columnName(p)) }
        var result = try work.withWindow(name, fn, partitionBy: partitions, orderBy: orderBy)
        let leftover = temporary.filter { $0 != name }
        if !leftover.isEmpty { result = try result.drop(leftover) }
        return result
    }

    /// The value of the SQL literal `text` cast to the type of column `column` (for lag/lead defaults).
    private static func scalar(_ text: String, like column: String, in frame: DataFrame) throws -> Scalar {
        let type = try frame.column(column).type
        let expr = Expr.cast(try Expr.parse(text), type)
        // Evaluate on one row (or check the type on an empty frame, where the default is never used).
        let one = frame.rowCount > 0 ? frame.slice(0..<1) : frame
        let probe = try one.withColumn("__lake_default", expr)
        return one.rowCount > 0 ? try probe.value("__lake_default", row: 0) : .null
    }
}

/// Reading `lake frame` inputs by file extension.
enum FrameInput {
    /// The kinds of input files.
    enum Kind { case parquet, csv, ndjson }

    /// The kind of `path`, from its extension (Parquet unless .csv, .ndjson or .jsonl).
    static func kind(_ path: String) -> Kind {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") { return .ndjson }
        return .parquet
    }

    /// The whole file at `path` as a frame; `schema` and `delimiter` apply to CSV and NDJSON inputs.
    static func read(_ path: String, schema: Schema? = nil, delimiter: UInt8 = UInt8(ascii: ",")) throws -> DataFrame {
        switch kind(path) {
        case .parquet:
            return DataFrame(try ParquetReader(path: path).read())
        case .csv, .ndjson:
            guard let data = FileManager.default.contents(atPath: path) else { throw InputFileError(path: path) }
            let bytes = [UInt8](data)
            do {
                if kind(path) == .csv {
                    return try CSVReader.read(bytes, options: CSVOptions(header: true, delimiter: delimiter, schema: schema))
                }
                return try NDJSONReader.read(bytes, schema: schema)
            } catch {
                throw LakeError.inputData(error)
            }
        }
    }
}
