import Columnar

/// A fixed-width value type stored in one `ColumnValues` case, so kernels can be written once, generically,
/// and specialized per type by the compiler (no boxing, no per-row switch).
protocol ColumnElement: Sendable {
    /// The typed buffer of `values`, when it is stored in this element type.
    static func buffer(_ values: ColumnValues) -> [Self]?
    /// `array` wrapped in this element type's storage case.
    static func values(_ array: [Self]) -> ColumnValues
}

extension Int8: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [Int8]? { if case let .int8(a) = v { a } else { nil } }
    static func values(_ a: [Int8]) -> ColumnValues { .int8(a) }
}
extension Int16: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [Int16]? { if case let .int16(a) = v { a } else { nil } }
    static func values(_ a: [Int16]) -> ColumnValues { .int16(a) }
}
extension Int32: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [Int32]? { if case let .int32(a) = v { a } else { nil } }
    static func values(_ a: [Int32]) -> ColumnValues { .int32(a) }
}
extension Int64: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [Int64]? { if case let .int64(a) = v { a } else { nil } }
    static func values(_ a: [Int64]) -> ColumnValues { .int64(a) }
}
extension UInt8: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [UInt8]? { if case let .uint8(a) = v { a } else { nil } }
    static func values(_ a: [UInt8]) -> ColumnValues { .uint8(a) }
}
extension UInt16: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [UInt16]? { if case let .uint16(a) = v { a } else { nil } }
    static func values(_ a: [UInt16]) -> ColumnValues { .uint16(a) }
}
extension UInt32: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [UInt32]? { if case let .uint32(a) = v { a } else { nil } }
    static func values(_ a: [UInt32]) -> ColumnValues { .uint32(a) }
}
extension UInt64: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [UInt64]? { if case let .uint64(a) = v { a } else { nil } }
    static func values(_ a: [UInt64]) -> ColumnValues { .uint64(a) }
}
extension Float: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [Float]? { if case let .float32(a) = v { a } else { nil } }
    static func values(_ a: [Float]) -> ColumnValues { .float32(a) }
}
extension Double: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [Double]? { if case let .float64(a) = v { a } else { nil } }
    static func values(_ a: [Double]) -> ColumnValues { .float64(a) }
}
extension Int128: ColumnElement {
    static func buffer(_ v: ColumnValues) -> [Int128]? { if case let .decimal(a) = v { a } else { nil } }
    static func values(_ a: [Int128]) -> ColumnValues { .decimal(a) }
}

/// Column-building helpers shared by the evaluator and the operators.
enum Kernels {
    /// The typed buffer of `column`, or an error when its storage is not `T` (a bug in the caller's dispatch).
    static func buffer<T: ColumnElement>(_ column: Column, as _: T.Type) throws(DataFrameError) -> [T] {
        guard let a = T.buffer(column.values) else {
            throw .columnar(.invalid("expected \(T.self) storage for \(column.type.name)"))
        }
        return a
    }

    /// The string/binary buffers of `column`.
    static func bytes(_ column: Column) throws(DataFrameError) -> (offsets: [Int64], data: [UInt8]) {
        guard case let .bytes(o, d) = column.values else {
            throw .columnar(.invalid("expected byte storage for \(column.type.name)"))
        }
        return (o, d)
    }

    /// The value bitmap of a boolean column.
    static func bits(_ column: Column) throws(DataFrameError) -> Bitmap {
        guard case let .boolean(b) = column.values else {
            throw .columnar(.invalid("expected boolean storage for \(column.type.name)"))
        }
        return b
    }

    /// A column of `type` from a typed buffer.
    static func column<T: ColumnElement>(_ type: DataType, _ values: [T], validity: Bitmap?) -> Column {
        Column(unchecked: type, count: values.count, validity: normalized(validity), values: T.values(values))
    }

    /// A boolean column.
    static func boolean(_ bits: Bitmap, validity: Bitmap?) -> Column {
        Column(unchecked: .boolean, count: bits.count, validity: normalized(validity), values: .boolean(bits))
    }

    /// Drops an all-valid bitmap so later kernels take their no-null fast path.
    static func normalized(_ validity: Bitmap?) -> Bitmap? {
        guard let v = validity else { return nil }
        return v.allSet ? nil : v
    }

