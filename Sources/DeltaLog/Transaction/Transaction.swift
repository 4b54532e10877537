#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ObjectStore
import Synchronization

/// Errors of the commit loop that are not conflicts between commits.
public enum TransactionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every attempt lost the race without a conflict; the table is too busy for the configured bound.
    case tooManyAttempts(attempts: Int, lastWinningVersion: Int64)
    /// `commit` was called on a transaction that already committed, failed or is committing.
    case alreadyFinished
    /// The transaction's actions are not a valid commit (the message says why).
    case invalidCommit(String)

    /// A message that says what happened and what to do.
    public var description: String {
        switch self {
        case let .tooManyAttempts(attempts, last):
            "commit gave up after \(attempts) attempts: other writers kept committing (latest version \(last)); retry later or raise Transaction.Options.maxAttempts"
        case .alreadyFinished:
            "this transaction already committed or failed; start a new transaction from a fresh snapshot"
        case let .invalidCommit(m):
            "invalid commit: \(m)"
        }
    }
}

/// The outcome of `Transaction.commit`.
public struct CommitResult: Sendable, Hashable {
    /// The version the commit landed at; for a no-op, the version the transaction read.
    public var version: Int64
    /// How many `putIfAbsent` attempts it took (0 for a no-op, 1 without contention).
    public var attempts: Int
    /// True when an idempotent write found its app id's version already committed and wrote nothing.
    public var isNoOp: Bool
    /// True when a checkpoint was written after this commit.
    public var checkpointWritten: Bool
    /// Why writing the checkpoint failed, if it did; the commit itself stands (a checkpoint is an optimization).
    public var checkpointError: String?

    /// Creates a result.
    public init(version: Int64, attempts: Int, isNoOp: Bool = false, checkpointWritten: Bool = false, checkpointError: String? = nil) {
        self.version = version
        self.attempts = attempts
        self.isNoOp = isNoOp
        self.checkpointWritten = checkpointWritten
        self.checkpointError = checkpointError
    }
}

/// One atomic change to a Delta table: records what it read, accumulates actions, and commits them as
/// `_delta_log/<version>.json` with `putIfAbsent` (ARCHITECTURE.md invariant 2: the only writer of the log).
///
/// On losing the race it reads the winning commits, applies CONFLICTS.md's rules through `ConflictChecker`, and
/// either rebases onto the next version and retries or throws `DeltaError.conflict`. A commit is one complete
/// file published atomically, so a writer killed at any moment leaves the commit absent or whole.
///
/// Methods are thread-safe; a transaction commits at most once.
public final class Transaction: Sendable {
    /// What a transaction needs from the snapshot it starts from.
    ///
    /// Kept separate from `Snapshot` so the transaction does not depend on how snapshots are loaded; build it
    /// from a snapshot's version, protocol, metadata, txn versions and domains.
    public struct ReadState: Sendable, Hashable {
        /// The snapshot's version; -1 when the table does not exist yet.
        public var version: Int64
        /// The table's protocol at that version (nil for a new table).
        public var protocolAction: ProtocolAction?
        /// The table's metadata at that version (nil for a new table).
        public var metadata: Metadata?
        /// The latest txn version of each app id.
        public var appTransactionVersions: [String: Int64]
        /// The active (not removed) metadata domains by name.
        public var domainMetadata: [String: DomainMetadata]
        /// The in-commit timestamp of the read version, when the table enables them (keeps ICTs increasing).
        public var inCommitTimestamp: Int64?

        /// Creates a read state.
        public init(
            version: Int64, protocolAction: ProtocolAction?, metadata: Metadata?,
            appTransactionVersions: [String: Int64] = [:], domainMetadata: [String: DomainMetadata] = [:],
            inCommitTimestamp: Int64? = nil
        ) {
            self.version = version
            self.protocolAction = protocolAction
            self.metadata = metadata
            self.appTransactionVersions = appTransactionVersions
            self.domainMetadata = domainMetadata
            self.inCommitTimestamp = inCommitTimestamp
        }

