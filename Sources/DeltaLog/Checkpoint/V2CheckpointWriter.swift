import ObjectStore

/// Writes UUID-named V2 spec checkpoints with sidecars (PROTOCOL.md "V2 Spec", "UUID-named checkpoint",
/// "Sidecar Files"), for tables with the `v2Checkpoint` feature.
///
/// The file actions (add and unexpired remove) go to Parquet sidecars under `_delta_log/_sidecars/`, at most
/// `maxActionsPerSidecar` each, so neither the encoder's memory nor any file grows with the table. The
/// top-level `<version>.checkpoint.<uuid>.parquet|json` holds protocol, metaData, txn, domainMetadata, one
/// checkpointMetadata and a sidecar action per sidecar. The write order makes a crash harmless: sidecars
/// first (unreferenced sidecars are invisible: readers find checkpoints by listing `_delta_log/` itself), then
/// the top-level file (which appears whole under its unique name), then `_last_checkpoint` (a hint only).
public enum V2CheckpointWriter {
    /// Encoding of the top-level checkpoint file (sidecars are always Parquet).
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// `<version>.checkpoint.<uuid>.parquet`.
        case parquet
        /// `<version>.checkpoint.<uuid>.json`, one action per line as in commits.
        case json
    }

    /// How the checkpoint is written.
    public struct Options: Sendable, Hashable {
        /// The top-level file's format.
        public var format: Format
        /// Upper bound on the actions of one sidecar file.
        public var maxActionsPerSidecar: Int
        /// Remove actions whose `deletionTimestamp` is at or before this time (ms since the epoch) are expired
        /// tombstones and are left out; nil keeps every tombstone.
        public var tombstoneCutoff: Int64?

        /// Options; 50,000 actions per sidecar keeps a sidecar's encoding in the tens of megabytes.
        public init(format: Format = .parquet, maxActionsPerSidecar: Int = 50_000, tombstoneCutoff: Int64? = nil) {
            self.format = format
            self.maxActionsPerSidecar = maxActionsPerSidecar
            self.tombstoneCutoff = tombstoneCutoff
        }
    }

    /// Where sidecar files live, relative to the table root.
    public static let sidecarDirectory = "_delta_log/_sidecars/"

    /// `_last_checkpoint` embeds the non-file actions and sidecars only up to this many of each, as Delta
    /// does, so the hint stays small for tables with many application transactions or sidecars.
    static let embedLimit = 30

    /// Whether `snapshot`'s protocol has the `v2Checkpoint` feature, the only case UUID-named checkpoints and
    /// sidecars may be written.
    public static func applies(to snapshot: Snapshot) -> Bool {
        TableFeatures.supports(snapshot.protocolAction, feature: "v2Checkpoint")
    }

    /// Writes the V2 checkpoint of `snapshot`: its sidecars, the top-level file, then `_last_checkpoint`.
    @discardableResult
    public static func write(_ snapshot: Snapshot, options: Options = Options()) async throws(DeltaError) -> CheckpointWriter.Written {
        guard applies(to: snapshot) else {
            throw .invalidArgument("version \(snapshot.version) has no v2Checkpoint table feature: UUID-named checkpoints with sidecars need it (set delta.checkpointPolicy=v2)")
        }
        guard options.maxActionsPerSidecar >= 1 else {
            throw .invalidArgument("a sidecar must hold at least 1 action, not \(options.maxActionsPerSidecar)")
        }
        let store = snapshot.store
        let removes = options.tombstoneCutoff.map { cutoff in snapshot.tombstones.filter { ($0.deletionTimestamp ?? Int64.max) > cutoff } }
            ?? snapshot.tombstones
        let adds = snapshot.files

        // 1. Sidecars, removes then adds, in bounded chunks of the combined sequence.
        var sidecars: [Sidecar] = []
        var sidecarKeys: [String] = []
        var sidecarBytes: Int64 = 0
        let total = removes.count + adds.count
        var lo = 0
        while lo < total {
            let hi = lo + min(options.maxActionsPerSidecar, total - lo)
            let rows = CheckpointRows(
                removes: removes[min(lo, removes.count)..<min(hi, removes.count)],
                adds: adds[max(lo - removes.count, 0)..<max(hi - removes.count, 0)])
            let bytes = try rows.encode(schema: CheckpointRows.sidecarSchema)
            let name = Transaction.randomUUID() + ".parquet"
            let key = sidecarDirectory + name
            try await StoreAccess.put(store, key, bytes)
            let written = try await head(store, key)
            sidecars.append(Sidecar(path: name, sizeInBytes: Int64(bytes.count), modificationTime: written.lastModified))
            sidecarKeys.append(key)
            sidecarBytes += Int64(bytes.count)
            lo = hi
        }

        // 2. The top-level file: every non-file action, then the sidecar references.
        let cpm = CheckpointMetadata(version: snapshot.version, tags: [
            "sidecarNumActions": String(total), "sidecarSizeInBytes": String(sidecarBytes), "numOfAddFiles": String(adds.count),
        ])
        let top = CheckpointRows(
            protocolAction: snapshot.protocolAction, metadata: snapshot.metadata,
            txns: snapshot.transactions.values.sorted { $0.appId < $1.appId },
            domains: snapshot.domainMetadata.values.sorted { $0.domain < $1.domain },
            checkpointMetadata: cpm, sidecars: sidecars)
        let nonFile: [Action] = [.checkpointMetadata(cpm), .protocol(snapshot.protocolAction), .metadata(snapshot.metadata)]
            + top.txns.map { .txn($0) } + top.domains.map { .domainMetadata($0) }
        let topBytes: [UInt8]
        switch options.format {
        case .parquet: topBytes = try top.encode(schema: CheckpointRows.v2Schema)
        case .json: topBytes = CommitFile.serialize(nonFile + sidecars.map { .sidecar($0) })
        }
        let path = LogFile.v2CheckpointPath(snapshot.version, uuid: Transaction.randomUUID(), json: options.format == .json)
        try await StoreAccess.put(store, path, topBytes)
        let topMeta = try await head(store, path)

        // 3. The hint, last: it names the checkpoint only once every file of it is in place.
        let embed = nonFile.count <= embedLimit && sidecars.count <= embedLimit
        let hint = LastCheckpoint(
            version: snapshot.version, size: Int64(top.count + total), sizeInBytes: Int64(topBytes.count) + sidecarBytes,
            numOfAddFiles: Int64(adds.count),
            v2Checkpoint: LastCheckpoint.V2Checkpoint(
                path: String(path.dropFirst("_delta_log/".count)), sizeInBytes: Int64(topBytes.count), modificationTime: topMeta.lastModified,
                nonFileActions: embed ? nonFile : nil, sidecarFiles: embed ? sidecars : nil))
        try await StoreAccess.put(store, LastCheckpoint.path, hint.serialized())
        return CheckpointWriter.Written(path: path, lastCheckpoint: hint, sidecars: sidecarKeys)
    }

    static func head(_ store: any ObjectStore, _ path: String) async throws(DeltaError) -> ObjectMeta {
        do { return try await store.head(path) } catch { throw StoreAccess.wrap(error, path: path) }
    }
}
