#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many threads parallel work uses across lake: `LAKE_THREADS` when set to a positive integer, otherwise
/// the machine's online processors. Read once per process.
public enum ThreadBudget {
    /// The thread budget.
    public static let count: Int = {
        if let raw = getenv("LAKE_THREADS"), let n = Int(String(cString: raw)), n > 0 { return min(n, 1024) }
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return online > 0 ? min(Int(online), 1024) : 1
    }()
}
