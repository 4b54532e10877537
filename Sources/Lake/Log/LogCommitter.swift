import DeltaLog
import ObjectStore

/// Lake's minimal optimistic commit until `DeltaLog.Transaction` lands: write `_delta_log/<v>.json` with
/// `putIfAbsent`; on losing the race, read the winning commit, apply Delta's conflict rules for what this
/// commit did (CONFLICTS.md), and retry at the next version. Only this type writes the log.
struct LogCommitter: Sendable {
    /// What the committing operation read and changes, for conflict checks.
    struct Intent: Sendable {
        /// True when the commit only adds files and read no data (appends): concurrent adds never conflict.
        var isBlindAppend: Bool
        /// App ids whose `txn` this commit sets; a concurrent `txn` for the same app conflicts.
        var appIds: Set<String>
        /// Paths of files this commit removes; a concurrent remove of any of them conflicts.
        var removedPaths: Set<String>
    }

    let table: DeltaTable
    /// Attempts before giving up with the last conflict; generous, since blind appends always rebase.
    var maxAttempts = 1000

    /// Commits `actions` at the first free version after `readVersion`; returns the version committed.
    ///
    /// The `commitInfo` action (if any) is rewritten with the attempt's `readVersion` untouched: Delta records the
    /// version the transaction read, not the one it landed at.
    func commit(_ actions: [Action], readVersion: Int64, intent: Intent) async throws -> Int64 {
        let bytes = CommitFile.serialize(actions)
        var version = readVersion + 1
        for _ in 0..<maxAttempts {
            let path = LogListing.commitPath(version)
            do {
                try await table.store.putIfAbsent(path, bytes)
                return version
            } catch let e as ObjectStoreError {
                guard case .alreadyExists = e else { throw DeltaError.storage(e) }
            }
            if version == 0 { throw DeltaError.tableAlreadyExists(location: table.location) }
            try await check(winner: version, intent: intent)
            version += 1
        }
        throw DeltaError.conflict(.concurrentAppend(path: nil), winningVersion: version - 1, operation: "gave up after \(maxAttempts) attempts")
    }

    /// Throws a typed conflict when the winning commit collides with this one.
    func check(winner version: Int64, intent: Intent) async throws {
        let actions = try await LogReplay.readCommit(table, path: LogListing.commitPath(version))
        var operation: String?
        for case let .commitInfo(info) in actions { operation = info.operation }
        for a in actions {
            switch a {
            case .protocol:
                throw DeltaError.conflict(.protocolChanged, winningVersion: version, operation: operation)
            case .metadata:
                throw DeltaError.conflict(.metadataChanged, winningVersion: version, operation: operation)
            case let .txn(t) where intent.appIds.contains(t.appId):
                throw DeltaError.conflict(.concurrentTransaction(appId: t.appId), winningVersion: version, operation: operation)
            case let .add(add) where !intent.isBlindAppend && add.dataChange:
                throw DeltaError.conflict(.concurrentAppend(path: add.path), winningVersion: version, operation: operation)
            case let .remove(r):
                if intent.removedPaths.contains(r.path) {
                    throw DeltaError.conflict(.concurrentDeleteDelete(path: r.path), winningVersion: version, operation: operation)
                }
                if !intent.isBlindAppend && r.dataChange {
                    throw DeltaError.conflict(.concurrentDeleteRead(path: r.path), winningVersion: version, operation: operation)
                }
            default: break
            }
        }
    }
}
