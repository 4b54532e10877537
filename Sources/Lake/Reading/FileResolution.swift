import DeltaLog
import ObjectStore

/// Where a data file named in the log lives: a store and a key in it.
///
/// Relative paths (the usual case) are keys under the table root. Absolute paths, which the protocol allows,
/// resolve through the same store configuration as table locations (`StoreLocation`): inside the table root they
/// become plain keys, elsewhere they get a store of their own directory. A relative path that climbs out of the
/// table with `..` is refused: a log must not make a reader open arbitrary files.
struct FileResolution: Sendable {
    /// The store to read from.
    let store: any ObjectStore
    /// The key of the file in `store`.
    let key: String

    /// Resolves an `add.path` (percent-encoded URI) of `table`.
    static func resolve(_ logPath: String, table: DeltaTable) throws(LakeError) -> FileResolution {
        guard let path = DeltaPath.decode(logPath) else {
            throw LakeError(.corruptTable, "malformed percent-encoding in the file path \(logPath) in the Delta log")
        }
        guard DeltaPath.isAbsolute(path) else {
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            if segments.contains("..") {
                throw LakeError(.corruptTable, "the Delta log names the file \(logPath), which escapes the table root with '..'; a data file must lie inside the table or be an absolute URI")
            }
            if path.isEmpty || segments.contains(where: { $0.isEmpty || $0 == "." }) {
                throw LakeError(.corruptTable, "the Delta log names a malformed relative file path \"\(logPath)\"")
            }
            return FileResolution(store: table.store, key: path)
        }
        let location: StoreLocation
        do {
            // A bare absolute path is already decoded; a URI is parsed (and decoded) by StoreLocation itself.
            location = try StoreLocation.parse(path.hasPrefix("/") ? path : logPath)
        } catch {
            throw LakeError(.unsupported, "the Delta log names the file \(logPath), which lake cannot open: \(error)")
        }
        if case let .s3(bucket, objectKey) = location {
            return try resolveS3(bucket: bucket, objectKey: objectKey, logPath: logPath, table: table)
        }
        guard case let .local(file) = location else {
            throw LakeError(.unsupported, "the Delta log names the file \(logPath) on a store lake cannot open")
        }
        if case let .local(root)? = table.root, file.hasPrefix(root == "/" ? "/" : root + "/") {
            let key = String(file.dropFirst(root == "/" ? 1 : root.count + 1))
            return FileResolution(store: table.store, key: key)
        }
        guard let slash = file.lastIndex(of: "/") else {
            throw LakeError(.corruptTable, "the Delta log names the file \(logPath), which has no directory")
        }
        let dir = String(file[..<slash])
        let name = String(file[file.index(after: slash)...])
        guard !name.isEmpty else { throw LakeError(.corruptTable, "the Delta log names the directory \(logPath), not a file") }
        return FileResolution(store: LocalStore(root: dir.isEmpty ? "/" : dir), key: name)
    }

    /// An absolute `s3://` file path: a key of the table's store when inside its root, else a store of its own.
    static func resolveS3(bucket: String, objectKey: String, logPath: String, table: DeltaTable) throws(LakeError) -> FileResolution {
        if case let .s3(rootBucket, rootPrefix)? = table.root, rootBucket == bucket,
           rootPrefix.isEmpty || objectKey.hasPrefix(rootPrefix + "/") {
            return FileResolution(store: table.store, key: rootPrefix.isEmpty ? objectKey : String(objectKey.dropFirst(rootPrefix.count + 1)))
        }
        let slash = objectKey.lastIndex(of: "/")
        let dir = slash.map { String(objectKey[..<$0]) } ?? ""
        let name = slash.map { String(objectKey[objectKey.index(after: $0)...]) } ?? objectKey
        guard !name.isEmpty else { throw LakeError(.corruptTable, "the Delta log names the directory \(logPath), not a file") }
        do {
            return FileResolution(store: try StoreLocation.s3(bucket: bucket, prefix: dir).makeStore(), key: name)
        } catch {
            throw LakeError(.unsupported, "the Delta log names the file \(logPath), which lake cannot open: \(error)")
        }
    }
}
