import Columnar
import DataFrame
import DeltaLog

/// The columns of an SCD Type 2 load resolved and checked, and the frames and MERGE clauses built from them.
/// Internal names: source columns `s<i>` and current-row columns `t<j>` in the comparison join; the staged
/// source keeps the source's names plus `__lake_scd_*` columns.
struct SCD2Layout {
    static let targetAlias = "t"
    static let sourceAlias = "s"

    let options: SCD2.Options
    /// The source's columns as loaded (before the effective-time column is added).
    let sourceFields: [Field]
    /// Tracked and untracked source columns (neither keys nor the effective-time column when it is only that).
    let tracked: [String]
    let untracked: [String]
    /// The columns read from the current rows: keys, tracked, the start column, untracked when updated.
    let currentColumns: [String]

    init(options: SCD2.Options, source: Schema) throws(LakeError) {
        self.options = options
        sourceFields = source.fields
        let names = source.names
        func has(_ n: String) -> Bool { names.contains(n) }
        guard !options.keys.isEmpty else { throw LakeError.invalidRequest("SCD2 needs at least one key column (--keys)") }
        for k in options.keys where !has(k) {
            throw LakeError.invalidRequest("SCD2 key column \(k) is not in the source (its columns: \(names.joined(separator: ", ")))")
        }
        let history = [options.currentColumn, options.startColumn, options.endColumn]
        guard Set(history).count == 3 else { throw LakeError.invalidRequest("the current, start and end columns need three different names, not \(history.joined(separator: ", "))") }
        for h in history where has(h) {
            throw LakeError.invalidRequest("the source has a column \(h), which SCD2 keeps as a history column; rename it or choose other history column names")
        }
        if names.contains(where: { $0.hasPrefix("__lake_") }) { throw LakeError.invalidRequest("source column names starting with __lake_ are reserved") }
        if case let .column(c) = options.effective, !has(c) {
            throw LakeError.invalidRequest("the effective-time column \(c) is not in the source")
        }
        let effectiveColumn: String? = if case let .column(c) = options.effective { c } else { nil }
        let candidates = names.filter { !options.keys.contains($0) && $0 != effectiveColumn }
        let trackedNames: [String]
        if options.tracked.isEmpty {
            trackedNames = candidates
        } else {
            for c in options.tracked where !has(c) { throw LakeError.invalidRequest("tracked column \(c) is not in the source") }
            for c in options.tracked where options.keys.contains(c) { throw LakeError.invalidRequest("\(c) is a key column; it cannot be tracked too") }
            trackedNames = options.tracked
        }
        let untrackedNames = names.filter { !options.keys.contains($0) && !trackedNames.contains($0) }
        tracked = trackedNames
        untracked = untrackedNames
        currentColumns = options.keys + trackedNames + [options.startColumn] + (options.updateUntracked ? untrackedNames : [])
    }

    private func step<T>(_ what: String, _ body: () throws -> T) throws(LakeError) -> T {
        do { return try body() } catch let e as LakeError { throw e } catch { throw LakeError.invalidRequest("SCD2 \(what): \(error)") }
    }

    /// The source with the effective time appended as `__lake_scd_eff` (timestamp, UTC).
    func withEffectiveTime(_ frame: DataFrame) throws(LakeError) -> DataFrame {
        let value: Expr = switch options.effective {
        case let .at(micros): .lit(.timestamp(micros: micros, utc: true))
        case let .column(c): .cast(.col(c), .timestamp(.microsecond, utc: true))
        case .now: .lit(.null)  // resolved to .at before the layout is made
        }
        return try step("computing the effective time") { try frame.withColumn(SCD2.effectiveName, value) }
    }

