import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An object store over a local directory: keys are file paths below `root`.
///
/// Writes go to a temporary file in the target's directory first (named `.<name>.lake-tmp-<random>`, skipped by
/// `list`), are fsynced, then published atomically: `put` renames over the target, `putIfAbsent` hard-links
/// (`link(2)` fails with EEXIST when the target exists, which is atomic across processes, unlike a
/// check-then-rename). The directory is fsynced afterwards so a published commit survives a crash.
///
/// The system calls block the calling thread; they are short for the object sizes a Delta log uses.
public struct LocalStore: ObjectStore {
    /// Absolute directory that keys are relative to, without a trailing '/'.
    public let root: String

    /// Creates a store rooted at the directory `root` (created on first write if missing).
    public init(root: String) {
        var r = root
        while r.count > 1, r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    /// Marker inside temporary file names; `list` skips such files so half-written objects never show.
    static let tempMarker = ".lake-tmp-"

    func fullPath(_ path: String) throws(ObjectStoreError) -> String {
        try ObjectPath.validate(path)
        return root == "/" ? "/" + path : root + "/" + path
    }

    /// The whole object.
    public func get(_ path: String) async throws -> [UInt8] {
        let full = try fullPath(path)
        let fd = try Self.openRead(full, key: path)
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Self.ioError(path, "fstat") }
        return try Self.readAll(fd, expected: Int(st.st_size), key: path)
    }

    /// Bytes `range` of the object, clamped to its end.
    public func getRange(_ path: String, _ range: Range<Int>) async throws -> [UInt8] {
        let full = try fullPath(path)
        guard range.lowerBound >= 0 else { throw ObjectStoreError.io(path, "negative range start \(range.lowerBound)") }
        let fd = try Self.openRead(full, key: path)
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Self.ioError(path, "fstat") }
        let size = Int(st.st_size)
        let lo = min(range.lowerBound, size)
        let hi = min(range.upperBound, size)
        if lo >= hi { return [] }
        var out = [UInt8](repeating: 0, count: hi - lo)
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { buf in
                pread(fd, buf.baseAddress.map { $0 + done }, buf.count - done, off_t(lo + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.ioError(path, "read")
            }
            if n == 0 { break }
            done += n
        }
        if done < out.count { out.removeLast(out.count - done) }
        return out
    }

