extension TableDocuments {
    /// `lake vacuum --json` and the service's vacuum answer: dry run, retention, the VACUUM START/END versions,
    /// the operation's metrics and, for a dry run, the files that would be deleted.
    public static func vacuum(_ m: Vacuum.Metrics) -> JSONDocument {
        var pairs: [(String, JSONDocument)] = [
            ("dryRun", .bool(m.dryRun)), ("retentionMillis", .int(m.retentionMillis)),
            ("startVersion", m.startVersion.map { .int($0) } ?? .null), ("endVersion", m.endVersion.map { .int($0) } ?? .null),
        ]
        let map = m.operationMetrics
        pairs += map.keys.sorted().map { ($0, .string(map[$0] ?? "")) }
        if m.dryRun { pairs.append(("files", .array(m.files.map { .string($0) }))) }
        return .object(pairs)
    }
}
