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

    /// Lists `_delta_log/`; a location without commit files is `notFound`.
    static func load(_ table: DeltaTable) async throws(LakeError) -> LogListing {
        let metas: [ObjectMeta]
        do { metas = try await table.store.list(prefix: "_delta_log/") } catch { throw LakeError(.storage, "\(error)") }
        var commits: [Commit] = []
        for m in metas {
            let name = m.path.dropFirst("_delta_log/".count)
            if name.contains("/") { continue }
            let pieces = name.split(separator: ".")
            guard pieces.count == 2, pieces[0].count == 20, pieces[1] == "json", let v = Int64(pieces[0]) else { continue }
            commits.append(Commit(version: v, path: m.path, lastModified: m.lastModified))
        }
        commits.sort { $0.version < $1.version }
        if commits.isEmpty { throw LakeError(DeltaError.notATable(location: table.location)) }
        return LogListing(commits: commits)
    }

    /// Parses one commit file.
    static func readCommit(_ table: DeltaTable, path: String) async throws(LakeError) -> [Action] {
        do {
            let bytes = try await table.store.get(path)
            return try CommitFile.parse(bytes, file: path)
        } catch {
            throw LakeError(error)
        }
    }
}
