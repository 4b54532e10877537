import Columnar
import Parquet

/// The actions of one checkpoint Parquet file (a classic checkpoint, a V2 top-level checkpoint or a V2
/// sidecar), one action per row, encoded with the column layout Delta writers use (PROTOCOL.md "Checkpoint
/// Schema"): every action a top-level struct column, `partitionValues` and `tags` as `map<string,string>`,
/// `stats` as JSON text. Classic and V2 checkpoints share this one encoding; they differ only in the schema
/// (which action columns the file has) and in which actions they put in it.
struct CheckpointRows {
    var protocolAction: ProtocolAction?
    var metadata: Metadata?
    var txns: [SetTransaction] = []
    var domains: [DomainMetadata] = []
    var checkpointMetadata: CheckpointMetadata?
    var sidecars: [Sidecar] = []
    var removes: ArraySlice<RemoveFile> = []
    var adds: ArraySlice<AddFile> = []

    /// Rows in the order they are written: protocol, metaData, checkpointMetadata, txns, domains, sidecars,
    /// removes, adds.
    var count: Int {
        (protocolAction == nil ? 0 : 1) + (metadata == nil ? 0 : 1) + (checkpointMetadata == nil ? 0 : 1)
            + txns.count + domains.count + sidecars.count + removes.count + adds.count
    }

    // MARK: - Schema

    static func str(_ n: String) -> Field { Field(n, .string) }
    static func long(_ n: String) -> Field { Field(n, .int64) }
    static func int(_ n: String) -> Field { Field(n, .int32) }
    static func bool(_ n: String) -> Field { Field(n, .boolean) }
    static func stringMap(_ n: String) -> Field {
        Field(n, .map(key: Field("key", .string, nullable: false), value: Field("value", .string)))
    }
    static func stringList(_ n: String) -> Field { Field(n, .list(Field("element", .string))) }

    static let dvFields = [str("storageType"), str("pathOrInlineDv"), int("offset"), int("sizeInBytes"), long("cardinality")]
    static let txnFields = [str("appId"), long("version"), long("lastUpdated")]
    static let addFields = [
        str("path"), stringMap("partitionValues"), long("size"), long("modificationTime"), bool("dataChange"),
        stringMap("tags"), Field("deletionVector", .structure(dvFields)), long("baseRowId"),
        long("defaultRowCommitVersion"), str("clusteringProvider"), str("stats"),
    ]
    static let removeFields = [
        str("path"), long("deletionTimestamp"), bool("dataChange"), bool("extendedFileMetadata"),
        stringMap("partitionValues"), long("size"), stringMap("tags"), Field("deletionVector", .structure(dvFields)),
        long("baseRowId"), long("defaultRowCommitVersion"), str("stats"),
    ]
    static let metadataFields = [
        str("id"), str("name"), str("description"),
        Field("format", .structure([str("provider"), stringMap("options")])), str("schemaString"),
        stringList("partitionColumns"), stringMap("configuration"), long("createdTime"),
    ]
    static let protocolFields = [int("minReaderVersion"), int("minWriterVersion"), stringList("readerFeatures"), stringList("writerFeatures")]
    static let domainFields = [str("domain"), str("configuration"), bool("removed")]
    static let checkpointMetadataFields = [long("version"), stringMap("tags")]
    static let sidecarFields = [str("path"), long("sizeInBytes"), long("modificationTime"), stringMap("tags")]

    static let txnColumn = Field("txn", .structure(txnFields))
    static let addColumn = Field("add", .structure(addFields))
    static let removeColumn = Field("remove", .structure(removeFields))
    static let metadataColumn = Field("metaData", .structure(metadataFields))
    static let protocolColumn = Field("protocol", .structure(protocolFields))
    static let domainColumn = Field("domainMetadata", .structure(domainFields))
    static let checkpointMetadataColumn = Field("checkpointMetadata", .structure(checkpointMetadataFields))
    static let sidecarColumn = Field("sidecar", .structure(sidecarFields))

    /// A classic (V1 spec) checkpoint.
    static let classicSchema = Schema([txnColumn, addColumn, removeColumn, metadataColumn, protocolColumn, domainColumn])
    /// A V2 spec top-level checkpoint: the classic columns (add and remove stay all null when the file actions
    /// are in sidecars, as Delta writes it) plus checkpointMetadata and sidecar.
    static let v2Schema = Schema(classicSchema.fields + [checkpointMetadataColumn, sidecarColumn])
    /// A sidecar: file actions only (PROTOCOL.md "Sidecar Files").
    static let sidecarSchema = Schema([addColumn, removeColumn])

    // MARK: - Encoding