        /// The state a snapshot was read at; the in-commit timestamp is taken when the table enables them.
        public init(snapshot: Snapshot) {
            let ict = snapshot.metadata.configuration["delta.enableInCommitTimestamps"]?.lowercased() == "true"
            self.init(
                version: snapshot.version, protocolAction: snapshot.protocolAction, metadata: snapshot.metadata,
                appTransactionVersions: snapshot.transactions.mapValues(\.version), domainMetadata: snapshot.domainMetadata,
                inCommitTimestamp: ict ? snapshot.timestamp : nil)
        }

        /// The state before a table exists: the first commit (version 0) must carry protocol and metadata.
        public static let newTable = ReadState(version: -1, protocolAction: nil, metadata: nil)
    }

    /// Called after a commit at a version that is a multiple of `delta.checkpointInterval`, to write a checkpoint
    /// of that version.
    public typealias CheckpointHook = @Sendable (_ store: any ObjectStore, _ version: Int64) async throws -> Void

    /// The default hook: loads the snapshot of the committed version and writes a classic Parquet checkpoint
    /// plus `_last_checkpoint` with `CheckpointWriter`.
    public static let classicCheckpoint: CheckpointHook = { store, version in
        let snapshot = try await Snapshot.load(store: store, version: version)
        try await CheckpointWriter.write(snapshot)
    }

    /// Knobs of the commit loop.
    public struct Options: Sendable {
        /// Upper bound on `putIfAbsent` attempts. Each lost attempt means another writer committed, so 100
        /// covers a hundred concurrent writers landing ahead of this one before it gives up with
        /// `TransactionError.tooManyAttempts` (Delta's default bound is also in the tens to hundreds).
        public var maxAttempts: Int
        /// Written as `commitInfo.engineInfo`.
        public var engineInfo: String
        /// Writes a checkpoint after qualifying commits (`classicCheckpoint` by default); nil writes none.
        public var checkpointHook: CheckpointHook?
        /// The wall clock in ms since the epoch (injectable so tests can pin timestamps).
        public var clock: @Sendable () -> Int64

        /// Creates options; the defaults suit interactive and pipeline writers alike.
        public init(
            maxAttempts: Int = 100, engineInfo: String = "lake/0.1.0", checkpointHook: CheckpointHook? = Transaction.classicCheckpoint,
            clock: @escaping @Sendable () -> Int64 = Transaction.currentTimeMillis
        ) {
            self.maxAttempts = maxAttempts
            self.engineInfo = engineInfo
            self.checkpointHook = checkpointHook
            self.clock = clock
        }
    }

    /// The snapshot state the transaction started from.
    public let readState: ReadState
    /// Where the table lives; keys are relative to the table root (`_delta_log/...`).
    public let store: any ObjectStore
    /// The commit loop's options.
    public let options: Options

    struct State: Sendable {
        var readPredicates: [ReadPredicate] = []
        var readFiles: Set<String> = []
        var readAppIds: Set<String> = []
        var readDomains: Set<String> = []
        var protocolAction: ProtocolAction?
        var metadata: Metadata?
        var txns: [SetTransaction] = []
        var domains: [DomainMetadata] = []
        var removes: [RemoveFile] = []
        var adds: [AddFile] = []
        var cdcs: [AddCDCFile] = []
        var finished = false
        var invalid: String?
    }

    let state = Mutex(State())

    /// Starts a transaction on top of `readState`, writing through `store` (rooted at the table).
    public init(readState: ReadState, store: any ObjectStore, options: Options = Options()) {
        self.readState = readState
        self.store = store
        self.options = options
    }

    /// Starts a transaction on top of a loaded snapshot, writing through the snapshot's store.
    public convenience init(snapshot: Snapshot, options: Options = Options()) {
        self.init(readState: ReadState(snapshot: snapshot), store: snapshot.store, options: options)
    }

    /// The version the transaction read.
    public var readVersion: Int64 { readState.version }

    // MARK: - Recording reads

    /// Records that the transaction scanned the table with `predicate` (rule 5 and, for the whole table, rule 6).
    public func recordRead(predicate: ReadPredicate) {
        state.withLock { $0.readPredicates.append(predicate) }
    }

    /// Records that the transaction read every file of the table (delete without a filter, overwrite, merge
    /// without a partition-limited condition).
    public func recordReadWholeTable() {
        recordRead(predicate: .wholeTable)
    }

    /// Records data files the transaction actually read, by their log path (rule 6).
    public func recordRead<S: Sequence>(files paths: S) where S.Element == String {
        state.withLock { $0.readFiles.formUnion(paths) }
    }

