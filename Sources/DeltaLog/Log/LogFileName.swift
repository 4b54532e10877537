import ObjectStore

/// The kinds of files in `_delta_log/` (PROTOCOL.md "Delta Log Entries", "Checkpoints").
public enum LogFileKind: Sendable, Hashable {
    /// `<v>.json`: a commit.
    case commit
    /// `<v>.checkpoint.parquet`: a classic single-file checkpoint.
    case classicCheckpoint
    /// `<v>.checkpoint.<part>.<parts>.parquet`: one part of a multi-part checkpoint (1-based part).
    case multiPartCheckpoint(part: Int, parts: Int)
    /// `<v>.checkpoint.<uuid>.json|parquet`: a V2 checkpoint manifest.
    case v2Checkpoint(uuid: String, json: Bool)
}

/// One file of the log, named by its version and kind.
public struct LogFile: Sendable, Hashable {
    /// The table version the file belongs to.
    public var version: Int64
    /// What the file is.
    public var kind: LogFileKind
    /// Key relative to the table root, size and modification time.
    public var meta: ObjectMeta

    /// Creates a log file description.
    public init(version: Int64, kind: LogFileKind, meta: ObjectMeta) {
        self.version = version
        self.kind = kind
        self.meta = meta
    }

    /// Whether the file is any kind of checkpoint.
    public var isCheckpoint: Bool {
        if case .commit = kind { return false }
        return true
    }

    /// Parses a file name (no directory) of `_delta_log/`; nil for files that are not commits or checkpoints
    /// (`.crc`, `_last_checkpoint`, compacted logs, temporary files).
    public static func parse(name: String) -> (version: Int64, kind: LogFileKind)? {
        let b = Array(name.utf8)
        guard b.count > 21, b[20] == UInt8(ascii: "."), let version = digits(b[0..<20]) else { return nil }
        let rest = String(decoding: b[21...], as: UTF8.self)
        if rest == "json" { return (version, .commit) }
        guard rest.hasPrefix("checkpoint.") else { return nil }
        let tail = rest.dropFirst("checkpoint.".count)
        if tail == "parquet" { return (version, .classicCheckpoint) }
        let parts = tail.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2] == "parquet", parts[0].utf8.count == 10, parts[1].utf8.count == 10,
           let part = digits(Array(parts[0].utf8)[...]), let total = digits(Array(parts[1].utf8)[...]),
           part >= 1, total >= 1, part <= total {
            return (version, .multiPartCheckpoint(part: Int(part), parts: Int(total)))
        }
        if parts.count == 2, parts[1] == "json" || parts[1] == "parquet", !parts[0].isEmpty {
            return (version, .v2Checkpoint(uuid: String(parts[0]), json: parts[1] == "json"))
        }
        return nil
    }

    /// Key of the commit file of `version`, relative to the table root.
    public static func commitPath(_ version: Int64) -> String {
        "_delta_log/" + padded(version, 20) + ".json"
    }

    /// Key of the classic checkpoint of `version`, relative to the table root.
    public static func classicCheckpointPath(_ version: Int64) -> String {
        "_delta_log/" + padded(version, 20) + ".checkpoint.parquet"
    }

    /// Key of the UUID-named V2 checkpoint `<version>.checkpoint.<uuid>.json|parquet`, relative to the table root.
    public static func v2CheckpointPath(_ version: Int64, uuid: String, json: Bool) -> String {
        "_delta_log/" + padded(version, 20) + ".checkpoint." + uuid + (json ? ".json" : ".parquet")
    }

    static func padded(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func digits(_ b: ArraySlice<UInt8>) -> Int64? {
        var v: Int64 = 0
        for c in b {
            guard c >= 48, c <= 57 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { return nil }
            v = a
        }
        return b.isEmpty ? nil : v
    }
}
