#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The INI-style shared files of the AWS tools: `~/.aws/credentials` (sections named after the profile) and
/// `~/.aws/config` (sections `[default]` and `[profile NAME]`). Keys are lower-cased; `#`/`;` start comments.
struct AWSProfileFile: Sendable {
    /// Settings per profile name.
    var profiles: [String: [String: String]]

    /// Parses the text of a credentials (`isConfig == false`) or config file.
    init(text: String, isConfig: Bool) {
        var profiles: [String: [String: String]] = [:]
        var section: String?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { section = nil; continue }
                var name = String(line.dropFirst().dropLast()).trimmingSpaces()
                if isConfig, name != "default" {
                    // Only `[profile NAME]` names a profile in the config file.
                    guard name.hasPrefix("profile ") else { section = nil; continue }
                    name = String(name.dropFirst("profile ".count)).trimmingSpaces()
                }
                section = name
                if profiles[name] == nil { profiles[name] = [:] }
                continue
            }
            guard let section, let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]).trimmingSpaces().lowercased()
            let value = String(line[line.index(after: eq)...]).trimmingSpaces()
            if !key.isEmpty { profiles[section]?[key] = value }
        }
        self.profiles = profiles
    }

    /// Reads and parses `path`; nil when the file does not exist or cannot be read.
    static func load(_ path: String, isConfig: Bool) -> AWSProfileFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while bytes.count < 1 << 20 {  // a profile file larger than 1 MiB is not one
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        return AWSProfileFile(text: String(decoding: bytes, as: UTF8.self), isConfig: isConfig)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
