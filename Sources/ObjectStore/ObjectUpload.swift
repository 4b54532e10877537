import Synchronization

/// An object written in parts, so a large file need not be held whole in memory: nothing is visible at the key
/// until `complete` (which publishes it atomically, replacing any previous object), and `abort` leaves nothing
/// behind. Parts are appended in order by one task at a time.
public protocol ObjectUpload: Sendable {
    /// Appends the next bytes of the object.
    func append(_ bytes: [UInt8]) async throws
    /// Publishes the object.
    func complete() async throws
    /// Drops what was written; the key keeps its previous state.
    func abort() async
}

extension ObjectStore {
    /// Starts an upload to `path` that buffers the parts and `put`s them at `complete`: the fallback for stores
    /// without a streaming write of their own.
    public func bufferedUpload(_ path: String) -> any ObjectUpload {
        BufferedUpload(store: self, path: path)
    }
}

/// Collects the parts in memory and writes them with one `put`.
final class BufferedUpload: ObjectUpload {
    private let store: any ObjectStore
    private let path: String
    private let parts = Mutex<[UInt8]>([])

    init(store: any ObjectStore, path: String) {
        self.store = store
        self.path = path
    }

    func append(_ bytes: [UInt8]) async throws {
        parts.withLock { $0.append(contentsOf: bytes) }
    }

    func complete() async throws {
        let bytes = parts.withLock { p in defer { p = [] }; return p }
        try await store.put(path, bytes)
    }

    func abort() async {
        parts.withLock { $0 = [] }
    }
}
