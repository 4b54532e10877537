import Foundation
import Lake

/// The directory the server serves: each table at `ROOT/NAME` for a valid `TableName`, and nothing outside it.
public struct TableRoot: Sendable {
    /// The root's absolute path, without a trailing slash.
    public let path: String

    /// The root at `path` (relative paths resolve against the working directory), created if missing.
    public init(path: String) throws(LakeError) {
        var absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while absolute.count > 1 && absolute.hasSuffix("/") { absolute.removeLast() }
        do {
            try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
        } catch {
            throw LakeError(.storage, "cannot create the root directory \(absolute): \(error.localizedDescription)")
        }
        self.path = absolute
    }

    /// A root at `path` as given, neither resolved nor created (for listing the routes only).
    init(unvalidated path: String) { self.path = path }

    /// The table called `name`.
    public func table(_ name: TableName) throws(LakeError) -> DeltaTable {
        try DeltaTable(location: path + "/" + name.value)
    }

    /// The names of the tables in the root (directories with a valid name and a `_delta_log`), sorted.
    public func tableNames() throws(LakeError) -> [TableName] {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw LakeError(.storage, "cannot list the root directory \(path): \(error.localizedDescription)")
        }
        var isDirectory: ObjCBool = false
        return entries.sorted().compactMap { entry in
            guard let name = try? TableName(entry),
                  FileManager.default.fileExists(atPath: path + "/" + entry + "/_delta_log", isDirectory: &isDirectory), isDirectory.boolValue
            else { return nil }
            return name
        }
    }

    /// Whether the root is a directory the server can write.
    public var isWritable: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            && FileManager.default.isWritableFile(atPath: path)
    }
}
