import Testing
import Columnar
@testable import DeltaLog

@Suite struct SchemaJSONTests {
    @Test func everyTypeRoundTrips() throws {
        let schema = Schema([
            Field("s", .string), Field("l", .int64, nullable: false), Field("i", .int32), Field("sh", .int16),
            Field("b", .int8), Field("f", .float32), Field("d", .float64), Field("dec", .decimal(precision: 38, scale: 9)),
            Field("bool", .boolean), Field("bin", .binary), Field("date", .date),
            Field("ts", .timestamp(.microsecond, utc: true)), Field("ntz", .timestamp(.microsecond, utc: false)),
            Field("st", .structure([Field("x", .int32, nullable: false)])),
            Field("arr", .list(Field("element", .string, nullable: false))),
            Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .list(Field("element", .int64)), nullable: true))),
        ])
        let text = try DeltaSchema.serialize(schema)
        #expect(try DeltaSchema.parse(text) == schema)
        #expect(text.contains(#"{"name":"ts","type":"timestamp","nullable":true,"metadata":{}}"#))
        #expect(text.contains(#"{"name":"ntz","type":"timestamp_ntz","nullable":true,"metadata":{}}"#))
        #expect(text.contains(#"{"type":"array","elementType":"string","containsNull":false}"#))
        #expect(text.contains(#""type":{"type":"map","keyType":"string","valueType":{"type":"array","elementType":"long","containsNull":true},"valueContainsNull":true}"#))
        #expect(text.contains(#""decimal(38,9)""#))
    }

    @Test func columnMappingAndTypedMetadataRoundTrip() throws {
        let text = #"{"type":"struct","fields":[{"name":"a b","type":"integer","nullable":true,"metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-5f422f40","comment":"42","flag":true,"nested":{"k":[1,"x"]}}}]}"#
        let schema = try DeltaSchema.parse(text)
        let f = schema.fields[0]
        #expect(DeltaSchema.columnMappingId(f) == 1)
        #expect(DeltaSchema.physicalName(f) == "col-5f422f40")
        #expect(f.metadata["comment"] == "42")
        #expect(f.metadata["flag"] == "true")
        let back = try JSONValue.parse(DeltaSchema.serialize(schema))
        #expect(back == (try JSONValue.parse(text)))
    }

    @Test func variantColumnsParseAsMarkedStructsOfBinaries() throws {
        let text = #"{"type":"struct","fields":[{"name":"v","type":"variant","nullable":true,"metadata":{"comment":"c"}},{"name":"a","type":{"type":"array","elementType":"variant","containsNull":true},"nullable":true,"metadata":{}},{"name":"s","type":{"type":"struct","fields":[{"name":"v","type":"variant","nullable":false,"metadata":{}}]},"nullable":true,"metadata":{}},{"name":"m","type":{"type":"map","keyType":"string","valueType":"variant","valueContainsNull":true},"nullable":true,"metadata":{}}]}"#
        let schema = try DeltaSchema.parse(text)
        let binaries = DataType.structure([Field("metadata", .binary, nullable: false), Field("value", .binary, nullable: false)])
        let v = schema.fields[0]
        #expect(v.type == binaries && v.isVariant && v.metadata["comment"] == "c")
        guard case let .list(element) = schema.fields[1].type else { Issue.record("a is not a list"); return }
        #expect(element.isVariant && element.type == binaries)
        guard case let .structure(children) = schema.fields[2].type else { Issue.record("s is not a struct"); return }
        #expect(children[0].isVariant && !children[0].nullable)
        guard case let .map(key, value) = schema.fields[3].type else { Issue.record("m is not a map"); return }
        #expect(!key.isVariant && value.isVariant && value.type == binaries)
        // Serializing writes "variant" back and keeps the marker out of the column metadata.
        #expect(try JSONValue.parse(DeltaSchema.serialize(schema)) == (try JSONValue.parse(text)))
    }

    @Test func aStructOfBinariesIsNoVariant() throws {
        let text = #"{"type":"struct","fields":[{"name":"v","type":{"type":"struct","fields":[{"name":"metadata","type":"binary","nullable":false,"metadata":{}},{"name":"value","type":"binary","nullable":false,"metadata":{}}]},"nullable":true,"metadata":{}}]}"#
        let schema = try DeltaSchema.parse(text)
        #expect(!schema.fields[0].isVariant)
        #expect(try DeltaSchema.serialize(schema).contains(#""type":{"type":"struct""#))
    }

    @Test func variantMapKeysThrow() {
        let text = #"{"type":"struct","fields":[{"name":"m","type":{"type":"map","keyType":"variant","valueType":"long","valueContainsNull":true},"nullable":true,"metadata":{}}]}"#
        #expect(throws: DeltaError.self) { try DeltaSchema.parse(text) }
    }

    @Test func badSchemasThrow() throws {
        for bad in [#"{"type":"struct"}"#, #"{"type":"struct","fields":[{"name":"a","type":"varchar"}]}"#, #"{"type":"struct","fields":[{"name":"a","type":"decimal(40,2)"}]}"#, "not json"] {
            #expect(throws: DeltaError.self, "\(bad)") { try DeltaSchema.parse(bad) }
        }
        #expect(throws: DeltaError.self) { try DeltaSchema.serialize(Schema([Field("u", .uint32)])) }
        #expect(try DeltaSchema.parse(#"{"type":"struct","fields":[{"name":"d","type":"decimal"}]}"#).fields[0].type == .decimal(precision: 10, scale: 0))
    }
}
