import Columnar

/// Resolves column names and checks and coerces types of an `Expr` against a schema, the way Spark's
/// analyzer does in ANSI mode, producing a `TypedExpr` ready for evaluation.
public struct TypeChecker: Sendable {
    /// The schema column references resolve against.
    public let schema: Schema

    /// A checker for expressions over `schema`.
    public init(schema: Schema) {
        self.schema = schema
    }

    /// The typed form of `expr`.
    public func check(_ expr: Expr) throws(DataFrameError) -> TypedExpr {
        try resolve(expr)
    }

    /// The typed form of a predicate, which must be boolean (a NULL literal counts as boolean).
    public func checkPredicate(_ expr: Expr) throws(DataFrameError) -> TypedExpr {
        try boolean(try resolve(expr), in: expr)
    }

    // MARK: - nodes

    func resolve(_ e: Expr) throws(DataFrameError) -> TypedExpr {
        switch e {
        case let .column(parts):
            let i = try columnIndex(parts)
            return TypedExpr(type: schema.fields[i].type, node: .column(i), source: e)
        case let .literal(l):
            return literal(l, e)
        case let .negate(x):
            let t = try resolve(x)
            if t.isNullLiteral { return TypedExpr(type: .int32, node: .literal(.null), source: e) }
            guard TypeRules.isNumeric(t.type) else {
                throw .type(message: "unary minus needs a number, not \(t.type.name)", expression: e.sql)
            }
            let operand = try coerce(t, to: TypeRules.signed(t.type), in: e)
            return TypedExpr(type: operand.type, node: .negate(operand), source: e)
        case let .not(x):
            return TypedExpr(type: .boolean, node: .not(try boolean(try resolve(x), in: e)), source: e)
        case let .binary(op, l, r):
            return try binary(op, try resolve(l), try resolve(r), e)
        case let .isNull(x, negated):
            return TypedExpr(type: .boolean, node: .isNull(try resolve(x), negated: negated), source: e)
        case let .isDistinctFrom(l, r, negated):
            let (a, b) = try comparable(try resolve(l), try resolve(r), e)
            return TypedExpr(type: .boolean, node: .distinct(a, b, negated: negated), source: e)
        case let .inList(x, items, negated):
            let value = try resolve(x)
            var typedItems = [TypedExpr]()
            for item in items { typedItems.append(try resolve(item)) }
            var common = value
            for item in typedItems {
                let (a, _) = try comparable(common, item, e)
                common = a
            }
            let target = common.type
            var casted = [TypedExpr]()
            for item in typedItems { casted.append(try coerce(item, to: target, in: e)) }
            return TypedExpr(type: .boolean, node: .inList(try coerce(value, to: target, in: e), casted, negated: negated), source: e)
        case let .between(x, low, high, negated):
            // x BETWEEN a AND b is x >= a AND x <= b, which already has SQL's null behaviour.
            let range = Expr.binary(.and, .binary(.greaterOrEqual, x, low), .binary(.lessOrEqual, x, high))
            let typed = try resolve(negated ? .not(range) : range)
            return TypedExpr(type: .boolean, node: typed.node, source: e)
        case let .like(x, pattern, escape, ci, negated):
            let value = try string(try resolve(x), in: e, what: "LIKE")
            let pat = try string(try resolve(pattern), in: e, what: "a LIKE pattern")
            var escapeByte: UInt8?
            if let escape {
                guard let ascii = escape.asciiValue else {
                    throw .type(message: "the ESCAPE character must be ASCII", expression: e.sql)
                }
                escapeByte = ascii
            }
            return TypedExpr(type: .boolean,
                             node: .like(value, pattern: pat, escape: escapeByte, caseInsensitive: ci, negated: negated),
                             source: e)
        case let .caseWhen(operand, branches, otherwise):
            return try caseWhen(operand, branches, otherwise, e)
        case let .cast(x, type):
            let t = try resolve(x)
            guard TypeRules.canCast(t.type, type) || t.isNullLiteral else {
                throw .type(message: "cannot cast \(t.type.name) to \(type.name)", expression: e.sql)
            }
            return try coerce(t, to: type, in: e, source: e)
        case let .function(name, args):
            return try function(name, args, e)
        }
    }

    private func columnIndex(_ parts: [String]) throws(DataFrameError) -> Int {
        let full = parts.joined(separator: ".")
        if let i = schema.index(of: full) { return i }
        do {
            return try DataFrame.resolve(parts.last ?? full, in: schema)
        } catch {
            // Qualifiers name the table in Spark's SQL; this frame has no table name, so `t.x` means `x`.
            if case .unknownColumn = error { throw .unknownColumn(name: full, available: schema.names) }
            throw error
        }
    }

    private func literal(_ l: Literal, _ e: Expr) -> TypedExpr {
        let (type, value) = l.typedValue
        return TypedExpr(type: type, node: .literal(value), source: e)
    }

