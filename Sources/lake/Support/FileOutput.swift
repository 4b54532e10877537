import Foundation

/// Errors writing an output file named on the command line.
struct FileOutputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): cannot write: \(reason)" }
}

/// Writes whole output files for CLI commands.
enum FileOutput {
    /// Writes `bytes` to `path` through a temporary file and a rename, so a reader never sees half a file.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let tmp = path + ".lake-tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: tmp))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw FileOutputError(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
