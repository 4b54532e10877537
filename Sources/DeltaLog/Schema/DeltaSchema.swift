import Columnar

/// Delta's schema JSON (PROTOCOL.md "Schema Serialization Format") to and from `Columnar.Schema`.
///
/// Type mapping: string, long, integer, short, byte, float, double, decimal(p,s), boolean, binary, date,
/// timestamp (`.timestamp(.microsecond, utc: true)`), timestamp_ntz (`utc: false`), struct, array, map, and
/// variant (PROTOCOL.md "Variant Data Type"): `Variant.storageType`, the struct of `metadata` and `value`
/// binaries the data files store, on a field marked with `Variant.marker` (a struct field, an array
/// element or a map value), which serializing turns back into `"variant"`.
/// Field metadata keeps string values as they are; other JSON values (numbers such as
/// `delta.columnMapping.id`, booleans, objects) are stored as their JSON text and their keys are listed in
/// `DeltaSchema.jsonMetadataKeysKey`, so serializing restores their JSON type.
public enum DeltaSchema {
    /// Reserved `Field.metadata` key: a JSON array of the keys whose values are JSON text, not strings.
    public static let jsonMetadataKeysKey = "lake.jsonMetadataKeys"
    /// Column mapping: the field's stable id (a number in the schema JSON).
    public static let columnMappingIdKey = "delta.columnMapping.id"
    /// Column mapping: the column name used in the data files.
    public static let physicalNameKey = "delta.columnMapping.physicalName"

    /// Parses a `schemaString`.
    public static func parse(_ schemaString: String) throws(DeltaError) -> Schema {
        let json: JSONValue
        do { json = try JSONValue.parse(schemaString) } catch { throw .invalidSchema("schema string is not JSON: \(error)") }
        guard case .structure(let fields) = try dataType(json, path: "") else {
            throw .invalidSchema("the top-level schema must be a struct")
        }
        return Schema(fields)
    }

