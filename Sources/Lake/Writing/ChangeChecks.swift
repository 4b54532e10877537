import Columnar
import DataFrame
import DeltaLog

/// What must hold before delete, update and merge change existing rows: lake can write the table and the
/// table allows more than appends. (The rows they write keep the table's constraints through `DataFileWriter`,
/// which enforces `TableConstraints`; tables with the change data feed on get change data files through
/// `FileRewrite`.)
enum ChangeChecks {
    /// Refuses tables whose rows `operation` may not change: features lake cannot write, and
    /// `delta.appendOnly=true` (Delta refuses deletes and updates there).
    static func checkChangeable(_ snapshot: Snapshot, operation: String) throws(LakeError) {
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        let properties = snapshot.metadata.configuration
        if properties["delta.appendOnly"]?.lowercased() == "true" {
            throw LakeError.invalidRequest("\(operation) is not allowed: the table only allows appends (delta.appendOnly=true)")
        }
    }
}