    /// The Parquet bytes of these rows under `schema` (a column of `schema` with no rows here is all null;
    /// actions whose column `schema` lacks must not be present).
    func encode(schema: Schema) throws(DeltaError) -> [UInt8] {
        let rows = count
        var next = 0
        /// The row range of `n` consecutive actions of one kind, in write order.
        func take(_ n: Int) -> Int { defer { next += n }; return next }
        let protocolRow = protocolAction == nil ? nil : take(1)
        let metadataRow = metadata == nil ? nil : take(1)
        let cpmRow = checkpointMetadata == nil ? nil : take(1)
        let txnStart = take(txns.count), domStart = take(domains.count), sideStart = take(sidecars.count)
        let remStart = take(removes.count), addStart = take(adds.count)

        func rowsOf<C: Collection>(_ start: Int, _ items: C, _ f: (C.Element) -> Scalar) -> [Scalar] {
            var out = [Scalar](repeating: .null, count: rows)
            var i = start
            for x in items { out[i] = f(x); i += 1 }
            return out
        }
        func one(_ row: Int?, _ value: () -> Scalar) -> [Scalar] {
            var out = [Scalar](repeating: .null, count: rows)
            if let row { out[row] = value() }
            return out
        }
        func s_(_ v: String?) -> Scalar { v.map { .string($0) } ?? .null }
        func l_(_ v: Int64?) -> Scalar { v.map { .int($0) } ?? .null }
        func map_(_ m: [String: String?]?) -> Scalar {
            guard let m else { return .null }
            return .map(m.sorted { $0.key < $1.key }.map { Scalar.MapEntry(.string($0.key), s_($0.value)) })
        }
        func tags_(_ m: [String: String]?) -> Scalar { map_(m.map { $0.mapValues { Optional($0) } }) }
        func list_(_ a: [String]?) -> Scalar { a.map { .list($0.map { .string($0) }) } ?? .null }

        // The file-action columns have a row per file of the table: built typed, not through `Scalar`s.
        func fileActionColumn(_ field: Field) throws(ColumnarError) -> Column? {
            switch field.name {
            case "add":
                var b = AddColumnBuilder()
                for _ in 0..<addStart { b.append(nil) }
                for a in adds { b.append(a) }
                return try b.finish(field)
            case "remove":
                var b = RemoveColumnBuilder()
                for _ in 0..<remStart { b.append(nil) }
                for r in removes { b.append(r) }
                for _ in 0..<adds.count { b.append(nil) }
                return try b.finish(field)
            default:
                return nil
            }
        }

        func values(of field: Field) throws(DeltaError) -> [Scalar] {
            switch field.name {
            case "protocol":
                return one(protocolRow) {
                    guard let p = protocolAction else { return .null }
                    return .structure([.int(Int64(p.minReaderVersion)), .int(Int64(p.minWriterVersion)), list_(p.readerFeatures), list_(p.writerFeatures)])
                }
            case "metaData":
                return one(metadataRow) {
                    guard let m = metadata else { return .null }
                    return .structure([
                        .string(m.id), s_(m.name), s_(m.description), .structure([.string(m.format.provider), tags_(m.format.options)]),
                        .string(m.schemaString), list_(m.partitionColumns), tags_(m.configuration), l_(m.createdTime),
                    ])
                }
            case "checkpointMetadata":
                return one(cpmRow) { checkpointMetadata.map { .structure([.int($0.version), tags_($0.tags)]) } ?? .null }
            case "txn":
                return rowsOf(txnStart, txns) { .structure([.string($0.appId), .int($0.version), l_($0.lastUpdated)]) }
            case "domainMetadata":
                return rowsOf(domStart, domains) { .structure([.string($0.domain), .string($0.configuration), .boolean($0.removed)]) }
            case "sidecar":
                return rowsOf(sideStart, sidecars) { .structure([.string($0.path), .int($0.sizeInBytes), .int($0.modificationTime), tags_($0.tags)]) }
            default:
                throw .invalidArgument("checkpoint column \(field.name) has no encoder")
            }
        }

        // Every action present must have its column, or it would be silently dropped from the file.
        let names = Set(schema.fields.map(\.name))
        let needed: [(String, Bool)] = [
            ("protocol", protocolAction != nil), ("metaData", metadata != nil), ("checkpointMetadata", checkpointMetadata != nil),
            ("txn", !txns.isEmpty), ("domainMetadata", !domains.isEmpty), ("sidecar", !sidecars.isEmpty),
            ("remove", !removes.isEmpty), ("add", !adds.isEmpty),
        ]
        for (name, present) in needed where present && !names.contains(name) {
            throw .invalidArgument("checkpoint file schema has no \(name) column for the \(name) actions it must hold")
        }
        do {
            var columns: [Column] = []
            columns.reserveCapacity(schema.fields.count)
            for field in schema.fields {
                if let typed = try fileActionColumn(field) {
                    columns.append(typed)
                } else {
                    columns.append(try Column(field.type, try values(of: field)))
                }
            }
            let batch = try RecordBatch(schema: schema, columns: columns)
            return try ParquetWriter.write([batch], schema: schema)
        } catch let e as DeltaError {
            throw e
        } catch {
            throw .invalidArgument("cannot encode a checkpoint file: \(error)")
        }
    }
}