    /// Records data files the transaction actually read (rule 6).
    public func recordRead<S: Sequence>(addFiles files: S) where S.Element == AddFile {
        recordRead(files: files.lazy.map(\.path))
    }

    /// Looks up an app id's committed txn version and records the read (rule 4).
    public func txnVersion(appId: String) -> Int64? {
        state.withLock { _ = $0.readAppIds.insert(appId) }
        return readState.appTransactionVersions[appId]
    }

    /// Looks up a metadata domain and records the dependency (rule 3).
    public func domainMetadata(_ domain: String) -> DomainMetadata? {
        state.withLock { _ = $0.readDomains.insert(domain) }
        return readState.domainMetadata[domain]
    }

    // MARK: - Accumulating actions

    /// Adds a data file.
    public func add(_ file: AddFile) {
        state.withLock { $0.adds.append(file) }
    }

    /// Adds data files.
    public func add<S: Sequence>(files: S) where S.Element == AddFile {
        state.withLock { $0.adds.append(contentsOf: files) }
    }

    /// Removes a data file.
    public func remove(_ file: RemoveFile) {
        state.withLock { $0.removes.append(file) }
    }

    /// Removes data files.
    public func remove<S: Sequence>(files: S) where S.Element == RemoveFile {
        state.withLock { $0.removes.append(contentsOf: files) }
    }

    /// Adds a change data file.
    public func addCDC(_ file: AddCDCFile) {
        state.withLock { $0.cdcs.append(file) }
    }

    /// Sets the table's new metadata (at most once per transaction).
    public func setMetadata(_ metadata: Metadata) {
        state.withLock { s in
            if s.metadata != nil { s.invalid = "a commit may hold at most one metaData action" }
            s.metadata = metadata
        }
    }

    /// Sets the table's new protocol (at most once per transaction).
    public func setProtocol(_ p: ProtocolAction) {
        state.withLock { s in
            if s.protocolAction != nil { s.invalid = "a commit may hold at most one protocol action" }
            s.protocolAction = p
        }
    }

    /// Records an application's transaction version for idempotent writes; the app id counts as read (rule 4).
    public func setTransaction(appId: String, version: Int64, lastUpdated: Int64? = nil) {
        state.withLock { s in
            if s.txns.contains(where: { $0.appId == appId }) { s.invalid = "two txn actions for app id \(appId)" }
            s.txns.append(SetTransaction(appId: appId, version: version, lastUpdated: lastUpdated))
            s.readAppIds.insert(appId)
        }
    }

    /// Writes (or, with `removed`, deletes) a metadata domain.
    public func setDomainMetadata(_ domain: DomainMetadata) {
        state.withLock { s in
            if s.domains.contains(where: { $0.domain == domain.domain }) { s.invalid = "two domainMetadata actions for domain \(domain.domain)" }
            s.domains.append(domain)
        }
    }

    /// Adds any action a commit may hold; `commitInfo`, `checkpointMetadata` and `sidecar` are rejected at
    /// commit (the transaction writes commitInfo itself; the others belong to checkpoints).
    public func addAction(_ action: Action) {
        switch action {
        case let .add(a): add(a)
        case let .remove(r): remove(r)
        case let .cdc(c): addCDC(c)
        case let .metadata(m): setMetadata(m)
        case let .protocol(p): setProtocol(p)
        case let .txn(t): setTransaction(appId: t.appId, version: t.version, lastUpdated: t.lastUpdated)
        case let .domainMetadata(d): setDomainMetadata(d)
        case .commitInfo, .checkpointMetadata, .sidecar:
            state.withLock { $0.invalid = "\(action.key) actions cannot be added to a transaction" }
        }
    }

    // MARK: - Derived properties

    /// Blind append (CONFLICTS.md): only adds files (no removes, no cdc) and read no predicate and no file.
    public var isBlindAppend: Bool {
        state.withLock { Self.isBlindAppend($0) }
    }

    static func isBlindAppend(_ s: State) -> Bool {
        s.removes.isEmpty && s.cdcs.isEmpty && s.readPredicates.isEmpty && s.readFiles.isEmpty
    }

