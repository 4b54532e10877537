import DataFrame

/// The columns a predicate reads, so a scan reads them even when the projection leaves them out.
enum PredicateColumns {
    /// Lowercased names of the columns `e` references (the last part of a qualified name, as the engine
    /// resolves it).
    static func names(_ e: Expr) -> Set<String> {
        var out = Set<String>()
        func visit(_ e: Expr) {
            switch e {
            case let .column(parts): if let last = parts.last { out.insert(last.lowercased()) }
            case .literal: break
            case let .negate(x), let .not(x), let .isNull(x, _), let .cast(x, _): visit(x)
            case let .binary(_, a, b), let .isDistinctFrom(a, b, _): visit(a); visit(b)
            case let .inList(x, items, _): visit(x); items.forEach(visit)
            case let .between(x, lo, hi, _): visit(x); visit(lo); visit(hi)
            case let .like(x, p, _, _, _): visit(x); visit(p)
            case let .caseWhen(op, branches, otherwise):
                if let op { visit(op) }
                for b in branches { visit(b.when); visit(b.then) }
                if let otherwise { visit(otherwise) }
            case let .function(_, args): args.forEach(visit)
            }
        }
        visit(e)
        return out
    }
}
