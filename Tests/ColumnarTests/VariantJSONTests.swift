import Testing
@testable import Columnar

// Variant binaries (VariantEncoding.md) are built byte by byte here from the spec's layouts, and the JSON
// lake prints for them is compared with the text the spec's values mean.

/// Metadata version 1 with 1-byte offsets over `names`.
private func metadata(_ names: [String]) -> [UInt8] {
    var offsets: [UInt8] = [0], data: [UInt8] = []
    for n in names { data += Array(n.utf8); offsets.append(UInt8(data.count)) }
    return [0x01, UInt8(names.count)] + offsets + data
}

private func primitive(_ type: UInt8, _ payload: [UInt8] = []) -> [UInt8] { [type << 2] + payload }
private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
private func short(_ s: String) -> [UInt8] { [UInt8(s.utf8.count) << 2 | 1] + Array(s.utf8) }
private func array(_ items: [[UInt8]]) -> [UInt8] {
    var offsets: [UInt8] = [0]
    for it in items { offsets.append(offsets.last! + UInt8(it.count)) }
    return [0x03, UInt8(items.count)] + offsets + items.flatMap { $0 }
}
private func object(_ fields: [(UInt8, [UInt8])]) -> [UInt8] {
    var offsets: [UInt8] = [], body: [UInt8] = []
    for (_, v) in fields { offsets.append(UInt8(body.count)); body += v }
    offsets.append(UInt8(body.count))
    return [0x02, UInt8(fields.count)] + fields.map(\.0) + offsets + body
}

private func json(_ m: [UInt8], _ v: [UInt8]) throws -> String { try VariantJSON.json(metadata: m, value: v) }

@Test func variantFromSparkGoldenTableRendersAsItsObject() throws {
    // spark-variant-checkpoint's first value: parse_json('{"key": 1}').
    #expect(try json([0x01, 0x01, 0x00, 0x03] + Array("key".utf8), [0x02, 0x01, 0x00, 0x00, 0x02, 0x0c, 0x01]) == #"{"key":1}"#)
}

@Test func variantPrimitivesRenderAsJSON() throws {
    let m = metadata([])
    let cases: [([UInt8], String)] = [
        (primitive(0), "null"), (primitive(1), "true"), (primitive(2), "false"),
        (primitive(3, [0xF9]), "-7"), (primitive(4, le(Int16(-300))), "-300"), (primitive(5, le(Int32(70_000))), "70000"),
        (primitive(6, le(Int64(1) << 62 + 1)), "4611686018427387905"),
        (primitive(7, le(0.1.bitPattern)), "0.1"), (primitive(14, le(Float(0.5).bitPattern)), "0.5"),
        (primitive(8, [2] + le(Int32(12345))), "123.45"), (primitive(9, [0] + le(Int64(-1))), "-1"),
        (primitive(10, [3] + le(Int64(5)) + le(Int64(0))), "0.005"),
        (primitive(11, le(Int32(19723))), #""2024-01-01""#),
        (primitive(12, le(Int64(1_704_067_200_000_001))), #""2024-01-01T00:00:00.000001Z""#),
        (primitive(13, le(Int64(-1))), #""1969-12-31T23:59:59.999999""#),
        (primitive(15, le(UInt32(2)) + [0xFF, 0x00]), #""/wA=""#),
        (primitive(16, le(UInt32(3)) + Array("a\"b".utf8)), #""a\"b""#),
        (short("héllo"), #""héllo""#),
        (primitive(20, (0..<16).map { UInt8($0) }), #""00010203-0405-0607-0809-0a0b0c0d0e0f""#),
    ]
    for (value, text) in cases { #expect(try json(m, value) == text, "\(value)") }
}

@Test func variantObjectsAndArraysNest() throws {
    let m = metadata(["a", "b", "nested"])
    let v = object([(0, primitive(5, le(Int32(1)))), (1, array([short("p"), primitive(2)])), (2, object([(0, primitive(0))]))])
    #expect(try json(m, v) == #"{"a":1,"b":["p",false],"nested":{"a":null}}"#)
    #expect(try json(metadata([]), array([])) == "[]")
}

@Test func corruptVariantsThrow() {
    let m = metadata(["a"])
    let bad: [([UInt8], [UInt8], String)] = [
        ([], primitive(0), "empty metadata"),
        ([0x02, 0x00, 0x00], primitive(0), "unknown metadata version"),
        ([0x01, 0xFF, 0x00], primitive(0), "a dictionary larger than the metadata"),
        (m, [], "empty value"),
        (m, primitive(6, [1, 2, 3]), "a truncated int64"),
        (m, primitive(16, le(UInt32(100)) + [0x61]), "a string longer than its bytes"),
        (m, [0x02, 0x01, 0x05, 0x00, 0x01] + primitive(0), "a field id outside the dictionary"),
        (m, [0x03, 0x01, 0x00, 0x09] + primitive(0), "an element offset past the array"),
        (m, [0x03, 0xFF, 0x00], "an array claiming more elements than bytes"),
        (m, primitive(63), "an unknown primitive type"),
        (m, primitive(8, [39] + le(Int32(1))), "a decimal scale above 38"),
    ]
    for (meta, value, what) in bad {
        #expect(throws: ColumnarError.self, "\(what)") { try json(meta, value) }
    }
}

@Test func deeplyNestedVariantsThrowInsteadOfExhaustingTheStack() {
    // Arrays of one element each (4-byte offsets), nested past VariantJSON.maxDepth; one level less reads.
    func nest(_ levels: Int) -> [UInt8] {
        var v: [UInt8] = primitive(0)
        for _ in 0..<levels { v = [0x03 | (3 << 2), 0x01] + le(UInt32(0)) + le(UInt32(v.count)) + v }
        return v
    }
    #expect(throws: ColumnarError.self) { try json(metadata([]), nest(VariantJSON.maxDepth + 1)) }
    #expect((try? json(metadata([]), nest(VariantJSON.maxDepth))) != nil)
}

@Test func ndjsonRendersMarkedVariantColumnsAtEveryDepth() throws {
    let m = metadata(["a"]), v = object([(0, short("x"))])
    let variant = Scalar.structure([.bytes(m), .bytes(v)])
    let schema = Schema([
        Variant.field("v"),
        Field("l", .list(Variant.field("element"))),
        Field("plain", Variant.storageType),
    ])
    let batch = try RecordBatch(schema: schema, columns: [
        try Column(Variant.storageType, [variant, .null]),
        try Column(.list(Variant.field("element")), [.list([variant, .null]), .list([])]),
        try Column(Variant.storageType, [.structure([.bytes([1]), .bytes([2])]), .null]),
    ])
    var out: [UInt8] = []
    try BatchText.ndjsonRenderingVariants(batch, to: &out)
    #expect(String(decoding: out, as: UTF8.self) == """
    {"v":{"a":"x"},"l":[{"a":"x"},null],"plain":{"metadata":"AQ==","value":"Ag=="}}
    {"v":null,"l":[],"plain":null}

    """)
}
