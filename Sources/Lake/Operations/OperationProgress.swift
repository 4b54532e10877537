import Synchronization

/// How far a long operation (optimize, Z-order, vacuum) has come: files and bytes done of those known so
/// far. Totals grow as the operation plans more work (a Z-order learns a partition's files when it gets there).
public struct ProgressUpdate: Sendable, Hashable {
    /// Files done.
    public var filesDone = 0
    /// Files planned so far.
    public var filesTotal = 0
    /// Bytes done.
    public var bytesDone: Int64 = 0
    /// Bytes planned so far.
    public var bytesTotal: Int64 = 0

    /// No work yet.
    public init() {}
}

/// Collects progress from an operation's tasks (any thread) and hands each new state to `sink`, which
/// must be cheap (a display throttles itself). Operations take one through their options; none means no
/// reporting.
public final class ProgressTracker: Sendable {
    private let state = Mutex(ProgressUpdate())
    private let sink: @Sendable (ProgressUpdate) -> Void

    /// A tracker reporting to `sink`.
    public init(_ sink: @escaping @Sendable (ProgressUpdate) -> Void) {
        self.sink = sink
    }

    /// The state so far.
    public var current: ProgressUpdate { state.withLock { $0 } }

    /// Adds planned work.
    public func expect(files: Int, bytes: Int64) {
        let now = state.withLock { s -> ProgressUpdate in
            s.filesTotal &+= files
            s.bytesTotal &+= bytes
            return s
        }
        sink(now)
    }

    /// Records work done.
    public func done(files: Int, bytes: Int64) {
        let now = state.withLock { s -> ProgressUpdate in
            s.filesDone &+= files
            s.bytesDone &+= bytes
            return s
        }
        sink(now)
    }
}
