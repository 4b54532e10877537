import Columnar
import DataFrame
import Lake

/// The rows of a table as lake's own `Scan` reads them straight from the root, bypassing HTTP: the routes are
/// checked against it (the conformance suite checks the same tables with deltalake).
enum TableOracle {
    /// Sorted `a|b|...` lines of `columns` of the table `name` under `root` (latest version).
    static func rows(root: String, _ name: String, columns: [String]) async throws -> [String] {
        let (_, frame, _) = try await Scan(table: try DeltaTable(location: root + "/" + name)).execute()
        return try (0..<frame.rowCount).map { i in
            try columns.map { n in
                let c = try frame.column(n)
                return c.isNull(i) ? "null" : ValueText.string(c, row: i)
            }.joined(separator: "|")
        }.sorted()
    }

    /// The table's latest version.
    static func version(root: String, _ name: String) async throws -> Int64 {
        try await DeltaTable(location: root + "/" + name).snapshot().version
    }
}
