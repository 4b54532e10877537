import Columnar
import DataFrame
import DeltaLog
import ObjectStore

/// Plans scans: a pure function of a snapshot and a request (no I/O), so it is tested with hand-written
/// `add` actions and reused by every operation that reads the table.
public enum ScanPlanner {
    /// Plans `request` over `snapshot`: resolves the columns, prunes files by partition values, skips files by
    /// stats, and keeps the predicate as the residual.
    public static func plan(_ snapshot: Snapshot, _ request: ScanRequest) throws(LakeError) -> ScanPlan {
        let schema = snapshot.schema
        var output: [Field] = []
        if let columns = request.columns {
            var seen = Set<String>()
            for c in columns {
                guard let f = schema.field(named: c) ?? schema.fields.first(where: { $0.name.lowercased() == c.lowercased() }) else {
                    throw LakeError.invalidRequest("column \(c) is not in the table (columns: \(schema.names.joined(separator: ", ")))")
                }
                guard seen.insert(f.name.lowercased()).inserted else { throw LakeError.invalidRequest("column \(c) is asked for twice") }
                output.append(f)
            }
        } else {
            output = schema.fields
        }
        var needed = Set(output.map { $0.name.lowercased() })
        if let predicate = request.predicate {
            let known = Set(schema.names.map { $0.lowercased() })
            for name in PredicateColumns.names(predicate) {
                guard known.contains(name) else {
                    throw LakeError.invalidRequest("the predicate uses column \(name), which is not in the table (columns: \(schema.names.joined(separator: ", ")))")
                }
                needed.insert(name)
            }
        }
        let read = schema.fields.filter { needed.contains($0.name.lowercased()) }

        var files = snapshot.files.sorted { ObjectPath.precedes($0.path, $1.path) }
        let total = files.count
        var pruned = 0, skipped = 0
        if let predicate = request.predicate {
            let skipping = DataSkipping(predicate: predicate, snapshot: snapshot)
            let before = files.count
            files = files.filter(skipping.partitionMayMatch)
            pruned = before - files.count
            let beforeStats = files.count
            files = files.filter(skipping.statsMayMatch)
            skipped = beforeStats - files.count
        }
        return ScanPlan(
            snapshot: snapshot, files: files, filesTotal: total, filesPrunedByPartition: pruned, filesSkippedByStats: skipped,
            outputSchema: Schema(output), readSchema: Schema(read), residual: request.predicate)
    }
}
