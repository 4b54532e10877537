#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a table lives: parsed from a user-supplied location string.
///
/// Accepts local paths (absolute, or relative to the working directory) and `file://` URIs
/// (`file:///abs/path`, `file:/abs/path`, `file://localhost/abs/path`, percent-decoded), and S3 locations
/// `s3://bucket/prefix` (also `s3a://`, percent-decoded), served by `S3Store` through the same protocol.
public enum StoreLocation: Sendable, Hashable {
    /// A directory on the local file system (absolute path, no trailing '/').
    case local(root: String)
    /// A key prefix in an S3 bucket (no leading or trailing '/'; empty for the bucket root).
    case s3(bucket: String, prefix: String)

    /// Parses `location`; throws `ObjectStoreError.unsupportedLocation` for unknown schemes or bad URIs.
    public static func parse(_ location: String) throws(ObjectStoreError) -> StoreLocation {
        if location.isEmpty { throw .unsupportedLocation(location, "empty location") }
        if location.hasPrefix("file:") {
            var rest = String(location.dropFirst("file:".count))
            if rest.hasPrefix("//") {
                rest.removeFirst(2)
                // An authority: only empty or localhost name this machine.
                let slash = rest.firstIndex(of: "/") ?? rest.endIndex
                let host = rest[..<slash]
                if !host.isEmpty, host.lowercased() != "localhost" {
                    throw .unsupportedLocation(location, "file URIs with host \"\(host)\" are not local")
                }
                rest = String(rest[slash...])
            }
            if rest.contains("?") || rest.contains("#") {
                throw .unsupportedLocation(location, "query or fragment in a file URI; percent-encode '?' and '#'")
            }
            guard rest.hasPrefix("/") else { throw .unsupportedLocation(location, "file URIs need an absolute path") }
            guard let decoded = percentDecode(rest) else {
                throw .unsupportedLocation(location, "malformed percent-encoding")
            }
            return .local(root: normalize(decoded))
        }
        if location.hasPrefix("s3://") || location.hasPrefix("s3a://") {
            return try parseS3(location)
        }
        if let colon = location.firstIndex(of: ":"), location[..<colon].count > 1,
           location[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
           location[colon...].hasPrefix("://") {
            throw .unsupportedLocation(location, "scheme \"\(location[..<colon])\" is not supported (use a local path, file:// or s3://)")
        }
        if location.hasPrefix("/") { return .local(root: normalize(location)) }
        return .local(root: normalize(currentDirectory() + "/" + location))
    }

    /// `s3://bucket/prefix`: the bucket must be non-empty; the prefix is percent-decoded and normalized
    /// (repeated and trailing '/' dropped); '.' and '..' segments are refused.
    static func parseS3(_ location: String) throws(ObjectStoreError) -> StoreLocation {
        let rest = location.hasPrefix("s3://") ? location.dropFirst("s3://".count) : location.dropFirst("s3a://".count)
        if rest.contains("?") || rest.contains("#") {
            throw .unsupportedLocation(location, "query or fragment in an S3 URI; percent-encode '?' and '#'")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let bucket = String(rest[..<slash])
        guard !bucket.isEmpty else { throw .unsupportedLocation(location, "S3 URIs name a bucket: s3://BUCKET/PREFIX") }
        guard bucket.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2e || $0 == 0x2d || $0 == 0x5f || ($0 >= 0x41 && $0 <= 0x5a) }) else {
            throw .unsupportedLocation(location, "\"\(bucket)\" is not a valid S3 bucket name (letters, digits, '.', '-')")
        }
        guard let decoded = percentDecode(String(rest[slash...])) else {
            throw .unsupportedLocation(location, "malformed percent-encoding")
        }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0 == "." || $0 == ".." }) {
            throw .unsupportedLocation(location, "'.' and '..' segments are not allowed in an S3 prefix")
        }
        return .s3(bucket: bucket, prefix: segments.joined(separator: "/"))
    }

    /// A store whose keys are relative to this location's root. S3 stores take their configuration from the
    /// environment (`S3Config.fromEnvironment`), which throws when it is incomplete.
    public func makeStore() throws(ObjectStoreError) -> any ObjectStore {
        switch self {
        case let .local(root): return LocalStore(root: root)
        case let .s3(bucket, prefix):
            do {
                return try S3Store(bucket: bucket, prefix: prefix, config: S3Config.fromEnvironment())
            } catch let .unsupportedLocation(_, why) {
                // Name the location the user gave, not the configuration piece.
                throw .unsupportedLocation(uri, why)
            }
        }
    }

    /// Opens the store for a location string in one step.
    public static func open(_ location: String) throws(ObjectStoreError) -> any ObjectStore {
        try parse(location).makeStore()
    }

    /// The location as a URI (`file:///...`, `s3://bucket/prefix`), percent-encoding what RFC 3986 does not
    /// allow in a path.
    public var uri: String {
        switch self {
        case let .local(root): "file://" + Self.percentEncodePath(root)
        case let .s3(bucket, prefix): "s3://" + bucket + (prefix.isEmpty ? "" : "/" + Self.percentEncodePath(prefix))
        }
    }

    static func currentDirectory() -> String {
        var buf = [UInt8](repeating: 0, count: 4096)
        let ok = buf.withUnsafeMutableBufferPointer { b in
            b.baseAddress.map { $0.withMemoryRebound(to: CChar.self, capacity: b.count) { getcwd($0, b.count) != nil } } ?? false
        }
        guard ok else { return "." }
        let end = buf.firstIndex(of: 0) ?? buf.count
        return String(decoding: buf[..<end], as: UTF8.self)
    }

    /// Drops `.` segments, resolves `..` lexically, collapses repeated and trailing '/'.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for seg in path.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(seg)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Decodes `%XX` escapes (as UTF-8 bytes); nil when an escape is malformed.
    public static func percentDecode(_ s: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b != UInt8(ascii: "%") { out.append(b); continue }
            guard let h = it.popFirst(), let l = it.popFirst(), let hv = hexValue(h), let lv = hexValue(l) else { return nil }
            out.append(hv << 4 | lv)
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func percentEncodePath(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
