extension Merge {
    /// One `WHEN ... THEN ...` clause of a MERGE, with its condition and assignments as SQL text (resolved
    /// against the target and source when the merge runs).
    public struct Clause: Sendable, Hashable {
        /// Which rows the clause applies to.
        public enum Kind: String, Sendable, Hashable {
            /// Target rows the ON condition pairs with a source row (`WHEN MATCHED`).
            case matched
            /// Source rows no target row matches (`WHEN NOT MATCHED [BY TARGET]`).
            case notMatched
            /// Target rows no source row matches (`WHEN NOT MATCHED BY SOURCE`).
            case notMatchedBySource
        }

        /// `column = expression`.
        public struct Assignment: Sendable, Hashable {
            /// The target column set (optionally qualified by the target alias).
            public var column: String
            /// The value, SQL over the target and source columns.
            public var value: String

            /// An assignment.
            public init(column: String, value: String) {
                self.column = column
                self.value = value
            }
        }

        /// What the clause does.
        public enum Action: Sendable, Hashable {
            /// `UPDATE SET col = expr, ...`.
            case update([Assignment])
            /// `UPDATE SET *`: every target column the source has, from the source column of that name.
            case updateAll
            /// `DELETE`.
            case delete
            /// `INSERT (cols) VALUES (exprs)`; columns not listed are null.
            case insert([Assignment])
            /// `INSERT *`: every target column from the source column of that name (null when it has none).
            case insertAll

            /// Delta's `actionType`.
            var actionType: String {
                switch self {
                case .update, .updateAll: "update"
                case .delete: "delete"
                case .insert, .insertAll: "insert"
                }
            }
        }

        /// Which rows.
        public var kind: Kind
        /// The extra condition (`AND cond`), SQL.
        public var condition: String?
        /// What to do.
        public var action: Action

        /// A clause.
        public init(_ kind: Kind, condition: String? = nil, _ action: Action) {
            self.kind = kind
            self.condition = condition
            self.action = action
        }

        /// `WHEN MATCHED THEN UPDATE SET *`.
        public static let updateAll = Clause(.matched, .updateAll)
        /// `WHEN NOT MATCHED THEN INSERT *`.
        public static let insertAll = Clause(.notMatched, .insertAll)

        /// How Delta describes the clause in `operationParameters`.
        var description: DeltaOperation.MergeClause {
            DeltaOperation.MergeClause(actionType: action.actionType, predicate: condition)
        }

        /// Parses Delta's SQL for a clause: `WHEN MATCHED [AND cond] THEN UPDATE SET a = x, ... | UPDATE SET *
        /// | DELETE`, `WHEN NOT MATCHED [BY TARGET] [AND cond] THEN INSERT (a, ...) VALUES (x, ...) | INSERT *`,
        /// `WHEN NOT MATCHED BY SOURCE [AND cond] THEN UPDATE SET ... | DELETE`.
        public static func parse(_ text: String) throws(LakeError) -> Clause {
            let s = Array(text)
            let words = ClauseScanner.topLevelWords(s)
            func word(_ i: Int) -> String { i < words.count ? words[i].text.uppercased() : "" }
            func fail(_ why: String) -> LakeError {
                LakeError.invalidRequest("merge clause \"\(text)\": \(why); write WHEN [NOT] MATCHED [BY SOURCE|BY TARGET] [AND cond] THEN UPDATE SET ... | UPDATE SET * | DELETE | INSERT (...) VALUES (...) | INSERT *")
            }
            guard word(0) == "WHEN" else { throw fail("it must start with WHEN") }
            var i = 1
            let kind: Kind
            if word(i) == "MATCHED" {
                kind = .matched
                i += 1
            } else if word(i) == "NOT" && word(i + 1) == "MATCHED" {
                i += 2
                if word(i) == "BY" && word(i + 1) == "SOURCE" {
                    kind = .notMatchedBySource
                    i += 2
                } else if word(i) == "BY" && word(i + 1) == "TARGET" {
                    kind = .notMatched
                    i += 2
                } else {
                    kind = .notMatched
                }
            } else {
                throw fail("expected MATCHED or NOT MATCHED after WHEN")
            }
            var condition: String?
            guard let thenIndex = words[i...].firstIndex(where: { $0.text.uppercased() == "THEN" }) else { throw fail("THEN is missing") }
            if word(i) == "AND" {
                let c = String(s[words[i].end..<words[thenIndex].start]).trimmingWhitespace
                guard !c.isEmpty else { throw fail("the condition after AND is empty") }
                condition = c
            } else if thenIndex != i {
                throw fail("expected AND or THEN after the match kind")
            }
            let rest = Array(s[words[thenIndex].end...])
            let restText = String(rest).trimmingWhitespace
            let restWords = ClauseScanner.topLevelWords(rest)
            let verb = restWords.first?.text.uppercased() ?? ""
            let action: Action
            switch verb {
            case "DELETE":
                guard restWords.count == 1, restText.uppercased() == "DELETE" else { throw fail("nothing may follow DELETE") }
                action = .delete
            case "UPDATE":
                guard restWords.count >= 2, restWords[1].text.uppercased() == "SET" else { throw fail("UPDATE needs SET") }
                let body = String(rest[restWords[1].end...]).trimmingWhitespace
                if body == "*" {
                    action = .updateAll
                } else {
                    var out: [Assignment] = []
                    for part in ClauseScanner.split(Array(body), on: ",") {
                        guard let eq = ClauseScanner.firstTopLevel(part, "=") else { throw fail("assignment \"\(String(part))\" needs column = value") }
                        let column = String(part[..<eq]).trimmingWhitespace
                        let value = String(part[(eq + 1)...]).trimmingWhitespace
                        guard !column.isEmpty, !value.isEmpty else { throw fail("assignment \"\(String(part))\" needs column = value") }
                        out.append(Assignment(column: column, value: value))
                    }
                    guard !out.isEmpty else { throw fail("UPDATE SET needs at least one assignment") }
                    action = .update(out)
                }
            case "INSERT":
                let body = String(rest[restWords[0].end...]).trimmingWhitespace
                if body == "*" {
                    action = .insertAll
                } else {
                    let b = Array(body)
                    guard b.first == "(", let close = ClauseScanner.matchingParen(b, 0) else { throw fail("INSERT needs (columns) VALUES (values)") }
                    let columns = ClauseScanner.split(Array(b[1..<close]), on: ",").map { String($0).trimmingWhitespace }
                    let after = Array(String(b[(close + 1)...]).trimmingWhitespace)
                    guard after.count > 6, String(after[0..<6]).uppercased() == "VALUES" else { throw fail("INSERT needs VALUES after the columns") }
                    let v = Array(String(after[6...]).trimmingWhitespace)
                    guard v.first == "(", let vclose = ClauseScanner.matchingParen(v, 0), vclose == v.count - 1 else { throw fail("VALUES needs (values)") }
                    let values = ClauseScanner.split(Array(v[1..<vclose]), on: ",").map { String($0).trimmingWhitespace }
                    guard columns.count == values.count, !columns.contains(""), !values.contains("") else {
                        throw fail("INSERT lists \(columns.count) column(s) and \(values.count) value(s)")
                    }
                    action = .insert(zip(columns, values).map { Assignment(column: $0, value: $1) })
                }
            default:
                throw fail("expected UPDATE, DELETE or INSERT after THEN")
            }
            switch (kind, action) {
            case (.matched, .insert), (.matched, .insertAll): throw fail("WHEN MATCHED cannot INSERT")
            case (.notMatched, .update), (.notMatched, .updateAll), (.notMatched, .delete): throw fail("WHEN NOT MATCHED can only INSERT")
            case (.notMatchedBySource, .insert), (.notMatchedBySource, .insertAll): throw fail("WHEN NOT MATCHED BY SOURCE cannot INSERT")
            case (.notMatchedBySource, .updateAll): throw fail("WHEN NOT MATCHED BY SOURCE cannot UPDATE SET * (there is no source row)")
            default: break
            }
            return Clause(kind, condition: condition, action)
        }
    }
}

