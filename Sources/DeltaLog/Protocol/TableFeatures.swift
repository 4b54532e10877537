import Columnar

/// Protocol versions and table features: what lake can read and write, and the smallest protocol a table needs
/// (PROTOCOL.md "Table Features", "Writer Version Requirements", "Reader Version Requirements").
public enum TableFeatures {
    /// Reader protocol versions lake reads.
    public static let readerVersions: ClosedRange<Int> = 1...3
    /// Writer protocol versions lake writes.
    public static let writerVersions: ClosedRange<Int> = 1...7

    /// Reader features lake implements: a table listing any other reader feature cannot be read.
    public static let supportedReaderFeatures: Set<String> = [
        "columnMapping", "deletionVectors", "timestampNtz", "typeWidening", "typeWidening-preview",
        "v2Checkpoint", "vacuumProtocolCheck",
        // Unshredded variants read as the struct of metadata and value binaries (DeltaSchema); lake does not
        // write them, so these are no writer features, and `variantShredding-preview` is not read.
        "variantType", "variantType-preview",
    ]

    /// Writer features lake implements when writing. Deliberately conservative: a feature is listed only when
    /// every writer requirement of it is met (columnMapping: physical names and ids in data files, stats and
    /// partition values, ids for new columns; clustering: the `delta.clustering` domain kept on every commit, as
    /// every domain is, and stats for the clustering columns, which lake only accepts among the columns its
    /// writer collects stats for; v2Checkpoint: lake never writes multi-part checkpoints, writes UUID-named V2
    /// checkpoints with sidecars (`V2CheckpointWriter`) and cleans up unreferenced sidecars).
    public static let supportedWriterFeatures: Set<String> = [
        "appendOnly", "invariants", "checkConstraints", "changeDataFeed", "timestampNtz",
        "domainMetadata", "vacuumProtocolCheck", "columnMapping", "deletionVectors", "clustering", "v2Checkpoint",
    ]

    /// Features that are both reader and writer features (they go in both lists at reader version 3).
    public static let readerWriterFeatures: Set<String> = [
        "columnMapping", "deletionVectors", "timestampNtz", "typeWidening", "typeWidening-preview",
        "v2Checkpoint", "vacuumProtocolCheck", "variantType", "variantType-preview", "variantShredding-preview",
        "catalogManaged", "catalogOwned-preview",
    ]

    /// Writer features implied by legacy writer versions 2 to 6 (before explicit feature lists).
    public static func legacyWriterFeatures(version: Int) -> [String] {
        var f: [String] = []
        if version >= 2 { f += ["appendOnly", "invariants"] }
        if version >= 3 { f += ["checkConstraints"] }
        if version >= 4 { f += ["changeDataFeed", "generatedColumns"] }
        if version >= 5 { f += ["columnMapping"] }
        if version >= 6 { f += ["identityColumns"] }
        return f
    }

    /// The legacy (reader, writer) versions that imply a feature, for features that predate version 7.
    static let legacyVersions: [String: (reader: Int, writer: Int)] = [
        "appendOnly": (1, 2), "invariants": (1, 2), "checkConstraints": (1, 3), "changeDataFeed": (1, 4),
        "generatedColumns": (1, 4), "columnMapping": (2, 5), "identityColumns": (1, 6),
    ]

    /// Throws unless lake can read a table with this protocol; the error names the unsupported features.
    public static func checkReadable(_ p: ProtocolAction) throws(DeltaError) {
        guard readerVersions.contains(p.minReaderVersion) else {
            throw .unsupportedProtocolVersion(kind: .reader, version: p.minReaderVersion, supported: readerVersions)
        }
        if p.minReaderVersion == 3 {
            let unknown = (p.readerFeatures ?? []).filter { !supportedReaderFeatures.contains($0) }
            if !unknown.isEmpty { throw .unsupportedFeature(kind: .reader, features: unknown) }
        }
    }