    /// Refuses null keys, null effective times and keys given twice, naming the first such key.
    func checkSource(_ frame: DataFrame) throws(LakeError) {
        for k in options.keys {
            let c = try step("reading keys") { try frame.column(k) }
            if c.nullCount > 0, let row = (0..<c.count).first(where: { c.isNull($0) }) {
                throw LakeError.invalidRequest("SCD2: source row \(row + 1) has a null key \(k); every source row needs its key (nothing was committed)")
            }
        }
        let eff = try step("reading the effective time") { try frame.column(SCD2.effectiveName) }
        if eff.nullCount > 0, let row = (0..<eff.count).first(where: { eff.isNull($0) }) {
            throw LakeError.invalidRequest("SCD2: the source row with \(keyText(frame, row: row)) has no effective time (null or not a time); nothing was committed")
        }
        let counts = try step("checking keys") { try frame.groupBy(options.keys).agg(sql: "count(*) AS __lake_n").filter(.binary(.greater, .col("__lake_n"), .lit(1))) }
        if counts.rowCount > 0 {
            throw LakeError.invalidRequest("SCD2: the source has the key \(keyText(counts, row: 0)) more than once; a load gives each key one version (nothing was committed)")
        }
    }

    /// The first load's rows: the source's columns, current, valid from the effective time.
    func firstLoad(_ raw: DataFrame) throws(LakeError) -> DataFrame {
        try step("building the first load") { () throws -> DataFrame in
            try raw.select(sourceFields.map { NamedExpr(.col($0.name), as: $0.name) } + [
                NamedExpr(.lit(true), as: options.currentColumn),
                NamedExpr(.col(SCD2.effectiveName), as: options.startColumn),
                NamedExpr(.cast(.lit(.null), .timestamp(.microsecond, utc: true)), as: options.endColumn),
            ])
        }
    }

    /// Refuses a target without the history columns (of the right types) or without a source column.
    func checkTarget(_ schema: Schema) throws(LakeError) {
        func field(_ n: String) -> Field? { schema.fields.first { $0.name == n } }
        guard let current = field(options.currentColumn), current.type == .boolean else {
            throw LakeError(.schemaViolation, "the table has no boolean column \(options.currentColumn) to flag current rows; name it with --current-column")
        }
        for n in [options.startColumn, options.endColumn] {
            guard let f = field(n), case .timestamp = f.type else {
                throw LakeError(.schemaViolation, "the table has no timestamp column \(n) for the validity interval; name it with --start-column / --end-column")
            }
        }
        let missing = sourceFields.map(\.name).filter { field($0) == nil }
        if !missing.isEmpty {
            throw LakeError(.schemaViolation, "the source has columns the table lacks: \(missing.joined(separator: ", ")); SCD2 does not change the table's schema")
        }
    }

    /// The source with each column cast to the table's type of that column (so keys join and values compare
    /// as the table stores them).
    func cast(_ raw: DataFrame, to schema: Schema) throws(LakeError) -> DataFrame {
        try step("casting the source to the table's types") { () throws -> DataFrame in
            try raw.select(raw.schema.fields.map { f in
                guard let t = schema.fields.first(where: { $0.name == f.name }), t.type != f.type else { return NamedExpr(.col(f.name), as: f.name) }
                return NamedExpr(.cast(.col(f.name), t.type), as: f.name)
            })
        }
    }

    /// What the comparison of the source with the current rows found, per source row.
    struct Comparison {
        var matched: [Bool]
        var changed: [Bool]
        var untrackedChanged: [Bool]
        var unchanged: Int
        /// A source row whose effective time precedes its key's current start.
        var late: Int?
    }

