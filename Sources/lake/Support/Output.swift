#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes bytes to standard output with large buffered writes (the CLI's data path).
enum StandardOutput {
    /// Writes all of `bytes` to stdout.
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, !buf.isEmpty else { return }
            _ = fwrite(base, 1, buf.count, stdout)
        }
    }

    /// Writes a line of text to stdout.
    static func line(_ text: String) {
        write(Array((text + "\n").utf8))
    }

    /// Flushes stdout.
    static func flush() { fflush(stdout) }
}

/// Writes diagnostics to standard error.
enum StandardError {
    /// Writes a line of text to stderr.
    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            _ = fwrite(base, 1, buf.count, stderr)
        }
    }
}
