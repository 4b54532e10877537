import DeltaLog

/// Writes a checkpoint of a snapshot in the kind the table asks for: a UUID-named V2 checkpoint with sidecars
/// when the table has the `v2Checkpoint` feature (unless `delta.checkpointPolicy` is `classic`), else a classic
/// Parquet checkpoint. The one entry point for `lake checkpoint`, the checkpoint after commits and
/// `lake maintain`, so they always agree.
public struct TableCheckpoint: Sendable {
    /// The table checkpointed.
    public let table: DeltaTable
    /// The top-level file's format of a V2 checkpoint; nil is Parquet. JSON needs the `v2Checkpoint` feature.
    public let format: V2CheckpointWriter.Format?
    /// Upper bound on the actions of one sidecar; nil takes `V2CheckpointWriter.Options`' default.
    public let maxActionsPerSidecar: Int?

    /// A checkpoint of `table`.
    public init(table: DeltaTable, format: V2CheckpointWriter.Format? = nil, maxActionsPerSidecar: Int? = nil) {
        self.table = table
        self.format = format
        self.maxActionsPerSidecar = maxActionsPerSidecar
    }

    /// Whether `snapshot` gets a V2 checkpoint (PROTOCOL.md "V2 Checkpoint Table Feature": the feature allows
    /// them; Delta's `delta.checkpointPolicy=classic` asks for classic ones even then).
    public static func writesV2(_ snapshot: Snapshot) -> Bool {
        V2CheckpointWriter.applies(to: snapshot) && snapshot.properties["delta.checkpointPolicy"]?.lowercased() != "classic"
    }

    /// Writes the checkpoint of `snapshot` and `_last_checkpoint`.
    @discardableResult
    public func execute(_ snapshot: Snapshot) async throws(LakeError) -> CheckpointWriter.Written {
        guard Self.writesV2(snapshot) else {
            if let format, format != .parquet {
                throw LakeError.invalidRequest("a \(format.rawValue) checkpoint is a V2 checkpoint, which needs the v2Checkpoint table feature and delta.checkpointPolicy=v2: create the table with --property delta.checkpointPolicy=v2")
            }
            do { return try await CheckpointWriter.write(snapshot) } catch { throw LakeError(error) }
        }
        var options = V2CheckpointWriter.Options(format: format ?? .parquet)
        if let maxActionsPerSidecar { options.maxActionsPerSidecar = maxActionsPerSidecar }
        // Tombstones past delta.deletedFileRetentionDuration have expired (PROTOCOL.md "Checkpoints").
        let retention = try RetentionDuration.deletedFileRetentionMillis(snapshot.properties)
        let (cutoff, overflow) = table.context.clock().subtractingReportingOverflow(retention)
        options.tombstoneCutoff = overflow ? nil : cutoff
        do { return try await V2CheckpointWriter.write(snapshot, options: options) } catch { throw LakeError(error) }
    }
}
