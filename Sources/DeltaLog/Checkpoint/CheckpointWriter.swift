import Columnar
import ObjectStore
import Parquet

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

    /// The checkpoint's Parquet schema.
    public static let schema = Schema([
        Field("txn", .structure(txnFields)), Field("add", .structure(addFields)),
        Field("remove", .structure(removeFields)), Field("metaData", .structure(metadataFields)),
        Field("protocol", .structure(protocolFields)), Field("domainMetadata", .structure(domainFields)),
    ])

    // MARK: - Encoding

    /// The checkpoint file's bytes and its number of rows (actions).
    public static func encode(_ s: Snapshot) throws(DeltaError) -> (bytes: [UInt8], rows: Int) {
        // Row layout: protocol, metaData, txns, domains, removes, adds.
        let txns = s.transactions.values.sorted { $0.appId < $1.appId }
        let domains = s.domainMetadata.values.sorted { $0.domain < $1.domain }
        let removes = s.tombstones
        let adds = s.files
        let nTxn = txns.count, nDom = domains.count, nRem = removes.count, nAdd = adds.count
        let rows = 2 + nTxn + nDom + nRem + nAdd
        let txnStart = 2, domStart = txnStart + nTxn, remStart = domStart + nDom, addStart = remStart + nRem

        func rowsOf<T>(_ start: Int, _ items: [T], _ f: (T) -> Scalar) -> [Scalar] {
            var out = [Scalar](repeating: .null, count: rows)
            for (i, x) in items.enumerated() { out[start + i] = f(x) }
            return out
        }
        func s_(_ v: String?) -> Scalar { v.map { .string($0) } ?? .null }
        func l_(_ v: Int64?) -> Scalar { v.map { .int($0) } ?? .null }
        func b_(_ v: Bool?) -> Scalar { v.map { .boolean($0) } ?? .null }
        func map_(_ m: [String: String?]?) -> Scalar {
            guard let m else { return .null }
            return .map(m.sorted { $0.key < $1.key }.map { Scalar.MapEntry(.string($0.key), s_($0.value)) })
        }
        func tags_(_ m: [String: String]?) -> Scalar { map_(m.map { $0.mapValues { Optional($0) } }) }
        func list_(_ a: [String]?) -> Scalar { a.map { .list($0.map { .string($0) }) } ?? .null }
        func dv_(_ d: DeletionVectorDescriptor?) -> Scalar {
            guard let d else { return .null }
            return .structure([.string(d.storageType.rawValue), .string(d.pathOrInlineDv), d.offset.map { .int(Int64($0)) } ?? .null,
                               .int(Int64(d.sizeInBytes)), .int(d.cardinality)])
        }

        let p = s.protocolAction, m = s.metadata
        var protocolCol = [Scalar](repeating: .null, count: rows)
        protocolCol[0] = .structure([.int(Int64(p.minReaderVersion)), .int(Int64(p.minWriterVersion)), list_(p.readerFeatures), list_(p.writerFeatures)])
        var metadataCol = [Scalar](repeating: .null, count: rows)
        metadataCol[1] = .structure([
            .string(m.id), s_(m.name), s_(m.description), .structure([.string(m.format.provider), tags_(m.format.options)]),
            .string(m.schemaString), list_(m.partitionColumns), tags_(m.configuration), l_(m.createdTime),
        ])
        let txnCol = rowsOf(txnStart, txns) { .structure([.string($0.appId), .int($0.version), l_($0.lastUpdated)]) }
        let domCol = rowsOf(domStart, domains) { .structure([.string($0.domain), .string($0.configuration), .boolean($0.removed)]) }
        let remCol = rowsOf(remStart, removes) { r in
            .structure([.string(r.path), l_(r.deletionTimestamp), .boolean(r.dataChange), b_(r.extendedFileMetadata),
                        map_(r.partitionValues), l_(r.size), tags_(r.tags), dv_(r.deletionVector), l_(r.baseRowId),
                        l_(r.defaultRowCommitVersion), s_(r.stats)])
        }
        let addCol = rowsOf(addStart, adds) { a in
            .structure([.string(a.path), map_(a.partitionValues), .int(a.size), .int(a.modificationTime), .boolean(a.dataChange),
                        tags_(a.tags), dv_(a.deletionVector), l_(a.baseRowId), l_(a.defaultRowCommitVersion),
                        s_(a.clusteringProvider), s_(a.stats)])
        }
        do {
            var columns: [Column] = []
            for (field, values) in zip(schema.fields, [txnCol, addCol, remCol, metadataCol, protocolCol, domCol]) {
                columns.append(try Column(field.type, values))
            }
            let batch = try RecordBatch(schema: schema, columns: columns)
            return (try ParquetWriter.write([batch], schema: schema), rows)
        } catch {
            throw .invalidArgument("cannot encode the checkpoint of version \(s.version): \(error)")
        }
    }
}
