import Columnar
import DeltaLog

/// The commits a change data feed read covers: the versions `start...end`, resolved from the bounds the caller
/// gave, and each version's commit time.
///
/// The bounds resolve as Delta's change data feed resolves them (PROTOCOL.md "Change Data Files"; Spark's
/// `CDCReader`): a starting timestamp selects the first commit at or after it, an ending timestamp the last
/// commit at or before it; an ending version past the latest reads up to the latest, a starting version past
/// it is an error. Every version of the range must still have its commit file: change data of commits that log
/// cleanup removed cannot be read.
struct ChangeRange: Sendable, Hashable {
    /// One commit file still in the log: its version and commit time (ms since the epoch).
    struct Commit: Sendable, Hashable {
        var version: Int64
        var timestamp: Int64
    }

    /// The first version read.
    var start: Int64
    /// The last version read.
    var end: Int64
    /// The commits `start...end`, in version order.
    var commits: [Commit]

    /// Resolves `from` and `to` against `available` (the commit files in the log, sorted by version, with their
    /// commit times). `.latest` as a start reads only the latest commit.
    static func resolve(from: VersionSpec, to: VersionSpec, available: [Commit], location: String) throws(LakeError) -> ChangeRange {
        guard let first = available.first, let last = available.last else {
            throw LakeError(.notFound, "no commits in the log of \(location)")
        }
        let start: Int64
        switch from {
        case .latest:
            start = last.version
        case let .version(v):
            guard v >= 0 else { throw LakeError.invalidRequest("cannot read changes from version \(v): versions start at 0") }
            guard v <= last.version else {
                throw LakeError(.notFound, "cannot read changes from version \(v) of \(location): the latest version is \(last.version)")
            }
            start = v
        case let .timestamp(ms):
            guard let c = available.first(where: { $0.timestamp >= ms }) else {
                throw LakeError(.notFound, "no commit of \(location) at or after \(TimestampText.iso(ms)): the latest, version \(last.version), was committed at \(TimestampText.iso(last.timestamp))")
            }
            start = c.version
        }
        let end: Int64
        switch to {
        case .latest:
            end = last.version
        case let .version(v):
            guard v >= 0 else { throw LakeError.invalidRequest("cannot read changes up to version \(v): versions start at 0") }
            end = min(v, last.version)
        case let .timestamp(ms):
            guard let c = available.last(where: { $0.timestamp <= ms }) else {
                throw LakeError(.notFound, "no commit of \(location) at or before \(TimestampText.iso(ms)): the earliest still in the log, version \(first.version), was committed at \(TimestampText.iso(first.timestamp))")
            }
            end = c.version
        }
        guard start <= end else {
            throw LakeError.invalidRequest("the change range starts at version \(start), after its end at version \(end): give a start at or before the end")
        }
        guard let i = available.firstIndex(where: { $0.version >= start }), available[i].version == start else {
            throw cleanedUp(start, earliest: first.version, location: location)
        }
        // Walk the range in the listing; it holds one entry per commit file, so this is bounded by the log.
        var commits: [Commit] = []
        var j = i
        var expected = start
        while true {
            guard j < available.count, available[j].version == expected else {
                throw cleanedUp(expected, earliest: first.version, location: location)
            }
            commits.append(available[j])
            // Stop before stepping past `end`, which may be the largest version there is.
            if expected == end { break }
            j += 1
            expected += 1
        }
        return ChangeRange(start: start, end: end, commits: commits)
    }

    /// Commits from a log listing `(version, modification time)`, sorted by version, with time travel's rule
    /// for commits without an in-commit timestamp: modification times made strictly increasing.
    static func modificationTimes(_ listing: [(Int64, Int64)]) -> [Commit] {
        var out: [Commit] = []
        out.reserveCapacity(listing.count)
        var previous: Int64?
        for (version, modified) in listing {
            let t = Snapshot.commitTimestamp(inCommit: nil, modified: modified, previous: previous)
            out.append(Commit(version: version, timestamp: t))
            previous = t
        }
        return out
    }

    private static func cleanedUp(_ version: Int64, earliest: Int64, location: String) -> LakeError {
        LakeError(.notFound, "the commit file of version \(version) of \(location) is no longer in the log (log cleanup removes old commits), so its change data cannot be read; the earliest commit still in the log is version \(earliest)")
    }
}

/// Renders commit times for messages and listings.
public enum TimestampText {
    /// `ms` since the epoch as ISO 8601 UTC, as lake prints timestamps.
    public static func iso(_ ms: Int64) -> String {
        var out: [UInt8] = []
        CivilTime.appendTimestamp(ms, unit: .millisecond, utc: true, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