    /// A column of `count` nulls of any type.
    static func nulls(_ type: DataType, count: Int) -> Column {
        let validity = Bitmap(count: count, value: false)
        let values: ColumnValues
        switch type {
        case .boolean: values = .boolean(Bitmap(count: count, value: false))
        case .int8: values = .int8(Array(repeating: 0, count: count))
        case .int16: values = .int16(Array(repeating: 0, count: count))
        case .int32, .date: values = .int32(Array(repeating: 0, count: count))
        case .int64, .time, .timestamp: values = .int64(Array(repeating: 0, count: count))
        case .uint8: values = .uint8(Array(repeating: 0, count: count))
        case .uint16: values = .uint16(Array(repeating: 0, count: count))
        case .uint32: values = .uint32(Array(repeating: 0, count: count))
        case .uint64: values = .uint64(Array(repeating: 0, count: count))
        case .float32: values = .float32(Array(repeating: 0, count: count))
        case .float64: values = .float64(Array(repeating: 0, count: count))
        case .decimal: values = .decimal(Array(repeating: 0, count: count))
        case let .fixedSizeBinary(w):
            // Fixed-size binary keeps its width even for null slots.
            values = .bytes(offsets: (0...count).map { Int64($0 * w) }, data: Array(repeating: 0, count: count * w))
        case .string, .binary: values = .bytes(offsets: Array(repeating: 0, count: count + 1), data: [])
        case let .list(f): values = .list(offsets: Array(repeating: 0, count: count + 1), child: .empty(f.type))
        case let .structure(fs): values = .structure(fs.map { nulls($0.type, count: count) })
        case let .map(k, v):
            values = .map(offsets: Array(repeating: 0, count: count + 1), keys: .empty(k.type), values: .empty(v.type))
        }
        return Column(unchecked: type, count: count, validity: count == 0 ? nil : validity, values: values)
    }

    /// `value` repeated `count` times as a column of `type`; `.null` gives a null column.
    /// Only flat types are supported (literals are never nested).
    static func broadcast(_ value: Scalar, _ type: DataType, count: Int) throws(DataFrameError) -> Column {
        if value == .null { return nulls(type, count: count) }
        func mismatch() -> DataFrameError { .columnar(.invalid("literal \(value) does not fit \(type.name)")) }
        func int<T: FixedWidthInteger & ColumnElement>(_: T.Type) throws(DataFrameError) -> Column {
            let v: T?
            switch value {
            case let .int(x): v = T(exactly: x)
            case let .uint(x): v = T(exactly: x)
            default: v = nil
            }
            guard let v else { throw mismatch() }
            return column(type, [T](repeating: v, count: count), validity: nil)
        }
        switch (type, value) {
        case let (.boolean, .boolean(b)): return boolean(Bitmap(count: count, value: b), validity: nil)
        case (.int8, _): return try int(Int8.self)
        case (.int16, _): return try int(Int16.self)
        case (.int32, _), (.date, _): return try int(Int32.self)
        case (.int64, _), (.time, _), (.timestamp, _): return try int(Int64.self)
        case (.uint8, _): return try int(UInt8.self)
        case (.uint16, _): return try int(UInt16.self)
        case (.uint32, _): return try int(UInt32.self)
        case (.uint64, _): return try int(UInt64.self)
        case let (.float32, .float(x)): return column(type, [Float](repeating: x, count: count), validity: nil)
        case let (.float64, .double(x)): return column(type, [Double](repeating: x, count: count), validity: nil)
        case let (.decimal, .decimal(x)): return column(type, [Int128](repeating: x, count: count), validity: nil)
        case let (.string, .string(s)): return repeatedBytes(Array(s.utf8), type, count: count)
        case let (.string, .bytes(b)), let (.binary, .bytes(b)), let (.fixedSizeBinary, .bytes(b)):
            return repeatedBytes(b, type, count: count)
        default: throw mismatch()
        }
    }

    private static func repeatedBytes(_ b: [UInt8], _ type: DataType, count: Int) -> Column {
        var data = [UInt8]()
        data.reserveCapacity(b.count * count)
        for _ in 0..<count { data.append(contentsOf: b) }
        let offsets = (0...count).map { Int64($0 * b.count) }
        return Column(unchecked: type, count: count, validity: nil, values: .bytes(offsets: offsets, data: data))
    }
}
