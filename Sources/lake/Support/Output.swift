#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole buffers to a file descriptor, retrying short writes. The CLI builds its output in large
/// byte buffers, so one `write(2)` per buffer needs no extra buffering layer.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buf in
        var offset = 0
        while offset < buf.count {
            guard let base = buf.baseAddress else { return }
            let n = write(fd, base + offset, buf.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return  // e.g. EPIPE when piped into `head`: stop quietly
            }
            offset += n
        }
    }
}

/// Standard output for data and results.
enum StandardOutput {
    /// Writes all of `bytes` to stdout.
    static func write(_ bytes: [UInt8]) { writeAll(1, bytes) }

    /// Writes a line of text to stdout.
    static func line(_ text: String) { writeAll(1, Array((text + "\n").utf8)) }

    /// Nothing is buffered in-process; kept so call sites read naturally at exit points.
    static func flush() {}
}

/// Standard error for diagnostics.
enum StandardError {
    /// Writes a line of text to stderr.
    static func line(_ text: String) { writeAll(2, Array((text + "\n").utf8)) }

    /// Writes `text` to stderr as it is (a progress line redrawn with `\r`).
    static func write(_ text: String) { writeAll(2, Array(text.utf8)) }

    /// Whether stderr is a terminal (progress is drawn only there).
    static var isTerminal: Bool { isatty(2) == 1 }
}
