#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors writing an output file named on the command line.
struct FileOutputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): cannot write: \(reason)" }
}

/// Writes whole output files for CLI commands.
enum FileOutput {
    /// Writes `bytes` to `path` through a temporary file and a rename, so a reader never sees half a
    /// file. Writes straight from the buffer (no `Data` copy of what may be hundreds of megabytes).
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let tmp = path + ".lake-tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileOutputError(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        bytes.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count, let base = buf.baseAddress {
                let n = write(fd, base + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil, rename(tmp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(tmp)
            throw FileOutputError(path: path, reason: failure)
        }
    }
}
