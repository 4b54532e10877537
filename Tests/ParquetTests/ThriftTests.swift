import Testing
@testable import Parquet

/// Runs `body` over a reader of `bytes`.
private func reading<T>(_ bytes: [UInt8], _ body: (inout CompactReader) throws(ParquetError) -> T) throws(ParquetError) -> T {
    let result: Result<T, ParquetError> = bytes.withUnsafeBytes { buf in
        var r = CompactReader(buf)
        do throws(ParquetError) { return .success(try body(&r)) } catch { return .failure(error) }
    }
    return try result.get()
}

private func expectCorrupt<T>(_ bytes: [UInt8], _ body: (inout CompactReader) throws(ParquetError) -> T) {
    do {
        _ = try reading(bytes, body)
        Issue.record("expected a corrupt-data error")
    } catch {
        #expect(error.kind == .corrupt)
    }
}

@Test func zigzagVarintsRoundTrip() throws {
    let values: [Int64] = [0, -1, 1, -64, 63, 64, -65, 300, Int64(Int32.max), Int64(Int32.min), .max, .min]
    var w = CompactWriter()
    let scope = w.beginStruct()
    for (i, v) in values.enumerated() { w.writeI64(field: Int16(i + 1), v) }
    w.endStruct(scope)
    let decoded = try reading(w.bytes) { r throws(ParquetError) in
        var out = [Int64]()
        let s = try r.beginStruct()
        while let f = try r.readFieldHeader() { out.append(try r.readI64(f)) }
        r.endStruct(s)
        return out
    }
    #expect(decoded == values)
}

@Test func knownEncodingsMatchTheSpec() {
    // Field 1 i32 = 3: short header 0x15, zigzag(3) = 6. Field 50 (long form) i64 = -1.
    var w = CompactWriter()
    let s = w.beginStruct()
    w.writeI32(field: 1, 3)
    w.writeI64(field: 50, -1)
    w.writeBool(field: 51, true)
    w.endStruct(s)
    #expect(w.bytes == [0x15, 0x06, 0x06, 100, 0x01, 0x11, 0x00])
    // 50399 as an unsigned varint: DF 89 03.
    var v = CompactWriter()
    v.writeVarUInt(50399)
    #expect(v.bytes == [0xdf, 0x89, 0x03])
}

@Test func allFieldTypesRoundTripAndUnknownFieldsAreSkipped() throws {
    var w = CompactWriter()
    let s = w.beginStruct()
    w.writeBool(field: 1, true)
    w.writeBool(field: 2, false)
    w.writeI8(field: 3, -5)
    w.writeI16(field: 4, -300)
    w.writeI32(field: 5, 123_456)
    w.writeDouble(field: 6, 3.25)
    w.writeString(field: 7, "héllo")
    w.writeBinary(field: 8, [0, 1, 2, 255])
    w.writeI64List(field: 9, Array(0..<20))
    w.writeBoolList(field: 10, [true, false, true])
    w.writeStringList(field: 11, ["a", "bc"])
    // Unknown fields of every shape, all to be skipped: a map, a set, nested struct, uuid, double.
    w.writeFieldHeader(40, .map)
    w.writeMapHeader(count: 2, keyType: .binary, valueType: .i32)
    w.writeStringValue("k1"); w.writeZigZag(1)
    w.writeStringValue("k2"); w.writeZigZag(2)
    w.writeFieldHeader(41, .set)
    w.writeListHeader(.double, count: 2)
    w.writeDoubleValue(1); w.writeDoubleValue(2)
    w.writeFieldHeader(42, .structure)
    let inner = w.beginStruct()
    w.writeI32List(field: 1, [1, 2, 3])
    w.writeBool(field: 2, true)
    w.writeFieldHeader(3, .list)
    w.writeListHeader(.structure, count: 1)
    let innermost = w.beginStruct(); w.writeString(field: 1, "deep"); w.endStruct(innermost)
    w.endStruct(inner)
    w.writeFieldHeader(43, .uuid)
    w.bytes.append(contentsOf: [UInt8](repeating: 7, count: 16))
    w.writeFieldHeader(44, .map)
    w.writeMapHeader(count: 0, keyType: .i32, valueType: .i32)
    w.writeI32(field: 45, 99)
    w.endStruct(s)

    struct Decoded: Equatable {
        var b1 = false, b2 = true, i8: Int8 = 0, i16: Int16 = 0, i32: Int32 = 0, d = 0.0, str = "", bin: [UInt8] = []
        var list: [Int64] = [], bools: [Bool] = [], strings: [String] = [], last: Int32 = 0
    }
    let d = try reading(w.bytes) { r throws(ParquetError) -> Decoded in
        var d = Decoded()
        let scope = try r.beginStruct()
        while let f = try r.readFieldHeader() {
            switch f.id {
            case 1: d.b1 = try r.readBool(f)
            case 2: d.b2 = try r.readBool(f)
            case 3: d.i8 = try r.readI8(f)
            case 4: d.i16 = try r.readI16(f)
            case 5: d.i32 = try r.readI32(f)
            case 6: d.d = try r.readDouble(f)
            case 7: d.str = try r.readString(f)
            case 8: d.bin = try r.readBinary(f)
            case 9: d.list = try r.readIntegerList(f)
            case 10: d.bools = try r.readBoolList(f)
            case 11: d.strings = try r.readStringList(f)
            case 45: d.last = try r.readI32(f)
            default: try r.skip(f)
            }
        }
        r.endStruct(scope)
        #expect(r.bytes.remaining == 0)
        return d
    }
    #expect(d == Decoded(b1: true, b2: false, i8: -5, i16: -300, i32: 123_456, d: 3.25, str: "héllo", bin: [0, 1, 2, 255],
                         list: Array(0..<20), bools: [true, false, true], strings: ["a", "bc"], last: 99))
}

