import Columnar
import DataFrame
import DeltaLog

/// What must hold before delete, update and merge change existing rows: lake can write the table, the table
/// allows more than appends, and no change data feed would miss the change. (The rows they write keep the
/// table's constraints through `DataFileWriter`, which enforces `TableConstraints` on every write.)
enum ChangeChecks {
    /// Refuses tables whose rows `operation` may not change: features lake cannot write,
    /// `delta.appendOnly=true` (Delta refuses deletes and updates there), and `delta.enableChangeDataFeed=true`
    /// (readers of the change feed would miss a change lake does not record as `cdc` files).
    static func checkChangeable(_ snapshot: Snapshot, operation: String) throws(LakeError) {
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        let properties = snapshot.metadata.configuration
        if properties["delta.appendOnly"]?.lowercased() == "true" {
            throw LakeError.invalidRequest("\(operation) is not allowed: the table only allows appends (delta.appendOnly=true)")
        }
        if properties["delta.enableChangeDataFeed"]?.lowercased() == "true" {
            throw LakeError(.unsupported, "\(operation) on a table with the change data feed on (delta.enableChangeDataFeed=true) is not supported yet: lake does not write change data files")
        }
    }
}