    /// Joins the source with the current rows on the keys and compares tracked columns null-safely.
    func compare(_ raw: DataFrame, with current: DataFrame) throws(LakeError) -> Comparison {
        let n = raw.rowCount
        let names = raw.schema.names
        func s(_ name: String) -> Expr { .col("s\(names.firstIndex(of: name) ?? -1)") }
        func t(_ name: String) -> Expr { .col("t\(currentColumns.firstIndex(of: name) ?? -1)") }
        func anyDistinct(_ columns: [String]) -> Expr {
            columns.map { Expr.isDistinctFrom(s($0), t($0), negated: false) }.reduce(Expr.lit(false)) { .binary(.or, $0, $1) }
        }
        let pairs = try step("comparing with the current rows") { () throws -> DataFrame in
            let left = try DataFrame(raw.columns.enumerated().map { ("s\($0.offset)", $0.element) }
                + [("__lake_sid", Column(unchecked: .int64, count: n, validity: nil, values: .int64((0..<Int64(n)).map { $0 })))])
            let currentFrame = try current.select(currentColumns)
            let right = try DataFrame(currentFrame.columns.enumerated().map { ("t\($0.offset)", $0.element) })
            let joined = try left.join(right, on: options.keys.map { (left: "s\(names.firstIndex(of: $0) ?? -1)", right: "t\(currentColumns.firstIndex(of: $0) ?? -1)") })
            return try joined.select([
                NamedExpr(.col("__lake_sid"), as: "sid"),
                NamedExpr(anyDistinct(tracked), as: "changed"),
                NamedExpr(options.updateUntracked ? anyDistinct(untracked) : .lit(false), as: "untracked"),
                NamedExpr(.binary(.less, s(SCD2.effectiveName), t(options.startColumn)), as: "late"),
            ])
        }
        let sids = try step("comparing") { try pairs.column("sid") }
        let changedRows = try RowCondition.trueRows(.col("changed"), in: pairs)
        let untrackedRows = try RowCondition.trueRows(.col("untracked"), in: pairs)
        let lateRows = try RowCondition.trueRows(.col("late"), in: pairs)
        guard case let .int64(ids) = sids.values else { throw LakeError(.failed, "SCD2: the row ids lost their type") }
        var c = Comparison(matched: [Bool](repeating: false, count: n), changed: [Bool](repeating: false, count: n),
                                untrackedChanged: [Bool](repeating: false, count: n), unchanged: 0, late: nil)
        for p in 0..<min(ids.count, pairs.rowCount) {
            guard let i = Int(exactly: ids[p]), i >= 0, i < n else { continue }
            c.matched[i] = true
            if changedRows[p] {
                c.changed[i] = true
                if lateRows[p] && c.late == nil { c.late = i }
            } else if untrackedRows[p] {
                c.untrackedChanged[i] = true
            }
        }
        for i in 0..<n where c.changed[i] { c.untrackedChanged[i] = false }
        c.unchanged = (0..<n).filter { c.matched[$0] && !c.changed[$0] }.count
        return c
    }

    /// The merge's source: the `keyed` source rows with their keys in `__lake_scd_mk<k>`, then the changed rows
    /// again with null keys (they match nothing, so the NOT MATCHED clause inserts them as new versions).
    func staged(_ raw: DataFrame, keyed: [Bool], changed: [Bool], untrackedChanged: [Bool]) throws(LakeError) -> DataFrame {
        try step("staging the source") { () throws -> DataFrame in
            let flags = try raw.withColumns([
                NamedExpr(.lit(true), as: SCD2.changedName), NamedExpr(.lit(true), as: SCD2.untrackedName),
            ])
            func part(_ mask: [Bool], nullKeys: Bool) throws -> DataFrame {
                let rows = try flags.rows(where: Bitmap(mask))
                let changedBits = zip(mask, changed).filter(\.0).map(\.1)
                let untrackedBits = zip(mask, untrackedChanged).filter(\.0).map(\.1)
                var columns: [(name: String, column: Column)] = zip(rows.schema.names, rows.columns).map { ($0, $1) }
                columns[columns.count - 2].column = Column(unchecked: .boolean, count: rows.rowCount, validity: nil, values: .boolean(Bitmap(changedBits)))
                columns[columns.count - 1].column = Column(unchecked: .boolean, count: rows.rowCount, validity: nil, values: .boolean(Bitmap(untrackedBits)))
                for (k, key) in options.keys.enumerated() {
                    let c = try rows.column(key)
                    columns.append((SCD2.mergeKey(k), nullKeys ? try Column(c.type, [Scalar](repeating: .null, count: rows.rowCount)) : c))
                }
                return try DataFrame(columns)
            }
            return try DataFrame.concat([try part(keyed, nullKeys: false), try part(changed, nullKeys: true)])
        }
    }