@Test func integerFieldsAreRangeChecked() {
    var w = CompactWriter()
    let s = w.beginStruct()
    w.writeI64(field: 1, Int64(Int32.max) + 1)
    w.endStruct(s)
    expectCorrupt(w.bytes) { r throws(ParquetError) in
        _ = try r.beginStruct()
        let f = try r.readFieldHeader()
        return try r.readI32(f ?? ThriftFieldHeader(id: 0, type: .stop))
    }
}

@Test func binaryLongerThanTheInputIsCorrupt() {
    // Field 1 binary claiming 100 bytes with 3 present.
    expectCorrupt([0x18, 100, 1, 2, 3]) { r throws(ParquetError) in
        _ = try r.beginStruct()
        guard let f = try r.readFieldHeader() else { return [UInt8]() }
        return try r.readBinary(f)
    }
}

@Test func listCountsAreCheckedBeforeAllocating() {
    // A list of 2^31-1 i64 elements in a 10-byte input: must throw, not reserve gigabytes.
    expectCorrupt([0x19, 0xf6, 0xff, 0xff, 0xff, 0xff, 0x07, 0, 0, 0]) { r throws(ParquetError) in
        _ = try r.beginStruct()
        guard let f = try r.readFieldHeader() else { return [Int64]() }
        return try r.readIntegerList(f, of: Int64.self)
    }
    // Doubles need 8 bytes each: 3 claimed, 16 bytes present.
    expectCorrupt([0x37] + [UInt8](repeating: 0, count: 16)) { r throws(ParquetError) in
        try r.skipValue(.list)
    }
    // A map of a billion entries.
    expectCorrupt([0x80, 0x94, 0xeb, 0xdc, 0x03, 0x55, 1, 2]) { r throws(ParquetError) in
        try r.skipValue(.map)
    }
}

@Test func deepNestingIsRejectedNotOverflowed() {
    // 100,000 nested structs (field 1 of type struct, repeated): skip must stop at the depth limit.
    var bytes = [UInt8](repeating: 0x1c, count: 100_000)
    bytes += [UInt8](repeating: 0, count: 100_001)
    expectCorrupt(bytes) { r throws(ParquetError) in try r.skipValue(.structure) }
    // Nested lists of lists.
    let lists = [UInt8](repeating: 0x19, count: 100_000)
    expectCorrupt(lists) { r throws(ParquetError) in try r.skipValue(.list) }
    // Within the limit it works.
    let ok = [UInt8](repeating: 0x1c, count: 10) + [UInt8](repeating: 0, count: 11)
    #expect(throws: Never.self) { try reading(ok) { r throws(ParquetError) in try r.skipValue(.structure) } }
}

@Test func unknownWireTypesAndTruncationAreCorrupt() {
    expectCorrupt([0x1e]) { r throws(ParquetError) in
        _ = try r.beginStruct()
        return try r.readFieldHeader()
    }
    expectCorrupt([0x16, 0x80]) { r throws(ParquetError) in try r.skipValue(.structure) }
    expectCorrupt([0x17, 1, 2, 3]) { r throws(ParquetError) in try r.skipValue(.structure) }
    expectCorrupt([]) { r throws(ParquetError) in try r.skipValue(.structure) }
    // A varint that never ends.
    expectCorrupt([UInt8](repeating: 0xff, count: 20)) { r throws(ParquetError) in try r.skipValue(.i64) }
}

@Test func fieldIdDeltasAndLongFormMix() throws {
    var w = CompactWriter()
    let s = w.beginStruct()
    w.writeI32(field: 2, 20)
    w.writeI32(field: 30, 300)   // delta 28: long form
    w.writeI32(field: 31, 310)   // delta 1 from 30
    w.writeI32(field: 5, 50)     // going backwards: long form
    w.endStruct(s)
    let ids = try reading(w.bytes) { r throws(ParquetError) in
        var out = [Int16: Int32]()
        let sc = try r.beginStruct()
        while let f = try r.readFieldHeader() { out[f.id] = try r.readI32(f) }
        r.endStruct(sc)
        return out
    }
    #expect(ids == [2: 20, 30: 300, 31: 310, 5: 50])
}
