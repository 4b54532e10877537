import Columnar

extension DataFrame {
    /// One column per expression, named by its alias (or its column name / SQL text).
    public func select(_ exprs: [NamedExpr]) throws(DataFrameError) -> DataFrame {
        let checker = TypeChecker(schema: schema)
        var fields = [Field](), cols = [Column]()
        for named in exprs {
            let typed = try checker.check(named.expr)
            let column = try evaluate(typed)
            fields.append(Field(named.name, column.type, nullable: column.nullCount > 0 || nullable(typed)))
            cols.append(column)
        }
        try Self.checkUniqueNames(fields.map(\.name))
        return DataFrame(unchecked: Schema(fields), columns: cols, rowCount: rowCount)
    }

    /// Parses each item as `expression [AS alias]`: `try frame.select(sql: "id", "amount * 2 AS doubled")`.
    public func select(sql items: String...) throws(DataFrameError) -> DataFrame {
        var named = [NamedExpr]()
        for item in items { named.append(try NamedExpr.parse(item)) }
        return try select(named)
    }

    /// This frame with columns added or replaced: an existing name keeps its position, a new one goes last.
    /// Every expression sees the original columns (not each other's results), as in Polars' `with_columns`.
    public func withColumns(_ exprs: [NamedExpr]) throws(DataFrameError) -> DataFrame {
        let checker = TypeChecker(schema: schema)
        var fields = schema.fields, cols = columns
        var added = Set<String>()
        for named in exprs {
            let typed = try checker.check(named.expr)
            let column = try evaluate(typed)
            let name = named.name
            guard added.insert(name).inserted else {
                throw .shapeMismatch("column `\(name)` is assigned twice in one withColumns")
            }
            let field = Field(name, column.type, nullable: column.nullCount > 0 || nullable(typed))
            if let i = schema.index(of: name) {
                fields[i] = field
                cols[i] = column
            } else {
                fields.append(field)
                cols.append(column)
            }
        }
        return DataFrame(unchecked: Schema(fields, metadata: schema.metadata), columns: cols, rowCount: rowCount)
    }

    /// This frame with `name` set to `expr` (added or replaced).
    public func withColumn(_ name: String, _ expr: Expr) throws(DataFrameError) -> DataFrame {
        try withColumns([NamedExpr(expr, as: name)])
    }

    /// This frame with `name` set to a SQL expression.
    public func withColumn(_ name: String, sql: String) throws(DataFrameError) -> DataFrame {
        try withColumn(name, try Expr.parse(sql))
    }

    /// Whether a typed expression may produce nulls judged by the schema (a column keeps its field's
    /// nullability even when this batch happens to have no nulls).
    private func nullable(_ typed: TypedExpr) -> Bool {
        if case let .column(i) = typed.node { return schema.fields[i].nullable }
        return false
    }
}

extension NamedExpr {
    /// Parses `expression [AS alias]` (the alias may be backquoted).
    public static func parse(_ sql: String) throws(DataFrameError) -> NamedExpr {
        var parser = try ExprParser(sql)
        return try parser.parseNamed()
    }
}
