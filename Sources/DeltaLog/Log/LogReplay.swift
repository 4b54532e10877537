/// The table state that log replay reconstructs (PROTOCOL.md "Action Reconciliation").
public struct TableState: Sendable {
    /// The latest protocol action.
    public var protocolAction: ProtocolAction?
    /// The latest metaData action.
    public var metadata: Metadata?
    /// Active logical files keyed by (path, deletion vector id).
    public var files: [LogicalFileKey: AddFile] = [:]
    /// Removed logical files not re-added since, with their deletion timestamps.
    public var tombstones: [LogicalFileKey: RemoveFile] = [:]
    /// Latest txn version per application id.
    public var transactions: [String: SetTransaction] = [:]
    /// Live (not removed) metadata domains by name.
    public var domainMetadata: [String: DomainMetadata] = [:]
    /// The commitInfo of the last commit applied, if it had one.
    public var lastCommitInfo: CommitInfo?

    /// An empty state.
    public init() {}

    /// Applies the actions of one commit (or a checkpoint), in log order: newer actions win.
    public mutating func apply(_ actions: [Action]) {
        lastCommitInfo = nil
        for action in actions { applyOne(action) }
    }

    /// Applies `actions` like `apply(_:)`, but moves each action out of the array (leaving a cheap
    /// placeholder behind) instead of copying it: the file actions' strings and maps go into the state
    /// without a retain/release pair per field.
    mutating func apply(taking actions: inout [Action]) {
        lastCommitInfo = nil
        for i in actions.indices {
            var action = Action.cdc(AddCDCFile(path: "", size: 0))
            swap(&action, &actions[i])
            applyOne(action)
        }
    }

    private mutating func applyOne(_ action: consuming Action) {
        switch consume action {
        case let .add(a):
            let key = a.logicalKey
            files[key] = a
            // Most adds have no tombstone: skip the second hash lookup while there are none.
            if !tombstones.isEmpty { tombstones.removeValue(forKey: key) }
        case let .remove(r):
            let key = r.logicalKey
            files.removeValue(forKey: key)
            tombstones[key] = r
        case let .protocol(p): protocolAction = p
        case let .metadata(m): metadata = m
        case let .txn(t): transactions[t.appId] = t
        case let .domainMetadata(d):
            if d.removed { domainMetadata.removeValue(forKey: d.domain) } else { domainMetadata[d.domain] = d }
        case let .commitInfo(c): lastCommitInfo = c
        case .cdc, .checkpointMetadata, .sidecar: break
        }
    }
}

/// Log replay: a pure function from actions to table state (no I/O), unit-testable with hand-written lists.
public enum LogReplay {
    /// Replays checkpoint actions followed by each commit's actions, oldest first, and checks the result.
    ///
    /// Throws when the protocol or metadata is missing or the protocol cannot be read by lake.
    public static func replay(checkpoint: [Action] = [], commits: [[Action]], location: String = "table") throws(DeltaError) -> TableState {
        var state = TableState()
        state.files.reserveCapacity(checkpoint.count + commits.reduce(0) { $0 + $1.count })
        state.apply(checkpoint)
        for c in commits { state.apply(c) }
        try validate(state, location: location)
        return state
    }

    /// `replay(checkpoint:commits:location:)` for a caller that owns the checkpoint's action array: its
    /// actions are moved into the state (the array is emptied), saving a copy of every checkpoint file action.
    /// The array must be uniquely referenced, or the first move copies it whole.
    static func replay(taking checkpoint: inout [Action], commits: [[Action]], location: String = "table") throws(DeltaError) -> TableState {
        var state = TableState()
        state.files.reserveCapacity(checkpoint.count + commits.reduce(0) { $0 + $1.count })
        state.apply(taking: &checkpoint)
        checkpoint = []
        for c in commits { state.apply(c) }
        try validate(state, location: location)
        return state
    }

    /// Throws unless the state has a readable protocol and a metadata action.
    public static func validate(_ state: TableState, location: String = "table") throws(DeltaError) {
        guard let p = state.protocolAction else {
            throw .corruptLog(file: location + "/_delta_log", line: 0, message: "no protocol action found: the log cannot be replayed into a table state")
        }
        guard state.metadata != nil else {
            throw .corruptLog(file: location + "/_delta_log", line: 0, message: "no metaData action found: the log cannot be replayed into a table state")
        }
        try TableFeatures.checkReadable(p)
    }
}
