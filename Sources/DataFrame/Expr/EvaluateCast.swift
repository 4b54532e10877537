import Columnar

/// ANSI casts between flat types over whole columns: a value that does not fit raises
/// `DataFrameError.invalidCast` naming the value and the expression (Spark 4 default), never a trap.
enum Cast {
    static func column(_ c: Column, to target: DataType, expression e: Expr) throws(DataFrameError) -> Column {
        if c.type == target { return c }
        // Nested types that differ only in field metadata hold the same values.
        if c.type.sameIgnoringFieldMetadata(target), let same = c.relabeled(as: target) { return same }
        if c.count == 0 { return Column.empty(target) }
        if target == .string { return toString(c) }
        switch c.type {
        case .boolean: return try fromBoolean(c, target, e)
        case .int8: return try fromInteger(try Kernels.buffer(c, as: Int8.self), c, target, e)
        case .int16: return try fromInteger(try Kernels.buffer(c, as: Int16.self), c, target, e)
        case .int32: return try fromInteger(try Kernels.buffer(c, as: Int32.self), c, target, e)
        case .int64: return try fromInteger(try Kernels.buffer(c, as: Int64.self), c, target, e)
        case .uint8: return try fromInteger(try Kernels.buffer(c, as: UInt8.self), c, target, e)
        case .uint16: return try fromInteger(try Kernels.buffer(c, as: UInt16.self), c, target, e)
        case .uint32: return try fromInteger(try Kernels.buffer(c, as: UInt32.self), c, target, e)
        case .uint64: return try fromInteger(try Kernels.buffer(c, as: UInt64.self), c, target, e)
        case .float32: return try fromFloating(try Kernels.buffer(c, as: Float.self).map(Double.init), c, target, e)
        case .float64: return try fromFloating(try Kernels.buffer(c, as: Double.self), c, target, e)
        case let .decimal(_, scale): return try fromDecimal(try Kernels.buffer(c, as: Int128.self), scale, c, target, e)
        case .date: return try fromDate(try Kernels.buffer(c, as: Int32.self), c, target, e)
        case let .timestamp(unit, _): return try fromTimestamp(try Kernels.buffer(c, as: Int64.self), unit, c, target, e)
        case .string, .binary: return try fromBytes(c, target, e)
        default: throw unsupported(c.type, target, e)
        }
    }

    // MARK: - sources

    private static func fromInteger<S: BinaryInteger & ColumnElement>(_ a: [S], _ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        switch target {
        case .boolean: return Kernels.boolean(a.withUnsafeBufferPointer { s in BitmapOps.pack(s.count) { s[$0] != 0 } }, validity: c.validity)
        case .int8, .int16, .int32, .int64: return try toInteger(a, c, target, e) { Int64(exactly: $0) }
        case .float32, .float64: return try toFloating(a, c, target, e) { Double($0) }
        case let .decimal(p, s):
            return try finish(convert(a, c.validity) { (v: S) -> Int128? in
                let (x, o) = Int128(v).multipliedReportingOverflow(by: DecimalMath.pow10(s))
                return !o && DecimalMath.fits(x, precision: p) ? x : nil
            }, c, target, e)
        case let .timestamp(unit, _):
            // Spark reads a number cast to timestamp as seconds since the epoch.
            return try finish(convert(a, c.validity) { (v: S) -> Int64? in
                guard let x = Int64(exactly: v) else { return nil }
                let (r, o) = x.multipliedReportingOverflow(by: unit.perSecond)
                return o ? nil : r
            }, c, target, e)
        default: throw unsupported(c.type, target, e)
        }
    }

    private static func fromFloating(_ a: [Double], _ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        switch target {
        case .boolean: return Kernels.boolean(a.withUnsafeBufferPointer { s in BitmapOps.pack(s.count) { s[$0] != 0 } }, validity: c.validity)
        case .int8, .int16, .int32, .int64:
            return try toInteger(a, c, target, e) { $0.isFinite ? Int64(exactly: $0.rounded(.towardZero)) : nil }
        case .float32: return Kernels.column(target, a.map { Float($0) }, validity: c.validity)
        case .float64: return Kernels.column(target, a, validity: c.validity)
        case let .decimal(p, s):
            let scale = Double(DecimalMath.pow10(s))
            return try finish(convert(a, c.validity) { (v: Double) -> Int128? in
                guard v.isFinite, let x = Int128(exactly: (v * scale).rounded(.toNearestOrAwayFromZero)) else { return nil }
                return DecimalMath.fits(x, precision: p) ? x : nil
            }, c, target, e)
        case let .timestamp(unit, _):
            let per = Double(unit.perSecond)
            return try finish(convert(a, c.validity) { (v: Double) -> Int64? in
                v.isFinite ? Int64(exactly: (v * per).rounded(.towardZero)) : nil
            }, c, target, e)
        default: throw unsupported(c.type, target, e)
        }
    }

