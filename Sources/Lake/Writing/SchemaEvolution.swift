import Columnar
import DeltaLog

/// Schema evolution shared by `Write` (input columns the table lacks) and `Merge` (`UPDATE SET *`,
/// `INSERT *` and assignments to new columns): the table's schema grown by what the data brings, and the
/// `metaData` action (with a `protocol` upgrade when the grown schema needs one) that records it in the same
/// commit as the files written with it. Older files keep their schema; readers fill what they lack with nulls.
enum SchemaEvolution {
    /// `table` grown by `incoming`: top-level columns it lacks are appended (nullable, as Delta types), and so
    /// are new fields of structs both have, also inside arrays and map values, recursively. Names match
    /// case-insensitively, as Delta's do.
    ///
    /// Existing columns keep their types: Delta changes a column's type (int to long, ...) only with the
    /// `typeWidening` table feature, which lake does not write, so values are cast to the table's type instead.
    static func widened(_ table: Schema, by incoming: Schema) throws -> Schema {
        Schema(try widenedFields(table.fields, by: incoming.fields, path: ""), metadata: table.metadata)
    }

    /// `schema` with `field` appended as a new nullable column, unless a column of that name exists.
    static func adding(_ field: Field, to schema: Schema) throws -> Schema {
        guard !schema.fields.contains(where: { $0.name.lowercased() == field.name.lowercased() }) else { return schema }
        let added = Field(field.name, try SchemaConformance.deltaType(field.type, column: field.name), nullable: true, metadata: field.metadata)
        return Schema(schema.fields + [added], metadata: schema.metadata)
    }

    /// The table's metadata with `schema` as its schema, and the actions that commit it: none when the schema
    /// is the snapshot's, otherwise `metaData` (preceded by `protocol` when the new types need more features).
    /// Under column mapping the new fields, nested ones too, get the next ids and physical names made from
    /// `uuid` (`ColumnMapping.assign`), and `delta.columnMapping.maxColumnId` grows with them.
    static func commit(_ schema: Schema, on snapshot: Snapshot, uuid: () -> String) throws -> (metadata: Metadata, actions: [Action]) {
        guard schema != snapshot.schema else { return (snapshot.metadata, []) }
        var m = snapshot.metadata
        let (mapped, configuration) = try ColumnMapping.assign(schema, configuration: m.configuration, uuid: uuid)
        m.schemaString = try DeltaSchema.serialize(mapped)
        m.configuration = configuration
        var actions: [Action] = []
        let needed = TableFeatures.minimumProtocol(schema: schema, configuration: m.configuration)
        if let upgraded = TableFeatures.upgrade(snapshot.protocolAction, toSupport: needed) { actions.append(.protocol(upgraded)) }
        actions.append(.metadata(m))
        return (m, actions)
    }

    private static func widenedFields(_ table: [Field], by incoming: [Field], path: String) throws -> [Field] {
        var out: [Field] = []
        for f in table {
            guard let s = incoming.first(where: { $0.name.lowercased() == f.name.lowercased() }) else { out.append(f); continue }
            out.append(Field(f.name, try widenedType(f.type, by: s.type, path: path + f.name), nullable: f.nullable, metadata: f.metadata))
        }
        for s in incoming where !table.contains(where: { $0.name.lowercased() == s.name.lowercased() }) {
            out.append(Field(s.name, try SchemaConformance.deltaType(s.type, column: path + s.name), nullable: true, metadata: s.metadata))
        }
        return out
    }

    private static func widenedType(_ table: DataType, by incoming: DataType, path: String) throws -> DataType {
        switch (table, incoming) {
        case let (.structure(t), .structure(s)):
            return .structure(try widenedFields(t, by: s, path: path + "."))
        case let (.list(t), .list(s)):
            return .list(Field(t.name, try widenedType(t.type, by: s.type, path: path + ".element"), nullable: t.nullable, metadata: t.metadata))
        case let (.map(tk, tv), .map(_, sv)):
            // Map keys keep their type: a key struct that grew would change which keys are equal.
            return .map(key: tk, value: Field(tv.name, try widenedType(tv.type, by: sv.type, path: path + ".value"), nullable: tv.nullable, metadata: tv.metadata))
        default:
            return table
        }
    }
}