    /// Size and modification time of the object.
    public func head(_ path: String) async throws -> ObjectMeta {
        let full = try fullPath(path)
        var st = stat()
        guard stat(full, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw ObjectStoreError.notFound(path) }
            throw Self.ioError(path, "stat")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ObjectStoreError.notFound(path) }
        return ObjectMeta(path: path, size: Int64(st.st_size), lastModified: Self.millis(st))
    }

    /// Atomically replaces the object: temporary file, fsync, rename, fsync of the directory.
    public func put(_ path: String, _ bytes: [UInt8]) async throws {
        let full = try fullPath(path)
        let dir = Self.parent(full)
        try Self.makeDirectories(dir, key: path)
        let tmp = try Self.writeTemp(dir: dir, name: Self.baseName(full), bytes: bytes, key: path)
        guard rename(tmp, full) == 0 else {
            let err = Self.ioError(path, "rename")
            unlink(tmp)
            throw err
        }
        Self.syncDirectory(dir)
    }

    /// Starts an upload into a temporary file beside the target, renamed over it at `complete`.
    public func upload(_ path: String) async throws -> any ObjectUpload {
        let full = try fullPath(path)
        let dir = Self.parent(full)
        try Self.makeDirectories(dir, key: path)
        return try LocalUpload(key: path, full: full, dir: dir)
    }

    /// Creates the object only if absent, safe against other threads and processes racing for the same key.
    public func putIfAbsent(_ path: String, _ bytes: [UInt8]) async throws {
        try putIfAbsentSync(path, bytes)
    }

    /// The synchronous core of `putIfAbsent` (also used by the multi-process test, which forks).
    func putIfAbsentSync(_ path: String, _ bytes: [UInt8]) throws {
        let full = try fullPath(path)
        let dir = Self.parent(full)
        try Self.makeDirectories(dir, key: path)
        // A name already taken needs no temporary file written and synced to find out (a writer behind the
        // log's tip learns it cheaply); link(2) below still decides every race.
        if access(full, F_OK) == 0 { throw ObjectStoreError.alreadyExists(path) }
        let tmp = try Self.writeTemp(dir: dir, name: Self.baseName(full), bytes: bytes, key: path)
        defer { unlink(tmp) }
        // link(2) never replaces an existing name: exactly one racer gets 0, everyone else EEXIST.
        if link(tmp, full) != 0 {
            if errno == EEXIST { throw ObjectStoreError.alreadyExists(path) }
            throw Self.ioError(path, "link (the file system must support hard links for atomic commits)")
        }
        Self.syncDirectory(dir)
    }

    /// Removes each of `directories` (keys of folders) that is empty, deepest first, never the root; returns
    /// how many went. `rmdir(2)` refuses a directory that holds anything, so a file written meanwhile keeps
    /// its folder (and a writer whose folder went between its mkdir and its create makes it again).
    public func removeEmptyDirectories(_ directories: [String]) async -> Int {
        var removed = 0
        let deepestFirst = Set(directories).sorted { $0.utf8.count > $1.utf8.count }
        for key in deepestFirst where !key.isEmpty {
            guard (try? ObjectPath.validate(key)) != nil, let full = try? fullPath(key) else { continue }
            if rmdir(full) == 0 { removed += 1 }
        }
        return removed
    }

    /// Every object whose key starts with `prefix`, recursively, in byte order of the keys.
    public func list(prefix: String) async throws -> [ObjectMeta] {
        if prefix.utf8.first == UInt8(ascii: "/") { throw ObjectStoreError.invalidPath(prefix, "paths are relative to the store root") }
        // Walk from the deepest directory the prefix names completely; filter the rest by string prefix.
        var startKey = ""
        if let slash = prefix.utf8.lastIndex(of: UInt8(ascii: "/")) {
            startKey = String(decoding: prefix.utf8[..<slash], as: UTF8.self)
        }
        var out: [ObjectMeta] = []
        try walk(dirKey: startKey, prefix: prefix, into: &out)
        out.sort { ObjectPath.precedes($0.path, $1.path) }
        return out
    }

    private func walk(dirKey: String, prefix: String, into out: inout [ObjectMeta]) throws {
        let dirPath = dirKey.isEmpty ? root : (root == "/" ? "/" + dirKey : root + "/" + dirKey)
        guard let dir = opendir(dirPath) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw Self.ioError(dirKey.isEmpty ? "." : dirKey, "opendir")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if name.hasPrefix("."), name.contains(Self.tempMarker) { continue }
            names.append(name)
        }
        for name in names {
            let key = dirKey.isEmpty ? name : dirKey + "/" + name
            var st = stat()
            guard stat(dirPath + "/" + name, &st) == 0 else { continue }  // vanished meanwhile
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let asDir = key + "/"
                if asDir.hasPrefix(prefix) || prefix.hasPrefix(asDir) {
                    try walk(dirKey: key, prefix: prefix, into: &out)
                }
            } else if (st.st_mode & S_IFMT) == S_IFREG, key.hasPrefix(prefix) {
                out.append(ObjectMeta(path: key, size: Int64(st.st_size), lastModified: Self.millis(st)))
            }
        }
    }

    /// Deletes the object; a missing object is not an error.
    public func delete(_ path: String) async throws {
        let full = try fullPath(path)
        if unlink(full) != 0, errno != ENOENT {
            throw Self.ioError(path, "unlink")
        }
    }

    // MARK: - System call helpers

    static func ioError(_ key: String, _ op: String) -> ObjectStoreError {
        let code = errno
        let message = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return .io(key, "\(op): \(message)")
    }

    static func millis(_ st: stat) -> Int64 {
        #if canImport(Darwin)
        return Int64(st.st_mtimespec.tv_sec) * 1000 + Int64(st.st_mtimespec.tv_nsec) / 1_000_000
        #else
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
        #endif
    }

    static func parent(_ full: String) -> String {
        guard let slash = full.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == full.utf8.startIndex { return "/" }
        return String(decoding: full.utf8[..<slash], as: UTF8.self)
    }

    static func baseName(_ full: String) -> String {
        guard let slash = full.utf8.lastIndex(of: UInt8(ascii: "/")) else { return full }
        return String(decoding: full.utf8[full.utf8.index(after: slash)...], as: UTF8.self)
    }

    static func openRead(_ full: String, key: String) throws -> Int32 {
        while true {
            let fd = open(full, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                var st = stat()
                if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                    close(fd)
                    throw ObjectStoreError.notFound(key)
                }
                return fd
            }
            if errno == EINTR { continue }
            if errno == ENOENT || errno == ENOTDIR { throw ObjectStoreError.notFound(key) }
            throw ioError(key, "open")
        }
    }

    static func readAll(_ fd: Int32, expected: Int, key: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(expected, 0))
        var done = 0
        while true {
            if done == out.count {
                // The file may have grown since fstat; keep reading until EOF.
                out.append(contentsOf: [UInt8](repeating: 0, count: max(4096, out.count / 2)))
            }
            let n = out.withUnsafeMutableBytes { buf in
                read(fd, buf.baseAddress.map { $0 + done }, buf.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError(key, "read")
            }
            if n == 0 { break }
            done += n
        }
        out.removeLast(out.count - done)
        return out
    }

    static func makeDirectories(_ dir: String, key: String) throws {
        var st = stat()
        if stat(dir, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { return }
            throw ObjectStoreError.io(key, "\(dir) exists and is not a directory")
        }
        let up = parent(dir)
        if up != dir { try makeDirectories(up, key: key) }
        if mkdir(dir, 0o755) != 0, errno != EEXIST {
            throw ioError(key, "mkdir \(dir)")
        }
    }

    /// Writes `bytes` to a fresh temporary file next to the target and fsyncs it; returns its path.
    static func writeTemp(dir: String, name: String, bytes: [UInt8], key: String) throws -> String {
        var attempt = 0
        while true {
            let tmp = dir + "/." + name + tempMarker + String(UInt64.random(in: .min ... .max), radix: 16)
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 {
                if errno == EEXIST, attempt < 8 { attempt += 1; continue }
                if errno == EINTR { continue }
                // A vacuum removed the directory as it emptied, between our mkdir and this create: again.
                if errno == ENOENT, attempt < 8 { attempt += 1; try makeDirectories(dir, key: key); continue }
                throw ioError(key, "create temporary file")
            }
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { buf in
                    write(fd, buf.baseAddress.map { $0 + done }, buf.count - done)
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    let err = ioError(key, "write")
                    close(fd); unlink(tmp)
                    throw err
                }
                done += n
            }
            if fsync(fd) != 0 {
                let err = ioError(key, "fsync")
                close(fd); unlink(tmp)
                throw err
            }
            close(fd)
            return tmp
        }
    }

    /// Makes a new directory entry durable; best effort, as some file systems refuse fsync on directories.
    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