    // MARK: - operators

    private func binary(_ op: BinaryOperator, _ l: TypedExpr, _ r: TypedExpr, _ e: Expr) throws(DataFrameError) -> TypedExpr {
        switch op {
        case .and:
            return TypedExpr(type: .boolean, node: .and(try boolean(l, in: e), try boolean(r, in: e)), source: e)
        case .or:
            return TypedExpr(type: .boolean, node: .or(try boolean(l, in: e), try boolean(r, in: e)), source: e)
        case .concat:
            return try function("concat", [], e, typedArgs: [l, r])
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            let (a, b) = try comparable(l, r, e)
            let cop: ComparisonOp = switch op {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            default: .greaterOrEqual
            }
            return TypedExpr(type: .boolean, node: .compare(cop, a, b), source: e)
        case .add, .subtract, .multiply, .divide, .modulo:
            return try arithmetic(op, l, r, e)
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ l0: TypedExpr, _ r0: TypedExpr, _ e: Expr) throws(DataFrameError) -> TypedExpr {
        let aop: ArithmeticOp = switch op {
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .divide: .divide
        default: .modulo
        }
        // An untyped NULL takes the other operand's type (both NULL: int).
        var l = l0, r = r0
        if l.isNullLiteral && r.isNullLiteral {
            l = try coerce(l, to: .int32, in: e)
            r = try coerce(r, to: .int32, in: e)
        } else if l.isNullLiteral {
            l = try coerce(l, to: r.type, in: e)
        } else if r.isNullLiteral {
            r = try coerce(r, to: l.type, in: e)
        }
        // date + int and date - int add days (Spark's date_add / date_sub).
        if l.type == .date, TypeRules.isIntegral(r.type), op == .add || op == .subtract {
            let days = try coerce(r, to: .int32, in: e)
            return TypedExpr(type: .date, node: .dateAdd(l, days: days, subtract: op == .subtract), source: e)
        }
        if r.type == .date, TypeRules.isIntegral(l.type), op == .add {
            let days = try coerce(l, to: .int32, in: e)
            return TypedExpr(type: .date, node: .dateAdd(r, days: days, subtract: false), source: e)
        }
        // A string literal in arithmetic is read as a number of the other side's type.
        if l.type == .string, l.literalValue != nil, TypeRules.isNumeric(r.type) { l = try coerce(l, to: TypeRules.signed(r.type), in: e) }
        if r.type == .string, r.literalValue != nil, TypeRules.isNumeric(l.type) { r = try coerce(r, to: TypeRules.signed(l.type), in: e) }
        guard TypeRules.isNumeric(l.type), TypeRules.isNumeric(r.type) else {
            throw .type(message: "\(op.rawValue) needs numbers, not \(l.type.name) and \(r.type.name); use CAST to convert", expression: e.sql)
        }
        let lt = TypeRules.signed(l.type), rt = TypeRules.signed(r.type)
        let floating = TypeRules.isFloating(lt) || TypeRules.isFloating(rt)
        let integral = TypeRules.integerRank(lt) != nil && TypeRules.integerRank(rt) != nil
        if aop == .divide && (floating || integral) {
            // Spark's `/` on integers and floats is always double division.
            let a = try coerce(l, to: .float64, in: e), b = try coerce(r, to: .float64, in: e)
            return TypedExpr(type: .float64, node: .arithmetic(aop, a, b), source: e)
        }
        if floating || integral {
            guard let common = TypeRules.numericCommon(lt, rt) else {
                throw .type(message: "no common type for \(l.type.name) and \(r.type.name)", expression: e.sql)
            }
            let a = try coerce(l, to: common, in: e), b = try coerce(r, to: common, in: e)
            return TypedExpr(type: common, node: .arithmetic(aop, a, b), source: e)
        }
        guard let (p1, s1) = TypeRules.decimalEquivalent(lt), let (p2, s2) = TypeRules.decimalEquivalent(rt) else {
            throw .type(message: "no common type for \(l.type.name) and \(r.type.name)", expression: e.sql)
        }
        let a = try coerce(l, to: .decimal(precision: p1, scale: s1), in: e)
        let b = try coerce(r, to: .decimal(precision: p2, scale: s2), in: e)
        let result = TypeRules.decimalResult(aop, p1, s1, p2, s2)
        return TypedExpr(type: result, node: .arithmetic(aop, a, b), source: e)
    }

    private func caseWhen(_ operand: Expr?, _ branches: [CaseBranch], _ otherwise: Expr?, _ e: Expr) throws(DataFrameError) -> TypedExpr {
        var conditions = [TypedExpr]()
        var values = [TypedExpr]()
        for b in branches {
            let condition = operand.map { Expr.binary(.equal, $0, b.when) } ?? b.when
            conditions.append(try boolean(try resolve(condition), in: e))
            values.append(try resolve(b.then))
        }
        let elseValue = try otherwise.map { (x: Expr) throws(DataFrameError) -> TypedExpr in try resolve(x) }
        let type = try commonResultType(values + (elseValue.map { [$0] } ?? []), e)
        var typed = [TypedBranch]()
        for (c, v) in zip(conditions, values) { typed.append(TypedBranch(when: c, then: try coerce(v, to: type, in: e))) }
        let typedElse = try elseValue.map { (x: TypedExpr) throws(DataFrameError) -> TypedExpr in try coerce(x, to: type, in: e) }
        return TypedExpr(type: type, node: .caseWhen(typed, otherwise: typedElse), source: e)
    }

    // MARK: - coercion

    /// `a` and `b` cast to the type they are compared in; throws when they are not comparable.
    func comparable(_ a: TypedExpr, _ b: TypedExpr, _ e: Expr) throws(DataFrameError) -> (TypedExpr, TypedExpr) {
        guard let t = comparisonType(a, b) else {
            throw .type(message: "cannot compare \(a.type.name) with \(b.type.name); use CAST to make the types match", expression: e.sql)
        }
        return (try coerce(a, to: t, in: e), try coerce(b, to: t, in: e))
    }

    /// The type two operands are compared in (Spark ANSI): numeric widening, a string cast to the
    /// date, timestamp, boolean or number it is compared with, date with timestamp as timestamp.
    func comparisonType(_ a: TypedExpr, _ b: TypedExpr) -> DataType? {
        if a.isNullLiteral { return b.isNullLiteral ? .boolean : b.type }
        if b.isNullLiteral { return a.type }
        return comparisonType(a.type, b.type)
    }

    func comparisonType(_ x: DataType, _ y: DataType) -> DataType? {
        if x == y { return x }
        if let n = TypeRules.numericCommon(x, y) { return n }
        switch (x, y) {
        case (.string, .date), (.string, .timestamp), (.string, .boolean): return y
        case (.date, .string), (.timestamp, .string), (.boolean, .string): return x
        case (.string, _) where TypeRules.isNumeric(y): return TypeRules.signed(y)
        case (_, .string) where TypeRules.isNumeric(x): return TypeRules.signed(x)
        case (.date, .timestamp): return y
        case (.timestamp, .date): return x
        case (.timestamp(_, let u1), .timestamp(_, let u2)): return .timestamp(.microsecond, utc: u1 || u2)
        default: return nil
        }
    }

    /// The type every result of CASE / coalesce / greatest is cast to. Unlike comparisons, a string never
    /// silently becomes a number here: that would turn bad data into a runtime error far from its cause.
    func commonResultType(_ values: [TypedExpr], _ e: Expr) throws(DataFrameError) -> DataType {
        var type: DataType?
        for v in values where !v.isNullLiteral {
            guard let current = type else { type = v.type; continue }
            let next: DataType?
            if (current == .string) != (v.type == .string), TypeRules.isNumeric(current) || TypeRules.isNumeric(v.type) {
                next = nil
            } else {
                next = comparisonType(current, v.type)
            }
            guard let next else {
                throw .type(message: "the values have no common type (\(current.name) and \(v.type.name)); use CAST to make them match", expression: e.sql)
            }
            type = next
        }
        return type ?? .boolean
    }

    /// `t` as type `to`: unchanged when it already is, folded when it is a constant, else a cast node.
    func coerce(_ t: TypedExpr, to: DataType, in e: Expr, source: Expr? = nil) throws(DataFrameError) -> TypedExpr {
        if t.type == to && source == nil { return t }
        let src = source ?? t.source
        if let value = t.literalValue {
            if value == .null { return TypedExpr(type: to, node: .literal(.null), source: src) }
            let folded = try Evaluator.foldCast(value, from: t.type, to: to, expression: source ?? e)
            return TypedExpr(type: to, node: .literal(folded), source: src)
        }
        if t.type == to { return TypedExpr(type: to, node: t.node, source: src) }
        return TypedExpr(type: to, node: .cast(t), source: src)
    }

    func boolean(_ t: TypedExpr, in e: Expr) throws(DataFrameError) -> TypedExpr {
        if t.isNullLiteral { return try coerce(t, to: .boolean, in: e) }
        guard t.type == .boolean else {
            throw .type(message: "expected a boolean condition but `\(t.source.sql)` is \(t.type.name)", expression: e.sql)
        }
        return t
    }

    func string(_ t: TypedExpr, in e: Expr, what: String) throws(DataFrameError) -> TypedExpr {
        if t.isNullLiteral { return try coerce(t, to: .string, in: e) }
        guard t.type == .string else {
            throw .type(message: "\(what) needs a string but `\(t.source.sql)` is \(t.type.name); use CAST(... AS string)", expression: e.sql)
        }
        return t
    }
}
