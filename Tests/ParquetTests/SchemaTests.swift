import Columnar
import Foundation
import Testing
@testable import Parquet

/// Canonical type text shared with the pyarrow script below: names, nullability (`!` = not null), types.
func typeText(_ t: DataType) -> String {
    switch t {
    case .boolean: "bool"
    case .int8: "int8"
    case .int16: "int16"
    case .int32: "int32"
    case .int64: "int64"
    case .uint8: "uint8"
    case .uint16: "uint16"
    case .uint32: "uint32"
    case .uint64: "uint64"
    case .float32: "float32"
    case .float64: "float64"
    case let .decimal(p, s): "decimal(\(p),\(s))"
    case .string: "string"
    case .binary: "binary"
    case let .fixedSizeBinary(n): "fixed(\(n))"
    case .date: "date"
    case let .time(u): "time(\(u.rawValue))"
    case let .timestamp(u, utc): "timestamp(\(u.rawValue),\(utc ? "utc" : "local"))"
    case let .list(f): "list<\(fieldText(f))>"
    case let .structure(fs): "struct<" + fs.map(fieldText).joined(separator: ",") + ">"
    case let .map(k, v): "map<\(typeText(k.type)),\(typeText(v.type))\(v.nullable ? "" : "!")>"
    }
}

func fieldText(_ f: Field) -> String { "\(f.name)\(f.nullable ? "" : "!"):\(typeText(f.type))" }

let pyarrowSchemaScript = #"""
import sys, json, pyarrow as pa, pyarrow.parquet as pq, os
U = {"ms": "millisecond", "us": "microsecond", "ns": "nanosecond", "s": "second"}
def tt(t):
    if pa.types.is_boolean(t): return "bool"
    if pa.types.is_float16(t): return "float32"
    if pa.types.is_float32(t): return "float32"
    if pa.types.is_float64(t): return "float64"
    if pa.types.is_integer(t): return str(t)
    if pa.types.is_decimal(t): return "decimal(%d,%d)" % (t.precision, t.scale)
    if pa.types.is_string(t) or pa.types.is_large_string(t): return "string"
    if pa.types.is_fixed_size_binary(t): return "fixed(%d)" % t.byte_width
    if pa.types.is_binary(t) or pa.types.is_large_binary(t): return "binary"
    if pa.types.is_date32(t): return "date"
    if pa.types.is_time(t): return "time(%s)" % U[t.unit]
    if pa.types.is_timestamp(t): return "timestamp(%s,%s)" % (U[t.unit], "utc" if t.tz else "local")
    if pa.types.is_map(t): return "map<%s,%s%s>" % (tt(t.key_type), tt(t.item_type), "" if t.item_field.nullable else "!")
    if pa.types.is_list(t) or pa.types.is_large_list(t): return "list<%s>" % ft(t.value_field)
    if pa.types.is_struct(t): return "struct<" + ",".join(ft(f) for f in t) + ">"
    if pa.types.is_null(t): return "null"
    if isinstance(t, pa.ExtensionType): return tt(t.storage_type)
    return "?" + str(t)
def ft(f): return "%s%s:%s" % (f.name, "" if f.nullable else "!", tt(f.type))
out = {}
for p in sys.argv[1:]:
    try: s = pq.read_schema(p)
    except Exception as e: out[os.path.basename(p)] = {"error": str(e)}; continue
    ids = {f.name: (f.metadata or {}).get(b"PARQUET:field_id", b"").decode() for f in s}
    out[os.path.basename(p)] = {"fields": [ft(f) for f in s], "ids": ids,
                                "keys": sorted(k.decode() for k in (s.metadata or {}))}
