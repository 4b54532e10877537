import Columnar
import DataFrame

/// A SQL condition over a table's rows, as delete, update and merge use it: parsed and type-checked against
/// the table's schema before any file is read (so a bad predicate fails without side effects), then evaluated
/// per file into the rows where it is TRUE.
enum RowCondition {
    /// Parses `text` and checks it is a boolean expression over `schema`'s columns; any failure is a
    /// malformed request naming the predicate.
    static func parse(_ text: String, schema: Schema) throws(LakeError) -> Expr {
        let expr: Expr
        do {
            expr = try Expr.parse(text)
            _ = try TypeChecker(schema: readable(schema)).checkPredicate(expr)
        } catch {
            throw LakeError.invalidRequest("the predicate \(text) is not usable on this table: \(error)")
        }
        return expr
    }

    /// The rows of `frame` where `predicate` is TRUE (not FALSE, not NULL), one bit per row.
    static func trueRows(_ predicate: Expr, in frame: DataFrame) throws(LakeError) -> Bitmap {
        let column: Column
        do { column = try frame.evaluate(try TypeChecker(schema: frame.schema).checkPredicate(predicate)) } catch { throw LakeError(error) }
        guard column.count == frame.rowCount else {
            throw LakeError(.failed, "the predicate \(predicate.sql) gave \(column.count) values for \(frame.rowCount) rows")
        }
        return try FileRewrite.trueRows(column)
    }

    /// `schema` as files read back: every column nullable (what `DataFileReader` returns).
    static func readable(_ schema: Schema) -> Schema {
        Schema(schema.fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) })
    }
}
