import Columnar
import DeltaLog
import Parquet

/// Reads the actions of a classic (or multi-part) Parquet checkpoint: one action per row, in the struct
/// column named after it (PROTOCOL.md "Checkpoint Schema"). Checkpoints are read once per snapshot load,
/// so boxing the few fields per row here is not on a data path.
enum CheckpointActions {
    static func read(_ bytes: [UInt8], file: String) throws -> [Action] {
        let reader: ParquetReader
        let batch: RecordBatch
        do {
            reader = try ParquetReader(source: MemorySource(bytes, name: file))
            let wanted = ["protocol", "metaData", "txn", "add", "remove"].filter { reader.schema.index(of: $0) != nil }
            batch = try reader.read(columns: wanted)
        } catch {
            throw DeltaError.corruptLog(file: file, line: 0, message: "unreadable checkpoint: \(error)")
        }
        var out: [Action] = []
        for (field, column) in zip(batch.schema.fields, batch.columns) {
            guard case let .structure(fields) = column.type else { continue }
            for row in 0..<column.count where !column.isNull(row) {
                guard case let .structure(values) = column.scalar(at: row) else { continue }
                let s = StructValue(fields: fields, values: values)
                switch field.name {
                case "protocol":
                    guard let r = s.int("minReaderVersion"), let w = s.int("minWriterVersion") else { continue }
                    out.append(.protocol(ProtocolAction(
                        minReaderVersion: Int(r), minWriterVersion: Int(w),
                        readerFeatures: s.strings("readerFeatures"), writerFeatures: s.strings("writerFeatures"))))
                case "metaData":
                    guard let id = s.string("id"), let schema = s.string("schemaString") else { continue }
                    let format = s.structure("format")
                    out.append(.metadata(Metadata(
                        id: id, name: s.string("name"), description: s.string("description"),
                        format: Metadata.Format(provider: format?.string("provider") ?? "parquet",
                                                options: format?.stringMap("options") ?? [:]),
                        schemaString: schema, partitionColumns: s.strings("partitionColumns") ?? [],
                        configuration: s.stringMap("configuration") ?? [:], createdTime: s.int("createdTime"))))
                case "txn":
                    guard let app = s.string("appId"), let v = s.int("version") else { continue }
                    out.append(.txn(SetTransaction(appId: app, version: v, lastUpdated: s.int("lastUpdated"))))
                case "add":
                    guard let path = s.string("path") else { continue }
                    out.append(.add(AddFile(
                        path: path, partitionValues: s.optionalStringMap("partitionValues") ?? [:],
                        size: s.int("size") ?? 0, modificationTime: s.int("modificationTime") ?? 0,
                        dataChange: s.bool("dataChange") ?? true, stats: s.string("stats"),
                        tags: s.stringMap("tags"), deletionVector: s.structure("deletionVector").flatMap(dv),
                        baseRowId: s.int("baseRowId"), defaultRowCommitVersion: s.int("defaultRowCommitVersion"))))
                case "remove":
                    guard let path = s.string("path") else { continue }
                    out.append(.remove(RemoveFile(
                        path: path, deletionTimestamp: s.int("deletionTimestamp"), dataChange: s.bool("dataChange") ?? true,
                        deletionVector: s.structure("deletionVector").flatMap(dv))))
                default: break
                }
            }
        }
        // Replay order inside a checkpoint does not matter except that removes must not hide adds of the
        // same logical file: a checkpoint never holds both, so adds after removes is safe.
        return out.filter { if case .remove = $0 { return true }; return false }
            + out.filter { if case .remove = $0 { return false }; return true }
    }

    static func dv(_ s: StructValue) -> DeletionVectorDescriptor? {
        guard let t = s.string("storageType"), let type = DeletionVectorDescriptor.StorageType(rawValue: t),
              let p = s.string("pathOrInlineDv"), let size = s.int("sizeInBytes"), let card = s.int("cardinality") else { return nil }
        return DeletionVectorDescriptor(storageType: type, pathOrInlineDv: p, offset: s.int("offset").map { Int32(truncatingIfNeeded: $0) },
                                        sizeInBytes: Int32(truncatingIfNeeded: size), cardinality: card)
    }
}

/// Field access by name on one boxed struct value.
struct StructValue {
    let fields: [Field]
    let values: [Scalar]

    func value(_ name: String) -> (Field, Scalar)? {
        guard let i = fields.firstIndex(where: { $0.name == name }), i < values.count else { return nil }
        return (fields[i], values[i])
    }
    func string(_ name: String) -> String? {
        if case let .string(s)? = value(name)?.1 { return s }
        return nil
    }
    func int(_ name: String) -> Int64? {
        switch value(name)?.1 {
        case let .int(i)?: return i
        case let .uint(u)?: return Int64(exactly: u)
        default: return nil
        }
    }
    func bool(_ name: String) -> Bool? {
        if case let .boolean(b)? = value(name)?.1 { return b }
        return nil
    }
    func structure(_ name: String) -> StructValue? {
        guard let (f, v) = value(name), case let .structure(fs) = f.type, case let .structure(vs) = v else { return nil }
        return StructValue(fields: fs, values: vs)
    }
    func strings(_ name: String) -> [String]? {
        guard case let .list(items)? = value(name)?.1 else { return nil }
        return items.compactMap { if case let .string(s) = $0 { return s }; return nil }
    }
    func optionalStringMap(_ name: String) -> [String: String?]? {
        guard case let .map(entries)? = value(name)?.1 else { return nil }
        var out: [String: String?] = [:]
        for e in entries {
            guard case let .string(k) = e.key else { continue }
            if case let .string(v) = e.value { out[k] = .some(v) } else { out[k] = .some(nil) }
        }
        return out
    }
    func stringMap(_ name: String) -> [String: String]? {
        optionalStringMap(name).map { $0.compactMapValues { $0 } }
    }
}
