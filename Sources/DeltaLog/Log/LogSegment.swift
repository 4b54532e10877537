import ObjectStore

/// The files that reconstruct one table version: the newest complete checkpoint at or before it plus the
/// contiguous commits after it (PROTOCOL.md "Checkpoints", "Delta Log Entries").
public struct LogSegment: Sendable, Hashable {
    /// The version the segment reconstructs.
    public var version: Int64
    /// The checkpoint's version, when the segment starts from one.
    public var checkpointVersion: Int64?
    /// The checkpoint's files: one classic or V2 manifest, or every part of a multi-part checkpoint in order.
    public var checkpointFiles: [LogFile]
    /// Commits after the checkpoint (or from version 0), ascending and contiguous, ending at `version`.
    public var commits: [LogFile]
    /// Every version the listed log can reconstruct (for error messages and time travel).
    public var available: ClosedRange<Int64>

    /// Creates a segment.
    public init(version: Int64, checkpointVersion: Int64?, checkpointFiles: [LogFile], commits: [LogFile], available: ClosedRange<Int64>) {
        self.version = version
        self.checkpointVersion = checkpointVersion
        self.checkpointFiles = checkpointFiles
        self.commits = commits
        self.available = available
    }

    /// Lists `_delta_log/` and builds the segment of `version` (the latest when nil).
    ///
    /// `_last_checkpoint` is read as a hint only: the listing is authoritative, so a missing, stale or
    /// corrupt hint never hides a newer checkpoint. With a hint the listing starts at its version (on S3 the
    /// older commits are never fetched), so `available` starts there; `listAll` lists from the first commit
    /// (timestamp time travel needs every commit's time).
    public static func load(store: any ObjectStore, version: Int64? = nil, location: String = "table", listAll: Bool = false) async throws(DeltaError) -> LogSegment {
        let hint = try? await LastCheckpoint.read(store: store)
        // With a checkpoint hint at or below the version wanted, list from the checkpoint on (S3's start-after
        // skips the older commits' pages); if that listing cannot rebuild the state (a stale hint, a
        // checkpoint cleaned away), list everything.
        if !listAll, let hint, hint.version > 0, version.map({ $0 >= hint.version }) ?? true {
            let digits = String(hint.version)
            let from = "_delta_log/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
            let recent = try await StoreAccess.list(store, prefix: "_delta_log/", startAfter: from)
            if let segment = try? build(listing: recent, version: version, hint: hint, location: location), segment.checkpointVersion != nil {
                return segment
            }
        }
        let listing = try await StoreAccess.list(store, prefix: "_delta_log/")
        return try build(listing: listing, version: version, hint: hint, location: location)
    }

    /// Builds the segment from a listing of `_delta_log/` (pure: unit-testable without a store).
    public static func build(listing: [ObjectMeta], version target: Int64?, hint: LastCheckpoint? = nil, location: String = "table") throws(DeltaError) -> LogSegment {
        var commits: [Int64: LogFile] = [:]
        var checkpoints: [Int64: [LogFile]] = [:]
        for meta in listing {
            guard meta.path.hasPrefix("_delta_log/") else { continue }
            let name = meta.path.dropFirst("_delta_log/".count)
            if name.contains("/") { continue }  // _sidecars/, _staged_commits/ ...
            guard let (v, kind) = LogFile.parse(name: String(name)) else { continue }
            let file = LogFile(version: v, kind: kind, meta: meta)
            if case .commit = kind { commits[v] = file } else { checkpoints[v, default: []].append(file) }
        }
        // Complete checkpoints only: a multi-part checkpoint needs all its parts (of one part count).
        var complete: [Int64: [LogFile]] = [:]
        for (v, files) in checkpoints {
            if let f = files.first(where: { if case .classicCheckpoint = $0.kind { true } else { false } }) {
                complete[v] = [f]
            } else if let f = files.first(where: { if case .v2Checkpoint = $0.kind { true } else { false } }) {
                complete[v] = [f]
            } else {
                var byCount: [Int: [Int: LogFile]] = [:]
                for f in files { if case let .multiPartCheckpoint(part, parts) = f.kind { byCount[parts, default: [:]][part] = f } }
                for (parts, found) in byCount.sorted(by: { $0.key > $1.key }) where found.count == parts {
                    complete[v] = (1...parts).compactMap { found[$0] }
                    break
                }
            }
        }
        guard let latestCommit = commits.keys.max() ?? complete.keys.max() else {
            throw .notATable(location: location)
        }
        let latest = max(latestCommit, complete.keys.max() ?? latestCommit)
        // Reconstructable from version 0, else from the oldest complete checkpoint.
        let earliest = commits[0] != nil ? 0 : (complete.keys.min() ?? commits.keys.min() ?? latest)
        let available = earliest...latest
        let version = target ?? latest
        guard version >= 0, version <= latest else {
            throw .versionOutOfRange(requested: version, available: available)
        }
        // The newest complete checkpoint at or before the target; the hint is preferred when it names one.
        var cpVersion = complete.keys.filter { $0 <= version }.max()
        if let h = hint, h.version <= version, complete[h.version] != nil, cpVersion.map({ h.version >= $0 }) ?? true {
            cpVersion = h.version
        }
        let start: Int64
        if let cp = cpVersion {
            // A checkpoint at Int64.max (a crafted file name) has no commits after it.
            start = cp == Int64.max ? cp : cp + 1
        } else {
            guard commits[0] != nil else {
                // Without a checkpoint the log must start at version 0.
                let first = commits.keys.min() ?? latest
                if version < first { throw .versionOutOfRange(requested: version, available: available) }
                throw .versionGap(missing: 0, after: -1)
            }
            start = 0
        }
        var segmentCommits: [LogFile] = []
        if start <= version, cpVersion != version {
            // Bounded by the commits listed, not by the (log-supplied) version numbers.
            segmentCommits.reserveCapacity(min(commits.count, Int(version - start)))
            for v in start...version {
                guard let c = commits[v] else {
                    throw .versionGap(missing: v, after: v - 1)
                }
                segmentCommits.append(c)
            }
        }
        return LogSegment(
            version: version, checkpointVersion: cpVersion, checkpointFiles: cpVersion.flatMap { complete[$0] } ?? [],
            commits: segmentCommits, available: available)
    }
}
