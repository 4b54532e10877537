import Columnar

/// Function kernels. Arguments arrive already cast to the types the type checker chose.
enum Functions {
    static func call(_ f: Function, _ args: [Column], type: DataType, expression e: Expr, now: Int64, rowCount: Int) throws(DataFrameError) -> Column {
        func arg(_ i: Int) throws(DataFrameError) -> Column {
            guard i < args.count else { throw .type(message: "missing argument \(i + 1)", expression: e.sql) }
            return args[i]
        }
        switch f {
        case .coalesce:
            var remaining = Bitmap(count: rowCount, value: true)
            var pieces = [(rows: Bitmap, values: Column)]()
            for c in args {
                let take = c.validity.map { v in BitmapOps.combine(remaining, v) { $0 & $1 } } ?? remaining
                pieces.append((take, c))
                remaining = BitmapOps.combine(remaining, take) { $0 & ~$1 }
            }
            return try Evaluator.choose(pieces, type: type, count: rowCount)
        case .greatest, .least:
            return try extreme(args, greatest: f.isGreatest, type: type, count: rowCount)
        case .abs: return try abs(try arg(0), e)
        case let .round(digits): return try Rounding.round(try arg(0), digits: digits, type: type, expression: e)
        case .floor: return try Rounding.floorCeil(try arg(0), ceil: false, type: type, expression: e)
        case .ceil: return try Rounding.floorCeil(try arg(0), ceil: true, type: type, expression: e)
        case .lower: return try Strings.changeCase(try arg(0), upper: false)
        case .upper: return try Strings.changeCase(try arg(0), upper: true)
        case .length: return try Strings.length(try arg(0))
        case .trim: return try Strings.trim(try arg(0), leading: true, trailing: true)
        case .ltrim: return try Strings.trim(try arg(0), leading: true, trailing: false)
        case .rtrim: return try Strings.trim(try arg(0), leading: false, trailing: true)
        case .substring: return try Strings.substring(try arg(0), try arg(1), args.count > 2 ? args[2] : nil)
        case .concat: return try Strings.concat(args, count: rowCount)
        case .year, .month, .day, .hour, .minute, .second:
            return try TemporalKernels.field(f, try arg(0))
        case let .dateTrunc(unit): return try TemporalKernels.truncate(try arg(0), unit, expression: e)
        case let .toDate(format): return try TemporalKernels.parse(try arg(0), format, date: true, expression: e)
        case let .toTimestamp(format): return try TemporalKernels.parse(try arg(0), format, date: false, expression: e)
        case .currentDate:
            return try Kernels.broadcast(.int(CivilTime.floorDivMod(now, 86_400_000_000).0), .date, count: rowCount)
        case .currentTimestamp:
            return try Kernels.broadcast(.int(now), .timestampMicros, count: rowCount)
        }
    }

    /// greatest / least: nulls are skipped; null only when every argument is null. NaN is the largest value.
    private static func extreme(_ args: [Column], greatest: Bool, type: DataType, count: Int) throws(DataFrameError) -> Column {
        guard var best = args.first else { return Kernels.nulls(type, count: count) }
        for next in args.dropFirst() {
            let cmp = try Compare.compare(greatest ? .greater : .less,
                                          Column(unchecked: next.type, count: next.count, validity: nil, values: next.values),
                                          Column(unchecked: best.type, count: best.count, validity: nil, values: best.values))
            let better = try Kernels.bits(cmp)
            let nextValid = next.validity ?? Bitmap(count: count, value: true)
            let bestValid = best.validity ?? Bitmap(count: count, value: true)
            // Take `next` where it is valid and either `best` is null or `next` beats it.
            let take = BitmapOps.combine(nextValid, BitmapOps.combine(better, bestValid) { $0 | ~$1 }) { $0 & $1 }
            best = try Evaluator.choose([(take, next), (BitmapOps.not(take), best)], type: type, count: count)
        }
        return best
    }

    private static func abs(_ c: Column, _ e: Expr) throws(DataFrameError) -> Column {
        func ints<T: FixedWidthInteger & SignedInteger & ColumnElement>(_: T.Type) throws(DataFrameError) -> Column {
            let (out, failed) = Cast.convert(try Kernels.buffer(c, as: T.self), c.validity) { (v: T) -> T? in
                v == T.min ? nil : Swift.abs(v)
            }
            if failed != nil { throw .arithmeticOverflow(expression: e.sql) }
            return Kernels.column(c.type, out, validity: c.validity)
        }
        switch c.type {
        case .int8: return try ints(Int8.self)
        case .int16: return try ints(Int16.self)
        case .int32: return try ints(Int32.self)
        case .int64: return try ints(Int64.self)
        case .float32: return Kernels.column(c.type, try Kernels.buffer(c, as: Float.self).map { Swift.abs($0) }, validity: c.validity)
        case .float64: return Kernels.column(c.type, try Kernels.buffer(c, as: Double.self).map { Swift.abs($0) }, validity: c.validity)
        case .decimal: return Kernels.column(c.type, try Kernels.buffer(c, as: Int128.self).map { $0 < 0 ? -$0 : $0 }, validity: c.validity)
        default: throw .type(message: "abs needs a number, not \(c.type.name)", expression: e.sql)
        }
    }
}

