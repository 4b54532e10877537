import Columnar

/// Column mapping (PROTOCOL.md "Column Mapping"): which names and ids the data files use for the table's
/// logical columns. Readers match file columns by physical name (or field id); writers store columns, stats
/// and partition values under the physical names.
public struct ColumnMapping: Sendable, Hashable {
    /// `delta.columnMapping.mode`.
    public enum Mode: String, Sendable, Hashable {
        /// Data files use the logical names.
        case none
        /// Data files are matched by `delta.columnMapping.physicalName`.
        case name
        /// Data files are matched by Parquet field id (`delta.columnMapping.id`).
        case id
    }

    /// The table property naming the mode.
    public static let modeKey = "delta.columnMapping.mode"
    /// The table property holding the largest column id given so far: new columns get ids above it.
    public static let maxColumnIdKey = "delta.columnMapping.maxColumnId"
    /// Parquet's field id key in `Field.metadata`, set on physical fields that have a column mapping id.
    public static let parquetFieldIdKey = "PARQUET:field_id"

    /// The table's mode.
    public let mode: Mode
    /// The logical schema.
    public let logicalSchema: Schema

    /// The mapping of a table's schema and properties; an unknown mode is treated as `none`.
    public init(schema: Schema, configuration: [String: String]) {
        self.mode = configuration[Self.modeKey].flatMap { Mode(rawValue: $0.lowercased()) } ?? .none
        self.logicalSchema = schema
    }

    /// The physical name of a top-level logical column (the logical name when mapping is off).
    public func physicalName(of logical: String) -> String? {
        guard let f = logicalSchema.field(named: logical) else { return nil }
        return mode == .none ? f.name : DeltaSchema.physicalName(f)
    }

    /// Logical → physical names of the top-level columns.
    public var physicalNames: [String: String] {
        var out: [String: String] = [:]
        for f in logicalSchema.fields { out[f.name] = mode == .none ? f.name : DeltaSchema.physicalName(f) }
        return out
    }

    /// Physical → logical names of the top-level columns (partition values and stats use physical names).
    public var logicalNames: [String: String] {
        var out: [String: String] = [:]
        for (l, p) in physicalNames { out[p] = l }
        return out
    }

    /// The schema as the data files store it: nested fields renamed to their physical names and carrying their
    /// column mapping ids as Parquet field ids (in both modes, as Spark writes them, so id-mode readers find
    /// the columns); throws when a mapped field lacks its physical name, or its id under id mode.
    public func physicalSchema() throws(DeltaError) -> Schema {
        if mode == .none { return logicalSchema }
        var fields: [Field] = []
        for f in logicalSchema.fields { fields.append(try physical(f)) }
        return Schema(fields, metadata: logicalSchema.metadata)
    }

    /// The physical form of one field of the logical schema (top-level or nested); `f` itself under mode none.
    public func physical(_ f: Field) throws(DeltaError) -> Field {
        if mode == .none { return f }
        guard let name = f.metadata[DeltaSchema.physicalNameKey], !name.isEmpty else {
            throw .invalidSchema("column \(f.name) has no \(DeltaSchema.physicalNameKey) under column mapping mode \(mode.rawValue)")
        }
        // The data file needs nothing of the Delta metadata but the id; Parquet readers match by it in id mode.
        var metadata: [String: String] = [:]
        if let id = DeltaSchema.columnMappingId(f) {
            guard let id32 = Int32(exactly: id) else {
                throw .invalidSchema("column \(f.name) has \(DeltaSchema.columnMappingIdKey) \(id), which does not fit a Parquet field id (32 bits)")
            }
            metadata[Self.parquetFieldIdKey] = String(id32)
        } else if mode == .id {
            throw .invalidSchema("column \(f.name) has no \(DeltaSchema.columnMappingIdKey) under column mapping mode id")
        }
        // A variant's value and metadata binaries are no table columns: they keep their names.
        if f.isVariant {
            metadata[Variant.marker] = "true"
            return Field(name, f.type, nullable: f.nullable, metadata: metadata)
        }
        return Field(name, try physical(f.type), nullable: f.nullable, metadata: metadata)
    }

    func physical(_ t: DataType) throws(DeltaError) -> DataType {
        switch t {
        case let .structure(fs):
            var out: [Field] = []
            for f in fs { out.append(try physical(f)) }
            return .structure(out)
        case let .list(e):
            // Array elements and map entries are no struct fields: they keep Parquet's own names and no id.
            return .list(try element(e))
        case let .map(k, v):
            return .map(key: try element(k), value: try element(v))
        default:
            return t
        }
    }

    /// An array element or map key/value: its name and variant marker kept, its nested fields mapped.
    private func element(_ e: Field) throws(DeltaError) -> Field {
        if e.isVariant { return e }
        return Field(e.name, try physical(e.type), nullable: e.nullable)
    }
}
