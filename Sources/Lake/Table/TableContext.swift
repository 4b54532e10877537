#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Columnar
import DeltaLog
import Synchronization

/// What an operation takes from its surroundings rather than computing: the wall clock, the source of unique
/// ids for file names and table ids, and how many threads CPU work may use. Production code uses
/// `TableContext.system`; tests pin the clock and the ids (retention, restore by timestamp and vacuum depend
/// on them) and so get reproducible logs.
public struct TableContext: Sendable {
    /// Milliseconds since the Unix epoch.
    public var clock: @Sendable () -> Int64
    /// A fresh lowercase `8-4-4-4-12` UUID per call.
    public var uuid: @Sendable () -> String
    /// Concurrent tasks for CPU-bound work (file encoding and decoding).
    public var threads: Int

    /// A context with the given parts.
    public init(clock: @escaping @Sendable () -> Int64, uuid: @escaping @Sendable () -> String, threads: Int) {
        self.clock = clock
        self.uuid = uuid
        self.threads = max(1, threads)
    }

    /// The real clock, random UUIDs and `ThreadBudget.count` threads.
    public static let system = TableContext(clock: WallClock.nowMillis, uuid: RandomUUID.make, threads: ThreadBudget.count)

    /// A context for tests: the clock starts at `start` ms and advances by `step` ms on every read; ids are
    /// `00000000-0000-4000-8000-` followed by a 12-digit counter.
    public static func pinned(start: Int64, step: Int64 = 0, threads: Int = 2) -> TableContext {
        let tick = Mutex(start)
        let counter = Mutex(0)
        return TableContext(
            clock: { tick.withLock { t in defer { t = t &+ step }; return t } },
            uuid: {
                let n = counter.withLock { c in defer { c += 1 }; return c }
                let digits = String(n)
                return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
            },
            threads: threads)
    }
}

/// Random version-4 UUIDs for table ids and data file names.
enum RandomUUID {
    /// A lowercase `8-4-4-4-12` UUID string.
    @Sendable static func make() -> String { Transaction.randomUUID() }
}

/// Wall-clock time for commit timestamps and file modification times.
enum WallClock {
    /// Milliseconds since the Unix epoch.
    @Sendable static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