    /// Throws unless lake can write a table with this protocol (and metadata, which decides whether legacy
    /// features such as generated or identity columns are actually in use).
    public static func checkWritable(_ p: ProtocolAction, metadata: Metadata? = nil) throws(DeltaError) {
        try checkReadable(p)
        guard writerVersions.contains(p.minWriterVersion) else {
            throw .unsupportedProtocolVersion(kind: .writer, version: p.minWriterVersion, supported: writerVersions)
        }
        var unsupported: [String] = []
        if p.minWriterVersion == 7 {
            unsupported = (p.writerFeatures ?? []).filter { !supportedWriterFeatures.contains($0) }
        } else if let metadata {
            // Legacy versions imply features; only those the table actually uses block writing.
            let used = try requiredFeatures(metadata)
            unsupported = legacyWriterFeatures(version: p.minWriterVersion).filter { used.contains($0) && !supportedWriterFeatures.contains($0) }
        } else {
            unsupported = legacyWriterFeatures(version: p.minWriterVersion).filter { !supportedWriterFeatures.contains($0) }
        }
        if !unsupported.isEmpty { throw .unsupportedFeature(kind: .writer, features: unsupported) }
    }

    /// Whether a protocol supports a feature, explicitly (versions 3/7) or implied by a legacy version.
    public static func supports(_ p: ProtocolAction, feature: String) -> Bool {
        if p.minWriterVersion == 7 {
            if p.writerFeatures?.contains(feature) == true { return true }
        } else if legacyWriterFeatures(version: p.minWriterVersion).contains(feature) {
            return true
        }
        if p.minReaderVersion == 3 { return p.readerFeatures?.contains(feature) == true }
        return feature == "columnMapping" && p.minReaderVersion >= 2 && p.minWriterVersion >= 5
    }

    /// The features a table's metadata makes necessary (properties, schema types, column metadata).
    public static func requiredFeatures(_ metadata: Metadata) throws(DeltaError) -> Set<String> {
        let schema = metadata.schemaString.isEmpty ? Schema([]) : try DeltaSchema.parse(metadata.schemaString)
        return requiredFeatures(schema: schema, configuration: metadata.configuration)
    }

    /// The features needed by a schema and table properties.
    public static func requiredFeatures(schema: Schema, configuration: [String: String]) -> Set<String> {
        var f: Set<String> = []
        func on(_ key: String) -> Bool { configuration[key]?.lowercased() == "true" }
        if on("delta.appendOnly") { f.insert("appendOnly") }
        if configuration.keys.contains(where: { $0.hasPrefix("delta.constraints.") }) { f.insert("checkConstraints") }
        if on("delta.enableChangeDataFeed") { f.insert("changeDataFeed") }
        if let mode = configuration["delta.columnMapping.mode"], mode != "none" { f.insert("columnMapping") }
        if on("delta.enableDeletionVectors") { f.insert("deletionVectors") }
        if on("delta.enableTypeWidening") { f.insert("typeWidening") }
        if configuration["delta.checkpointPolicy"] == "v2" { f.insert("v2Checkpoint") }
        if on("delta.enableInCommitTimestamps") { f.insert("inCommitTimestamp") }
        if on("delta.enableRowTracking") { f.insert("rowTracking"); f.insert("domainMetadata") }
        func visit(_ fields: [Field]) {
            for field in fields {
                if field.metadata["delta.invariants"] != nil { f.insert("invariants") }
                if field.metadata["delta.generationExpression"] != nil { f.insert("generatedColumns") }
                if field.metadata["delta.identity.start"] != nil { f.insert("identityColumns") }
                visitField(field)
            }
        }
        func visitField(_ field: Field) {
            if field.isVariant { f.insert("variantType") } else { visitType(field.type) }
        }
        func visitType(_ t: DataType) {
            switch t {
            case .timestamp(_, utc: false): f.insert("timestampNtz")
            case let .structure(fs): visit(fs)
            case let .list(e): visitField(e)
            case let .map(k, v): visitField(k); visitField(v)
            default: break
            }
        }
        visit(schema.fields)
        return f
    }

