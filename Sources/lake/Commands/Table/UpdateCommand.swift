import ArgumentParser
import Lake

/// `lake update TABLE --set "col = expr" ... [--where EXPR]`: Delta's `UPDATE ... SET`.
struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Set columns of the rows of a Delta table that match a predicate (all rows without --where), in one commit.",
        discussion: """
            Each --set is "column = expression", a SQL expression over the row as it was before the update, cast \
            to the column's type. Updating a partition column moves the row to its new partition. Nothing is \
            committed when no row matches.

            Examples:
              lake update /data/orders --set "status = 'refunded'" --where 'order_id = 42'
            """
    )

    @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Option(name: .customLong("set"), help: "An assignment \"column = expression\", e.g. \"amount = amount * 1.1\" (repeat for several columns).")
    var assignments: [String] = []

    @Option(name: .customLong("where"), help: "A SQL predicate selecting the rows to change, e.g. \"region = 'EU'\" (default: every row).")
    var predicate: String?

    @Option(name: .customLong("target-file-size"), help: "Target size in bytes of rewritten files (default: the table's delta.targetFileSize, else 134217728).")
    var targetFileSize: Int?

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        if assignments.isEmpty { throw ValidationError("give at least one --set \"column = expression\"") }
        for a in assignments { _ = try Self.assignment(a) }
        if let targetFileSize, targetFileSize < 1 { throw ValidationError("--target-file-size must be at least 1 byte") }
    }

    /// Splits `column = expression` at its first `=`; a column may be quoted with backticks.
    static func assignment(_ text: String) throws -> (column: String, expression: String) {
        guard let eq = text.firstIndex(of: "=") else {
            throw ValidationError("--set \(text): write it as \"column = expression\"")
        }
        var column = String(text[..<eq]).trimmingSpaces()
        let expression = String(text[text.index(after: eq)...]).trimmingSpaces()
        if column.count >= 2, column.hasPrefix("`"), column.hasSuffix("`") { column = String(column.dropFirst().dropLast()) }
        guard !column.isEmpty, !expression.isEmpty else {
            throw ValidationError("--set \(text): write it as \"column = expression\"")
        }
        return (column, expression)
    }

    func run() async throws {
        try await runReportingErrors {
            var options = Update.Options(set: try assignments.map(Self.assignment), predicate: predicate)
            options.targetFileSize = targetFileSize
            let (s, m) = try await Update(table: try DeltaTable(location: table), options: options).execute()
            OperationOutput.print(m, version: s.version, changed: m.numRemovedFiles > 0, json: json)
        }
    }
}
