import ObjectStore

/// ObjectStore calls with their errors turned into `DeltaError`, so log code can use typed throws.
enum StoreAccess {
    /// Wraps any error of a store call as `DeltaError.storage` (keeping `ObjectStoreError`s as they are).
    static func wrap(_ error: any Error, path: String) -> DeltaError {
        if let e = error as? DeltaError { return e }
        if let e = error as? ObjectStoreError { return .storage(e) }
        return .storage(.io(path, "\(error)"))
    }

    /// The whole object.
    static func get(_ store: any ObjectStore, _ path: String) async throws(DeltaError) -> [UInt8] {
        do { return try await store.get(path) } catch { throw wrap(error, path: path) }
    }

    /// The object, or nil when it does not exist.
    static func getIfPresent(_ store: any ObjectStore, _ path: String) async throws(DeltaError) -> [UInt8]? {
        do { return try await store.get(path) } catch {
            if case .notFound? = error as? ObjectStoreError { return nil }
            throw wrap(error, path: path)
        }
    }

    /// A byte range of the object.
    static func getRange(_ store: any ObjectStore, _ path: String, _ range: Range<Int>) async throws(DeltaError) -> [UInt8] {
        do { return try await store.getRange(path, range) } catch {
            if case .notFound? = error as? ObjectStoreError { throw DeltaError.fileNotFound(path: path) }
            throw wrap(error, path: path)
        }
    }

    /// Objects under `prefix`.
    static func list(_ store: any ObjectStore, prefix: String) async throws(DeltaError) -> [ObjectMeta] {
        do { return try await store.list(prefix: prefix) } catch { throw wrap(error, path: prefix) }
    }

    /// The objects under `prefix` after `startAfter`, wrapped like `list`.
    static func list(_ store: any ObjectStore, prefix: String, startAfter: String) async throws(DeltaError) -> [ObjectMeta] {
        do { return try await store.list(prefix: prefix, startAfter: startAfter) } catch { throw wrap(error, path: prefix) }
    }

    /// Writes the object, replacing any previous one.
    static func put(_ store: any ObjectStore, _ path: String, _ bytes: [UInt8]) async throws(DeltaError) {
        do { try await store.put(path, bytes) } catch { throw wrap(error, path: path) }
    }
}
