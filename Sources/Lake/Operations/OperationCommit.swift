import DeltaLog
import ObjectStore

/// The one way operations commit: their actions, what they read and their description go to
/// `DeltaLog.Transaction`, the only writer of `_delta_log/` (ARCHITECTURE.md invariant 2). The transaction
/// commits with `putIfAbsent`, applies the conflict rules of CONFLICTS.md to every winning commit using the
/// recorded reads, rebases and retries, writes `commitInfo` (operation, parameters, metrics, the table
/// context's clock), and checkpoints every `delta.checkpointInterval` commits (V2 checkpoints with sidecars on
/// tables with the `v2Checkpoint` feature, see `TableCheckpoint`).
struct OperationCommit: Sendable {
    /// The table committed to.
    let table: DeltaTable
    /// The snapshot the operation started from; nil when it creates the table.
    let snapshot: Snapshot?
    /// What the operation is.
    let operation: DeltaOperation
    /// What it read.
    let read: ReadSet
    /// A version past the snapshot's that the operation knows changed no table state (VACUUM END after its
    /// own VACUUM START): the commit goes on top of it without replaying the log or rebasing. Ignored under
    /// in-commit timestamps, which must read the later commit's timestamp.
    var readVersion: Int64? = nil

    /// The outcome.
    struct Result: Sendable {
        /// The version committed, or the read version for an idempotent no-op.
        var version: Int64
        /// True when an idempotent write found its (appId, version) already committed.
        var noOp: Bool
        /// `putIfAbsent` attempts.
        var attempts: Int
    }

    /// Commits `actions` with `metrics` in `commitInfo.operationMetrics`.
    func commit(_ actions: [Action], metrics: some OperationMetrics) async throws(LakeError) -> Result {
        var state = snapshot.map { Transaction.ReadState(snapshot: $0) } ?? Transaction.ReadState.newTable
        if let v = readVersion, v > state.version, state.inCommitTimestamp == nil { state.version = v }
        let clock = table.context.clock
        let table = self.table
        // Delta's metadata cleanup follows every checkpoint; if it fails only extra log files remain.
        let options = Transaction.Options(maxAttempts: 1000, engineInfo: LakeEngine.engineInfo, checkpointHook: { store, version in
            let snapshot = try await Snapshot.load(store: store, version: version)
            try await TableCheckpoint(table: table).execute(snapshot)
            _ = try? await LogCleanup(table: table).execute(after: snapshot)
        }, clock: clock)
        let txn = Transaction(readState: state, store: table.store, options: options)
        for p in read.predicates { txn.recordRead(predicate: p) }
        if !read.files.isEmpty { txn.recordRead(files: read.files) }
        for action in actions {
            if case .commitInfo = action { continue }
            txn.addAction(action)
        }
        do {
            let r = try await txn.commit(operation: operation.name, parameters: operation.parameters, metrics: metrics.operationMetrics)
            return Result(version: r.version, noOp: r.isNoOp, attempts: r.attempts)
        } catch let DeltaError.conflict(_, winningVersion, _) where snapshot == nil && winningVersion == 0 {
            // Creating a table lost the race for version 0: someone else created it.
            throw LakeError(DeltaError.tableAlreadyExists(location: table.location))
        } catch {
            throw LakeError(error)
        }
    }
}
