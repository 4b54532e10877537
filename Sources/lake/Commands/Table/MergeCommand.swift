import ArgumentParser
import Foundation
import Lake

/// `lake merge TABLE SOURCE --on EXPR [--clause "WHEN ..."]...`: MERGE a file or another table into a table.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "MERGE (upsert) a .parquet/.csv/.ndjson file or another Delta table into a Delta table in one commit.",
        discussion: """
            Clauses are Delta's SQL, applied in order, the first whose condition holds winning:
              WHEN MATCHED [AND cond] THEN UPDATE SET col = expr, ... | UPDATE SET * | DELETE
              WHEN NOT MATCHED [BY TARGET] [AND cond] THEN INSERT (cols) VALUES (exprs) | INSERT *
              WHEN NOT MATCHED BY SOURCE [AND cond] THEN UPDATE SET col = expr, ... | DELETE
            Without --clause: WHEN MATCHED THEN UPDATE SET * and WHEN NOT MATCHED THEN INSERT *.
            With --schema-evolution, UPDATE SET * and INSERT * add the source columns the table lacks (nullable, at
            the end; existing rows read them as NULL) and new struct fields, and an assignment may set a source
            column the table lacks; existing columns keep their types.

            Examples:
              lake merge /data/orders updates.parquet --on 'target.order_id = source.order_id' --clause 'WHEN MATCHED THEN UPDATE SET *' --clause 'WHEN NOT MATCHED THEN INSERT *'
            """
    )

    @Argument(help: "The target table location: a directory path, file:// or s3:// URI.")
    var table: String

    @Argument(help: "The source: a .parquet, .csv, .ndjson or .jsonl file, or a Delta table directory.")
    var source: String

    @Option(help: "The ON condition, e.g. \"target.id = source.id\".")
    var on: String

    @Option(name: .customLong("clause"), help: "A WHEN ... THEN ... clause (repeatable, in order).")
    var clauses: [String] = []

    @Option(name: .customLong("target-alias"), help: "The name that qualifies target columns (default target).")
    var targetAlias = "target"

    @Option(name: .customLong("source-alias"), help: "The name that qualifies source columns (default source).")
    var sourceAlias = "source"

    @Option(name: .customLong("source-version"), help: "The version of a source table to read (default: latest).")
    var sourceVersion: Int64?

    @Option(name: .customLong("target-file-size"), help: "Target size of a written data file in bytes (default 134217728).")
    var targetFileSize: Int?

    @Flag(name: .customLong("schema-evolution"), help: "Add source columns the target lacks (UPDATE SET *, INSERT *, assignments to source columns) and new struct fields.")
    var schemaEvolution = false

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        if let targetFileSize, targetFileSize < 1 { throw ValidationError("--target-file-size must be at least 1 byte") }
    }

    func run() async throws {
        try await runReportingErrors {
            let target = try DeltaTable(location: table)
            let parsed = try clauses.map { (c) throws(LakeError) in try Merge.Clause.parse(c) }
            let src: Merge.Source
            if Self.isTable(source) {
                src = .table(try DeltaTable(location: source), version: sourceVersion)
            } else {
                guard sourceVersion == nil else { throw LakeError.invalidRequest("--source-version applies to a table source; \(source) is a file") }
                src = .file(source)
            }
            var options = Merge.Options()
            options.targetAlias = targetAlias
            options.sourceAlias = sourceAlias
            if let targetFileSize { options.targetFileSize = targetFileSize }
            options.schemaEvolution = schemaEvolution
            let (_, m) = try await Merge(table: target, source: src, on: on, clauses: parsed, options: options).execute()
            OperationOutput.print(m, version: m.version, changed: m.committed, json: json, unchanged: "no row changed")
        }
    }

    /// Whether `path` is a Delta table (a directory with `_delta_log`) rather than a file.
    static func isTable(_ path: String) -> Bool {
        let local = path.hasPrefix("file://") ? String(path.dropFirst("file://".count)) : path
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: local + "/_delta_log", isDirectory: &isDir) && isDir.boolValue
    }
}
