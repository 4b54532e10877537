import DeltaLog
import ObjectStore

/// The commit files of `_delta_log/`, by version (history needs only these; snapshots come from `DeltaLog`).
struct LogListing: Sendable {
    /// One commit file.
    struct Commit: Sendable {
        var version: Int64
        var path: String
        var lastModified: Int64
    }

    /// Commits sorted by version.
    var commits: [Commit]

    /// Zero-padded 20-digit file name stem Delta uses for version `v`.
    static func stem(_ v: Int64) -> String {
        let digits = String(v)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The key of the commit file for version `v`.
    static func commitPath(_ v: Int64) -> String { "_delta_log/" + stem(v) + ".json" }

    /// Lists `_delta_log/`; throws `notATable` when it holds no commit and no checkpoint.
    static func load(_ table: DeltaTable) async throws -> LogListing {
        let metas: [ObjectMeta]
        do { metas = try await table.store.list(prefix: "_delta_log/") } catch { throw DeltaError.storage(ObjectStoreErrorBox.wrap(error)) }
        var commits: [Commit] = []
        for m in metas {
            let name = m.path.dropFirst("_delta_log/".count)
            if name.contains("/") { continue }
            let pieces = name.split(separator: ".")
            guard pieces.count >= 2, pieces[0].count == 20, let v = Int64(pieces[0]) else { continue }
            if pieces.count == 2, pieces[1] == "json" {
                commits.append(Commit(version: v, path: m.path, lastModified: m.lastModified))
            }
        }
        commits.sort { $0.version < $1.version }
        if commits.isEmpty { throw DeltaError.notATable(location: table.location) }
        return LogListing(commits: commits)
    }
}

/// Turns whatever a store threw into an `ObjectStoreError`, so `DeltaError.storage` can carry it.
enum ObjectStoreErrorBox {
    static func wrap(_ error: any Error) -> ObjectStoreError {
        if let e = error as? ObjectStoreError { return e }
        return .io("?", "\(error)")
    }
}
