import Columnar
import DeltaLog

/// Liquid clustering's columns (PROTOCOL.md "Clustered Table"): a table whose protocol lists the `clustering`
/// writer feature is clustered, and its clustering columns live in the `delta.clustering` metadata domain as
/// Spark writes it, `{"clusteringColumns":[["col"],["a","b"]],"domainName":"delta.clustering"}`: one list of
/// name parts per column, physical names under column mapping.
///
/// The rules a new column list must meet are Spark's (`ClusteredTableUtils`): at most four columns, no
/// duplicates, each an existing column of a type stats can order, on a table without partition columns, and
/// each among the columns whose stats the writer collects (the clustering writer requirement: every file has
/// stats for every clustering column).
public enum ClusteringColumns {
    /// The metadata domain holding the columns.
    public static let domain = "delta.clustering"
    /// The writer feature that makes a table clustered.
    public static let feature = "clustering"
    /// Spark's default limit on clustering columns (`spark.databricks.delta.clusteredTable.numClusteringColumnsLimit`).
    public static let maxColumns = 4
    /// The protocol a clustered table needs at least: writer version 7 with `clustering` and the
    /// `domainMetadata` feature it depends on.
    public static let requiredProtocol = ProtocolAction(minReaderVersion: 1, minWriterVersion: 7, writerFeatures: [domainMetadataFeature, feature])
    static let domainMetadataFeature = "domainMetadata"

    /// Whether a protocol makes its table clustered (it supports the `clustering` writer feature).
    public static func isClustered(_ protocolAction: ProtocolAction) -> Bool {
        TableFeatures.supports(protocolAction, feature: feature)
    }

    /// The table's clustering columns as logical top-level column names, in clustering order: nil when the
    /// table is not clustered, empty when it is clustered by no column (no domain yet, or `CLUSTER BY NONE`).
    /// Throws `corruptTable` when the domain is malformed or names a column the schema lacks, and `unsupported`
    /// when a clustering column is a nested field (Spark allows them; lake clusters by top-level columns).
    public static func of(_ snapshot: Snapshot) throws(LakeError) -> [String]? {
        guard let paths = try paths(of: snapshot) else { return nil }
        var names: [String] = []
        for path in paths {
            guard path.count == 1, let name = path.first else {
                throw LakeError(.unsupported, "the table is clustered by the nested field \(path.joined(separator: ".")); lake clusters by top-level columns only")
            }
            names.append(name)
        }
        return names
    }

    /// The table's clustering columns as logical name paths (one part for a top-level column, more for a nested
    /// field), in clustering order; nil when the table is not clustered. Throws as `of(_:)` does for a malformed
    /// domain or an unknown column.
    public static func paths(of snapshot: Snapshot) throws(LakeError) -> [[String]]? {
        guard isClustered(snapshot.protocolAction) else { return nil }
        // A clustered table whose domain is missing (or removed) is clustered by no column, as Spark reads it.
        guard let d = snapshot.domainMetadata[domain] else { return [] }
        let physical = try physicalPaths(configuration: d.configuration)
        let mapped = ColumnMapping(schema: snapshot.schema, configuration: snapshot.properties).mode != .none
        return try physical.map { (path) throws(LakeError) in try logicalPath(path, in: snapshot.schema.fields, mapped: mapped) }
    }