    /// The smallest protocol for a table with this metadata: (1, 2) unless something needs more; legacy
    /// versions when every needed feature has one, otherwise writer version 7 (and reader 3 when a
    /// reader-writer feature is needed) with explicit feature lists.
    public static func minimumProtocol(for metadata: Metadata) throws(DeltaError) -> ProtocolAction {
        minimumProtocol(features: try requiredFeatures(metadata))
    }

    /// The smallest protocol for a schema and table properties.
    public static func minimumProtocol(schema: Schema, configuration: [String: String]) -> ProtocolAction {
        minimumProtocol(features: requiredFeatures(schema: schema, configuration: configuration))
    }

    /// The smallest protocol supporting `features`.
    public static func minimumProtocol(features: Set<String>) -> ProtocolAction {
        if features.allSatisfy({ legacyVersions[$0] != nil }) {
            var reader = 1, writer = 2
            for f in features { if let v = legacyVersions[f] { reader = max(reader, v.reader); writer = max(writer, v.writer) } }
            return ProtocolAction(minReaderVersion: reader, minWriterVersion: writer)
        }
        let sorted = features.sorted()
        let readerFeatures = sorted.filter { readerWriterFeatures.contains($0) }
        if readerFeatures.isEmpty {
            return ProtocolAction(minReaderVersion: 1, minWriterVersion: 7, writerFeatures: sorted)
        }
        return ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: readerFeatures, writerFeatures: sorted)
    }

    /// The protocol `current` must be upgraded to so it also supports what `needed` supports (`merge`), or nil
    /// when it already requires exactly that (feature lists compared as sets): then no `protocol` action is due.
    public static func upgrade(_ current: ProtocolAction, toSupport needed: ProtocolAction) -> ProtocolAction? {
        let merged = merge(current, needed)
        let same = merged.minReaderVersion == current.minReaderVersion && merged.minWriterVersion == current.minWriterVersion
            && Set(merged.readerFeatures ?? []) == Set(current.readerFeatures ?? [])
            && Set(merged.writerFeatures ?? []) == Set(current.writerFeatures ?? [])
        return same ? nil : merged
    }

    /// A protocol supporting everything both `a` and `b` support (for upgrades; never downgrades).
    public static func merge(_ a: ProtocolAction, _ b: ProtocolAction) -> ProtocolAction {
        func features(_ p: ProtocolAction) -> (reader: Set<String>, writer: Set<String>) {
            var w = Set(p.minWriterVersion == 7 ? (p.writerFeatures ?? []) : legacyWriterFeatures(version: p.minWriterVersion))
            var r = Set(p.minReaderVersion == 3 ? (p.readerFeatures ?? []) : [])
            if p.minReaderVersion == 2 { r.insert("columnMapping"); w.insert("columnMapping") }
            return (r, w)
        }
        if a.minWriterVersion < 7 && b.minWriterVersion < 7 && a.minReaderVersion < 3 && b.minReaderVersion < 3 {
            return ProtocolAction(minReaderVersion: max(a.minReaderVersion, b.minReaderVersion), minWriterVersion: max(a.minWriterVersion, b.minWriterVersion))
        }
        let fa = features(a), fb = features(b)
        let writer = fa.writer.union(fb.writer).union(fa.reader).union(fb.reader).sorted()
        let reader = fa.reader.union(fb.reader).sorted()
        if reader.isEmpty && max(a.minReaderVersion, b.minReaderVersion) < 3 {
            return ProtocolAction(minReaderVersion: max(a.minReaderVersion, b.minReaderVersion), minWriterVersion: 7, writerFeatures: writer)
        }
        return ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: reader, writerFeatures: writer)
    }
}
