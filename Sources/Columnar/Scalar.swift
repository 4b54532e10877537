/// One value, boxed. For edges only (tests, printing, literals): never use in a loop over a column.
public indirect enum Scalar: Sendable, Hashable {
    case null
    case boolean(Bool)
    /// Any signed integer type, and `date` / `time` / `timestamp` raw values.
    case int(Int64)
    /// Unsigned integer types.
    case uint(UInt64)
    case float(Float)
    case double(Double)
    /// Unscaled decimal value.
    case decimal(Int128)
    case string(String)
    /// binary and fixed-size binary.
    case bytes([UInt8])
    case list([Scalar])
    /// Struct values in field order.
    case structure([Scalar])
    /// Map entries in order.
    case map([MapEntry])

    /// One key-value entry of a map value.
    public struct MapEntry: Sendable, Hashable {
        public var key: Scalar
        public var value: Scalar
        public init(_ key: Scalar, _ value: Scalar) {
            self.key = key
            self.value = value
        }
    }
}

extension Column {
    /// Row `i` as a boxed scalar.
    public func scalar(at i: Int) -> Scalar {
        if isNull(i) { return .null }
        switch values {
        case let .boolean(b): return .boolean(b[i])
        case let .int8(a): return .int(Int64(a[i]))
        case let .int16(a): return .int(Int64(a[i]))
        case let .int32(a): return .int(Int64(a[i]))
        case let .int64(a): return .int(a[i])
        case let .uint8(a): return .uint(UInt64(a[i]))
        case let .uint16(a): return .uint(UInt64(a[i]))
        case let .uint32(a): return .uint(UInt64(a[i]))
        case let .uint64(a): return .uint(a[i])
        case let .float32(a): return .float(a[i])
        case let .float64(a): return .double(a[i])
        case let .decimal(a): return .decimal(a[i])
        case let .bytes(o, d):
            let slice = Array(d[Int(o[i])..<Int(o[i + 1])])
            if case .string = type { return .string(String(decoding: slice, as: UTF8.self)) }
            return .bytes(slice)
        case let .list(o, child):
            return .list((Int(o[i])..<Int(o[i + 1])).map { child.scalar(at: $0) })
        case let .structure(children):
            return .structure(children.map { $0.scalar(at: i) })
        case let .map(o, k, v):
            return .map((Int(o[i])..<Int(o[i + 1])).map { Scalar.MapEntry(k.scalar(at: $0), v.scalar(at: $0)) })
        }
    }

    /// All rows as boxed scalars.
    public var scalars: [Scalar] { (0..<count).map { scalar(at: $0) } }

    /// Builds a column of `type` from boxed values; throws when a value does not fit the type.
    public init(_ type: DataType, _ scalars: [Scalar]) throws(ColumnarError) {
        let n = scalars.count
        var validity = Bitmap(count: n, value: true)
        for (i, s) in scalars.enumerated() where s == .null { validity[i] = false }
        func mismatch(_ s: Scalar) -> ColumnarError { .invalid("value \(s) does not fit \(type.name)") }
        func ints<T: FixedWidthInteger>(_: T.Type) throws(ColumnarError) -> [T] {
            var out = [T](); out.reserveCapacity(n)
            for s in scalars {
                switch s {
                case .null: out.append(0)
                case let .int(v): guard let x = T(exactly: v) else { throw mismatch(s) }; out.append(x)
                case let .uint(v): guard let x = T(exactly: v) else { throw mismatch(s) }; out.append(x)
                default: throw mismatch(s)
                }
            }
            return out
        }
        func offsetsOf(_ lengths: [Int]) -> [Int64] {
            var o: [Int64] = [0]; o.reserveCapacity(lengths.count + 1)
            for l in lengths { o.append(o[o.count - 1] + Int64(l)) }
            return o
        }
        let values: ColumnValues
        switch type {
        case .boolean:
            var b = Bitmap(count: n, value: false)
            for (i, s) in scalars.enumerated() {
                switch s { case .null: break; case let .boolean(v): b[i] = v; default: throw mismatch(s) }
            }
            values = .boolean(b)
        case .int8: values = .int8(try ints(Int8.self))
        case .int16: values = .int16(try ints(Int16.self))
        case .int32, .date: values = .int32(try ints(Int32.self))
        case .int64, .time, .timestamp: values = .int64(try ints(Int64.self))
        case .uint8: values = .uint8(try ints(UInt8.self))
        case .uint16: values = .uint16(try ints(UInt16.self))
        case .uint32: values = .uint32(try ints(UInt32.self))
        case .uint64: values = .uint64(try ints(UInt64.self))
        case .float32:
            var out = [Float]()
            for s in scalars {
                switch s { case .null: out.append(0); case let .float(v): out.append(v); case let .double(v): out.append(Float(v)); default: throw mismatch(s) }
            }
            values = .float32(out)
        case .float64:
            var out = [Double]()
            for s in scalars {
                switch s { case .null: out.append(0); case let .double(v): out.append(v); case let .float(v): out.append(Double(v)); case let .int(v): out.append(Double(v)); default: throw mismatch(s) }
            }
            values = .float64(out)
        case .decimal:
            var out = [Int128]()
            for s in scalars {
                switch s { case .null: out.append(0); case let .decimal(v): out.append(v); case let .int(v): out.append(Int128(v)); default: throw mismatch(s) }
            }
            values = .decimal(out)
        case .string, .binary, .fixedSizeBinary:
            var data = [UInt8](); var lengths = [Int]()
            for s in scalars {
                switch s {
                case .null: lengths.append(0)
                case let .string(v): let u = Array(v.utf8); data += u; lengths.append(u.count)
                case let .bytes(v): data += v; lengths.append(v.count)
                default: throw mismatch(s)
                }
            }
            values = .bytes(offsets: offsetsOf(lengths), data: data)
        case let .list(f):
            var items = [Scalar](); var lengths = [Int]()
            for s in scalars {
                switch s { case .null: lengths.append(0); case let .list(v): items += v; lengths.append(v.count); default: throw mismatch(s) }
            }
            values = .list(offsets: offsetsOf(lengths), child: try Column(f.type, items))
        case let .structure(fields):
            var cols = [[Scalar]](repeating: [], count: fields.count)
            for s in scalars {
                switch s {
                case .null: for j in fields.indices { cols[j].append(.null) }
                case let .structure(v):
                    guard v.count == fields.count else { throw mismatch(s) }
                    for j in fields.indices { cols[j].append(v[j]) }
                default: throw mismatch(s)
                }
            }
            var children = [Column]()
            for (j, f) in fields.enumerated() { children.append(try Column(f.type, cols[j])) }
            values = .structure(children)
        case let .map(kf, vf):
            var ks = [Scalar](), vs = [Scalar](), lengths = [Int]()
            for s in scalars {
                switch s {
                case .null: lengths.append(0)
                case let .map(entries): for e in entries { ks.append(e.key); vs.append(e.value) }; lengths.append(entries.count)
                default: throw mismatch(s)
                }
            }
            values = .map(offsets: offsetsOf(lengths), keys: try Column(kf.type, ks), values: try Column(vf.type, vs))
        }
        try self.init(type: type, count: n, validity: validity, values: values)
    }
}
