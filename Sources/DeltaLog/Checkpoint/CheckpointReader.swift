import Columnar
import ObjectStore
import Parquet

/// Reads checkpoints into actions: classic and multi-part Parquet, and V2 manifests (JSON or Parquet) with
/// their sidecars (PROTOCOL.md "Checkpoints", "V2 Checkpoint").
public enum CheckpointReader {
    /// The action columns a checkpoint may hold.
    static let actionColumns = ["protocol", "metaData", "txn", "add", "remove", "domainMetadata", "checkpointMetadata", "sidecar"]

    /// Every action of the checkpoint files of a segment, sidecars included.
    public static func read(store: any ObjectStore, files: [LogFile]) async throws(DeltaError) -> [Action] {
        var manifests: [[Action]] = []
        do {
            manifests = try await withThrowingTaskGroup(of: (Int, [Action]).self) { group in
                for (i, f) in files.enumerated() {
                    group.addTask {
                        let bytes = try await StoreAccess.get(store, f.meta.path)
                        if case .v2Checkpoint(_, json: true) = f.kind {
                            return (i, try CommitFile.parse(bytes, file: f.meta.path))
                        }
                        return (i, try parseParquet(bytes, file: f.meta.path))
                    }
                }
                var out = [[Action]](repeating: [], count: files.count)
                for try await (i, a) in group { out[i] = a }
                return out
            }
        } catch {
            throw StoreAccess.wrap(error, path: files.first?.meta.path ?? "_delta_log")
        }
        var actions = manifests.flatMap { $0 }
        let sidecars = actions.compactMap { if case let .sidecar(s) = $0 { s } else { nil } }
        if !sidecars.isEmpty {
            actions.append(contentsOf: try await readSidecars(store: store, sidecars))
        }
        return actions
    }

    /// The sidecars one checkpoint file references (for metadata cleanup): the `sidecar` actions of a V2
    /// manifest, or of a classic checkpoint written to the V2 spec; none for multi-part (V1 only) checkpoints.
    /// Only the `sidecar` column of a Parquet checkpoint is decoded.
    public static func sidecars(store: any ObjectStore, file: LogFile) async throws(DeltaError) -> [Sidecar] {
        let actions: [Action]
        switch file.kind {
        case .commit, .multiPartCheckpoint: return []
        case .v2Checkpoint(_, json: true):
            actions = try CommitFile.parse(try await StoreAccess.get(store, file.meta.path), file: file.meta.path)
        case .v2Checkpoint, .classicCheckpoint:
            let bytes = try await StoreAccess.get(store, file.meta.path)
            let batch: RecordBatch
            do {
                let reader = try ParquetReader(source: MemorySource(bytes, name: file.meta.path))
                guard reader.schema.index(of: "sidecar") != nil else { return [] }
                batch = try reader.read(columns: ["sidecar"])
            } catch {
                throw .corruptLog(file: file.meta.path, line: 0, message: "checkpoint is not readable Parquet: \(error)")
            }
            actions = try decode(batch, file: file.meta.path)
        }
        return actions.compactMap { if case let .sidecar(s) = $0 { s } else { nil } }
    }

    /// The file actions of V2 sidecars, read in parallel.
    static func readSidecars(store: any ObjectStore, _ sidecars: [Sidecar]) async throws(DeltaError) -> [Action] {
        do {
            return try await withThrowingTaskGroup(of: (Int, [Action]).self) { group in
                for (i, s) in sidecars.enumerated() {
                    group.addTask {
                        let path = s.relativePath
                        guard let bytes = try await StoreAccess.getIfPresent(store, path) else {
                            throw DeltaError.fileNotFound(path: path)
                        }
                        return (i, try parseParquet(bytes, file: path))
                    }
                }
                var out = [[Action]](repeating: [], count: sidecars.count)
                for try await (i, a) in group { out[i] = a }
                return out.flatMap { $0 }
            }
        } catch {
            throw StoreAccess.wrap(error, path: "_delta_log/_sidecars")
        }
    }

    /// Decodes the actions of one Parquet checkpoint (or sidecar) file held in memory.
    public static func parseParquet(_ bytes: [UInt8], file: String) throws(DeltaError) -> [Action] {
        let batch: RecordBatch
        do {
            let reader = try ParquetReader(source: MemorySource(bytes, name: file))
            let present = actionColumns.filter { reader.schema.index(of: $0) != nil }
            batch = try reader.read(columns: present)
        } catch {
            throw .corruptLog(file: file, line: 0, message: "checkpoint is not readable Parquet: \(error)")
        }
        return try decode(batch, file: file)
    }

