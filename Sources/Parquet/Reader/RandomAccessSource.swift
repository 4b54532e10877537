#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes a Parquet file can be read from at arbitrary offsets (a local file, memory, an object store).
///
/// The reader asks for the footer with one or two reads from the end and for each column chunk it
/// needs with one read, so implementations backed by remote storage need no read-ahead of their own.
public protocol RandomAccessSource: Sendable {
    /// A name for error messages (usually the path).
    var name: String { get }
    /// Total size in bytes.
    var size: Int { get }
    /// Exactly `count` bytes starting at `offset`; throws when the range is not inside the source.
    func read(offset: Int, count: Int) throws(ParquetError) -> [UInt8]
}

/// A Parquet file held in memory.
public struct MemorySource: RandomAccessSource {
    /// The file's bytes.
    public let bytes: [UInt8]
    /// A name for error messages.
    public let name: String

    /// A source over `bytes`, called `name` in errors.
    public init(_ bytes: [UInt8], name: String = "<memory>") {
        self.bytes = bytes
        self.name = name
    }

    /// Number of bytes.
    public var size: Int { bytes.count }

    /// A copy of `bytes[offset..<offset+count]`.
    public func read(offset: Int, count: Int) throws(ParquetError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw ParquetError(.corrupt, "read of \(count) bytes at offset \(offset) is outside the \(bytes.count)-byte file", file: name)
        }
        return Array(bytes[offset..<offset + count])
    }
}

/// A local file read with `pread` on a descriptor opened once; safe to read from several threads at once
/// because `pread` does not move a shared file position.
public final class LocalFileSource: RandomAccessSource {
    /// The path, used in errors.
    public let name: String
    /// The file size when it was opened.
    public let size: Int
    private let fd: Int32

    /// Opens `path` for reading.
    public init(path: String) throws(ParquetError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw ParquetError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ParquetError(.io, "cannot stat: \(message)", file: path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ParquetError(.io, "is a directory, not a Parquet file", file: path)
        }
        self.fd = fd
        self.name = path
        self.size = Int(st.st_size)
    }

    deinit { close(fd) }

    /// Reads exactly `count` bytes at `offset`, looping over short reads.
    public func read(offset: Int, count: Int) throws(ParquetError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw ParquetError(.corrupt, "read of \(count) bytes at offset \(offset) is outside the \(size)-byte file", file: name)
        }
        if count == 0 { return [] }
        var failure: Int32 = 0
        var done = 0
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            while done < count {
                let n = pread(fd, base + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                done += n
            }
            // Zero whatever was not read so the array is fully initialized even on failure.
            if done < count { (base + done).initialize(repeating: 0, count: count - done) }
            initialized = count
        }
        if failure != 0 {
            throw ParquetError(.io, "read failed at offset \(offset): \(String(cString: strerror(failure)))", file: name)
        }
        if done < count {
            throw ParquetError(.io, "file ended after \(offset + done) bytes while reading \(count) at \(offset) (truncated while open?)", file: name)
        }
        return out
    }
}
