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

    @Test func badSchemasThrow() throws {
        for bad in [#"{"type":"struct"}"#, #"{"type":"struct","fields":[{"name":"a","type":"varchar"}]}"#, #"{"type":"struct","fields":[{"name":"a","type":"decimal(40,2)"}]}"#, "not json"] {
            #expect(throws: DeltaError.self, "\(bad)") { try DeltaSchema.parse(bad) }
        }
        #expect(throws: DeltaError.self) { try DeltaSchema.serialize(Schema([Field("u", .uint32)])) }
        #expect(try DeltaSchema.parse(#"{"type":"struct","fields":[{"name":"d","type":"decimal"}]}"#).fields[0].type == .decimal(precision: 10, scale: 0))
    }
}