    private static func fromDecimal(_ a: [Int128], _ scale: Int, _ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        let divisor = DecimalMath.pow10(scale)
        switch target {
        case .boolean: return Kernels.boolean(a.withUnsafeBufferPointer { s in BitmapOps.pack(s.count) { s[$0] != 0 } }, validity: c.validity)
        case .int8, .int16, .int32, .int64:
            // Spark truncates the fraction when casting a decimal to an integer.
            return try toInteger(a, c, target, e) { Int64(exactly: $0 / divisor) }
        case .float32, .float64:
            let d = Double(divisor)
            return try toFloating(a, c, target, e) { Double($0) / d }
        case let .decimal(p, s):
            return try finish(convert(a, c.validity) { (v: Int128) -> Int128? in
                guard let x = DecimalMath.rescale(v, from: scale, to: s), DecimalMath.fits(x, precision: p) else { return nil }
                return x
            }, c, target, e)
        default: throw unsupported(c.type, target, e)
        }
    }

    private static func fromBoolean(_ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        let b = try Kernels.bits(c)
        let ones = (0..<c.count).map { b[$0] }
        switch target {
        case .int8, .int16, .int32, .int64: return try toInteger(ones, c, target, e) { $0 ? 1 : 0 }
        case .float32, .float64: return try toFloating(ones, c, target, e) { $0 ? 1 : 0 }
        case let .decimal(_, s): return Kernels.column(target, ones.map { $0 ? DecimalMath.pow10(s) : 0 }, validity: c.validity)
        default: throw unsupported(c.type, target, e)
        }
    }

    private static func fromDate(_ a: [Int32], _ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        guard case let .timestamp(unit, _) = target else { throw unsupported(c.type, target, e) }
        let perDay = 86_400 * unit.perSecond
        // Dates span ±5.8 million years; microseconds only ±292,000 (nanoseconds ±292): overflow is a cast error.
        return try finish(convert(a, c.validity) { (d: Int32) -> Int64? in
            let (r, o) = Int64(d).multipliedReportingOverflow(by: perDay)
            return o ? nil : r
        }, c, target, e)
    }

    private static func fromTimestamp(_ a: [Int64], _ unit: TimeUnit, _ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        switch target {
        case .date:
            let perDay = 86_400 * unit.perSecond
            return try finish(convert(a, c.validity) { Int32(exactly: CivilTime.floorDivMod($0, perDay).0) }, c, target, e)
        case let .timestamp(to, _):
            if to == unit { return Column(unchecked: target, count: c.count, validity: c.validity, values: c.values) }
            if to.perSecond > unit.perSecond {
                let m = to.perSecond / unit.perSecond
                return try finish(convert(a, c.validity) { (v: Int64) -> Int64? in
                    let (r, o) = v.multipliedReportingOverflow(by: m)
                    return o ? nil : r
                }, c, target, e)
            }
            let d = unit.perSecond / to.perSecond
            return Kernels.column(target, a.map { CivilTime.floorDivMod($0, d).0 }, validity: c.validity)
        case .int8, .int16, .int32, .int64:
            return try toInteger(a, c, target, e) { CivilTime.floorDivMod($0, unit.perSecond).0 }
        case .float32, .float64:
            let per = Double(unit.perSecond)
            return try toFloating(a, c, target, e) { Double($0) / per }
        default: throw unsupported(c.type, target, e)
        }
    }

