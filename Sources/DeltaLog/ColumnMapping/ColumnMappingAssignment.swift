import Columnar

/// Column mapping on the write side (PROTOCOL.md "Writer Requirements for Column Mapping"): every struct
/// field of a column-mapped table, nested ones included, carries a unique `delta.columnMapping.id` and a
/// `delta.columnMapping.physicalName`, and `delta.columnMapping.maxColumnId` is at least the largest id.
extension ColumnMapping {
    /// The mode a `delta.columnMapping.mode` value names, compared case-insensitively as Spark does.
    public static func mode(named value: String) throws(DeltaError) -> Mode {
        guard let mode = Mode(rawValue: value.lowercased()) else {
            throw .invalidArgument("\(modeKey)=\(value) is not a column mapping mode; use none, name or id")
        }
        return mode
    }

    /// `schema` and `configuration` with column mapping set up as `configuration` asks: under mode name or id,
    /// each struct field without an id or physical name (a new table's columns, or columns a schema evolution
    /// adds) gets the next id above `delta.columnMapping.maxColumnId` (parents before their children, in
    /// schema order, as Spark numbers them) and a physical name `col-<uuid>`; the mode is written in lower
    /// case and `maxColumnId` raised to the largest id. Unchanged without a mode or under mode none.
    ///
    /// Throws for an unknown mode, a `maxColumnId` that is not a non-negative integer, and ids used twice.
    public static func assign(_ schema: Schema, configuration: [String: String], uuid: () -> String) throws(DeltaError) -> (schema: Schema, configuration: [String: String]) {
        guard let text = configuration[modeKey] else { return (schema, configuration) }
        let mode = try mode(named: text)
        var config = configuration
        config[modeKey] = mode.rawValue
        if mode == .none { return (schema, config) }

        var maxId: Int64 = 0
        if let given = configuration[maxColumnIdKey] {
            guard let n = Int64(given), n >= 0 else {
                throw .invalidArgument("\(maxColumnIdKey)=\(given) is not a non-negative integer")
            }
            maxId = n
        }
        var used = Set<Int64>()
        try collectIds(schema.fields, into: &used, maxId: &maxId)
        let (fields, lastId) = try withoutActuallyEscaping(uuid) { (uuid) throws(DeltaError) -> ([Field], Int64) in
            var state = Assigner(maxId: maxId, uuid: uuid)
            return (try state.assign(schema.fields), state.maxId)
        }
        config[maxColumnIdKey] = String(lastId)
        return (Schema(fields, metadata: schema.metadata), config)
    }

    /// The ids already present (each at most once) and the largest of them.
    private static func collectIds(_ fields: [Field], into used: inout Set<Int64>, maxId: inout Int64) throws(DeltaError) {
        for f in fields {
            if let text = f.metadata[DeltaSchema.columnMappingIdKey] {
                guard let id = Int64(text), id >= 0 else {
                    throw .invalidSchema("column \(f.name) has \(DeltaSchema.columnMappingIdKey) \(text), which is not a non-negative integer")
                }
                guard used.insert(id).inserted else {
                    throw .invalidSchema("column mapping id \(id) is used by more than one column (again by \(f.name)); ids must be unique")
                }
                maxId = max(maxId, id)
            }
            if !f.isVariant { try collectIds(childFields(f.type), into: &used, maxId: &maxId) }
        }
    }

    /// The struct fields directly reachable from a type (through arrays and maps, which have no ids).
    fileprivate static func childFields(_ t: DataType) -> [Field] {
        switch t {
        case let .structure(fs): fs
        case let .list(e): e.isVariant ? [] : childFields(e.type)
        case let .map(k, v): childFields(k.type) + (v.isVariant ? [] : childFields(v.type))
        default: []
        }
    }
}

/// Gives fields their ids and physical names in Spark's order: a field, then its nested fields.
private struct Assigner {
    var maxId: Int64
    /// Makes the uuid of a physical name (the table context's, so pinned tests are reproducible).
    let uuid: () -> String

    mutating func assign(_ fields: [Field]) throws(DeltaError) -> [Field] {
        var out: [Field] = []
        out.reserveCapacity(fields.count)
        for f in fields { out.append(try assign(f)) }
        return out
    }

    mutating func assign(_ f: Field) throws(DeltaError) -> Field {
        var metadata = f.metadata
        if metadata[DeltaSchema.columnMappingIdKey] == nil {
            let (next, overflow) = maxId.addingReportingOverflow(1)
            // Parquet field ids are 32-bit: an id beyond that could not be written to data files.
            guard !overflow, next <= Int64(Int32.max) else {
                throw .invalidSchema("no column mapping id is left for column \(f.name): \(ColumnMapping.maxColumnIdKey) is \(maxId)")
            }
            maxId = next
            metadata[DeltaSchema.columnMappingIdKey] = String(next)
            markJSON(DeltaSchema.columnMappingIdKey, in: &metadata)
        }
        if (metadata[DeltaSchema.physicalNameKey] ?? "").isEmpty {
            metadata[DeltaSchema.physicalNameKey] = "col-" + uuid()
        }
        return Field(f.name, try assign(f.type, of: f), nullable: f.nullable, metadata: metadata)
    }

    /// The type of `owner` with ids given inside it; a variant's storage struct holds no table columns.
    mutating func assign(_ t: DataType, of owner: Field) throws(DeltaError) -> DataType {
        if owner.isVariant { return t }
        switch t {
        case let .structure(fs):
            return .structure(try assign(fs))
        case let .list(e):
            return .list(Field(e.name, try assign(e.type, of: e), nullable: e.nullable, metadata: e.metadata))
        case let .map(k, v):
            return .map(key: Field(k.name, try assign(k.type, of: k), nullable: k.nullable, metadata: k.metadata),
                        value: Field(v.name, try assign(v.type, of: v), nullable: v.nullable, metadata: v.metadata))
        default:
            return t
        }
    }

    /// Lists `key` among the metadata keys whose values are JSON (the id is a number in the schema JSON).
    private func markJSON(_ key: String, in metadata: inout [String: String]) {
        var keys: [String] = []
        if let text = metadata[DeltaSchema.jsonMetadataKeysKey], case let .array(a)? = try? JSONValue.parse(text) {
            keys = a.compactMap(\.stringValue)
        }
        if !keys.contains(key) { keys.append(key) }
        metadata[DeltaSchema.jsonMetadataKeysKey] = JSONValue.array(keys.sorted().map { .string($0) }).jsonText
    }
}
