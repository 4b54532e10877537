/// One line of a Delta commit file: exactly one action (PROTOCOL.md "Actions").
public enum Action: Sendable, Hashable {
    /// `protocol`: reader/writer versions and table features.
    case `protocol`(ProtocolAction)
    /// `metaData`: schema, partitioning, configuration.
    case metadata(Metadata)
    /// `add`: a logical file joins the table.
    case add(AddFile)
    /// `remove`: a logical file leaves the table (a tombstone until vacuumed).
    case remove(RemoveFile)
    /// `cdc`: a change data file of this version.
    case cdc(AddCDCFile)
    /// `txn`: an application's transaction version, for idempotent writes.
    case txn(SetTransaction)
    /// `commitInfo`: provenance of the commit.
    case commitInfo(CommitInfo)
    /// `domainMetadata`: configuration of a named metadata domain.
    case domainMetadata(DomainMetadata)
    /// `checkpointMetadata`: describes a V2 checkpoint (checkpoints only).
    case checkpointMetadata(CheckpointMetadata)
    /// `sidecar`: a sidecar file of a V2 checkpoint (checkpoints only).
    case sidecar(Sidecar)

    /// The JSON key of this action in a commit line (`add`, `metaData`, ...).
    public var key: String {
        switch self {
        case .protocol: "protocol"
        case .metadata: "metaData"
        case .add: "add"
        case .remove: "remove"
        case .cdc: "cdc"
        case .txn: "txn"
        case .commitInfo: "commitInfo"
        case .domainMetadata: "domainMetadata"
        case .checkpointMetadata: "checkpointMetadata"
        case .sidecar: "sidecar"
        }
    }
}
