import Columnar

/// SQL three-valued logic over boolean columns, word by word.
enum Logic {
    /// Rows where `c` is true or null (where an AND still needs its right side).
    static func notFalse(_ c: Column) -> Bitmap {
        guard case let .boolean(v) = c.values else { return Bitmap(count: c.count, value: true) }
        guard let valid = c.validity else { return v }
        return BitmapOps.combine(v, valid) { val, ok in val | ~ok }
    }

    /// Rows where `c` is false or null (where an OR still needs its right side).
    static func notTrue(_ c: Column) -> Bitmap {
        guard case let .boolean(v) = c.values else { return Bitmap(count: c.count, value: true) }
        guard let valid = c.validity else { return BitmapOps.not(v) }
        return BitmapOps.combine(v, valid) { val, ok in ~val | ~ok }
    }

    /// Rows where `c` is true (not null).
    static func isTrue(_ c: Column) -> Bitmap {
        guard case let .boolean(v) = c.values else { return Bitmap(count: c.count, value: false) }
        guard let valid = c.validity else { return v }
        return BitmapOps.combine(v, valid) { $0 & $1 }
    }

    /// SQL AND: false if either side is false, else null if either is null, else true.
    static func and(_ l: Column, _ r: Column) throws(DataFrameError) -> Column {
        let a = try Kernels.bits(l), b = try Kernels.bits(r)
        if l.validity == nil && r.validity == nil {
            return Kernels.boolean(BitmapOps.combine(a, b) { $0 & $1 }, validity: nil)
        }
        let (value, valid) = words3(a, l.validity, b, r.validity) { x, xv, y, yv in
            let valid = (xv & yv) | (xv & ~x) | (yv & ~y)
            return (x & y & xv & yv, valid)
        }
        return Kernels.boolean(value, validity: valid)
    }

    /// SQL OR: true if either side is true, else null if either is null, else false.
    static func or(_ l: Column, _ r: Column) throws(DataFrameError) -> Column {
        let a = try Kernels.bits(l), b = try Kernels.bits(r)
        if l.validity == nil && r.validity == nil {
            return Kernels.boolean(BitmapOps.combine(a, b) { $0 | $1 }, validity: nil)
        }
        let (value, valid) = words3(a, l.validity, b, r.validity) { x, xv, y, yv in
            let valid = (xv & yv) | (xv & x) | (yv & y)
            return ((x & xv) | (y & yv), valid)
        }
        return Kernels.boolean(value, validity: valid)
    }

    /// Applies a word function to values and validities (missing validity = all ones).
    @inline(__always)
    private static func words3(_ a: Bitmap, _ av: Bitmap?, _ b: Bitmap, _ bv: Bitmap?,
                               _ f: (UInt64, UInt64, UInt64, UInt64) -> (UInt64, UInt64)) -> (Bitmap, Bitmap) {
        let n = a.count
        let wa = a.words, wb = b.words
        let wav = av?.words, wbv = bv?.words
        var value = [UInt64](repeating: 0, count: wa.count)
        var valid = [UInt64](repeating: 0, count: wa.count)
        for i in 0..<min(wa.count, wb.count) {
            let (x, y) = f(wa[i], wav?[i] ?? ~0, wb[i], wbv?[i] ?? ~0)
            value[i] = x
            valid[i] = y
        }
        return (Bitmap(words: value, count: n), Bitmap(words: valid, count: n))
    }

    /// `x IS [NOT] NULL`: never null itself.
    static func isNull(_ c: Column, negated: Bool) -> Column {
        guard let v = c.validity else { return Kernels.boolean(Bitmap(count: c.count, value: negated), validity: nil) }
        return Kernels.boolean(negated ? v : BitmapOps.not(v), validity: nil)
    }

    /// `a IS [NOT] DISTINCT FROM b`: nulls compare equal to each other and unequal to values; never null.
    static func distinct(_ l: Column, _ r: Column, negated: Bool) throws(DataFrameError) -> Column {
        let eq = try Compare.compare(.equal, Column(unchecked: l.type, count: l.count, validity: nil, values: l.values),
                                     Column(unchecked: r.type, count: r.count, validity: nil, values: r.values))
        let e = try Kernels.bits(eq)
        let lv = l.validity ?? Bitmap(count: l.count, value: true), rv = r.validity ?? Bitmap(count: r.count, value: true)
        let (same, _) = words3(e, lv, rv, nil) { eqw, lw, rw, _ in (((lw & rw) & eqw) | (~lw & ~rw), 0) }
        return Kernels.boolean(negated ? same : BitmapOps.not(same), validity: nil)
    }
}

