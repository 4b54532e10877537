import Columnar
import DataFrame
import DeltaLog

/// The rules every row written to a table must keep: its NOT NULL columns, its CHECK constraints
/// (`delta.constraints.<name>` properties) and its column invariants (the older `delta.invariants` field
/// metadata). `DataFileWriter` enforces them on every batch, so write, delete, update, merge and every later
/// operation that writes rows keep them without checking on their own, and a violation fails the operation
/// before anything is committed.
///
/// A table whose constraint lake cannot parse or type-check is refused for writing by name: rows are never
/// written unchecked. NOT NULL is checked on top-level columns; a non-nullable field inside a struct is not
/// (a null struct may hold it, and lake does not yet tell the two apart).
struct TableConstraints: Sendable {
    /// One boolean condition every row must make TRUE.
    struct Check: Sendable {
        /// `CHECK constraint <name>` or `invariant on <column>`, for messages.
        var label: String
        /// The SQL text as the table stores it.
        var text: String
        /// The parsed condition.
        var condition: Expr
    }

    /// The table's logical schema (NOT NULL columns).
    let schema: Schema
    /// The CHECK constraints and invariants, in name order.
    let checks: [Check]

    /// The constraints of a table with `metadata` and logical `schema`.
    init(metadata: Metadata, schema: Schema) throws(LakeError) {
        self.schema = schema
        var checks: [Check] = []
        let prefix = "delta.constraints."
        for key in metadata.configuration.keys.sorted() where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            checks.append(try Self.check(label: "CHECK constraint \(name)", text: metadata.configuration[key] ?? "", schema: schema))
        }
        for field in schema.fields {
            guard let json = field.metadata["delta.invariants"] else { continue }
            // Spark stores {"expression": {"expression": "<sql>"}}.
            guard case let .string(text)? = (try? JSONValue.parse(json))?["expression"]?["expression"] else {
                throw LakeError(.unsupported, "the invariant on column \(field.name) (\(json)) is not in the form lake reads ({\"expression\": {\"expression\": \"...\"}}), so rows cannot be written safely")
            }
            checks.append(try Self.check(label: "invariant on \(field.name)", text: text, schema: schema))
        }
        self.checks = checks
    }

    private static func check(label: String, text: String, schema: Schema) throws(LakeError) -> Check {
        do {
            let e = try Expr.parse(text)
            _ = try TypeChecker(schema: RowCondition.readable(schema)).checkPredicate(e)
            return Check(label: label, text: text, condition: e)
        } catch {
            throw LakeError(.unsupported, "the table's \(label) (\(text)) cannot be evaluated by lake, so rows cannot be written safely: \(error)")
        }
    }

    /// Whether there is nothing beyond nullability to check.
    var isEmpty: Bool { checks.isEmpty && schema.fields.allSatisfy(\.nullable) }

    /// Throws a constraint violation naming the rule, its expression and the first violating row when a NOT NULL
    /// column has a null in `rows` (columns in `schema` order) or a check is not TRUE for some row (NULL
    /// violates too, as in Delta: the condition must be true for each row).
    func enforce(_ rows: DataFrame) throws(LakeError) {
        guard rows.rowCount > 0 else { return }
        for (field, column) in zip(schema.fields, rows.columns) where !field.nullable && column.nullCount > 0 {
            let row = (0..<column.count).first { column.isNull($0) } ?? 0
            throw LakeError(.constraintViolation, "column \(field.name) is NOT NULL, but \(column.nullCount) row(s) written have it null, e.g. \(Self.rowText(rows, row)); nothing was committed")
        }
        for check in checks {
            let holds = try RowCondition.trueRows(check.condition, in: rows)
            let violations = rows.rowCount - holds.setCount
            guard violations > 0 else { continue }
            let row = (0..<rows.rowCount).first { !holds[$0] } ?? 0
            throw LakeError(.constraintViolation, "\(check.label) (\(check.text)) is violated by \(violations) row(s) written, e.g. \(Self.rowText(rows, row)); nothing was committed")
        }
    }

    /// Row `row` of `frame` as a JSON object, shortened past 300 characters.
    static func rowText(_ frame: DataFrame, _ row: Int) -> String {
        let parts = zip(frame.schema.fields, frame.columns).map { field, column in
            "\"\(field.name)\": " + (column.isNull(row) ? "null" : ValueText.string(column, row: row, style: .json))
        }
        let text = "{" + parts.joined(separator: ", ") + "}"
        return text.count > 300 ? String(text.prefix(300)) + "...}" : text
    }
}