    /// Decodes a checkpoint batch (top-level struct columns named after actions) into actions, row by row.
    public static func decode(_ batch: RecordBatch, file: String) throws(DeltaError) -> [Action] {
        func col(_ name: String) -> CheckpointColumn? {
            batch.column(named: name).map { CheckpointColumn(column: $0, file: file) }
        }
        var out: [Action] = []
        out.reserveCapacity(batch.rowCount)
        if let c = col("protocol") { try decodeProtocol(c, into: &out) }
        if let c = col("metaData") { try decodeMetadata(c, into: &out) }
        if let c = col("txn") { try decodeTxn(c, into: &out) }
        if let c = col("domainMetadata") { try decodeDomainMetadata(c, into: &out) }
        if let c = col("checkpointMetadata") { try decodeCheckpointMetadata(c, into: &out) }
        if let c = col("sidecar") { try decodeSidecar(c, into: &out) }
        if let c = col("remove") { try decodeRemove(c, into: &out) }
        if let c = col("add") { try decodeAdd(c, into: &out) }
        return out
    }

    // MARK: - Actions

    /// Deletion vector descriptors of a `deletionVector` struct column.
    struct DVView {
        let col: CheckpointColumn
        let storage: StringView?
        let path: StringView?
        let offset: IntView?
        let size: IntView?
        let cardinality: IntView?

        /// Nil when the column is absent or null in every row (no file has a deletion vector), so the
        /// decoders skip it without a per-row check.
        init?(_ c: CheckpointColumn?) {
            guard let c, c.column.validity == nil || c.column.nullCount < c.column.count else { return nil }
            col = c
            storage = StringView(c.child("storageType"))
            path = StringView(c.child("pathOrInlineDv"))
            offset = IntView(c.child("offset"))
            size = IntView(c.child("sizeInBytes"))
            cardinality = IntView(c.child("cardinality"))
        }

        func get(_ row: Int) throws(DeltaError) -> DeletionVectorDescriptor? {
            guard col.isValid(row) else { return nil }
            guard let st = storage?.get(row), let type = DeletionVectorDescriptor.StorageType(rawValue: st) else {
                throw col.corrupt("row \(row): deletion vector has no valid storageType")
            }
            guard let p = path?.get(row), let s = size?.get(row), let card = cardinality?.get(row),
                  let s32 = Int32(exactly: s) else {
                throw col.corrupt("row \(row): deletion vector misses pathOrInlineDv, sizeInBytes or cardinality")
            }
            return DeletionVectorDescriptor(
                storageType: type, pathOrInlineDv: p, offset: offset?.get(row).flatMap { Int32(exactly: $0) },
                sizeInBytes: s32, cardinality: card)
        }
    }

    // The file-action decoders run once per row of the largest columns: every view is unwrapped (absent
    // children become empty views) before the loop, so the loop copies no view and boxes no value.

    static func decodeAdd(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let path = StringView.orEmpty(c.child("path"))
        let pv = StringMapView.orEmpty(c.child("partitionValues"))
        let size = IntView.orEmpty(c.child("size"))
        let mtime = IntView.orEmpty(c.child("modificationTime"))
        let dataChange = BoolView.orEmpty(c.child("dataChange"))
        let stats = StringView.orEmpty(c.child("stats"))
        let tags = StringMapView.orEmpty(c.child("tags"))
        let dv = DVView(c.child("deletionVector"))
        let baseRowId = IntView.orEmpty(c.child("baseRowId"))
        let drcv = IntView.orEmpty(c.child("defaultRowCommitVersion"))
        let clustering = StringView.orEmpty(c.child("clusteringProvider"))
        let column = c.column
        let allValid = column.validity == nil
        for row in 0..<column.count where allValid || !column.isNull(row) {
            guard let p = path.get(row) else { throw c.corrupt("row \(row): add action has no path") }
            guard let s = size.get(row) else { throw c.corrupt("row \(row): add action \(p) has no size") }
            let deletionVector = try dv?.get(row)
            out.append(.add(AddFile(
                path: p, partitionValues: pv.get(row) ?? [:], size: s, modificationTime: mtime.get(row) ?? 0,
                dataChange: dataChange.get(row) ?? true, stats: stats.get(row), tags: tags.getNonNull(row),
                deletionVector: deletionVector, baseRowId: baseRowId.get(row),
                defaultRowCommitVersion: drcv.get(row), clusteringProvider: clustering.get(row))))
        }
    }

