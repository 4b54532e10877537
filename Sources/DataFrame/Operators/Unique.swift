import Columnar

/// Which row of a set of duplicates `unique` keeps.
public enum UniqueKeep: Sendable, Hashable {
    /// The first occurrence.
    case first
    /// The last occurrence.
    case last
    /// Any occurrence (currently the first, which costs nothing extra).
    case any
}

extension DataFrame {
    /// One row per distinct combination of the `subset` columns (all columns when `nil`), in input order.
    ///
    /// Nulls equal nulls, NaN equals NaN and -0.0 equals 0.0 here, as in SQL DISTINCT. Rows are grouped with
    /// the typed hash tables of `RowGrouping`; the kept rows are then gathered from every column once.
    public func unique(subset: [String]? = nil, keep: UniqueKeep = .any) throws(DataFrameError) -> DataFrame {
        var keys = [Column]()
        if let subset {
            for name in subset { keys.append(try column(name)) }
        } else {
            keys = columns
        }
        if keys.isEmpty {
            // Distinct over zero columns: every row is the same empty tuple.
            return rowCount == 0 ? self : slice(0..<1)
        }
        if rowCount < 2 { return self }
        let groups = try RowGrouping.groupIds(keys, rowCount: rowCount)
        if groups.count == rowCount { return self }
        switch keep {
        case .first, .any:
            return take(groups.firstRows)
        case .last:
            var last = [Int](repeating: 0, count: groups.count)
            groups.ids.withUnsafeBufferPointer { g in
                for r in 0..<g.count { last[Int(g[r])] = r }
            }
            last.sort()
            return take(last)
        }
    }

    /// The distinct rows (SQL `SELECT DISTINCT *`), keeping the first of each.
    public func distinct() throws(DataFrameError) -> DataFrame {
        try unique(subset: nil, keep: .first)
    }
}
