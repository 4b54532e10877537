import Columnar
import Testing
@testable import DeltaLog

/// `ColumnMapping.assign`: the ids and physical names a column-mapped table's fields get (PROTOCOL.md
/// "Writer Requirements for Column Mapping"), checked without files.
@Suite struct ColumnMappingAssignmentTests {
    /// Physical names `col-u1`, `col-u2`, ... in call order.
    final class Names: @unchecked Sendable {
        var n = 0
        func next() -> String { n += 1; return "u\(n)" }
    }

    static let nested = Schema([
        Field("a", .int64),
        Field("s", .structure([Field("x", .string), Field("y", .structure([Field("z", .int32)]))])),
        Field("l", .list(Field("element", .structure([Field("e", .int64)])))),
        Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .structure([Field("v", .boolean)])))),
    ])

    /// (name, id, physical name) of every struct field, parents before children.
    static func walk(_ fields: [Field]) -> [(String, Int64?, String?)] {
        var out: [(String, Int64?, String?)] = []
        func type(_ t: DataType) {
            switch t {
            case let .structure(fs): out += walk(fs)
            case let .list(e): type(e.type)
            case let .map(k, v): type(k.type); type(v.type)
            default: break
            }
        }
        for f in fields {
            out.append((f.name, DeltaSchema.columnMappingId(f), f.metadata[DeltaSchema.physicalNameKey]))
            type(f.type)
        }
        return out
    }

    @Test func everyStructFieldGetsIdsInSparkOrderAndAPhysicalName() throws {
        let names = Names()
        let (schema, config) = try ColumnMapping.assign(Self.nested, configuration: [ColumnMapping.modeKey: "name"], uuid: names.next)
        let got = Self.walk(schema.fields)
        #expect(got.map(\.0) == ["a", "s", "x", "y", "z", "l", "e", "m", "v"])
        #expect(got.map(\.1) == (1...9).map { Int64($0) })
        #expect(got.map(\.2) == (1...9).map { "col-u\($0)" })
        #expect(config[ColumnMapping.maxColumnIdKey] == "9")
        // The ids serialize as JSON numbers, physical names as strings, as Spark writes them.
        let text = try DeltaSchema.serialize(schema)
        #expect(text.contains(#""delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-u1""#))
        #expect(try DeltaSchema.parse(text) == schema)
    }

    @Test func existingIdsAreKeptAndNewFieldsContinueAboveMaxColumnId() throws {
        let names = Names()
        let (first, config) = try ColumnMapping.assign(Schema([Field("a", .int64)]), configuration: [ColumnMapping.modeKey: "id", ColumnMapping.maxColumnIdKey: "5"], uuid: names.next)
        #expect(DeltaSchema.columnMappingId(first.fields[0]) == 6)
        let (evolved, next) = try ColumnMapping.assign(Schema(first.fields + [Field("b", .string)]), configuration: config, uuid: names.next)
        #expect(Self.walk(evolved.fields).map(\.1) == [6, 7])
        #expect(Self.walk(evolved.fields).map(\.2) == ["col-u1", "col-u2"])
        #expect(next[ColumnMapping.maxColumnIdKey] == "7")
    }

    @Test func withoutAModeOrUnderNoneNothingIsAssigned() throws {
        let (plain, config) = try ColumnMapping.assign(Self.nested, configuration: [:], uuid: { "never" })
        #expect(plain == Self.nested && config.isEmpty)
        let (none, c2) = try ColumnMapping.assign(Self.nested, configuration: [ColumnMapping.modeKey: "NONE"], uuid: { "never" })
        #expect(none == Self.nested && c2 == [ColumnMapping.modeKey: "none"])
    }

    @Test func badModesMaxIdsAndDuplicateIdsAreRefused() {
        #expect(throws: DeltaError.self) { try ColumnMapping.assign(Self.nested, configuration: [ColumnMapping.modeKey: "names"], uuid: { "u" }) }
        #expect(throws: DeltaError.self) {
            try ColumnMapping.assign(Self.nested, configuration: [ColumnMapping.modeKey: "name", ColumnMapping.maxColumnIdKey: "-1"], uuid: { "u" })
        }
        let twice = Schema([Field("a", .int64, metadata: [DeltaSchema.columnMappingIdKey: "1"]), Field("b", .int64, metadata: [DeltaSchema.columnMappingIdKey: "1"])])
        #expect(throws: DeltaError.self) { try ColumnMapping.assign(twice, configuration: [ColumnMapping.modeKey: "name"], uuid: { "u" }) }
    }

    @Test func aVariantsStorageFieldsGetNoIds() throws {
        let names = Names()
        let (schema, config) = try ColumnMapping.assign(Schema([Variant.field("v")]), configuration: [ColumnMapping.modeKey: "name"], uuid: names.next)
        #expect(config[ColumnMapping.maxColumnIdKey] == "1")
        #expect(schema.fields[0].type == Variant.storageType && schema.fields[0].isVariant)
    }

    @Test func thePhysicalSchemaCarriesIdsAsParquetFieldIdsInBothModes() throws {
        for mode in ["name", "id"] {
            let (schema, config) = try ColumnMapping.assign(Self.nested, configuration: [ColumnMapping.modeKey: mode], uuid: Names().next)
            let physical = try ColumnMapping(schema: schema, configuration: config).physicalSchema()
            #expect(physical.names == ["col-u1", "col-u2", "col-u6", "col-u8"])
            #expect(physical.fields.map { $0.metadata[ColumnMapping.parquetFieldIdKey] } == ["1", "2", "6", "8"])
            guard case let .structure(s) = physical.fields[1].type, case let .list(element) = physical.fields[2].type else {
                Issue.record("nested types changed shape")
                continue
            }
            #expect(s.map(\.name) == ["col-u3", "col-u4"] && s[1].metadata[ColumnMapping.parquetFieldIdKey] == "4")
            // Array elements keep Parquet's name and get no id.
            #expect(element.name == "element" && element.metadata.isEmpty)
        }
    }

    @Test func columnMappedTablesAreWritableAndOtherUnsupportedFeaturesStillBlock() throws {
        let (schema, config) = try ColumnMapping.assign(Self.nested, configuration: [ColumnMapping.modeKey: "name"], uuid: Names().next)
        let metadata = Metadata(id: "t", schemaString: try DeltaSchema.serialize(schema), configuration: config)
        try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 2, minWriterVersion: 5), metadata: metadata)
        try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["columnMapping"], writerFeatures: ["columnMapping"]))
        #expect(throws: DeltaError.unsupportedFeature(kind: .writer, features: ["identityColumns"])) {
            try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["columnMapping"], writerFeatures: ["columnMapping", "identityColumns"]))
        }
    }
}