    /// The isolation level the commit runs at: snapshot isolation for pure rearrangements, otherwise the
    /// table's `delta.isolationLevel` (the new metadata's, if this transaction sets one).
    public func isolationLevel() throws(DeltaError) -> IsolationLevel {
        let s = state.withLock { $0 }
        return try Self.isolationLevel(s, readState: readState)
    }

    static func isolationLevel(_ s: State, readState: ReadState) throws(DeltaError) -> IsolationLevel {
        let hasFileActions = !s.adds.isEmpty || !s.removes.isEmpty
        let onlyRearranges = hasFileActions
            && s.adds.allSatisfy { !$0.dataChange } && s.removes.allSatisfy { !$0.dataChange }
            && s.cdcs.isEmpty && s.metadata == nil && s.protocolAction == nil && s.txns.isEmpty && s.domains.isEmpty
        if onlyRearranges { return .snapshotIsolation }
        return try IsolationLevel.configured(in: (s.metadata ?? readState.metadata)?.configuration ?? [:])
    }

    /// What the conflict checker sees of this transaction.
    public func summary() throws(DeltaError) -> TransactionSummary {
        let s = state.withLock { $0 }
        return try Self.summary(s, readState: readState)
    }

    static func summary(_ s: State, readState: ReadState) throws(DeltaError) -> TransactionSummary {
        TransactionSummary(
            readVersion: readState.version, readPredicates: s.readPredicates, readFiles: s.readFiles,
            readAppIds: s.readAppIds, readDomains: s.readDomains, removedPaths: Set(s.removes.map(\.path)),
            writtenDomains: Set(s.domains.map(\.domain)), isolation: try isolationLevel(s, readState: readState),
            changesMetadata: s.metadata != nil)
    }

    // MARK: - Commit

    /// The log key of a version: `_delta_log/` and the version zero-padded to 20 digits, `.json`.
    public static func commitPath(version: Int64) -> String {
        let digits = String(version)
        return "_delta_log/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".json"
    }

