import Columnar

/// `+ - * / %` and unary minus over whole columns with Spark's ANSI semantics: integer and decimal
/// overflow and division by zero raise errors naming the expression. Rows that are null never raise.
enum Arithmetic {
    static func binary(_ op: ArithmeticOp, _ l: Column, _ r: Column, resultType: DataType, expression e: Expr) throws(DataFrameError) -> Column {
        let validity = BitmapOps.and(l.validity, r.validity)
        switch resultType {
        case .int8: return try integers(op, try Kernels.buffer(l, as: Int8.self), try Kernels.buffer(r, as: Int8.self), resultType, validity, e)
        case .int16: return try integers(op, try Kernels.buffer(l, as: Int16.self), try Kernels.buffer(r, as: Int16.self), resultType, validity, e)
        case .int32: return try integers(op, try Kernels.buffer(l, as: Int32.self), try Kernels.buffer(r, as: Int32.self), resultType, validity, e)
        case .int64: return try integers(op, try Kernels.buffer(l, as: Int64.self), try Kernels.buffer(r, as: Int64.self), resultType, validity, e)
        case .float32: return try floats(op, try Kernels.buffer(l, as: Float.self), try Kernels.buffer(r, as: Float.self), resultType, validity, e)
        case .float64: return try floats(op, try Kernels.buffer(l, as: Double.self), try Kernels.buffer(r, as: Double.self), resultType, validity, e)
        case let .decimal(p, s):
            guard case let .decimal(_, s1) = l.type, case let .decimal(_, s2) = r.type else {
                throw .columnar(.invalid("decimal arithmetic on \(l.type.name) and \(r.type.name)"))
            }
            return try decimals(op, try Kernels.buffer(l, as: Int128.self), s1, try Kernels.buffer(r, as: Int128.self), s2,
                                precision: p, scale: s, resultType, validity, e)
        default:
            throw .type(message: "arithmetic on \(resultType.name) is not supported", expression: e.sql)
        }
    }

    static func negate(_ c: Column, expression e: Expr) throws(DataFrameError) -> Column {
        func ints<T: FixedWidthInteger & SignedInteger & ColumnElement>(_: T.Type) throws(DataFrameError) -> Column {
            let a = try Kernels.buffer(c, as: T.self)
            let (out, failed) = Cast.convert(a, c.validity) { (v: T) -> T? in
                let (r, o) = T.zero.subtractingReportingOverflow(v)
                return o ? nil : r
            }
            if failed != nil { throw .arithmeticOverflow(expression: e.sql) }
            return Kernels.column(c.type, out, validity: c.validity)
        }
        switch c.type {
        case .int8: return try ints(Int8.self)
        case .int16: return try ints(Int16.self)
        case .int32: return try ints(Int32.self)
        case .int64: return try ints(Int64.self)
        case .float32: return Kernels.column(c.type, try Kernels.buffer(c, as: Float.self).map { -$0 }, validity: c.validity)
        case .float64: return Kernels.column(c.type, try Kernels.buffer(c, as: Double.self).map { -$0 }, validity: c.validity)
        case .decimal: return Kernels.column(c.type, try Kernels.buffer(c, as: Int128.self).map { -$0 }, validity: c.validity)
        default: throw .type(message: "cannot negate \(c.type.name)", expression: e.sql)
        }
    }

    // MARK: - integers

