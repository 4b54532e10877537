import Testing
import Columnar
@testable import DeltaLog

@Suite struct ProtocolTests {
    @Test func readableProtocols() throws {
        try TableFeatures.checkReadable(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2))
        try TableFeatures.checkReadable(ProtocolAction(minReaderVersion: 2, minWriterVersion: 5))
        try TableFeatures.checkReadable(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["deletionVectors", "columnMapping", "timestampNtz", "v2Checkpoint", "typeWidening", "typeWidening-preview", "vacuumProtocolCheck"], writerFeatures: []))
        #expect(throws: DeltaError.unsupportedFeature(kind: .reader, features: ["variantShredding-preview", "fancy"])) {
            try TableFeatures.checkReadable(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["deletionVectors", "variantShredding-preview", "fancy"], writerFeatures: []))
        }
        #expect(throws: DeltaError.unsupportedProtocolVersion(kind: .reader, version: 99, supported: 1...3)) {
            try TableFeatures.checkReadable(ProtocolAction(minReaderVersion: 99, minWriterVersion: 7))
        }
        let e = DeltaError.unsupportedFeature(kind: .reader, features: ["variantType"])
        #expect(e.description == "lake cannot read this table: unsupported reader table feature variantType")
    }

    @Test func variantTablesAreReadableButNotWritable() throws {
        for feature in ["variantType", "variantType-preview"] {
            let p = ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [feature], writerFeatures: [feature, "appendOnly"])
            try TableFeatures.checkReadable(p)
            #expect(throws: DeltaError.unsupportedFeature(kind: .writer, features: [feature])) { try TableFeatures.checkWritable(p) }
        }
    }

    @Test func aVariantColumnNeedsTheVariantTypeFeature() throws {
        let s = Schema([Field("id", .int64), Field("a", .list(Variant.field("element"))),
                        Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .structure([Variant.field("v")]))))])
        #expect(TableFeatures.requiredFeatures(schema: Schema([Variant.field("v")]), configuration: [:]) == ["variantType"])
        #expect(TableFeatures.requiredFeatures(schema: s, configuration: [:]) == ["variantType"])
        let p = TableFeatures.minimumProtocol(schema: s, configuration: [:])
        #expect(p.minReaderVersion == 3 && p.readerFeatures == ["variantType"])
    }

    @Test func writableProtocols() throws {
        try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2))
        try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["timestampNtz"], writerFeatures: ["timestampNtz", "appendOnly"]))
        #expect(throws: DeltaError.unsupportedFeature(kind: .writer, features: ["identityColumns"])) {
            try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ["appendOnly", "identityColumns"]))
        }
        // Legacy writer 4 implies generatedColumns, which only blocks writing when a column uses it.
        let plain = Metadata(id: "t", schemaString: #"{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}}]}"#)
        try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 1, minWriterVersion: 4), metadata: plain)
        let generated = Metadata(id: "t", schemaString: #"{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{"delta.generationExpression":"1"}}]}"#)
        #expect(throws: DeltaError.unsupportedFeature(kind: .writer, features: ["generatedColumns"])) {
            try TableFeatures.checkWritable(ProtocolAction(minReaderVersion: 1, minWriterVersion: 4), metadata: generated)
        }
    }

    @Test func minimumProtocolIsTheSmallestThatFits() {
        let s = Schema([Field("a", .int64)])
        #expect(TableFeatures.minimumProtocol(schema: s, configuration: [:]) == ProtocolAction(minReaderVersion: 1, minWriterVersion: 2))
        #expect(TableFeatures.minimumProtocol(schema: s, configuration: ["delta.enableChangeDataFeed": "true"]) == ProtocolAction(minReaderVersion: 1, minWriterVersion: 4))
        #expect(TableFeatures.minimumProtocol(schema: s, configuration: ["delta.constraints.pos": "a > 0"]) == ProtocolAction(minReaderVersion: 1, minWriterVersion: 3))
        #expect(TableFeatures.minimumProtocol(schema: s, configuration: ["delta.columnMapping.mode": "name"]) == ProtocolAction(minReaderVersion: 2, minWriterVersion: 5))
        let ntz = Schema([Field("t", .timestamp(.microsecond, utc: false))])
        #expect(TableFeatures.minimumProtocol(schema: ntz, configuration: ["delta.appendOnly": "true"]) == ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["timestampNtz"], writerFeatures: ["appendOnly", "timestampNtz"]))
        #expect(TableFeatures.minimumProtocol(schema: s, configuration: ["delta.enableInCommitTimestamps": "true"]) == ProtocolAction(minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ["inCommitTimestamp"]))
        let merged = TableFeatures.merge(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2), ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["timestampNtz"], writerFeatures: ["timestampNtz"]))
        #expect(merged == ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["timestampNtz"], writerFeatures: ["appendOnly", "invariants", "timestampNtz"]))
    }

    @Test func partitionValuesRoundTripEveryType() throws {
        let cases: [(DataType, Scalar, String)] = [
            (.string, .string("a b/c"), "a b/c"), (.boolean, .boolean(true), "true"), (.int8, .int(-5), "-5"),
            (.int16, .int(300), "300"), (.int32, .int(70000), "70000"), (.int64, .int(Int64.max), "9223372036854775807"),
            (.float64, .double(1.5), "1.5"), (.float32, .float(0.25), "0.25"),
            (.decimal(precision: 5, scale: 2), .decimal(-1230), "-12.30"), (.decimal(precision: 3, scale: 3), .decimal(5), "0.005"),
            (.date, .int(19723), "2024-01-01"), (.date, .int(-1), "1969-12-31"),
            (.timestamp(.microsecond, utc: true), .int(1_704_103_200_000_000), "2024-01-01 10:00:00"),
            (.timestamp(.microsecond, utc: false), .int(1_704_103_200_123_456), "2024-01-01 10:00:00.123456"),
            (.binary, .bytes([1, 2, 3]), "\u{1}\u{2}\u{3}"),
        ]
        for (type, value, text) in cases {
            #expect(try PartitionValues.serialize(value, type: type) == text, "\(type)")
            #expect(try PartitionValues.parse(text, type: type, column: "c") == value, "\(type)")
        }
        #expect(try PartitionValues.serialize(.null, type: .int32) == nil)
        #expect(try PartitionValues.parse(nil, type: .int32, column: "c") == .null)
        #expect(try PartitionValues.parse("", type: .date, column: "c") == .null)
        #expect(try PartitionValues.parse("2021-09-08T11:11:11.000000Z", type: .timestampMicros, column: "c") == .int(1_631_099_471_000_000))
        #expect(try PartitionValues.parse("2021-09-08T12:11:11+01:00", type: .timestampMicros, column: "c") == .int(1_631_099_471_000_000))
        #expect(try PartitionValues.parse("1.2300", type: .decimal(precision: 5, scale: 2), column: "c") == .decimal(123))
        for (bad, type) in [("x", DataType.int32), ("128", .int8), ("2024-13-01", .date), ("1.234", .decimal(precision: 5, scale: 2)), ("maybe", .boolean), ("2024-01-01 25:00:00", .timestampMicros)] {
            #expect(throws: DeltaError.invalidPartitionValue(column: "c", value: bad, type: type.name)) { try PartitionValues.parse(bad, type: type, column: "c") }
        }
    }

    @Test func hiveEscapingAndPathEncoding() {
        #expect(PartitionValues.hivePathSegment(column: "p", value: "a/b=c%d:e f") == "p=a%2Fb%3Dc%25d%3Ae f")
        #expect(PartitionValues.hivePathSegment(column: "p", value: nil) == "p=__HIVE_DEFAULT_PARTITION__")
        #expect(PartitionValues.unescapePathName("a%2Fb%3Dc%25d%3Ae f") == "a/b=c%d:e f")
        #expect(PartitionValues.hiveDirectory(columns: ["a", "b"], values: ["a": "1", "b": nil]) == "a=1/b=__HIVE_DEFAULT_PARTITION__/")
        // As in the golden table data-reader-partition-values.
        let dir = PartitionValues.hivePathSegment(column: "as_timestamp", value: "2021-09-08 11:11:11")
        #expect(DeltaPath.encode(dir) == "as_timestamp=2021-09-08%2011%253A11%253A11")
        #expect(DeltaPath.decode("as_timestamp=2021-09-08%2011%253A11%253A11") == dir)
        #expect(DeltaPath.decode("ü%C3%BC") == "üü")
        #expect(DeltaPath.decode("%zz") == nil)
        #expect(DeltaPath.isAbsolute("s3://b/k") && DeltaPath.isAbsolute("file:/x") && !DeltaPath.isAbsolute("a=1:2/f"))
    }
}
