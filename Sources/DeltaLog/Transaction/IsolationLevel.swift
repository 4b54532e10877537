/// How strictly a transaction is checked against commits that won the race (CONFLICTS.md "Isolation level").
public enum IsolationLevel: String, Sendable, Hashable, CaseIterable {
    /// Every added file matching what the transaction read conflicts, even from a blind append.
    case serializable = "Serializable"
    /// Delta's default: files added by a winning blind append never conflict.
    case writeSerializable = "WriteSerializable"
    /// For rearranging commits (all file actions `dataChange = false`, nothing else): added files never conflict.
    case snapshotIsolation = "SnapshotIsolation"

    /// The table property that selects the level.
    public static let tableProperty = "delta.isolationLevel"

    /// The level a table configures: `WriteSerializable` when unset; only the two table-level values are valid.
    ///
    /// An unknown value throws rather than silently weakening isolation.
    public static func configured(in configuration: [String: String]) throws(DeltaError) -> IsolationLevel {
        guard let raw = configuration[tableProperty] else { return .writeSerializable }
        let trimmed = String(raw.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        for level in [IsolationLevel.serializable, .writeSerializable] where level.rawValue.lowercased() == trimmed.lowercased() {
            return level
        }
        throw .invalidArgument("table property \(tableProperty) is \"\(raw)\"; expected Serializable or WriteSerializable")
    }
}
