import ArgumentParser
import Lake

/// `lake constraint add|drop|list`: CHECK constraints (`delta.constraints.<name>`).
struct ConstraintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "constraint",
        abstract: "Add, drop or list the CHECK constraints of a Delta table.",
        discussion: """
            Every write, delete, update and merge then checks each row it writes against the table's NOT NULL \
            columns and CHECK constraints, and fails (exit code 1) naming the constraint and a violating row, \
            committing nothing.

            Examples:
              lake constraint add /data/orders positive_amount 'amount > 0'
              lake constraint list /data/orders
            """,
        subcommands: [Add.self, Drop.self, List.self]
    )

    /// `lake constraint add TABLE NAME EXPR`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a CHECK constraint after validating the existing rows (ALTER TABLE ADD CONSTRAINT).")

        @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
        var table: String
        @Argument(help: "The constraint's name (letters, digits, underscores; case-insensitive).")
        var name: String
        @Argument(help: "A SQL boolean expression every row must make TRUE, e.g. \"amount >= 0\".")
        var expression: String
        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            try await runReportingErrors {
                let (s, m) = try await AddConstraint(table: try DeltaTable(location: table), name: name, expression: expression).execute()
                OperationOutput.print(m, version: s.version, changed: true, json: json)
            }
        }
    }

    /// `lake constraint drop TABLE NAME [--if-exists]`.
    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop a CHECK constraint (ALTER TABLE DROP CONSTRAINT).")

        @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
        var table: String
        @Argument(help: "The constraint's name.")
        var name: String
        @Flag(name: .customLong("if-exists"), help: "Succeed without a commit when there is no such constraint.")
        var ifExists = false
        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            try await runReportingErrors {
                let (s, m) = try await DropConstraint(table: try DeltaTable(location: table), name: name, ifExists: ifExists).execute()
                OperationOutput.print(m, version: s.version, changed: m.dropped, json: json, unchanged: "no constraint \(name.lowercased())")
            }
        }
    }

    /// `lake constraint list TABLE`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the CHECK constraints, one per line: name, then expression.")

        @Argument(help: "The table location: a directory path, file:// or s3:// URI.")
        var table: String
        @Flag(help: "Print a JSON object of name to expression.")
        var json = false

        func run() async throws {
            try await runReportingErrors {
                let s = try await DeltaTable(location: table).snapshot()
                let constraints = DropConstraint.constraints(s)
                if json {
                    StandardOutput.line(JSONDocument.object(constraints.map { ($0.name, .string($0.expression)) }).pretty)
                } else {
                    for c in constraints { StandardOutput.line("\(c.name)\t\(c.expression)") }
                }
            }
        }
    }
}
