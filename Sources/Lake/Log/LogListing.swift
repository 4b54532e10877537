import DeltaLog
import ObjectStore

/// The files of `_delta_log/` that replay needs: commits and classic checkpoints, by version.
struct LogListing: Sendable {
    /// One commit file.
    struct Commit: Sendable {
        var version: Int64
        var path: String
        var lastModified: Int64
    }

    /// One complete classic checkpoint (single file or every part of a multi-part one).
    struct Checkpoint: Sendable {
        var version: Int64
        var paths: [String]
    }

    /// Commits sorted by version.
    var commits: [Commit]
    /// Complete checkpoints sorted by version.
    var checkpoints: [Checkpoint]

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
        var parts: [Int64: [Int: (total: Int, path: String)]] = [:]
        var singles: [Int64: String] = [:]
        for m in metas {
            let name = m.path.dropFirst("_delta_log/".count)
            if name.contains("/") { continue }
            let pieces = name.split(separator: ".")
            guard pieces.count >= 2, pieces[0].count == 20, let v = Int64(pieces[0]) else { continue }
            if pieces.count == 2, pieces[1] == "json" {
                commits.append(Commit(version: v, path: m.path, lastModified: m.lastModified))
            } else if pieces.count == 3, pieces[1] == "checkpoint", pieces[2] == "parquet" {
                singles[v] = m.path
            } else if pieces.count == 5, pieces[1] == "checkpoint", pieces[4] == "parquet",
                      let part = Int(pieces[2]), let total = Int(pieces[3]), part >= 1, part <= total {
                parts[v, default: [:]][part] = (total, m.path)
            }
        }
        commits.sort { $0.version < $1.version }
        var checkpoints: [Checkpoint] = singles.map { Checkpoint(version: $0.key, paths: [$0.value]) }
        for (v, ps) in parts {
            guard let total = ps.values.first?.total, ps.count == total, ps.values.allSatisfy({ $0.total == total }) else { continue }
            checkpoints.append(Checkpoint(version: v, paths: (1...total).compactMap { ps[$0]?.path }))
        }
        checkpoints.sort { $0.version < $1.version }
        if commits.isEmpty && checkpoints.isEmpty { throw DeltaError.notATable(location: table.location) }
        return LogListing(commits: commits, checkpoints: checkpoints)
    }

    /// The newest version the log holds.
    var latestVersion: Int64 { max(commits.last?.version ?? -1, checkpoints.last?.version ?? -1) }

    /// The oldest version that can be reconstructed (the first checkpoint, or 0 with a complete log).
    var earliestVersion: Int64 {
        if commits.first?.version == 0 { return 0 }
        return checkpoints.first?.version ?? commits.first?.version ?? 0
    }
}

/// Turns whatever a store threw into an `ObjectStoreError`, so `DeltaError.storage` can carry it.
enum ObjectStoreErrorBox {
    static func wrap(_ error: any Error) -> ObjectStoreError {
        if let e = error as? ObjectStoreError { return e }
        return .io("?", "\(error)")
    }
}