    private static func integers<T: FixedWidthInteger & ColumnElement>(_ op: ArithmeticOp, _ a: [T], _ b: [T], _ type: DataType,
                                                                     _ validity: Bitmap?, _ e: Expr) throws(DataFrameError) -> Column {
        let n = min(a.count, b.count)
        if op == .divide || op == .modulo { try checkDivisors(b, validity, e) }
        var out = [T](repeating: 0, count: n)
        var overflow: UInt8 = 0
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    switch op {
                    case .add:
                        for i in 0..<n { let (r, f) = x[i].addingReportingOverflow(y[i]); o[i] = r; overflow |= f ? 1 : 0 }
                    case .subtract:
                        for i in 0..<n { let (r, f) = x[i].subtractingReportingOverflow(y[i]); o[i] = r; overflow |= f ? 1 : 0 }
                    case .multiply:
                        for i in 0..<n { let (r, f) = x[i].multipliedReportingOverflow(by: y[i]); o[i] = r; overflow |= f ? 1 : 0 }
                    case .divide:
                        // Zero divisors only remain on null rows; `min / -1` is a real overflow.
                        for i in 0..<n {
                            let (r, f) = x[i].dividedReportingOverflow(by: y[i])
                            o[i] = r
                            overflow |= f && y[i] != 0 ? 1 : 0
                        }
                    case .modulo:
                        // `min % -1` reports overflow but the remainder is mathematically 0 (Spark returns 0).
                        for i in 0..<n { let (r, f) = x[i].remainderReportingOverflow(dividingBy: y[i]); o[i] = f ? 0 : r }
                    }
                }
            }
        }
        if overflow != 0 {
            // Overflow on a null row does not count: find a valid row that overflows.
            for i in 0..<n where validity.map({ $0[i] }) ?? true {
                let failed: Bool = switch op {
                case .add: a[i].addingReportingOverflow(b[i]).overflow
                case .subtract: a[i].subtractingReportingOverflow(b[i]).overflow
                case .multiply: a[i].multipliedReportingOverflow(by: b[i]).overflow
                case .divide: b[i] != 0 && a[i].dividedReportingOverflow(by: b[i]).overflow
                case .modulo: false
                }
                if failed { throw .arithmeticOverflow(expression: e.sql) }
            }
        }
        return Kernels.column(type, out, validity: validity)
    }

    /// Division by zero is an error on any non-null row (ANSI), for every numeric type.
    private static func checkDivisors<T: Numeric>(_ b: [T], _ validity: Bitmap?, _ e: Expr) throws(DataFrameError) {
        var zero = false
        b.withUnsafeBufferPointer { y in
            for i in 0..<y.count where y[i] == 0 {
                if validity.map({ $0[i] }) ?? true { zero = true; return }
            }
        }
        if zero { throw .divisionByZero(expression: e.sql) }
    }

    // MARK: - floating point

    private static func floats<T: BinaryFloatingPoint & ColumnElement>(_ op: ArithmeticOp, _ a: [T], _ b: [T], _ type: DataType,
                                                                     _ validity: Bitmap?, _ e: Expr) throws(DataFrameError) -> Column {
        let n = min(a.count, b.count)
        if op == .divide || op == .modulo { try checkDivisors(b, validity, e) }
        var out = [T](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    switch op {
                    case .add: for i in 0..<n { o[i] = x[i] + y[i] }
                    case .subtract: for i in 0..<n { o[i] = x[i] - y[i] }
                    case .multiply: for i in 0..<n { o[i] = x[i] * y[i] }
                    case .divide: for i in 0..<n { o[i] = x[i] / y[i] }
                    case .modulo: for i in 0..<n { o[i] = x[i].truncatingRemainder(dividingBy: y[i]) }
                    }
                }
            }
        }
        return Kernels.column(type, out, validity: validity)
    }

    // MARK: - decimals

    private static func decimals(_ op: ArithmeticOp, _ a: [Int128], _ s1: Int, _ b: [Int128], _ s2: Int, precision p: Int, scale s: Int,
                                 _ type: DataType, _ validity: Bitmap?, _ e: Expr) throws(DataFrameError) -> Column {
        if op == .divide || op == .modulo { try checkDivisors(b, validity, e) }
        let common = max(s1, s2)
        let up1 = DecimalMath.pow10(common - s1), up2 = DecimalMath.pow10(common - s2)
        let result: ([Int128], Int?)
        switch op {
        case .add, .subtract, .modulo:
            let sign: Int128 = op == .subtract ? -1 : 1
            result = map2(a, b, validity) { (x: Int128, y: Int128) -> Int128? in
                let (xa, o1) = x.multipliedReportingOverflow(by: up1)
                let (ya, o2) = y.multipliedReportingOverflow(by: up2)
                if o1 || o2 { return nil }
                let v: Int128
                if op == .modulo {
                    guard ya != 0 else { return 0 }
                    v = xa.remainderReportingOverflow(dividingBy: ya).partialValue
                } else {
                    let (r, o3) = xa.addingReportingOverflow(sign * ya)
                    if o3 { return nil }
                    v = r
                }
                guard let out = DecimalMath.rescale(v, from: common, to: s), DecimalMath.fits(out, precision: p) else { return nil }
                return out
            }
        case .multiply:
            result = map2(a, b, validity) { (x: Int128, y: Int128) -> Int128? in
                let (v, o) = x.multipliedReportingOverflow(by: y)
                if o { return nil }
                guard let out = DecimalMath.rescale(v, from: s1 + s2, to: s), DecimalMath.fits(out, precision: p) else { return nil }
                return out
            }
        case .divide:
            // x/10^s1 ÷ y/10^s2 at scale s is x·10^(s - s1 + s2) ÷ y, rounded half up.
            let k = s - s1 + s2
            result = map2(a, b, validity) { (x: Int128, y: Int128) -> Int128? in
                guard y != 0 else { return 0 }
                var num = x, den = y
                if k >= 0 {
                    guard k <= 38 else { return nil }
                    let (m, o) = x.multipliedReportingOverflow(by: DecimalMath.pow10(k))
                    if o { return nil }
                    num = m
                } else {
                    guard -k <= 38 else { return 0 }
                    let (m, o) = y.multipliedReportingOverflow(by: DecimalMath.pow10(-k))
                    if o { return 0 }
                    den = m
                }
                guard let q = DecimalMath.divideRounded(num, den), DecimalMath.fits(q, precision: p) else { return nil }
                return q
            }
        }
        if result.1 != nil { throw .arithmeticOverflow(expression: e.sql) }
        return Kernels.column(type, result.0, validity: validity)
    }

    /// Maps pairs of values; a nil result on a non-null row stops and reports that row.
    @inline(__always)
    static func map2<A, B, D: ColumnElement & ExpressibleByIntegerLiteral>(_ a: [A], _ b: [B], _ validity: Bitmap?,
                                                                          _ f: (A, B) -> D?) -> ([D], Int?) {
        let n = min(a.count, b.count)
        var out = [D](repeating: 0, count: n)
        var failed: Int?
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    for i in 0..<n {
                        if let d = f(x[i], y[i]) {
                            o[i] = d
                        } else if validity.map({ $0[i] }) ?? true {
                            failed = i
                            return
                        }
                    }
                }
            }
        }
        return (out, failed)
    }
}