    private static func fromBytes(_ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        let (offsets, data) = try Kernels.bytes(c)
        if target == .binary || target == .string {
            return Column(unchecked: target, count: c.count, validity: c.validity, values: c.values)
        }
        guard c.type == .string else { throw unsupported(c.type, target, e) }
        /// Parses each valid row with `parse`; the first failure names its row.
        func parseRows<D: ColumnElement & ExpressibleByIntegerLiteral>(_ parse: (UnsafeBufferPointer<UInt8>) -> D?) throws(DataFrameError) -> Column {
            var out = [D](repeating: 0, count: c.count)
            var failed: Int?
            data.withUnsafeBufferPointer { d in
                offsets.withUnsafeBufferPointer { o in
                    out.withUnsafeMutableBufferPointer { dst in
                        for i in 0..<dst.count where !c.isNull(i) {
                            guard let v = parse(UnsafeBufferPointer(rebasing: d[Int(o[i])..<Int(o[i + 1])])) else {
                                failed = i
                                return
                            }
                            dst[i] = v
                        }
                    }
                }
            }
            return try finish((out, failed), c, target, e)
        }
        switch target {
        case .boolean:
            let bools: Column = try parseRows { (s: UnsafeBufferPointer<UInt8>) -> Int8? in NumberText.parseBool(s).map { $0 ? 1 : 0 } }
            let v = try Kernels.buffer(bools, as: Int8.self)
            return Kernels.boolean(BitmapOps.pack(v.count) { v[$0] != 0 }, validity: c.validity)
        case .int8: return try parseRows { NumberText.parseInt($0).flatMap { Int8(exactly: $0) } }
        case .int16: return try parseRows { NumberText.parseInt($0).flatMap { Int16(exactly: $0) } }
        case .int32: return try parseRows { NumberText.parseInt($0).flatMap { Int32(exactly: $0) } }
        case .int64: return try parseRows { NumberText.parseInt($0) }
        case .float32: return try parseRows { NumberText.parseDouble($0).map { Float($0) } }
        case .float64: return try parseRows { NumberText.parseDouble($0) }
        case let .decimal(p, s): return try parseRows { NumberText.parseDecimal($0, precision: p, scale: s) }
        case .date: return try parseRows { TemporalText.parseDate($0) }
        case let .timestamp(unit, utc):
            return try parseRows { (s: UnsafeBufferPointer<UInt8>) -> Int64? in
                guard let micros = TemporalText.parseTimestamp(s, utc: utc) else { return nil }
                switch unit {
                case .microsecond: return micros
                case .millisecond: return CivilTime.floorDivMod(micros, 1000).0
                case .nanosecond:
                    let (r, o) = micros.multipliedReportingOverflow(by: 1000)
                    return o ? nil : r
                }
            }
        default: throw unsupported(c.type, target, e)
        }
    }

    // MARK: - targets

    /// Any flat value as text; timestamps in Spark's `yyyy-MM-dd HH:mm:ss[.ffffff]` form.
    static func toString(_ c: Column) -> Column {
        var b = StringBuilder(capacity: c.count, bytes: c.count * 8)
        var scratch = [UInt8]()
        for i in 0..<c.count {
            if c.isNull(i) { b.appendEmpty(); continue }
            scratch.removeAll(keepingCapacity: true)
            if case let .timestamp(unit, _) = c.type, case let .int64(a) = c.values {
                TemporalKernels.appendSparkTimestamp(a[i], unit: unit, to: &scratch)
            } else {
                ValueText.append(c, row: i, style: .plain, to: &scratch)
            }
            b.append(scratch)
        }
        return b.column(.string, validity: c.validity)
    }

    private static func toInteger<S>(_ a: [S], _ c: Column, _ target: DataType, _ e: Expr, _ f: (S) -> Int64?) throws(DataFrameError) -> Column {
        switch target {
        case .int8: return try finish(convert(a, c.validity) { f($0).flatMap { Int8(exactly: $0) } }, c, target, e)
        case .int16: return try finish(convert(a, c.validity) { f($0).flatMap { Int16(exactly: $0) } }, c, target, e)
        case .int32: return try finish(convert(a, c.validity) { f($0).flatMap { Int32(exactly: $0) } }, c, target, e)
        default: return try finish(convert(a, c.validity, f), c, target, e)
        }
    }

    private static func toFloating<S>(_ a: [S], _ c: Column, _ target: DataType, _ e: Expr, _ f: (S) -> Double) throws(DataFrameError) -> Column {
        if target == .float32 { return Kernels.column(target, a.map { Float(f($0)) }, validity: c.validity) }
        return Kernels.column(target, a.map(f), validity: c.validity)
    }

    /// Maps every value; a nil result on a non-null row stops and reports that row.
    @inline(__always)
    static func convert<S, D: ColumnElement & ExpressibleByIntegerLiteral>(_ src: [S], _ validity: Bitmap?, _ f: (S) -> D?) -> ([D], Int?) {
        var out = [D](repeating: 0, count: src.count)
        var failed: Int?
        out.withUnsafeMutableBufferPointer { o in
            src.withUnsafeBufferPointer { s in
                for i in 0..<s.count {
                    if let d = f(s[i]) {
                        o[i] = d
                    } else if validity.map({ $0[i] }) ?? true {
                        failed = i
                        return
                    }
                }
            }
        }
        return (out, failed)
    }

    private static func finish<D: ColumnElement>(_ result: ([D], Int?), _ c: Column, _ target: DataType, _ e: Expr) throws(DataFrameError) -> Column {
        if let row = result.1 {
            let text = ValueText.string(c, row: row, style: .plain)
            let shown = c.type == .string ? "'\(text)'" : "\(text) (\(c.type.name))"
            throw .invalidCast(value: shown, type: sqlTypeName(target), expression: e.sql)
        }
        return Kernels.column(target, result.0, validity: c.validity)
    }

    private static func unsupported(_ from: DataType, _ to: DataType, _ e: Expr) -> DataFrameError {
        .type(message: "cannot cast \(from.name) to \(to.name)", expression: e.sql)
    }
}
