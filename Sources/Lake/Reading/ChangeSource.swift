import DeltaLog

/// Where one commit's change rows come from (PROTOCOL.md "Change Data Files", "Reading change data"; Spark's
/// `CDCReader`, delta-rs's `load_cdf`).
///
/// A commit with `cdc` actions has its change rows in those files only: they carry `_change_type` themselves.
/// A commit without them changed whole files: an `add` with `dataChange = true` inserts the rows it makes
/// visible, a `remove` with `dataChange = true` deletes the rows that were visible in the removed file. When a
/// commit removes a path and adds the same path back (a delete or update through deletion vectors: the file
/// stays, its deletion vector grows), only the rows whose visibility changed are changes: rows the new vector
/// deletes and the old did not are deletes, rows the old vector deleted and the new does not are inserts.
/// Actions with `dataChange = false` (optimize, stats updates) change no rows.
enum ChangeSource: Sendable, Hashable {
    /// A change data file; its rows carry `_change_type`.
    case changeFile(AddCDCFile)
    /// A file added: its visible rows are inserts.
    case added(AddFile)
    /// A file removed: the rows visible in it until then are deletes.
    case removed(RemoveFile)
    /// The same data file removed with one deletion vector and added with another in one commit.
    case deletionVectorChange(removed: RemoveFile, added: AddFile)

    /// The sources of one commit's actions, in the order the actions appear (a re-added path where its `add` is).
    static func plan(_ actions: [Action]) -> [ChangeSource] {
        var changeFiles: [ChangeSource] = []
        for case let .cdc(c) in actions { changeFiles.append(.changeFile(c)) }
        if !changeFiles.isEmpty { return changeFiles }

        // Removes by path, so an add of the same path pairs with its remove. A path removed twice in one commit
        // would be an invalid log; each add takes the first unpaired remove of its path.
        var removesByPath: [String: [Int]] = [:]
        var removes: [RemoveFile] = []
        for case let .remove(r) in actions where r.dataChange {
            removesByPath[r.path, default: []].append(removes.count)
            removes.append(r)
        }
        var paired = [Bool](repeating: false, count: removes.count)
        var sources: [ChangeSource] = []
        var addSources: [ChangeSource] = []
        for case let .add(a) in actions where a.dataChange {
            if let candidates = removesByPath[a.path], let i = candidates.first(where: { !paired[$0] }) {
                paired[i] = true
                addSources.append(.deletionVectorChange(removed: removes[i], added: a))
            } else {
                addSources.append(.added(a))
            }
        }
        for (i, r) in removes.enumerated() where !paired[i] { sources.append(.removed(r)) }
        return sources + addSources
    }
}
