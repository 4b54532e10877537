import Lake

/// How the table-changing subcommands (delete, update, merge) print what they did: the metrics their commit
/// recorded, as a small two-column table or, with `--json`, as `TableDocuments.operationMetrics`.
enum OperationOutput {
    /// Prints `metrics` at `version`; `changed` false says nothing was committed, and why (`unchanged`).
    static func print(_ metrics: some OperationMetrics, version: Int64, changed: Bool, json: Bool, unchanged: String = "no rows matched") {
        if json {
            StandardOutput.line(TableDocuments.operationMetrics(metrics, version: version).pretty)
            return
        }
        StandardOutput.line(changed ? "version \(version)" : "\(unchanged): nothing committed (table at version \(version))")
        let map = metrics.operationMetrics
        let names = map.keys.sorted()
        let width = names.map(\.count).max() ?? 0
        for name in names {
            StandardOutput.line(name + String(repeating: " ", count: width - name.count + 2) + (map[name] ?? ""))
        }
    }
}
