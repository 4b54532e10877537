import Columnar
import DataFrame

/// Resolves the column names of a MERGE's SQL: `alias.col` in the relation of that alias, a bare name in the
/// one relation that has it. Resolved columns get internal names (`__lake_t<i>`, `__lake_s<i>`) so target and
/// source columns of one name live side by side in the joined frames.
struct MergeNames: Sendable {
    let targetAlias: String
    let sourceAlias: String
    let target: Schema
    let source: Schema
    /// Resolve target columns to their table names (for planning) instead of internal names.
    var tableNames = false

    static func targetName(_ i: Int) -> String { "__lake_t\(i)" }
    static func sourceName(_ i: Int) -> String { "__lake_s\(i)" }

    /// Which relations an expression may use.
    enum Scope { case both, targetOnly, sourceOnly }

    func targetIndex(_ name: String) -> Int? {
        target.fields.firstIndex { $0.name == name } ?? target.fields.firstIndex { $0.name.lowercased() == name.lowercased() }
    }

    func sourceIndex(_ name: String) -> Int? {
        source.fields.firstIndex { $0.name == name } ?? source.fields.firstIndex { $0.name.lowercased() == name.lowercased() }
    }

    /// Parses `sql` and rewrites its columns to internal names.
    func resolve(_ sql: String, scope: Scope, role: String) throws(LakeError) -> Expr {
        let e: Expr
        do { e = try Expr.parse(sql) } catch { throw LakeError.invalidRequest("merge \(role) \"\(sql)\": \(error)") }
        return try rewrite(e, scope: scope, role: role)
    }

    /// The column name an assignment sets (bare or qualified by the target alias), nil when it names no
    /// top-level column of the target.
    func assignedName(_ text: String) -> String? {
        var parts = text.split(separator: ".").map { String($0).trimmingWhitespace.trimmingBackticks }
        if parts.count == 2 && parts[0].lowercased() == targetAlias.lowercased() { parts.removeFirst() }
        return parts.count == 1 ? parts[0] : nil
    }

    /// The index in `output` (the target's schema, grown by schema evolution) of the column an assignment sets.
    func assignedColumn(_ text: String, in output: Schema) throws(LakeError) -> Int {
        guard let name = assignedName(text),
              let i = output.fields.firstIndex(where: { $0.name == name }) ?? output.fields.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw LakeError.invalidRequest("merge assignment to \(text): the target has no such column (columns: \(output.names.joined(separator: ", "))); with schema evolution a source column of that name is added")
        }
        return i
    }

    func rewrite(_ e: Expr, scope: Scope, role: String) throws(LakeError) -> Expr {
        func r(_ x: Expr) throws(LakeError) -> Expr { try rewrite(x, scope: scope, role: role) }
        switch e {
        case let .column(parts):
            return .col(try column(parts, scope: scope, role: role))
        case .literal: return e
        case let .negate(x): return .negate(try r(x))
        case let .not(x): return .not(try r(x))
        case let .binary(op, a, b): return .binary(op, try r(a), try r(b))
        case let .isNull(x, n): return .isNull(try r(x), negated: n)
        case let .isDistinctFrom(a, b, n): return .isDistinctFrom(try r(a), try r(b), negated: n)
        case let .inList(x, items, n):
            var out: [Expr] = []
            for i in items { out.append(try r(i)) }
            return .inList(try r(x), out, negated: n)
        case let .between(x, lo, hi, n): return .between(try r(x), low: try r(lo), high: try r(hi), negated: n)
        case let .like(x, p, esc, ci, n): return .like(try r(x), pattern: try r(p), escape: esc, caseInsensitive: ci, negated: n)
        case let .caseWhen(op, branches, otherwise):
            var bs: [CaseBranch] = []
            for b in branches { bs.append(CaseBranch(when: try r(b.when), then: try r(b.then))) }
            return .caseWhen(operand: try op.map { (x) throws(LakeError) in try r(x) }, branches: bs,
                             otherwise: try otherwise.map { (x) throws(LakeError) in try r(x) })
        case let .cast(x, t): return .cast(try r(x), t)
        case let .function(name, args):
            var out: [Expr] = []
            for a in args { out.append(try r(a)) }
            return .function(name, out)
        }
    }

    private func column(_ parts: [String], scope: Scope, role: String) throws(LakeError) -> String {
        let shown = parts.joined(separator: ".")
        func denied(_ relation: String) -> LakeError {
            LakeError.invalidRequest("merge \(role) uses \(shown), but the \(relation) is not available there")
        }
        if parts.count == 2 {
            let q = parts[0].lowercased()
            if q == targetAlias.lowercased() {
                guard let i = targetIndex(parts[1]) else { throw LakeError.invalidRequest("merge \(role): the target (\(targetAlias)) has no column \(parts[1]) (columns: \(target.names.joined(separator: ", ")))") }
                if scope == .sourceOnly { throw denied("target") }
                return tableNames ? target.fields[i].name : Self.targetName(i)
            }
            if q == sourceAlias.lowercased() {
                guard let i = sourceIndex(parts[1]) else { throw LakeError.invalidRequest("merge \(role): the source (\(sourceAlias)) has no column \(parts[1]) (columns: \(source.names.joined(separator: ", ")))") }
                if scope == .targetOnly { throw denied("source") }
                return Self.sourceName(i)
            }
        }
        guard parts.count == 1 else {
            throw LakeError.invalidRequest("merge \(role): \(shown) names neither the target (\(targetAlias)) nor the source (\(sourceAlias))")
        }
        let t = scope == .sourceOnly ? nil : targetIndex(parts[0])
        let s = scope == .targetOnly ? nil : sourceIndex(parts[0])
        switch (t, s) {
        case let (t?, nil): return tableNames ? target.fields[t].name : Self.targetName(t)
        case let (nil, s?): return Self.sourceName(s)
        case (.some, .some):
            throw LakeError.invalidRequest("merge \(role): column \(shown) is in both the target and the source; write \(targetAlias).\(shown) or \(sourceAlias).\(shown)")
        case (nil, nil):
            throw LakeError.invalidRequest("merge \(role): no column \(shown) in the \(scope == .targetOnly ? "target" : scope == .sourceOnly ? "source" : "target or source")")
        }
    }
}

extension String {
    /// The text without surrounding backticks.
    var trimmingBackticks: String {
        hasPrefix("`") && hasSuffix("`") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
