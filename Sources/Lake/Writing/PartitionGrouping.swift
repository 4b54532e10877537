import Columnar
import DeltaLog

/// Assigns each row a partition group id from its partition columns' values, reading the typed buffers
/// directly (integers and UTF-8 bytes); only one row per group is boxed, to serialize its partition values.
enum PartitionGrouping {
    /// Per-row group ids and, per group, a representative row.
    static func groups(_ columns: [Column]) -> (ids: [Int32], representatives: [Int]) {
        guard let n = columns.first?.count else { return ([], []) }
        var combined = [Int64](repeating: 0, count: n)
        var radix: Int64 = 1
        var fallback = false
        for c in columns {
            let (codes, distinct) = codesOf(c)
            // Mixed-radix combination of per-column codes; overflow is impossible for realistic partition counts,
            // but fall back to array keys rather than trap if it would happen.
            let (nextRadix, o) = radix.multipliedReportingOverflow(by: Int64(distinct) + 1)
            if o { fallback = true; break }
            codes.withUnsafeBufferPointer { cs in
                combined.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n { out[i] = out[i] &+ Int64(cs[i]) &* radix }
                }
            }
            radix = nextRadix
        }
        if fallback {
            let perColumn = columns.map { codesOf($0).codes }
            var keys: [[Int32]: Int32] = [:]
            var ids = [Int32](repeating: 0, count: n)
            var reps: [Int] = []
            for i in 0..<n {
                let key = perColumn.map { $0[i] }
                if let g = keys[key] { ids[i] = g } else { keys[key] = Int32(reps.count); ids[i] = Int32(reps.count); reps.append(i) }
            }
            return (ids, reps)
        }
        var groupOf: [Int64: Int32] = [:]
        var ids = [Int32](repeating: 0, count: n)
        var reps: [Int] = []
        for i in 0..<n {
            let k = combined[i]
            if let g = groupOf[k] { ids[i] = g } else { groupOf[k] = Int32(reps.count); ids[i] = Int32(reps.count); reps.append(i) }
        }
        return (ids, reps)
    }

    /// Dense codes per row (0 = null) and the number of distinct non-null values.
    static func codesOf(_ c: Column) -> (codes: [Int32], distinct: Int) {
        let n = c.count
        var codes = [Int32](repeating: 0, count: n)
        func ints<T: Hashable>(_ a: [T]) -> Int {
            var dict: [T: Int32] = [:]
            for i in 0..<n where !c.isNull(i) {
                if let code = dict[a[i]] { codes[i] = code } else { let code = Int32(dict.count + 1); dict[a[i]] = code; codes[i] = code }
            }
            return dict.count
        }
        switch c.values {
        case let .int8(a): let d = ints(a); return (codes, d)
        case let .int16(a): let d = ints(a); return (codes, d)
        case let .int32(a): let d = ints(a); return (codes, d)
        case let .int64(a): let d = ints(a); return (codes, d)
        case let .decimal(a): let d = ints(a); return (codes, d)
        case let .float32(a): let d = ints(a.map(\.bitPattern)); return (codes, d)
        case let .float64(a): let d = ints(a.map(\.bitPattern)); return (codes, d)
        case let .boolean(b): let d = ints((0..<n).map { b[$0] }); return (codes, d)
        case let .bytes(o, d):
            var dict: [ArraySlice<UInt8>: Int32] = [:]
            for i in 0..<n where !c.isNull(i) {
                let v = d[Int(o[i])..<Int(o[i + 1])]
                if let code = dict[v] { codes[i] = code } else { let code = Int32(dict.count + 1); dict[v] = code; codes[i] = code }
            }
            return (codes, dict.count)
        default:
            var dict: [Scalar: Int32] = [:]
            for i in 0..<n where !c.isNull(i) {
                let v = c.scalar(at: i)
                if let code = dict[v] { codes[i] = code } else { let code = Int32(dict.count + 1); dict[v] = code; codes[i] = code }
            }
            return (codes, dict.count)
        }
    }
}