    /// Commits the accumulated actions as the next version, rebasing over concurrent commits that do not
    /// conflict (CONFLICTS.md rule 8) up to `options.maxAttempts` times.
    ///
    /// - Returns: the version committed and the number of attempts; a no-op result when every `txn` action's app
    ///   id already has this version or a later one committed (idempotent writes).
    /// - Throws: `DeltaError.conflict` naming the winning version and operation; `TransactionError` for invalid
    ///   commits, exhausted attempts or a second commit; `DeltaError` for unwritable tables or a corrupt winner.
    public func commit(
        operation: String, parameters: [String: String] = [:], metrics: [String: String] = [:]
    ) async throws -> CommitResult {
        let s = try state.withLock { (s: inout State) throws(TransactionError) -> State in
            if s.finished { throw .alreadyFinished }
            s.finished = true
            return s
        }
        if let why = s.invalid { throw TransactionError.invalidCommit(why) }

        // Idempotent writes: a pipeline retrying an append that already landed must not duplicate it.
        if !s.txns.isEmpty, s.txns.allSatisfy({ t in (readState.appTransactionVersions[t.appId] ?? Int64.min) >= t.version }) {
            return CommitResult(version: readState.version, attempts: 0, isNoOp: true)
        }
        if let t = s.txns.first(where: { t in (readState.appTransactionVersions[t.appId] ?? Int64.min) >= t.version }) {
            throw TransactionError.invalidCommit("app id \(t.appId) already committed version \(readState.appTransactionVersions[t.appId] ?? 0), not below \(t.version), while other app ids in this commit did not")
        }

        guard let proto = s.protocolAction ?? readState.protocolAction, let meta = s.metadata ?? readState.metadata else {
            throw TransactionError.invalidCommit("the first commit of a table (version 0) must set protocol and metadata")
        }
        try TableFeatures.checkWritable(proto, metadata: meta)
        let summary = try Self.summary(s, readState: readState)
        let inCommitTimestamps = meta.configuration["delta.enableInCommitTimestamps"]?.lowercased() == "true"
        let isBlind = Self.isBlindAppend(s)
        let checkpointInterval = Int64(meta.configuration["delta.checkpointInterval"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 10
        let txnId = Self.randomUUID()

        // A crafted log can name version Int64.max; nothing can follow it.
        guard readState.version < Int64.max else {
            throw TransactionError.invalidCommit("the table is at version \(readState.version), the largest a Delta log can hold; no commit can follow it")
        }
        var target = readState.version + 1
        var lastInCommitTimestamp = readState.inCommitTimestamp
        var attempts = 0
        while true {
            guard attempts < max(1, options.maxAttempts) else {
                throw TransactionError.tooManyAttempts(attempts: attempts, lastWinningVersion: target - 1)
            }
            attempts += 1
            let now = options.clock()
            var info = CommitInfo(
                timestamp: now, operation: operation, operationParameters: parameters.mapValues { .string($0) },
                operationMetrics: nil, engineInfo: options.engineInfo, readVersion: readState.version >= 0 ? readState.version : nil,
                isolationLevel: summary.isolation.rawValue, isBlindAppend: isBlind, txnId: txnId)
            var m = metrics.mapValues { JSONValue.string($0) }
            // CONFLICTS.md rule 8: the number of rebases is part of the commit's provenance.
            if attempts > 1 { m["numRetries"] = .string(String(attempts - 1)) }
            info.operationMetrics = m
            if inCommitTimestamps {
                // PROTOCOL.md "In-Commit Timestamps": strictly greater than the previous commit's.
                let (next, overflow) = (lastInCommitTimestamp ?? Int64.min / 2).addingReportingOverflow(1)
                if overflow {
                    throw TransactionError.invalidCommit("the previous commit's inCommitTimestamp is \(Int64.max) ms; no later timestamp exists (the log is corrupt)")
                }
                info.inCommitTimestamp = max(now, next)
            }
            let bytes = CommitFile.serialize(Self.orderedActions(info, s))
            do {
                try await store.putIfAbsent(Self.commitPath(version: target), bytes)
            } catch ObjectStoreError.alreadyExists {
                // Lost the race: check every commit that landed since, then rebase after the newest.
                var v = target
                while let winner = try await readCommit(version: v) {
                    try ConflictChecker.check(summary, against: winner)
                    if let t = winner.commitInfo?.inCommitTimestamp { lastInCommitTimestamp = t }
                    guard v < Int64.max else {
                        throw TransactionError.invalidCommit("a concurrent commit landed at version \(v), the largest a Delta log can hold")
                    }
                    v += 1
                }
                target = max(target, v)
                continue
            } catch let e as ObjectStoreError {
                throw DeltaError.storage(e)
            }
            break
        }

        var result = CommitResult(version: target, attempts: attempts)
        if target > 0, target % checkpointInterval == 0, let writer = options.checkpointHook {
            do {
                try await writer(store, target)
                result.checkpointWritten = true
            } catch {
                result.checkpointError = String(describing: error)
            }
        }
        return result
    }

    /// The actions of a commit in the order lake writes them: commitInfo first (in-commit timestamps require
    /// it), then protocol, metadata, txn, domainMetadata, remove, add, cdc.
    static func orderedActions(_ info: CommitInfo, _ s: State) -> [Action] {
        var out: [Action] = [.commitInfo(info)]
        out.reserveCapacity(1 + s.adds.count + s.removes.count + s.cdcs.count + s.txns.count + s.domains.count + 2)
        if let p = s.protocolAction { out.append(.protocol(p)) }
        if let m = s.metadata { out.append(.metadata(m)) }
        out += s.txns.map(Action.txn)
        out += s.domains.map(Action.domainMetadata)
        out += s.removes.map(Action.remove)
        out += s.adds.map(Action.add)
        out += s.cdcs.map(Action.cdc)
        return out
    }

    /// Reads and parses a commit; nil when the version does not exist (yet).
    func readCommit(version: Int64) async throws -> WinningCommit? {
        let path = Self.commitPath(version: version)
        let bytes: [UInt8]
        do {
            bytes = try await store.get(path)
        } catch ObjectStoreError.notFound {
            return nil
        } catch let e as ObjectStoreError {
            throw DeltaError.storage(e)
        }
        return WinningCommit(version: version, actions: try CommitFile.parse(bytes, file: path))
    }

    /// The wall clock in ms since the epoch.
    public static func currentTimeMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// A random (version 4) UUID in lowercase canonical form: `commitInfo.txnId` (so a writer can recognize its
    /// own commit), table ids and data file names.
    public static func randomUUID() -> String {
        var g = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        return DeletionVectorDescriptor.uuidString(b)
    }
}
