/// Metadata of one stored object, as returned by `head` and `list`.
public struct ObjectMeta: Sendable, Hashable {
    /// The object's key relative to the store root, '/'-separated.
    public var path: String
    /// Size in bytes.
    public var size: Int64
    /// Last modification time in milliseconds since the Unix epoch.
    public var lastModified: Int64

    /// Creates object metadata.
    public init(path: String, size: Int64, lastModified: Int64) {
        self.path = path
        self.size = size
        self.lastModified = lastModified
    }
}

/// Errors raised by object stores; every case names the key it concerns.
public enum ObjectStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The object does not exist.
    case notFound(String)
    /// `putIfAbsent` lost: the object already exists.
    case alreadyExists(String)
    /// The operating system or the remote service failed.
    case io(String, String)
    /// The key is not a valid relative object path (empty, absolute, `.`/`..` or empty segments, NUL).
    case invalidPath(String, String)
    /// The table location could not be turned into a store (unknown scheme, malformed URI).
    case unsupportedLocation(String, String)

    /// A message that says what went wrong and where.
    public var description: String {
        switch self {
        case let .notFound(p): "object not found: \(p)"
        case let .alreadyExists(p): "object already exists: \(p)"
        case let .io(p, m): "I/O error on \(p): \(m)"
        case let .invalidPath(p, why): "invalid object path \"\(p)\": \(why)"
        case let .unsupportedLocation(l, why): "unsupported location \"\(l)\": \(why)"
        }
    }
}

/// A flat key space of immutable-ish objects: local disk or S3, seen through the same few operations.
///
/// Keys are '/'-separated and relative to the store's root. Table code reaches storage only through this
/// protocol (ARCHITECTURE.md invariant 3), so every implementation must give `putIfAbsent` mutual exclusion:
/// the Delta commit protocol depends on exactly one writer creating `_delta_log/N.json`.
public protocol ObjectStore: Sendable {
    /// The whole object.
    func get(_ path: String) async throws -> [UInt8]
    /// Bytes `range` of the object; the range is clamped to the object's end.
    func getRange(_ path: String, _ range: Range<Int>) async throws -> [UInt8]
    /// Size and modification time of the object.
    func head(_ path: String) async throws -> ObjectMeta
    /// Writes the object, atomically replacing any previous content (readers see old or new, never partial).
    func put(_ path: String, _ bytes: [UInt8]) async throws
    /// Starts writing the object in parts (see `ObjectUpload`); large data files go through this.
    func upload(_ path: String) async throws -> any ObjectUpload
    /// Writes the object only if no object exists at `path`; throws `ObjectStoreError.alreadyExists` otherwise.
    func putIfAbsent(_ path: String, _ bytes: [UInt8]) async throws
    /// Every object whose key starts with `prefix`, recursively, sorted by key (byte order).
    func list(prefix: String) async throws -> [ObjectMeta]
    /// Deletes the object; deleting a missing object is not an error (as on S3), so retries are safe.
    func delete(_ path: String) async throws
    /// Objects under `prefix` whose keys sort after `startAfter` (byte order), sorted; nil lists all. Stores that
    /// can start a listing in the middle (S3's `start-after`) skip the earlier keys without fetching them.
    func list(prefix: String, startAfter: String?) async throws -> [ObjectMeta]
    /// Deletes several objects, in batches where the store has a batch delete (S3: 1000 keys per request);
    /// missing objects are not errors.
    func delete(_ paths: [String]) async throws
    /// Removes those of `directories` (folder keys) that are empty, deepest first, and returns how many; for
    /// vacuum, after it deleted their files. Stores without folders (S3) have none to remove.
    func removeEmptyDirectories(_ directories: [String]) async -> Int
}

extension ObjectStore {
    /// Lists everything under `prefix` and drops the keys up to `startAfter`.
    public func list(prefix: String, startAfter: String?) async throws -> [ObjectMeta] {
        let all = try await list(prefix: prefix)
        guard let startAfter else { return all }
        return all.filter { ObjectPath.precedes(startAfter, $0.path) }
    }

    /// Deletes the objects one by one.
    public func delete(_ paths: [String]) async throws {
        for path in paths { try await delete(path) }
    }

    /// No folders: nothing to remove.
    public func removeEmptyDirectories(_ directories: [String]) async -> Int { 0 }
}

/// Validation shared by stores: keys are relative, '/'-separated, without empty, `.` or `..` segments.
public enum ObjectPath {
    /// Throws `ObjectStoreError.invalidPath` unless `path` is a well-formed relative key.
    public static func validate(_ path: String) throws(ObjectStoreError) {
        if path.isEmpty { throw .invalidPath(path, "empty path") }
        if path.utf8.first == UInt8(ascii: "/") { throw .invalidPath(path, "paths are relative to the store root") }
        if path.utf8.contains(0) { throw .invalidPath(path, "contains a NUL byte") }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw .invalidPath(path, "empty path segment") }
            if segment == "." || segment == ".." { throw .invalidPath(path, "'.' and '..' segments are not allowed") }
        }
    }

    /// Byte-wise (UTF-8) ordering, the order S3 lists keys in; Swift's `<` on String is not byte order.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