extension Evaluator {
    /// Evaluates `e` only on the rows set in `rows`; the other rows of the result are null.
    ///
    /// This gives SQL's conditional evaluation (CASE, AND, OR, coalesce) without per-row work: an
    /// expression that could raise (division, overflow, casts) runs on the selected rows only,
    /// one that cannot raise simply runs on all rows.
    func evalMasked(_ e: TypedExpr, _ rows: Bitmap) throws(DataFrameError) -> Column {
        let selected = rows.setCount
        if selected == rowCount || !e.mayFail { return try eval(e) }
        if selected == 0 { return Kernels.nulls(e.type, count: rowCount) }
        let indices = BitmapOps.setIndices(rows)
        let used = e.referencedColumns
        let sub = columns.enumerated().map { i, c in used.contains(i) ? Kernels.gather(c, indices) : Column.empty(c.type) }
        let partial = try Evaluator(columns: sub, rowCount: indices.count, now: now).eval(e)
        return try Self.scatter(partial, indices, count: rowCount)
    }

    /// A `count`-row column with `partial[k]` at row `indices[k]` and nulls elsewhere.
    static func scatter(_ partial: Column, _ indices: [Int], count: Int) throws(DataFrameError) -> Column {
        let nullRow = partial.count
        var perm = [Int](repeating: nullRow, count: count)
        for (k, i) in indices.enumerated() { perm[i] = k }
        let padded: Column
        do {
            padded = try Column.concatenate([partial, Kernels.nulls(partial.type, count: 1)])
        } catch {
            throw .columnar(error)
        }
        return Kernels.gather(padded, perm)
    }

    /// CASE: each branch's condition runs on the rows no earlier branch took, and each value on the rows
    /// its branch took, so a guarded division never divides by zero.
    func caseWhen(_ branches: [TypedBranch], _ otherwise: TypedExpr?, type: DataType) throws(DataFrameError) -> Column {
        var remaining = Bitmap(count: rowCount, value: true)
        var pieces = [(rows: Bitmap, values: Column)]()
        for b in branches {
            if remaining.setCount == 0 { break }
            let condition = try evalMasked(b.when, remaining)
            let take = BitmapOps.combine(Logic.isTrue(condition), remaining) { $0 & $1 }
            pieces.append((take, try evalMasked(b.then, take)))
            remaining = BitmapOps.combine(remaining, take) { $0 & ~$1 }
        }
        if let otherwise, remaining.setCount > 0 {
            pieces.append((remaining, try evalMasked(otherwise, remaining)))
        }
        return try Self.choose(pieces, type: type, count: rowCount)
    }

    /// Row `i` from the first piece whose mask has `i`, null when none has it.
    static func choose(_ pieces: [(rows: Bitmap, values: Column)], type: DataType, count: Int) throws(DataFrameError) -> Column {
        if pieces.count == 1, pieces[0].rows.setCount == count { return pieces[0].values }
        let nullRow = pieces.count * count
        var perm = [Int](repeating: nullRow, count: count)
        for (p, piece) in pieces.enumerated().reversed() {
            for i in BitmapOps.setIndices(piece.rows) { perm[i] = p * count + i }
        }
        let all: Column
        do {
            all = try Column.concatenate(pieces.map(\.values) + [Kernels.nulls(type, count: 1)])
        } catch {
            throw .columnar(error)
        }
        return Kernels.gather(all, perm)
    }
}

extension TypedExpr {
    /// Whether evaluating this expression can raise an error for some row (arithmetic, casts, functions).
    var mayFail: Bool {
        switch node {
        case .column, .literal: return false
        case .cast, .arithmetic, .negate, .call, .dateAdd: return true
        case let .not(x), let .isNull(x, _): return x.mayFail
        case let .compare(_, a, b), let .and(a, b), let .or(a, b), let .distinct(a, b, _): return a.mayFail || b.mayFail
        case let .inList(x, items, _): return x.mayFail || items.contains { $0.mayFail }
        case let .like(x, p, _, _, _): return x.mayFail || p.mayFail
        case let .caseWhen(bs, o): return bs.contains { $0.when.mayFail || $0.then.mayFail } || (o?.mayFail ?? false)
        }
    }

    /// Positions of the input columns the expression reads.
    var referencedColumns: Set<Int> {
        var out = Set<Int>()
        collectColumns(into: &out)
        return out
    }

    private func collectColumns(into out: inout Set<Int>) {
        switch node {
        case let .column(i): out.insert(i)
        case .literal: break
        case let .cast(x), let .negate(x), let .not(x), let .isNull(x, _): x.collectColumns(into: &out)
        case let .arithmetic(_, a, b), let .compare(_, a, b), let .and(a, b), let .or(a, b), let .distinct(a, b, _),
             let .dateAdd(a, b, _), let .like(a, b, _, _, _):
            a.collectColumns(into: &out)
            b.collectColumns(into: &out)
        case let .inList(x, items, _):
            x.collectColumns(into: &out)
            for i in items { i.collectColumns(into: &out) }
        case let .caseWhen(bs, o):
            for b in bs { b.when.collectColumns(into: &out); b.then.collectColumns(into: &out) }
            o?.collectColumns(into: &out)
        case let .call(_, args):
            for a in args { a.collectColumns(into: &out) }
        }
    }
}
