import Columnar

/// Column mapping on the read side (PROTOCOL.md "Column Mapping"): which names and ids the data files use
/// for the table's logical columns.
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

    /// The table's mode.
    public let mode: Mode
    /// The logical schema.
    public let logicalSchema: Schema

    /// The mapping of a table's schema and properties; an unknown mode is treated as `none`.
    public init(schema: Schema, configuration: [String: String]) {
        self.mode = Mode(rawValue: configuration["delta.columnMapping.mode"] ?? "none") ?? .none
        self.logicalSchema = schema
    }

    /// Parquet's field id key in `Field.metadata`, set on physical fields under id mode.
    public static let parquetFieldIdKey = "PARQUET:field_id"

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

    /// The schema as the data files store it: nested fields renamed to their physical names and, under id
    /// mode, carrying their field ids; throws when a mapped field lacks its physical name or id.
    public func physicalSchema() throws(DeltaError) -> Schema {
        if mode == .none { return logicalSchema }
        var fields: [Field] = []
        for f in logicalSchema.fields { fields.append(try physical(f)) }
        return Schema(fields, metadata: logicalSchema.metadata)
    }

    func physical(_ f: Field) throws(DeltaError) -> Field {
        guard let name = f.metadata[DeltaSchema.physicalNameKey] else {
            throw .invalidSchema("column \(f.name) has no \(DeltaSchema.physicalNameKey) under column mapping mode \(mode.rawValue)")
        }
        var metadata = f.metadata
        if mode == .id {
            guard let id = DeltaSchema.columnMappingId(f) else {
                throw .invalidSchema("column \(f.name) has no \(DeltaSchema.columnMappingIdKey) under column mapping mode id")
            }
            metadata[Self.parquetFieldIdKey] = String(id)
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
            return .list(Field(e.name, try physical(e.type), nullable: e.nullable, metadata: e.metadata))
        case let .map(k, v):
            return .map(key: Field(k.name, try physical(k.type), nullable: k.nullable, metadata: k.metadata),
                        value: Field(v.name, try physical(v.type), nullable: v.nullable, metadata: v.metadata))
        default:
            return t
        }
    }
}
