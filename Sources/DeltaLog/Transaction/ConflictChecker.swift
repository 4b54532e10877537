/// What a transaction read and wrote, as the conflict checker needs it (CONFLICTS.md "What a transaction records").
///
/// A plain value so the rules can be unit-tested on hand-built inputs, without a disk (STYLE.md).
public struct TransactionSummary: Sendable, Hashable {
    /// The snapshot version the transaction started from (-1 when creating the table).
    public var readVersion: Int64
    /// The partition predicates the transaction scanned with; empty when it scanned nothing.
    public var readPredicates: [ReadPredicate]
    /// Paths (as written in the log) of the data files the transaction read.
    public var readFiles: Set<String>
    /// App ids whose txn version the transaction looked up, including those it writes a `txn` for.
    public var readAppIds: Set<String>
    /// Metadata domains the transaction depends on.
    public var readDomains: Set<String>
    /// Paths of the files the transaction removes.
    public var removedPaths: Set<String>
    /// Metadata domains the transaction writes (`domainMetadata` actions, including removals).
    public var writtenDomains: Set<String>
    /// The isolation level the transaction runs at.
    public var isolation: IsolationLevel
    /// Whether the transaction writes a `metaData` action (schema, partitioning or properties).
    public var changesMetadata: Bool

    /// Creates a summary; every set defaults to empty, which is a blind append at WriteSerializable.
    public init(
        readVersion: Int64, readPredicates: [ReadPredicate] = [], readFiles: Set<String> = [],
        readAppIds: Set<String> = [], readDomains: Set<String> = [], removedPaths: Set<String> = [],
        writtenDomains: Set<String> = [], isolation: IsolationLevel = .writeSerializable, changesMetadata: Bool = false
    ) {
        self.readVersion = readVersion
        self.readPredicates = readPredicates
        self.readFiles = readFiles
        self.readAppIds = readAppIds
        self.readDomains = readDomains
        self.removedPaths = removedPaths
        self.writtenDomains = writtenDomains
        self.isolation = isolation
        self.changesMetadata = changesMetadata
    }

    /// True when some read predicate selects the whole table (rule 6's "read the whole table").
    public var readsWholeTable: Bool { readPredicates.contains(where: \.isWholeTable) }

    /// Whether a file with these partition values matches any read predicate (rule 5).
    public func readMatches(_ partitionValues: [String: String?]) -> Bool {
        readPredicates.contains { $0.matches(partitionValues) }
    }
}

/// One commit that won the race: its version and every action it holds.
public struct WinningCommit: Sendable, Hashable {
    /// The version the winner committed.
    public var version: Int64
    /// The winner's actions, as parsed from its commit file.
    public var actions: [Action]

    /// Creates a winning commit.
    public init(version: Int64, actions: [Action]) {
        self.version = version
        self.actions = actions
    }

    /// The winner's `commitInfo`, if it wrote one.
    public var commitInfo: CommitInfo? {
        for case let .commitInfo(c) in actions { return c }
        return nil
    }

    /// The winner's operation name, for error messages ("who won").
    public var operation: String? { commitInfo?.operation }

    /// Whether the winner declared itself a blind append; a writer that did not say so is treated as not blind,
    /// which can only add conflicts, never hide one.
    public var isBlindAppend: Bool { commitInfo?.isBlindAppend ?? false }
}

/// Delta's conflict rules (CONFLICTS.md "The checks, in order"), as pure functions over values.
public enum ConflictChecker {
    /// Checks a transaction against one winning commit; returns when the transaction may rebase on top of it.
    ///
    /// Rules are applied in CONFLICTS.md order, so the error names the first rule that fails.
    /// - Throws: `DeltaError.conflict` naming the conflict, the winning version and its operation.
    public static func check(_ txn: TransactionSummary, against winner: WinningCommit) throws(DeltaError) {
        let version = winner.version
        let operation = winner.operation
        func fail(_ kind: DeltaError.ConflictKind) -> DeltaError {
            .conflict(kind, winningVersion: version, operation: operation)
        }

        var addedFiles: [AddFile] = []
        var removedFiles: [RemoveFile] = []
        var txnAppIds: [String] = []
        var domains: [String] = []
        var changedProtocol = false
        var changedMetadata = false
        for action in winner.actions {
            switch action {
            case let .add(a): addedFiles.append(a)
            case let .remove(r): removedFiles.append(r)
            case let .txn(t): txnAppIds.append(t.appId)
            case let .domainMetadata(d): domains.append(d.domain)
            case .protocol: changedProtocol = true
            case .metadata: changedMetadata = true
            case .cdc, .commitInfo, .checkpointMetadata, .sidecar: break
            }
        }

        // Rule 1: the transaction's actions were computed for a protocol that no longer holds.
        if changedProtocol { throw fail(.protocolChanged) }
        // Rule 2: schema, partitioning or properties changed under the transaction.
        if changedMetadata { throw fail(.metadataChanged) }
        // Rule 3: both touched the same domain (written by us, or read by us and written by the winner).
        for d in domains where txn.writtenDomains.contains(d) || txn.readDomains.contains(d) {
            throw fail(.concurrentDomainMetadata(domain: d))
        }
        // Rule 4: the winner advanced an app id we read; this is what keeps idempotent appends exactly-once.
        for a in txnAppIds where txn.readAppIds.contains(a) {
            throw fail(.concurrentTransaction(appId: a))
        }
        // Rule 5: new data the transaction would have read. Skipped at snapshot isolation; at WriteSerializable
        // a winning blind append is ignored (its rows were not visible to us and do not need to be) unless this
        // transaction changes metadata: rows appended under the old metadata (say, before a CHECK constraint
        // was validated) must be seen, as Delta's checker has it.
        if txn.isolation != .snapshotIsolation, !txn.readPredicates.isEmpty {
            let checkAdds = txn.isolation == .serializable || txn.changesMetadata || !winner.isBlindAppend
            if checkAdds {
                for a in addedFiles where a.dataChange && txn.readMatches(a.partitionValues) {
                    throw fail(.concurrentAppend(path: a.path))
                }
            }
        }
        // Rule 6: a file the transaction read is gone (any removal, also dataChange = false: a compaction
        // rewrote the rows we based our actions on). A file this transaction removes itself is left to rule 7,
        // which fails it just the same but names the conflict precisely ("two optimizes of the same files: one
        // fails with concurrent delete delete", CONFLICTS.md consequences).
        for r in removedFiles where txn.readFiles.contains(r.path) && !txn.removedPaths.contains(r.path) {
            throw fail(.concurrentDeleteRead(path: r.path))
        }
        if txn.readsWholeTable, let r = removedFiles.first(where: { !txn.removedPaths.contains($0.path) }) {
            throw fail(.concurrentDeleteRead(path: r.path))
        }
        // Rule 7: both remove the same file; committing would remove it twice.
        for r in removedFiles where txn.removedPaths.contains(r.path) {
            throw fail(.concurrentDeleteDelete(path: r.path))
        }
        // Rule 8: still valid on top of the winner.
    }

    /// Checks a transaction against every winner in version order; the first conflict is thrown.
    public static func check(_ txn: TransactionSummary, against winners: [WinningCommit]) throws(DeltaError) {
        for w in winners.sorted(by: { $0.version < $1.version }) {
            try check(txn, against: w)
        }
    }
}
