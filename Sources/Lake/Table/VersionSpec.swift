/// Which version of a table to load.
public enum VersionSpec: Sendable, Hashable {
    /// The newest committed version.
    case latest
    /// Exactly this version.
    case version(Int64)
    /// The latest commit at or before this time (ms since the epoch).
    case timestamp(Int64)
}
