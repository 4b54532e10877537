import Columnar
import DataFrame
import DeltaLog

/// What must hold before and while delete, update and merge change existing rows: lake can write the table,
/// the table allows more than appends, no change data feed would miss the change, and every row written keeps
/// the NOT NULL columns and CHECK constraints (`delta.constraints.<name>`) of the table.
enum ChangeChecks {
    /// Refuses tables whose rows `operation` may not change: features lake cannot write,
    /// `delta.appendOnly=true` (Delta refuses deletes and updates there), and `delta.enableChangeDataFeed=true`
    /// (readers of the change feed would miss a change lake does not record as `cdc` files).
    static func checkChangeable(_ snapshot: Snapshot, operation: String) throws(LakeError) {
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        let properties = snapshot.metadata.configuration
        if properties["delta.appendOnly"]?.lowercased() == "true" {
            throw LakeError.invalidRequest("\(operation) is not allowed: the table only allows appends (delta.appendOnly=true)")
        }
        if properties["delta.enableChangeDataFeed"]?.lowercased() == "true" {
            throw LakeError(.unsupported, "\(operation) on a table with the change data feed on (delta.enableChangeDataFeed=true) is not supported yet: lake does not write change data files")
        }
    }

    /// The table's CHECK constraints, parsed and type-checked over its rows.
    static func checkConstraints(_ snapshot: Snapshot) throws(LakeError) -> [(name: String, condition: Expr)] {
        let prefix = "delta.constraints."
        var out: [(name: String, condition: Expr)] = []
        for key in snapshot.metadata.configuration.keys.sorted() where key.hasPrefix(prefix) {
            let text = snapshot.metadata.configuration[key] ?? ""
            let name = String(key.dropFirst(prefix.count))
            do {
                let e = try Expr.parse(text)
                _ = try TypeChecker(schema: RowCondition.readable(snapshot.schema)).checkPredicate(e)
                out.append((name, e))
            } catch {
                throw LakeError(.unsupported, "the table's CHECK constraint \(name) (\(text)) cannot be evaluated by lake, so rows cannot be changed safely: \(error)")
            }
        }
        return out
    }

    /// Throws a constraint violation when a NOT NULL column of `schema` has a null in `rows`, or a CHECK
    /// constraint is not TRUE for some row (NULL violates too: the condition must be true for each row).
    static func enforce(_ rows: DataFrame, schema: Schema, constraints: [(name: String, condition: Expr)]) throws(LakeError) {
        for (field, column) in zip(schema.fields, rows.columns) where !field.nullable && column.nullCount > 0 {
            throw LakeError(.constraintViolation, "column \(field.name) is NOT NULL, but the change would set \(column.nullCount) row(s) to null")
        }
        for (name, condition) in constraints {
            let holds = try RowCondition.trueRows(condition, in: rows).setCount
            if holds != rows.rowCount {
                throw LakeError(.constraintViolation, "CHECK constraint \(name) (\(condition.sql)) is violated by \(rows.rowCount - holds) row(s) the change would write")
            }
        }
    }
}
