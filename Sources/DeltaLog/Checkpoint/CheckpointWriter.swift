import Columnar
import ObjectStore

/// Writes classic single-file Parquet checkpoints and `_last_checkpoint` (PROTOCOL.md "Checkpoints"), with
/// the column layout Delta writers use: txn, add, remove, metaData, protocol, domainMetadata, one action
/// per row; `add.partitionValues` as `map<string,string>` and `stats` as JSON text.
public enum CheckpointWriter {
    /// The result of writing a checkpoint.
    public struct Written: Sendable, Hashable {
        /// Key of the checkpoint file.
        public var path: String
        /// The `_last_checkpoint` content written.
        public var lastCheckpoint: LastCheckpoint
        /// Keys of the sidecar files a V2 checkpoint references (none for a classic checkpoint).
        public var sidecars: [String] = []
    }

    /// Writes the checkpoint of `snapshot` and then `_last_checkpoint` (the hint last, so it never names a
    /// checkpoint that is not complete).
    @discardableResult
    public static func write(_ snapshot: Snapshot) async throws(DeltaError) -> Written {
        let (bytes, rows) = try encode(snapshot)
        let path = LogFile.classicCheckpointPath(snapshot.version)
        try await StoreAccess.put(snapshot.store, path, bytes)
        let hint = LastCheckpoint(
            version: snapshot.version, size: Int64(rows), sizeInBytes: Int64(bytes.count), numOfAddFiles: Int64(snapshot.files.count))
        try await StoreAccess.put(snapshot.store, LastCheckpoint.path, hint.serialized())
        return Written(path: path, lastCheckpoint: hint)
    }

    /// The classic checkpoint's Parquet schema.
    public static let schema = CheckpointRows.classicSchema

    /// The checkpoint file's bytes and its number of rows (actions): protocol, metaData, txns, domains,
    /// removes, adds.
    public static func encode(_ s: Snapshot) throws(DeltaError) -> (bytes: [UInt8], rows: Int) {
        let rows = CheckpointRows(
            protocolAction: s.protocolAction, metadata: s.metadata,
            txns: s.transactions.values.sorted { $0.appId < $1.appId },
            domains: s.domainMetadata.values.sorted { $0.domain < $1.domain },
            removes: s.tombstones[...], adds: s.files[...])
        do { return (try rows.encode(schema: schema), rows.count) } catch {
            throw .invalidArgument("cannot encode the checkpoint of version \(s.version): \(error)")
        }
    }
}
