import DeltaLog
import ObjectStore

/// Hands an operation's actions to `DeltaLog.Transaction`, the only writer of `_delta_log/` (ARCHITECTURE.md
/// invariant 2): it commits with `putIfAbsent`, applies the conflict rules against winning commits, rebases and
/// retries, writes `commitInfo`, and checkpoints every `delta.checkpointInterval` commits.
struct LogCommitter: Sendable {
    let table: DeltaTable

    /// Commits `actions` on top of `snapshot` (nil for a new table); returns the version committed and whether
    /// the transaction was an idempotent no-op. `readWholeTable` marks operations that depend on every file
    /// (overwrite), so concurrent appends conflict with them as in Delta.
    func commit(
        _ actions: [Action], snapshot: Snapshot?, operation: String, parameters: [String: String],
        metrics: [String: String], readWholeTable: Bool
    ) async throws -> (version: Int64, noOp: Bool) {
        let state = snapshot.map { Transaction.ReadState(snapshot: $0) } ?? Transaction.ReadState.newTable
        var options = Transaction.Options()
        options.engineInfo = LakeEngine.engineInfo
        options.maxAttempts = 1000
        let txn = Transaction(readState: state, store: table.store, options: options)
        if readWholeTable { txn.recordReadWholeTable() }
        for action in actions {
            switch action {
            case let .protocol(p): txn.setProtocol(p)
            case let .metadata(m): txn.setMetadata(m)
            case let .add(a): txn.add(a)
            case let .remove(r): txn.remove(r)
            case let .txn(t): txn.setTransaction(appId: t.appId, version: t.version, lastUpdated: t.lastUpdated)
            case .commitInfo: continue
            default: txn.addAction(action)
            }
        }
        do {
            let result = try await txn.commit(operation: operation, parameters: parameters, metrics: metrics)
            return (result.version, result.isNoOp)
        } catch let DeltaError.conflict(_, winningVersion, _) where snapshot == nil && winningVersion == 0 {
            // Creating a table lost the race for version 0: someone else created it.
            throw DeltaError.tableAlreadyExists(location: table.location)
        }
    }
}
