import Testing
@testable import Columnar

@Test func bitmapAppendAndCount() {
    var b = Bitmap(count: 0, value: false)
    for i in 0..<130 { b.append(i % 3 == 0) }
    #expect(b.count == 130)
    #expect(b.setCount == 44)
    #expect(b[129] && !b[128])
}

@Test func columnFromScalarsRoundTrips() throws {
    let values: [Scalar] = [.int(1), .null, .int(3)]
    let c = try Column(.int64, values)
    #expect(c.nullCount == 1)
    #expect(c.scalars == values)
}

@Test func nestedColumnRoundTrips() throws {
    let t = DataType.list(Field("item", .string))
    let values: [Scalar] = [.list([.string("a"), .null]), .null, .list([])]
    let c = try Column(t, values)
    #expect(c.scalars == values)
}

@Test func inconsistentBuffersThrow() {
    #expect(throws: ColumnarError.self) {
        try Column(type: .int64, count: 3, validity: nil, values: .int64([1, 2]))
    }
}

@Test func sliceAndConcatenateKeepValues() throws {
    let t = DataType.list(Field("element", .string))
    let values: [Scalar] = [.list([.string("a"), .null]), .null, .list([]), .list([.string("bcd")])]
    let c = try Column(t, values)
    let parts = [c.slice(0..<1), c.slice(1..<3), c.slice(3..<4)]
    #expect(parts[1].scalars == Array(values[1..<3]))
    let joined = try Column.concatenate(parts)
    #expect(joined.scalars == values)
    let ints = try Column(.int32, [.int(1), .null, .int(3)])
    #expect(try Column.concatenate([ints, ints.slice(1..<3)]).scalars == [.int(1), .null, .int(3), .null, .int(3)])
    #expect(throws: ColumnarError.self) { try Column.concatenate([ints, c]) }
}