/// A `LocalStore` upload: parts appended to a temporary file (skipped by `list`), which `complete` fsyncs and
/// renames over the target, so readers see the old object or the whole new one.
final class LocalUpload: ObjectUpload {
    private struct State {
        var fd: Int32
        var done = false
    }
    private let key: String
    private let full: String
    private let dir: String
    private let tmp: String
    private let state: Mutex<State>

    init(key: String, full: String, dir: String) throws {
        self.key = key
        self.full = full
        self.dir = dir
        var attempt = 0
        while true {
            let tmp = dir + "/." + LocalStore.baseName(full) + LocalStore.tempMarker + String(UInt64.random(in: .min ... .max), radix: 16)
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                self.tmp = tmp
                self.state = Mutex(State(fd: fd))
                return
            }
            if errno == EINTR { continue }
            if errno == EEXIST, attempt < 8 { attempt += 1; continue }
            if errno == ENOENT, attempt < 8 { attempt += 1; try LocalStore.makeDirectories(dir, key: key); continue }
            throw LocalStore.ioError(key, "create temporary file")
        }
    }

    deinit {
        let s = state.withLock { $0 }
        if !s.done {
            close(s.fd)
            unlink(tmp)
        }
    }

    func append(_ bytes: [UInt8]) async throws {
        try state.withLock { (s: inout State) throws in
            guard !s.done else { throw ObjectStoreError.io(key, "upload already finished") }
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes { buf in write(s.fd, buf.baseAddress.map { $0 + written }, buf.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LocalStore.ioError(key, "write")
                }
                written += n
            }
        }
    }

    func complete() async throws {
        try state.withLock { (s: inout State) throws in
            guard !s.done else { throw ObjectStoreError.io(key, "upload already finished") }
            s.done = true
            if fsync(s.fd) != 0 {
                let err = LocalStore.ioError(key, "fsync")
                close(s.fd); unlink(tmp)
                throw err
            }
            close(s.fd)
            guard rename(tmp, full) == 0 else {
                let err = LocalStore.ioError(key, "rename")
                unlink(tmp)
                throw err
            }
        }
        LocalStore.syncDirectory(dir)
    }

    func abort() async {
        state.withLock { s in
            guard !s.done else { return }
            s.done = true
            close(s.fd)
            unlink(tmp)
        }
    }
}
