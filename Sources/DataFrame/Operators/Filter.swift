import Columnar

extension DataFrame {
    /// The rows where `predicate` is true (rows where it is false or null are dropped, as in SQL WHERE).
    ///
    /// The predicate is evaluated once over whole columns; the selected row numbers are then gathered
    /// from each column once.
    public func filter(_ predicate: Expr) throws(DataFrameError) -> DataFrame {
        let typed = try TypeChecker(schema: schema).checkPredicate(predicate)
        return try filter(typed)
    }

    /// The rows where a SQL predicate is true: `try frame.filter("amount > 10 AND region = 'eu'")`.
    public func filter(_ sql: String) throws(DataFrameError) -> DataFrame {
        try filter(try Expr.parse(sql))
    }

    /// The rows where an already type-checked predicate is true.
    public func filter(_ predicate: TypedExpr) throws(DataFrameError) -> DataFrame {
        guard predicate.type == .boolean else {
            throw .type(message: "a filter needs a boolean condition, not \(predicate.type.name)", expression: predicate.source.sql)
        }
        let mask = Logic.isTrue(try evaluate(predicate))
        return take(mask)
    }

    /// The rows whose bit is set in `mask`, which must have one bit per row: selection by a mask computed
    /// elsewhere (deletion vectors, rows a merge or delete keeps) without evaluating an expression.
    public func rows(where mask: Bitmap) throws(DataFrameError) -> DataFrame {
        guard mask.count == rowCount else {
            throw .shapeMismatch("a row mask of \(mask.count) bits for a frame of \(rowCount) rows")
        }
        return take(mask)
    }

    /// The rows `indices`, in that order (repeats allowed): a permutation computed elsewhere (a Z-order, a
    /// range of a sort) applied to every column. Throws when an index is outside `0..<rowCount`.
    public func rows(at indices: [Int]) throws(DataFrameError) -> DataFrame {
        let n = rowCount
        if let bad = indices.first(where: { $0 < 0 || $0 >= n }) {
            throw .shapeMismatch("row \(bad) asked of a frame of \(n) rows")
        }
        return take(indices)
    }

    /// The rows whose bit is set in `mask` (which has one bit per row).
    func take(_ mask: Bitmap) -> DataFrame {
        let selected = mask.setCount
        if selected == rowCount { return self }
        if selected == 0 { return DataFrame(unchecked: schema, columns: schema.fields.map { Column.empty($0.type) }, rowCount: 0) }
        let n = rowCount
        guard mask.count == n else { return take(BitmapOps.setIndices(mask)) }
        // Rows are copied straight from the mask's words, with no index array in between; each large column
        // is split over the cores inside the gather, which keeps both busy whatever the column widths.
        let gathered = columns.map { Kernels.gather($0, mask: mask, selected: selected) }
        return DataFrame(unchecked: schema, columns: gathered, rowCount: selected)
    }

    /// The rows `indices`, in that order; every index must be in `0..<rowCount`.
    func take(_ indices: [Int]) -> DataFrame {
        DataFrame(unchecked: schema, columns: columns.map { Kernels.gather($0, indices) }, rowCount: indices.count)
    }
}