    /// Checks a new clustering column list (logical top-level names, as a user wrote them; case-insensitive)
    /// against a table's schema, partitioning and properties; returns the columns in the schema's spelling.
    /// Every failure is `invalidRequest` with a message naming the column and what to change.
    public static func validate(_ columns: [String], schema: Schema, partitionColumns: [String], configuration: [String: String]) throws(LakeError) -> [String] {
        // Delta: "Writers must not define clustered and partitioned table at the same time."
        if !partitionColumns.isEmpty {
            throw LakeError.invalidRequest("the table is partitioned by \(partitionColumns.joined(separator: ", ")); a partitioned table cannot be clustered")
        }
        if columns.count > maxColumns {
            throw LakeError.invalidRequest("\(columns.count) clustering columns given (\(columns.joined(separator: ", "))); at most \(maxColumns) are allowed")
        }
        let statsPositions = leafPositions(schema.fields)
        let indexed = StatsColumns.indexedColumnCount(configuration)
        // The top-level columns the stats column list names (a listed struct cannot be a clustering column).
        let statsColumns = configuration[StatsColumns.statsColumnsKey].map { Set(StatsColumns.parse($0).filter { $0.count == 1 }.map { $0[0].lowercased() }) }
        var seen = Set<String>()
        var resolved: [String] = []
        for name in columns {
            guard let field = topLevelField(name, in: schema) else {
                if name.contains(".") {
                    throw LakeError.invalidRequest("clustering column \(name) is not a top-level column; lake clusters by top-level columns only (columns: \(schema.names.joined(separator: ", ")))")
                }
                throw LakeError.invalidRequest("clustering column \(name) is not in the schema (columns: \(schema.names.joined(separator: ", ")))")
            }
            guard seen.insert(field.name.lowercased()).inserted else {
                throw LakeError.invalidRequest("clustering column \(field.name) is given twice")
            }
            guard orderable(field) else {
                throw LakeError.invalidRequest("clustering column \(field.name) has type \(field.isVariant ? "variant" : field.type.name), which data skipping cannot order; cluster by numeric, decimal, date, timestamp or string columns")
            }
            if let statsColumns {
                if !statsColumns.contains(field.name.lowercased()) {
                    throw LakeError.invalidRequest("clustering column \(field.name) is not in delta.dataSkippingStatsColumns (\(configuration[StatsColumns.statsColumnsKey] ?? "")), so files would have no stats for it; add it there first")
                }
            } else if indexed >= 0, let position = statsPositions[field.name], position >= indexed {
                throw LakeError.invalidRequest("clustering column \(field.name) is leaf column \(position + 1) of the schema, past the \(indexed) whose stats are collected (delta.dataSkippingNumIndexedCols); raise that property or move the column first")
            }
            resolved.append(field.name)
        }
        return resolved
    }

    /// The `delta.clustering` domain recording `columns` (logical top-level names of `schema`, already
    /// validated), under their physical names when the table uses column mapping.
    public static func domainMetadata(_ columns: [String], schema: Schema, configuration: [String: String]) throws(LakeError) -> DomainMetadata {
        let mapping = ColumnMapping(schema: schema, configuration: configuration)
        var physical: [[String]] = []
        for name in columns {
            guard let field = topLevelField(name, in: schema) else {
                throw LakeError.invalidRequest("clustering column \(name) is not in the schema (columns: \(schema.names.joined(separator: ", ")))")
            }
            physical.append([mapping.mode == .none ? field.name : DeltaSchema.physicalName(field)])
        }
        return DomainMetadata(domain: domain, configuration: encode(physicalPaths: physical))
    }

    /// The clustering domain a RESTORE of `current` to `old` commits, as Spark's does: when the current table has
    /// the domain, the old version's columns come back with the old schema they name (no column when the old
    /// version had no domain); nil when nothing changes.
    static func restoredDomain(current: Snapshot, old: Snapshot) -> DomainMetadata? {
        guard let now = current.domainMetadata[domain] else { return nil }
        let restored = old.domainMetadata[domain] ?? DomainMetadata(domain: domain, configuration: encode(physicalPaths: []))
        return restored.configuration == now.configuration ? nil : restored
    }

    /// The domain's configuration text for physical column paths, in Spark's shape (keys sorted, so
    /// `clusteringColumns` then `domainName`).
    static func encode(physicalPaths: [[String]]) -> String {
        JSONValue.object([
            "clusteringColumns": .array(physicalPaths.map { .array($0.map { .string($0) }) }),
            "domainName": .string(domain),
        ]).jsonText
    }