    /// `t.k = s.__lake_scd_mk<k> AND ... AND t.<current> = TRUE`.
    var onCondition: String {
        var parts = options.keys.enumerated().map { Expr.binary(.equal, .column([Self.targetAlias, $1]), .column([Self.sourceAlias, SCD2.mergeKey($0)])) }
        parts.append(.binary(.equal, .column([Self.targetAlias, options.currentColumn]), .lit(true)))
        return parts.dropFirst().reduce(parts[0]) { $0.and($1) }.sql
    }

    /// Close changed rows, update untracked columns in place (when asked), insert new keys and new versions,
    /// close missing keys (when asked) at `closeMissingAt` (µs).
    func clauses(target: Schema, closeMissingAt: Int64?) throws(LakeError) -> [Merge.Clause] {
        func s(_ n: String) -> String { Expr.column([Self.sourceAlias, n]).sql }
        func t(_ n: String) -> String { Expr.column([n]).sql }
        var out: [Merge.Clause] = [
            Merge.Clause(.matched, condition: s(SCD2.changedName), .update([
                .init(column: t(options.currentColumn), value: "FALSE"),
                .init(column: t(options.endColumn), value: s(SCD2.effectiveName)),
            ])),
        ]
        if options.updateUntracked && !untracked.isEmpty {
            out.append(Merge.Clause(.matched, condition: s(SCD2.untrackedName), .update(untracked.map { .init(column: t($0), value: s($0)) })))
        }
        let inserted = sourceFields.map { Merge.Clause.Assignment(column: t($0.name), value: s($0.name)) } + [
            .init(column: t(options.currentColumn), value: "TRUE"),
            .init(column: t(options.startColumn), value: s(SCD2.effectiveName)),
            .init(column: t(options.endColumn), value: "NULL"),
        ]
        out.append(Merge.Clause(.notMatched, .insert(inserted)))
        if let at = closeMissingAt {
            out.append(Merge.Clause(.notMatchedBySource, condition: Expr.column([Self.targetAlias, options.currentColumn]).sql, .update([
                .init(column: t(options.currentColumn), value: "FALSE"),
                .init(column: t(options.endColumn), value: Expr.lit(.timestamp(micros: at, utc: true)).sql),
            ])))
        }
        return out
    }

    /// When missing keys close: the effective time, or with an effective-time column the source's latest.
    func closeMissingTime(_ raw: DataFrame) throws(LakeError) -> Int64 {
        if case let .at(micros) = options.effective { return micros }
        if case .now = options.effective { throw LakeError(.failed, "SCD2: the load time was not resolved") }
        let c = try step("reading the effective time") { try raw.column(SCD2.effectiveName) }
        guard case let .int64(values) = c.values else { throw LakeError(.failed, "SCD2: the effective time is not a timestamp column") }
        var latest: Int64?
        for i in 0..<min(values.count, c.count) where !c.isNull(i) { latest = max(latest ?? values[i], values[i]) }
        guard let latest else { throw LakeError.invalidRequest("SCD2 --close-missing with an empty source and an effective-time column has no time to close at; give --effective-at") }
        return latest
    }

    /// `k1 = v1, k2 = v2` of a row, for messages.
    func keyText(_ frame: DataFrame, row: Int) -> String {
        options.keys.compactMap { k -> String? in
            guard let c = try? frame.column(k), row < c.count else { return nil }
            return "\(k) = " + (c.isNull(row) ? "NULL" : ValueText.string(c, row: row, style: .json))
        }.joined(separator: ", ")
    }
}
