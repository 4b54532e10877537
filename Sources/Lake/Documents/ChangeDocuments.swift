extension TableDocuments {
    /// What a change data feed read did (`lake changes --metrics`).
    public static func changeMetrics(_ m: Changes.Metrics) -> JSONDocument {
        .object([
            ("startVersion", .int(m.startVersion)),
            ("endVersion", .int(m.endVersion)),
            ("commitsRead", .int(Int64(m.commitsRead))),
            ("filesRead", .int(Int64(m.filesRead))),
            ("bytesRead", .int(Int64(m.bytesRead))),
            ("rowsReturned", .int(Int64(m.rowsReturned))),
        ])
    }
}