    /// The physical column paths a domain configuration lists. Spark and the Delta kernels write one list of
    /// name parts per column; PROTOCOL.md's example writes plain strings, read here as one-part paths.
    static func physicalPaths(configuration: String) throws(LakeError) -> [[String]] {
        func corrupt(_ why: String) -> LakeError {
            LakeError(.corruptTable, "the \(domain) domain's configuration \(configuration) is malformed: \(why)")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(configuration) } catch { throw corrupt("not JSON (\(error.description))") }
        guard case .object = value else { throw corrupt("not a JSON object") }
        guard let list = value["clusteringColumns"] else { throw corrupt("no clusteringColumns (a table clustered by no column has [])") }
        guard case let .array(items) = list else { throw corrupt("clusteringColumns is not a list") }
        var paths: [[String]] = []
        for item in items {
            switch item {
            case let .string(name):
                guard !name.isEmpty else { throw corrupt("a clustering column has an empty name") }
                paths.append([name])
            case let .array(parts):
                var path: [String] = []
                for part in parts {
                    guard case let .string(s) = part, !s.isEmpty else { throw corrupt("a clustering column's name parts are not all non-empty strings") }
                    path.append(s)
                }
                guard !path.isEmpty else { throw corrupt("a clustering column has no name parts") }
                paths.append(path)
            default:
                throw corrupt("a clustering column is neither a name nor a list of name parts")
            }
        }
        return paths
    }

    // MARK: - Resolution

    /// The top-level field `name` names, matched case-insensitively as Delta resolves column names.
    static func topLevelField(_ name: String, in schema: Schema) -> Field? {
        schema.field(named: name) ?? schema.fields.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The logical names along a physical path (case-insensitive, as Spark's resolver matches them).
    static func logicalPath(_ physical: [String], in top: [Field], mapped: Bool) throws(LakeError) -> [String] {
        var fields = top
        var logical: [String] = []
        for (i, part) in physical.enumerated() {
            let wanted = part.lowercased()
            guard let f = fields.first(where: { (mapped ? DeltaSchema.physicalName($0) : $0.name).lowercased() == wanted }) else {
                let shown = physical.joined(separator: ".")
                let level = i == 0 ? "the table's columns: " + top.map(\.name).joined(separator: ", ") : "the fields of \(logical.joined(separator: "."))"
                throw LakeError(.corruptTable, "the \(domain) domain names column \(shown)\(mapped ? " (physical name)" : ""), which is not in the schema (\(level))")
            }
            logical.append(f.name)
            if i + 1 < physical.count {
                guard case let .structure(children) = f.type else {
                    throw LakeError(.corruptTable, "the \(domain) domain names \(physical.joined(separator: ".")), but \(logical.joined(separator: ".")) is not a struct")
                }
                fields = children
            }
        }
        return logical
    }

    // MARK: - Stats eligibility

    /// Whether data skipping orders values of the field's type (Spark's `SkippingEligibleDataType`: numbers,
    /// decimals, dates, timestamps, strings; not booleans, binaries, nested types or variants).
    static func orderable(_ field: Field) -> Bool {
        if field.isVariant { return false }
        switch field.type {
        case .int8, .int16, .int32, .int64, .float32, .float64, .decimal, .date, .timestamp, .string: return true
        default: return false
        }
    }

    /// The 0-based position among the schema's leaf columns of each top-level column, counted as the stats
    /// writer counts them (a struct's leaves one by one, a list or map as one).
    static func leafPositions(_ fields: [Field]) -> [String: Int] {
        func leaves(_ t: DataType) -> Int {
            guard case let .structure(children) = t else { return 1 }
            return children.reduce(0) { $0 + leaves($1.type) }
        }
        var out: [String: Int] = [:]
        var position = 0
        for f in fields {
            out[f.name] = position
            position += leaves(f.type)
        }
        return out
    }
}