    static func decodeRemove(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let path = StringView.orEmpty(c.child("path"))
        let ts = IntView.orEmpty(c.child("deletionTimestamp"))
        let dataChange = BoolView.orEmpty(c.child("dataChange"))
        let ext = BoolView.orEmpty(c.child("extendedFileMetadata"))
        let pv = StringMapView.orEmpty(c.child("partitionValues"))
        let size = IntView.orEmpty(c.child("size"))
        let stats = StringView.orEmpty(c.child("stats"))
        let tags = StringMapView.orEmpty(c.child("tags"))
        let dv = DVView(c.child("deletionVector"))
        let baseRowId = IntView.orEmpty(c.child("baseRowId"))
        let drcv = IntView.orEmpty(c.child("defaultRowCommitVersion"))
        let column = c.column
        let allValid = column.validity == nil
        for row in 0..<column.count where allValid || !column.isNull(row) {
            guard let p = path.get(row) else { throw c.corrupt("row \(row): remove action has no path") }
            let deletionVector = try dv?.get(row)
            out.append(.remove(RemoveFile(
                path: p, deletionTimestamp: ts.get(row), dataChange: dataChange.get(row) ?? true,
                extendedFileMetadata: ext.get(row), partitionValues: pv.get(row), size: size.get(row),
                stats: stats.get(row), tags: tags.getNonNull(row), deletionVector: deletionVector,
                baseRowId: baseRowId.get(row), defaultRowCommitVersion: drcv.get(row))))
        }
    }

    static func decodeMetadata(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let id = StringView(c.child("id"))
        let name = StringView(c.child("name"))
        let desc = StringView(c.child("description"))
        let format = c.child("format")
        let provider = StringView(format?.child("provider"))
        let options = StringMapView(format?.child("options"))
        let schema = StringView(c.child("schemaString"))
        let partitions = StringListView(c.child("partitionColumns"))
        let config = StringMapView(c.child("configuration"))
        let created = IntView(c.child("createdTime"))
        for row in 0..<c.column.count where c.isValid(row) {
            guard let i = id?.get(row) else { throw c.corrupt("row \(row): metaData action has no id") }
            out.append(.metadata(Metadata(
                id: i, name: name?.get(row), description: desc?.get(row),
                format: Metadata.Format(provider: provider?.get(row) ?? "parquet", options: options?.getNonNull(row) ?? [:]),
                schemaString: schema?.get(row) ?? "", partitionColumns: partitions?.get(row) ?? [],
                configuration: config?.getNonNull(row) ?? [:], createdTime: created?.get(row))))
        }
    }

    static func decodeProtocol(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let reader = IntView(c.child("minReaderVersion"))
        let writer = IntView(c.child("minWriterVersion"))
        let rf = StringListView(c.child("readerFeatures"))
        let wf = StringListView(c.child("writerFeatures"))
        for row in 0..<c.column.count where c.isValid(row) {
            guard let r = reader?.get(row), let w = writer?.get(row) else {
                throw c.corrupt("row \(row): protocol action misses minReaderVersion or minWriterVersion")
            }
            out.append(.protocol(ProtocolAction(
                minReaderVersion: Int(clamping: r), minWriterVersion: Int(clamping: w),
                readerFeatures: rf?.get(row), writerFeatures: wf?.get(row))))
        }
    }

    static func decodeTxn(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let app = StringView(c.child("appId"))
        let version = IntView(c.child("version"))
        let updated = IntView(c.child("lastUpdated"))
        for row in 0..<c.column.count where c.isValid(row) {
            guard let a = app?.get(row), let v = version?.get(row) else { throw c.corrupt("row \(row): txn action misses appId or version") }
            out.append(.txn(SetTransaction(appId: a, version: v, lastUpdated: updated?.get(row))))
        }
    }

    static func decodeDomainMetadata(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let domain = StringView(c.child("domain"))
        let config = StringView(c.child("configuration"))
        let removed = BoolView(c.child("removed"))
        for row in 0..<c.column.count where c.isValid(row) {
            guard let d = domain?.get(row) else { throw c.corrupt("row \(row): domainMetadata action has no domain") }
            out.append(.domainMetadata(DomainMetadata(domain: d, configuration: config?.get(row) ?? "", removed: removed?.get(row) ?? false)))
        }
    }

    static func decodeCheckpointMetadata(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let version = IntView(c.child("version"))
        let tags = StringMapView(c.child("tags"))
        for row in 0..<c.column.count where c.isValid(row) {
            guard let v = version?.get(row) else { throw c.corrupt("row \(row): checkpointMetadata has no version") }
            out.append(.checkpointMetadata(CheckpointMetadata(version: v, tags: tags?.getNonNull(row))))
        }
    }

    static func decodeSidecar(_ c: CheckpointColumn, into out: inout [Action]) throws(DeltaError) {
        let path = StringView(c.child("path"))
        let size = IntView(c.child("sizeInBytes"))
        let mtime = IntView(c.child("modificationTime"))
        let tags = StringMapView(c.child("tags"))
        for row in 0..<c.column.count where c.isValid(row) {
            guard let p = path?.get(row), let s = size?.get(row) else { throw c.corrupt("row \(row): sidecar misses path or sizeInBytes") }
            out.append(.sidecar(Sidecar(path: p, sizeInBytes: s, modificationTime: mtime?.get(row) ?? 0, tags: tags?.getNonNull(row))))
        }
    }
}
