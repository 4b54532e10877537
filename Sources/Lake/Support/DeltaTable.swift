import DeltaLog
import ObjectStore

/// A Delta table location opened on its object store: the handle every operation starts from.
///
/// Opening never touches storage; operations read the log when they execute, so a handle is cheap
/// and stays valid while other writers commit.
public struct DeltaTable: Sendable {
    /// The location as the user gave it (a path or `file://` URI), used in error messages.
    public let location: String
    /// The store rooted at the table directory; keys are relative to the table root.
    public let store: any ObjectStore

    /// Opens the table at a local path or `file://` URI.
    public init(location: String) throws {
        self.location = location
        self.store = try StoreLocation.open(location)
    }

    /// Wraps an existing store rooted at the table directory.
    public init(store: any ObjectStore, location: String) {
        self.store = store
        self.location = location
    }
}

/// Engine name and version written into `commitInfo.engineInfo`.
public enum LakeEngine {
    /// `lake/<version>`, as Delta writers identify themselves.
    public static let engineInfo = "lake/0.1.0"
}