extension Function {
    var isGreatest: Bool {
        if case .greatest = self { return true }
        return false
    }
}

/// round / floor / ceil with Spark's HALF_UP rounding and result types.
enum Rounding {
    static func round(_ c: Column, digits d: Int, type: DataType, expression e: Expr) throws(DataFrameError) -> Column {
        switch c.values {
        case .float64(let a):
            return Kernels.column(c.type, a.map { roundDouble($0, d) }, validity: c.validity)
        case .float32(let a):
            return Kernels.column(c.type, a.map { Float(roundDouble(Double($0), d)) }, validity: c.validity)
        case .decimal(let a):
            guard case let .decimal(_, s) = c.type, case let .decimal(p, s2) = type else { break }
            let (out, failed) = Cast.convert(a, c.validity) { (v: Int128) -> Int128? in
                guard d < 0 else {
                    guard let r = DecimalMath.rescale(v, from: s, to: s2), DecimalMath.fits(r, precision: p) else { return nil }
                    return r
                }
                // Round to 10^-d, then express at scale 0.
                guard let r = DecimalMath.rescale(v, from: s, to: d) else { return nil }
                let (x, o) = r.multipliedReportingOverflow(by: DecimalMath.pow10(-d))
                return o || !DecimalMath.fits(x, precision: p) ? nil : x
            }
            if failed != nil { throw .arithmeticOverflow(expression: e.sql) }
            return Kernels.column(type, out, validity: c.validity)
        case .int8(let a): return try roundInts(a, d, c, e)
        case .int16(let a): return try roundInts(a, d, c, e)
        case .int32(let a): return try roundInts(a, d, c, e)
        case .int64(let a): return try roundInts(a, d, c, e)
        default: break
        }
        throw .type(message: "round needs a number, not \(c.type.name)", expression: e.sql)
    }

    private static func roundInts<T: FixedWidthInteger & ColumnElement>(_ a: [T], _ d: Int, _ c: Column, _ e: Expr) throws(DataFrameError) -> Column {
        if d >= 0 { return c }
        let (out, failed) = Cast.convert(a, c.validity) { (v: T) -> T? in
            guard let r = DecimalMath.rescale(Int128(v), from: 0, to: d).map({ $0 * DecimalMath.pow10(-d) }) else { return nil }
            return T(exactly: r)
        }
        if failed != nil { throw .arithmeticOverflow(expression: e.sql) }
        return Kernels.column(c.type, out, validity: c.validity)
    }

    /// Rounds half away from zero at `d` decimal digits of the value's shortest decimal form, as Spark
    /// does through BigDecimal (so round(1.005, 2) is 1.01 although 1.005 is stored as 1.00499…).
    static func roundDouble(_ x: Double, _ d: Int) -> Double {
        guard x.isFinite else { return x }
        let scale = pow10Double(d)
        let scaled = x * scale
        guard scaled.isFinite, Swift.abs(scaled) < 1e15 else { return x }
        let fraction = Swift.abs(scaled - scaled.rounded(.towardZero))
        if Swift.abs(fraction - 0.5) > 1e-6 { return scaled.rounded(.toNearestOrAwayFromZero) / scale }
        // Close to a tie: decide on the exact decimal digits of the shortest representation.
        let text = Array(x.description.utf8)
        if let v = text.withUnsafeBufferPointer({ NumberText.parseDecimal($0, precision: 38, scale: max(0, d)) }), d >= 0 {
            return Double(v) / scale
        }
        return scaled.rounded(.toNearestOrAwayFromZero) / scale
    }

    private static func pow10Double(_ d: Int) -> Double {
        var r = 1.0
        for _ in 0..<Swift.abs(d) { r *= 10 }
        return d >= 0 ? r : 1 / r
    }

    static func floorCeil(_ c: Column, ceil: Bool, type: DataType, expression e: Expr) throws(DataFrameError) -> Column {
        let rule: FloatingPointRoundingRule = ceil ? .up : .down
        switch c.values {
        case .float64, .float32:
            let a = c.type == .float64 ? try Kernels.buffer(c, as: Double.self) : try Kernels.buffer(c, as: Float.self).map(Double.init)
            let (out, failed) = Cast.convert(a, c.validity) { (v: Double) -> Int64? in
                v.isFinite ? Int64(exactly: v.rounded(rule)) : nil
            }
            if failed != nil { throw .arithmeticOverflow(expression: e.sql) }
            return Kernels.column(.int64, out, validity: c.validity)
        case .decimal(let a):
            guard case let .decimal(_, s) = c.type else { break }
            let div = DecimalMath.pow10(s)
            let out = a.map { (v: Int128) -> Int128 in
                let q = v / div, r = v % div
                return ceil ? (r > 0 ? q + 1 : q) : (r < 0 ? q - 1 : q)
            }
            return Kernels.column(type, out, validity: c.validity)
        default:
            return try Cast.column(c, to: .int64, expression: e)
        }
        throw .type(message: "floor and ceil need a number, not \(c.type.name)", expression: e.sql)
    }
}