json.dump(out, sys.stdout)
"""#

struct PyarrowSchema: Decodable {
    var error: String?
    var fields: [String]?
    var ids: [String: String]?
    var keys: [String]?
}

@Test func schemasMatchPyarrow() throws {
    let files = Corpus.files(Corpus.data)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Corpus.python)
    p.arguments = ["-c", pyarrowSchemaScript] + files.map(\.path)
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let expected = try JSONDecoder().decode([String: PyarrowSchema].self, from: data)
    #expect(expected.values.filter { $0.fields != nil }.count >= 60)
    for file in files {
        let name = file.lastPathComponent
        guard let want = expected[name], let wantFields = want.fields else { continue }
        let schema = try ParquetReader(path: file.path).schema
        let got = schema.fields.map(fieldText)
        // pyarrow's `null` type has no Columnar counterpart; such columns read as all-null int32 (see ColumnTypes).
        let gotComparable = zip(got, wantFields).map { g, w in w.contains(":null") ? w : g }
        #expect(gotComparable == wantFields, "\(name)")
        for f in schema.fields {
            let id = want.ids?[f.name] ?? ""
            #expect((f.metadata["PARQUET:field_id"] ?? "") == id, "\(name) field \(f.name) id")
        }
        for key in want.keys ?? [] { #expect(schema.metadata[key] != nil, "\(name) metadata key \(key)") }
    }
}

/// Helper for hand-built schemas.
func element(_ name: String, _ type: PhysicalType? = nil, _ rep: FieldRepetitionType = .optional, children: Int32? = nil,
             logical: LogicalType? = nil, converted: ConvertedType? = nil, length: Int32? = nil) -> SchemaElement {
    SchemaElement(name: name, type: type, typeLength: length, repetitionType: rep, numChildren: children,
                  convertedType: converted, logicalType: logical)
}

@Test func legacyTwoLevelListUsesTheRepeatedFieldAsElement() throws {
    let s = try ParquetSchema(elements: [
        element("root", nil, .required, children: 1),
        element("a", nil, .optional, children: 1, converted: .list),
        element("array", .int32, .repeated),
    ])
    #expect(s.schema.fields[0].type == .list(Field("array", .int32, nullable: false)))
    #expect(s.columns[0].maxDefinitionLevel == 2)
    #expect(s.columns[0].maxRepetitionLevel == 1)
}

@Test func repeatedGroupNamedTupleIsAStructElement() throws {
    let s = try ParquetSchema(elements: [
        element("root", nil, .required, children: 1),
        element("a", nil, .required, children: 1, logical: .list),
        element("a_tuple", nil, .repeated, children: 1),
        element("x", .int64, .optional),
    ])
    #expect(s.schema.fields[0].type == .list(Field("a_tuple", .structure([Field("x", .int64)]), nullable: false)))
    #expect(s.schema.fields[0].nullable == false)
}

@Test func threeLevelListUsesTheInnerElement() throws {
    let s = try ParquetSchema(elements: [
        element("root", nil, .required, children: 1),
        element("a", nil, .optional, children: 1, logical: .list),
        element("list", nil, .repeated, children: 1),
        element("element", .byteArray, .optional, logical: .string),
    ])
    #expect(s.schema.fields[0].type == .list(Field("element", .string)))
    #expect(s.columns[0].path == ["a", "list", "element"])
    #expect(s.columns[0].maxDefinitionLevel == 3)
}

@Test func bareRepeatedFieldIsARequiredList() throws {
    let s = try ParquetSchema(elements: [
        element("root", nil, .required, children: 1),
        element("xs", .int32, .repeated),
    ])
    #expect(s.schema.fields[0] == Field("xs", .list(Field("xs", .int32, nullable: false)), nullable: false))
}

@Test func mapKeyValueBecomesAMap() throws {
    let s = try ParquetSchema(elements: [
        element("root", nil, .required, children: 1),
        element("m", nil, .optional, children: 1, converted: .map),
        element("key_value", nil, .repeated, children: 2, converted: .mapKeyValue),
        element("key", .byteArray, .required, converted: .utf8),
        element("value", .int32, .optional),
    ])
    #expect(s.schema.fields[0].type == .map(key: Field("key", .string, nullable: false), value: Field("value", .int32)))
}

@Test func logicalTypesMapLikePyarrow() throws {
    func type(_ e: SchemaElement) throws -> DataType {
        try ParquetSchema(elements: [element("root", nil, .required, children: 1), e]).schema.fields[0].type
    }
    #expect(try type(element("t", .int64, logical: .timestamp(isAdjustedToUTC: false, unit: .nanosecond))) == .timestamp(.nanosecond, utc: false))
    #expect(try type(element("t", .int64, converted: .timestampMillis)) == .timestamp(.millisecond, utc: true))
    #expect(try type(element("t", .int32, logical: .time(isAdjustedToUTC: true, unit: .millisecond))) == .time(.millisecond))
    #expect(try type(element("t", .int96)) == .timestamp(.nanosecond, utc: false))
    #expect(try type(element("t", .int32, converted: .uint16)) == .uint16)
    #expect(try type(element("t", .int64, logical: .integer(bitWidth: 64, isSigned: false))) == .uint64)
    #expect(try type(element("t", .fixedLenByteArray, logical: .uuid, length: 16)) == .fixedSizeBinary(16))
    #expect(try type(element("t", .fixedLenByteArray, logical: .float16, length: 2)) == .float32)
    #expect(try type(element("t", .byteArray, logical: .json)) == .string)
    #expect(try type(element("t", .byteArray, logical: .bson)) == .binary)
    #expect(try type(element("t", .fixedLenByteArray, logical: .decimal(scale: 2, precision: 20), length: 9)) == .decimal(precision: 20, scale: 2))
    #expect(try type(element("t", .int32, logical: .null)) == .int32)
    #expect(throws: ParquetError.self) { try type(element("t", .fixedLenByteArray, logical: .decimal(scale: 0, precision: 40), length: 17)) }
}

@Test func malformedSchemasThrow() {
    // num_children larger than the list.
    #expect(throws: ParquetError.self) {
        try ParquetSchema(elements: [element("root", nil, .required, children: 3), element("a", .int32)])
    }
    // Elements left over after the root's children.
    #expect(throws: ParquetError.self) {
        try ParquetSchema(elements: [element("root", nil, .required, children: 1), element("a", .int32), element("b", .int32)])
    }
    // A group claiming more children than exist, and huge counts.
    #expect(throws: ParquetError.self) {
        try ParquetSchema(elements: [element("root", nil, .required, children: 1), element("g", nil, children: Int32.max)])
    }
    // Nesting deeper than the limit.
    var deep = [element("root", nil, .required, children: 1)]
    for i in 0..<200 { deep.append(element("g\(i)", nil, .optional, children: 1)) }
    deep.append(element("leaf", .int32))
    #expect(throws: ParquetError.self) { try ParquetSchema(elements: deep) }
}

@Test func variantAnnotatedGroupIsAMarkedStructOfItsBinaries() throws {
    // VARIANT (LogicalTypes.md): a group of `metadata` and `value` binaries, read as that struct (as Arrow
    // does), with Variant.marker on the field; a list element keeps the marker.
    let s = try ParquetSchema(elements: [
        element("root", nil, .required, children: 2),
        element("v", nil, .optional, children: 2, logical: .variant),
        element("value", .byteArray, .required),
        element("metadata", .byteArray, .required),
        element("a", nil, .optional, children: 1, logical: .list),
        element("list", nil, .repeated, children: 1),
        element("element", nil, .optional, children: 2, logical: .variant),
        element("metadata", .byteArray, .required),
        element("value", .byteArray, .required),
    ])
    let v = s.schema.fields[0]
    #expect(v.type == .structure([Field("value", .binary, nullable: false), Field("metadata", .binary, nullable: false)]))
    #expect(v.isVariant)
    guard case let .list(element) = s.schema.fields[1].type else { Issue.record("a is not a list"); return }
    #expect(element.isVariant && element.type == Variant.storageType)
}

@Test func plainGroupIsNoVariant() throws {
    let s = try ParquetSchema(elements: [
        element("root", nil, .required, children: 1),
        element("v", nil, .optional, children: 2),
        element("metadata", .byteArray, .required),
        element("value", .byteArray, .required),
    ])
    #expect(!s.schema.fields[0].isVariant)
}
