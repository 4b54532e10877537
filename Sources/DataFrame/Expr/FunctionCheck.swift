import Columnar

extension TypeChecker {
    /// Checks a function call and casts its arguments to what the kernel expects.
    /// `typedArgs` lets operators that are functions in disguise (`||`) pass already-checked operands.
    func function(_ name: String, _ args: [Expr], _ e: Expr, typedArgs: [TypedExpr]? = nil) throws(DataFrameError) -> TypedExpr {
        let fn = name.lowercased()
        if fn == "nullif" {
            // nullif(a, b) is CASE WHEN a = b THEN NULL ELSE a END.
            try arity(fn, args, 2...2, e)
            let rewritten = Expr.caseWhen(operand: nil, branches: [CaseBranch(when: .binary(.equal, args[0], args[1]), then: .literal(.null))],
                                          otherwise: args[0])
            let t = try resolve(rewritten)
            return TypedExpr(type: t.type, node: t.node, source: e)
        }
        var typed = [TypedExpr]()
        if let typedArgs { typed = typedArgs } else { for a in args { typed.append(try resolve(a)) } }
        func make(_ f: Function, _ type: DataType, _ operands: [TypedExpr]) -> TypedExpr {
            TypedExpr(type: type, node: .call(f, operands), source: e)
        }
        func count(_ range: ClosedRange<Int>) throws(DataFrameError) {
            guard range.contains(typed.count) else {
                let wanted = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
                throw .type(message: "\(fn) takes \(wanted) argument\(range.upperBound == 1 ? "" : "s"), got \(typed.count)", expression: e.sql)
            }
        }
        func all(to type: DataType) throws(DataFrameError) -> [TypedExpr] {
            var out = [TypedExpr]()
            for t in typed { out.append(try coerce(t, to: type, in: e)) }
            return out
        }
        func numeric(_ t: TypedExpr) throws(DataFrameError) -> TypedExpr {
            if t.isNullLiteral { return try coerce(t, to: .float64, in: e) }
            guard TypeRules.isNumeric(t.type) else {
                throw .type(message: "\(fn) needs a number but `\(t.source.sql)` is \(t.type.name)", expression: e.sql)
            }
            return try coerce(t, to: TypeRules.signed(t.type), in: e)
        }
        /// A date or timestamp argument (strings are cast, as Spark does).
        func temporal(_ t: TypedExpr, stringTo: DataType) throws(DataFrameError) -> TypedExpr {
            if t.isNullLiteral || t.type == .string { return try coerce(t, to: stringTo, in: e) }
            guard t.type == .date || TypeRules.isTimestamp(t.type) else {
                throw .type(message: "\(fn) needs a date or timestamp but `\(t.source.sql)` is \(t.type.name)", expression: e.sql)
            }
            return t
        }
        func constantString(_ t: TypedExpr, what: String) throws(DataFrameError) -> String {
            guard case let .string(s)? = t.literalValue else {
                throw .type(message: "\(fn) needs \(what) as a constant string", expression: e.sql)
            }
            return s
        }

        switch fn {
        case "coalesce", "greatest", "least":
            try count(fn == "coalesce" ? 1...Int.max : 2...Int.max)
            let type = try commonResultType(typed, e)
            let f: Function = fn == "coalesce" ? .coalesce : fn == "greatest" ? .greatest : .least
            return make(f, type, try all(to: type))
        case "abs":
            try count(1...1)
            let x = try numeric(typed[0])
            return make(.abs, x.type, [x])
        case "round":
            try count(1...2)
            var digits = 0
            if typed.count == 2 {
                guard case let .int(d)? = typed[1].literalValue, TypeRules.isIntegral(typed[1].type), let d32 = Int(exactly: d),
                      (-38...38).contains(d32) else {
                    throw .type(message: "round needs the number of digits as an integer constant between -38 and 38", expression: e.sql)
                }
                digits = d32
            }
            let x = try numeric(typed[0])
            let type: DataType
            if case let .decimal(p, s) = x.type {
                // Spark's RoundBase: the integer digits may grow by one from rounding up.
                let intDigits = p - s + 1
                type = digits < 0 ? .decimal(precision: min(38, max(intDigits, -digits + 1)), scale: 0)
                    : .decimal(precision: min(38, intDigits + min(digits, s)), scale: min(digits, s))
            } else {
                type = x.type
            }
            return make(.round(digits: digits), type, [x])
        case "floor", "ceil", "ceiling":
            try count(1...1)
            let x = try numeric(typed[0])
            let type: DataType
            if case let .decimal(p, s) = x.type {
                type = .decimal(precision: min(38, p - s + 1), scale: 0)
            } else {
                type = .int64
            }
            return make(fn == "floor" ? .floor : .ceil, type, [x])
        case "lower", "lcase", "upper", "ucase", "trim", "ltrim", "rtrim":
            try count(1...1)
            let x = try string(typed[0], in: e, what: fn)
            let f: Function = switch fn {
            case "lower", "lcase": .lower
            case "upper", "ucase": .upper
            case "trim": .trim
            case "ltrim": .ltrim
            default: .rtrim
            }
            return make(f, .string, [x])
        case "length", "char_length", "character_length", "len":
            try count(1...1)
            let x = typed[0].type == .binary ? typed[0] : try string(typed[0], in: e, what: fn)
            return make(.length, .int32, [x])
        case "substring", "substr":
            try count(2...3)
            let s = try string(typed[0], in: e, what: fn)
            var rest = [s]
            for t in typed.dropFirst() {
                guard t.isNullLiteral || TypeRules.isIntegral(t.type) else {
                    throw .type(message: "\(fn) needs integer positions but `\(t.source.sql)` is \(t.type.name)", expression: e.sql)
                }
                rest.append(try coerce(t, to: .int64, in: e))
            }
            return make(.substring, .string, rest)
        case "concat":
            try count(1...Int.max)
            var out = [TypedExpr]()
            for t in typed {
                guard t.type == .string || t.isNullLiteral || TypeRules.canCast(t.type, .string) else {
                    throw .type(message: "concat cannot turn \(t.type.name) into a string", expression: e.sql)
                }
                out.append(try coerce(t, to: .string, in: e))
            }
            return make(.concat, .string, out)
        case "year", "month", "day", "dayofmonth":
            try count(1...1)
            let x = try temporal(typed[0], stringTo: .date)
            let f: Function = fn == "year" ? .year : fn == "month" ? .month : .day
            return make(f, .int32, [x])
        case "hour", "minute", "second":
            try count(1...1)
            let x = try coerceToTimestamp(try temporal(typed[0], stringTo: .timestampMicros), e)
            return make(fn == "hour" ? .hour : fn == "minute" ? .minute : .second, .int32, [x])
        case "date_trunc":
            try count(2...2)
            let unitName = try constantString(typed[0], what: "the unit ('year', 'month', 'day', 'hour', ...)")
            guard let unit = Self.truncUnit(unitName) else {
                throw .type(message: "unknown date_trunc unit '\(unitName)'; use year, quarter, month, week, day, hour, minute, second, millisecond or microsecond", expression: e.sql)
            }
            let x = try coerceToTimestamp(try temporal(typed[1], stringTo: .timestampMicros), e)
            return make(.dateTrunc(unit), x.type, [x])
        case "to_date", "to_timestamp":
            try count(1...2)
            let target: DataType = fn == "to_date" ? .date : .timestampMicros
            let x = typed[0]
            if typed.count == 1 {
                guard x.isNullLiteral || TypeRules.canCast(x.type, target) else {
                    throw .type(message: "\(fn) cannot convert \(x.type.name)", expression: e.sql)
                }
                let c = try coerce(x, to: target, in: e)
                return TypedExpr(type: target, node: c.node, source: e)
            }
            let pattern = try constantString(typed[1], what: "the format")
            let format: DateFormat
            do {
                format = try DateFormat(pattern)
            } catch {
                throw .type(message: error.message, expression: e.sql)
            }
            let s = try string(x, in: e, what: fn)
            return make(fn == "to_date" ? .toDate(format) : .toTimestamp(format), target, [s])
        case "current_date", "curdate":
            try count(0...0)
            return make(.currentDate, .date, [])
        case "current_timestamp", "now":
            try count(0...0)
            return make(.currentTimestamp, .timestampMicros, [])
        default:
            throw .type(message: "unknown function \(fn); supported: coalesce, nullif, greatest, least, abs, round, floor, ceil, lower, upper, length, trim, ltrim, rtrim, substring, concat, year, month, day, hour, minute, second, date_trunc, to_date, to_timestamp, current_date, current_timestamp", expression: e.sql)
        }
    }

    private func arity(_ fn: String, _ args: [Expr], _ range: ClosedRange<Int>, _ e: Expr) throws(DataFrameError) {
        guard range.contains(args.count) else {
            throw .type(message: "\(fn) takes \(range.lowerBound) arguments, got \(args.count)", expression: e.sql)
        }
    }

    private func coerceToTimestamp(_ t: TypedExpr, _ e: Expr) throws(DataFrameError) -> TypedExpr {
        t.type == .date ? try coerce(t, to: .timestampMicros, in: e) : t
    }

    static func truncUnit(_ name: String) -> TruncUnit? {
        switch name.lowercased() {
        case "year", "yyyy", "yy": .year
        case "quarter": .quarter
        case "month", "mm", "mon": .month
        case "week": .week
        case "day", "dd": .day
        case "hour": .hour
        case "minute": .minute
        case "second": .second
        case "millisecond": .millisecond
        case "microsecond": .microsecond
        default: nil
        }
    }
}