/// Finds the structure of clause text: words, commas and `=` outside quotes, parentheses and CASE ... END.
enum ClauseScanner {
    struct Word { var text: String; var start: Int; var end: Int }

    /// Top-level words (letters, digits, `_`) with their character ranges.
    static func topLevelWords(_ s: [Character]) -> [Word] {
        var out: [Word] = []
        var depth = 0, caseDepth = 0, i = 0
        while i < s.count {
            let c = s[i]
            if c == "'" || c == "\"" || c == "`" {
                i = skipQuoted(s, i)
                continue
            }
            if c == "(" { depth += 1; i += 1; continue }
            if c == ")" { depth = max(0, depth - 1); i += 1; continue }
            if c.isLetter || c == "_" {
                var j = i
                while j < s.count, s[j].isLetter || s[j].isNumber || s[j] == "_" { j += 1 }
                let w = String(s[i..<j])
                let upper = w.uppercased()
                if depth == 0 {
                    if upper == "CASE" { caseDepth += 1 } else if upper == "END" && caseDepth > 0 { caseDepth -= 1 } else if caseDepth == 0 {
                        out.append(Word(text: w, start: i, end: j))
                    }
                }
                i = j
                continue
            }
            i += 1
        }
        return out
    }

    /// The index after a quoted run starting at `i` (doubled quotes escape).
    static func skipQuoted(_ s: [Character], _ i: Int) -> Int {
        let q = s[i]
        var j = i + 1
        while j < s.count {
            if s[j] == q {
                if j + 1 < s.count && s[j + 1] == q { j += 2; continue }
                return j + 1
            }
            j += 1
        }
        return j
    }

    /// Positions of `separator` outside quotes and parentheses.
    static func topLevelPositions(_ s: [Character], _ separator: Character) -> [Int] {
        var out: [Int] = []
        var depth = 0, i = 0
        while i < s.count {
            let c = s[i]
            if c == "'" || c == "\"" || c == "`" { i = skipQuoted(s, i); continue }
            if c == "(" { depth += 1 } else if c == ")" { depth = max(0, depth - 1) } else if c == separator && depth == 0 { out.append(i) }
            i += 1
        }
        return out
    }

    /// The first top-level `separator` not part of `<=`, `>=`, `<>`, `!=` or `<=>`.
    static func firstTopLevel(_ s: [Character], _ separator: Character) -> Int? {
        topLevelPositions(s, separator).first { p in
            let before = p > 0 ? s[p - 1] : " "
            let after = p + 1 < s.count ? s[p + 1] : " "
            return !"<>!".contains(before) && after != ">"
        }
    }

    /// `s` cut at top-level `separator`s.
    static func split(_ s: [Character], on separator: Character) -> [[Character]] {
        var out: [[Character]] = []
        var start = 0
        for p in topLevelPositions(s, separator) {
            out.append(Array(s[start..<p]))
            start = p + 1
        }
        out.append(Array(s[start...]))
        return out
    }

    /// The `)` closing the `(` at `open`.
    static func matchingParen(_ s: [Character], _ open: Int) -> Int? {
        var depth = 0, i = open
        while i < s.count {
            let c = s[i]
            if c == "'" || c == "\"" || c == "`" { i = skipQuoted(s, i); continue }
            if c == "(" { depth += 1 } else if c == ")" {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }
}

extension String {
    /// The text without leading and trailing whitespace.
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