    /// Serializes a schema as a Delta `schemaString`.
    public static func serialize(_ schema: Schema) throws(DeltaError) -> String {
        var w = JSONWriter()
        try writeStruct(schema.fields, &w, path: "")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The Delta name of a primitive type, or the JSON text of a nested one.
    public static func typeName(_ type: DataType) throws(DeltaError) -> String {
        var w = JSONWriter()
        try writeType(type, &w, path: "")
        if case let .string(s)? = try? JSONValue.parse(w.bytes) { return s }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The column mapping id of a field, if any.
    public static func columnMappingId(_ field: Field) -> Int64? {
        field.metadata[columnMappingIdKey].flatMap { Int64($0) }
    }

    /// The physical (data file) name of a field: its mapped name under column mapping, else its name.
    public static func physicalName(_ field: Field) -> String {
        field.metadata[physicalNameKey] ?? field.name
    }

    // MARK: Parsing

    static func dataType(_ v: JSONValue, path: String) throws(DeltaError) -> DataType {
        switch v {
        case let .string(name):
            return try primitive(name, path: path)
        case let .object(o):
            guard let kind = o["type"]?.stringValue else { throw .invalidSchema("type of \(where_(path)) has no \"type\"") }
            switch kind {
            case "struct":
                guard case let .array(fs)? = o["fields"] else { throw .invalidSchema("struct \(where_(path)) has no \"fields\" array") }
                var fields: [Field] = []
                for f in fs { fields.append(try field(f, parent: path)) }
                return .structure(fields)
            case "array":
                guard let et = o["elementType"] else { throw .invalidSchema("array \(where_(path)) has no \"elementType\"") }
                let containsNull = o["containsNull"]?.boolValue ?? true
                return .list(try child("element", et, nullable: containsNull, path: path + ".element"))
            case "map":
                guard let kt = o["keyType"], let vt = o["valueType"] else {
                    throw .invalidSchema("map \(where_(path)) needs \"keyType\" and \"valueType\"")
                }
                let valueContainsNull = o["valueContainsNull"]?.boolValue ?? true
                if isVariant(kt) { throw .invalidSchema("map \(where_(path)) has variant keys, which Delta does not allow") }
                return .map(
                    key: Field("key", try dataType(kt, path: path + ".key"), nullable: false),
                    value: try child("value", vt, nullable: valueContainsNull, path: path + ".value"))
            default:
                return try primitive(kind, path: path)
            }
        default:
            throw .invalidSchema("type of \(where_(path)) must be a string or an object")
        }
    }

    /// Whether a schema type is `"variant"` (the string, or an object whose `type` is it).
    static func isVariant(_ v: JSONValue) -> Bool {
        switch v {
        case let .string(name): name == "variant"
        case let .object(o): o["type"]?.stringValue == "variant"
        default: false
        }
    }

    /// An array element or map value field: variants get their marker.
    static func child(_ name: String, _ type: JSONValue, nullable: Bool, path: String) throws(DeltaError) -> Field {
        if isVariant(type) { return Variant.field(name, nullable: nullable) }
        return Field(name, try dataType(type, path: path), nullable: nullable)
    }

    static func where_(_ path: String) -> String { path.isEmpty ? "the schema" : "field \(path.dropFirst())" }

    static func primitive(_ name: String, path: String) throws(DeltaError) -> DataType {
        switch name {
        case "string": return .string
        case "long": return .int64
        case "integer": return .int32
        case "short": return .int16
        case "byte": return .int8
        case "float": return .float32
        case "double": return .float64
        case "boolean": return .boolean
        case "binary": return .binary
        case "date": return .date
        case "timestamp": return .timestamp(.microsecond, utc: true)
        case "timestamp_ntz": return .timestamp(.microsecond, utc: false)
        case "decimal": return .decimal(precision: 10, scale: 0)
        case "variant": return Variant.storageType
        default:
            if name.hasPrefix("decimal(") && name.hasSuffix(")") {
                let inner = name.dropFirst("decimal(".count).dropLast()
                let parts = inner.split(separator: ",").map { $0.trimmingCharacters() }
                if parts.count == 2, let p = Int(parts[0]), let s = Int(parts[1]), p >= 1, p <= 38, s >= 0, s <= p {
                    return .decimal(precision: p, scale: s)
                }
                throw .invalidSchema("bad decimal type \"\(name)\" at \(where_(path)) (precision 1-38, 0 <= scale <= precision)")
            }
            throw .invalidSchema("unsupported type \"\(name)\" at \(where_(path))")
        }
    }

    static func field(_ v: JSONValue, parent: String) throws(DeltaError) -> Field {
        guard case let .object(o) = v, let name = o["name"]?.stringValue else {
            throw .invalidSchema("a struct field of \(where_(parent)) has no \"name\"")
        }
        let path = parent + "." + name
        guard let t = o["type"] else { throw .invalidSchema("\(where_(path)) has no \"type\"") }
        let type = try dataType(t, path: path)
        let nullable = o["nullable"]?.boolValue ?? true
        var metadata: [String: String] = [:]
        var jsonKeys: [String] = []
        if case let .object(m)? = o["metadata"] {
            for (k, mv) in m {
                if case let .string(s) = mv { metadata[k] = s } else { metadata[k] = mv.jsonText; jsonKeys.append(k) }
            }
        }
        if !jsonKeys.isEmpty {
            metadata[jsonMetadataKeysKey] = JSONValue.array(jsonKeys.sorted().map { .string($0) }).jsonText
        }
        if isVariant(t) { return Variant.field(name, nullable: nullable, metadata: metadata) }
        return Field(name, type, nullable: nullable, metadata: metadata)
    }

    // MARK: Serializing

    static func writeStruct(_ fields: [Field], _ w: inout JSONWriter, path: String) throws(DeltaError) {
        w.beginObject()
        w.key("type"); w.string("struct")
        w.key("fields")
        w.bytes.append(UInt8(ascii: "["))
        for (i, f) in fields.enumerated() {
            if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
            let fpath = path + "." + f.name
            w.beginObject()
            w.key("name"); w.string(f.name)
            w.key("type"); try writeFieldType(f, &w, path: fpath)
            w.key("nullable"); w.bool(f.nullable)
            w.key("metadata"); try writeMetadata(f.metadata, &w, path: fpath)
            w.endObject()
        }
        w.bytes.append(UInt8(ascii: "]"))
        w.endObject()
    }

    static func writeMetadata(_ m: [String: String], _ w: inout JSONWriter, path: String) throws(DeltaError) {
        var jsonKeys: Set<String> = []
        if let list = m[jsonMetadataKeysKey] {
            guard case let .array(a)? = try? JSONValue.parse(list) else {
                throw .invalidSchema("\(jsonMetadataKeysKey) of \(where_(path)) is not a JSON array")
            }
            for k in a { if let s = k.stringValue { jsonKeys.insert(s) } }
        }
        w.beginObject()
        for k in m.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where k != jsonMetadataKeysKey && k != Variant.marker {
            guard let v = m[k] else { continue }
            w.key(k)
            if jsonKeys.contains(k) {
                guard let parsed = try? JSONValue.parse(v) else {
                    throw .invalidSchema("metadata \(k) of \(where_(path)) is listed as JSON but is not valid JSON")
                }
                w.value(parsed)
            } else {
                w.string(v)
            }
        }
        w.endObject()
    }

    /// The type of a field: `"variant"` for a marked one, else its Columnar type.
    static func writeFieldType(_ f: Field, _ w: inout JSONWriter, path: String) throws(DeltaError) {
        if f.isVariant { w.string("variant") } else { try writeType(f.type, &w, path: path) }
    }

    static func writeType(_ t: DataType, _ w: inout JSONWriter, path: String) throws(DeltaError) {
        switch t {
        case .string: w.string("string")
        case .int64: w.string("long")
        case .int32: w.string("integer")
        case .int16: w.string("short")
        case .int8: w.string("byte")
        case .float32: w.string("float")
        case .float64: w.string("double")
        case .boolean: w.string("boolean")
        case .binary: w.string("binary")
        case .date: w.string("date")
        case let .decimal(p, s):
            guard p >= 1, p <= 38, s >= 0, s <= p else {
                throw .schemaMismatch("decimal(\(p),\(s)) at \(where_(path)) is outside Delta's range (precision 1-38, 0 <= scale <= precision)")
            }
            w.string("decimal(\(p),\(s))")
        case let .timestamp(_, utc):
            // Delta stores microseconds; writers convert other units when they write the data.
            w.string(utc ? "timestamp" : "timestamp_ntz")
        case let .structure(fields):
            try writeStruct(fields, &w, path: path)
        case let .list(element):
            w.beginObject()
            w.key("type"); w.string("array")
            w.key("elementType"); try writeFieldType(element, &w, path: path + ".element")
            w.key("containsNull"); w.bool(element.nullable)
            w.endObject()
        case let .map(key, value):
            w.beginObject()
            w.key("type"); w.string("map")
            w.key("keyType"); try writeType(key.type, &w, path: path + ".key")
            w.key("valueType"); try writeFieldType(value, &w, path: path + ".value")
            w.key("valueContainsNull"); w.bool(value.nullable)
            w.endObject()
        case .uint8, .uint16, .uint32, .uint64, .fixedSizeBinary, .time:
            throw .schemaMismatch("type \(t.name) at \(where_(path)) has no Delta equivalent (cast it to a signed integer, binary or timestamp first)")
        }
    }
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
