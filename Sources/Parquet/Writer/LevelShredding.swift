import Columnar

/// One leaf column of a row range, shredded into Dremel levels plus the positions of its present
/// values in the leaf's value buffer.
struct ShreddedLeaf {
    /// The column holding the leaf values.
    var column: Column
    /// Definition level per entry; empty when the leaf's max definition level is 0.
    var definitionLevels: [Int32]
    /// Repetition level per entry; empty when the leaf's max repetition level is 0.
    var repetitionLevels: [Int32]
    /// Positions in `column` of the present values, in order; nil means the contiguous `valueRange`.
    var selection: [Int]?
    /// The present values when `selection` is nil.
    var valueRange: Range<Int>
    /// Number of level entries (values including nulls and empty lists).
    var entryCount: Int

    /// Number of present (non-null) values.
    var valueCount: Int { selection?.count ?? valueRange.count }
}

/// Shreds nested Columnar columns into definition and repetition levels (the Dremel encoding,
/// parquet-format "Nested Encoding"). Works level by level over arrays of entries rather than
/// recursing per value, so deep types cost O(entries x depth).
enum LevelShredder {
    /// Shreds `column` (described by `field`) over `rows` into its leaves, appended to `out` in schema order.
    static func shred(_ column: Column, field: Field, rows: Range<Int>, into out: inout [ShreddedLeaf]) throws(ParquetError) {
        if !field.type.isNested {
            out.append(try flat(column, field: field, rows: rows))
            return
        }
        var entries = Entries()
        entries.index.reserveCapacity(rows.count)
        for r in rows { entries.index.append(r) }
        entries.definition = [Int32](repeating: 0, count: rows.count)
        entries.repetition = [Int32](repeating: 0, count: rows.count)
        try walk(column, name: field.name, nullable: field.nullable, entries: entries, def: 0, rep: 0, hasRep: false, into: &out)
    }

    /// A top-level primitive column: definition levels straight from the validity bitmap.
    private static func flat(_ column: Column, field: Field, rows: Range<Int>) throws(ParquetError) -> ShreddedLeaf {
        guard let validity = column.validity else {
            return ShreddedLeaf(column: column, definitionLevels: field.nullable ? [Int32](repeating: 1, count: rows.count) : [],
                                repetitionLevels: [], selection: nil, valueRange: rows, entryCount: rows.count)
        }
        var nulls = 0
        var def = [Int32](repeating: 0, count: rows.count)
        var selection = [Int]()
        selection.reserveCapacity(rows.count)
        def.withUnsafeMutableBufferPointer { d in
            for (k, r) in rows.enumerated() {
                if validity[r] {
                    d[k] = 1
                    selection.append(r)
                } else {
                    nulls += 1
                }
            }
        }
        if nulls > 0 && !field.nullable {
            throw ParquetError(.invalidArgument, "column \(field.name) is not nullable but holds \(nulls) nulls")
        }
        if nulls == 0 {
            return ShreddedLeaf(column: column, definitionLevels: field.nullable ? def : [], repetitionLevels: [],
                                selection: nil, valueRange: rows, entryCount: rows.count)
        }
        return ShreddedLeaf(column: column, definitionLevels: def, repetitionLevels: [], selection: selection,
                            valueRange: 0..<0, entryCount: rows.count)
    }

    /// Entries at one node: `index[i] >= 0` is a live slot of the node's column; `-1` means the entry
    /// ended above (null or empty list) at `definition[i]`. `repetition[i]` is its repetition level.
    private struct Entries {
        var index: [Int] = []
        var definition: [Int32] = []
        var repetition: [Int32] = []
    }

    private static func walk(
        _ column: Column, name: String, nullable: Bool, entries input: Entries, def: Int32, rep: Int32,
        hasRep: Bool, into out: inout [ShreddedLeaf]
    ) throws(ParquetError) {
        var entries = input
        var def = def
        if let validity = column.validity {
            for i in entries.index.indices {
                let idx = entries.index[i]
                if idx >= 0 && !validity[idx] {
                    if !nullable { throw ParquetError(.invalidArgument, "field \(name) is not nullable but holds nulls") }
                    entries.index[i] = -1
                    entries.definition[i] = def
                }
            }
        }
        if nullable { def += 1 }
        switch column.values {
        case let .structure(children):
            guard case let .structure(fields) = column.type else { throw mismatch(name) }
            for (child, f) in zip(children, fields) {
                try walk(child, name: f.name, nullable: f.nullable, entries: entries, def: def, rep: rep, hasRep: hasRep, into: &out)
            }
        case let .list(offsets, child):
            guard case let .list(element) = column.type else { throw mismatch(name) }
            let expanded = expand(entries, offsets: offsets, def: def, rep: rep)
            try walk(child, name: element.name, nullable: element.nullable, entries: expanded, def: def + 1, rep: rep + 1,
                     hasRep: true, into: &out)
        case let .map(offsets, keys, values):
            guard case let .map(_, valueField) = column.type else { throw mismatch(name) }
            let expanded = expand(entries, offsets: offsets, def: def, rep: rep)
            try walk(keys, name: "key", nullable: false, entries: expanded, def: def + 1, rep: rep + 1, hasRep: true, into: &out)
            try walk(values, name: valueField.name, nullable: valueField.nullable, entries: expanded, def: def + 1,
                     rep: rep + 1, hasRep: true, into: &out)
        default:
            // A leaf: live entries are present values at the full definition level.
            var selection = [Int]()
            selection.reserveCapacity(entries.index.count)
            var levels = entries.definition
            for i in entries.index.indices {
                let idx = entries.index[i]
                if idx >= 0 {
                    levels[i] = def
                    selection.append(idx)
                }
            }
            out.append(ShreddedLeaf(column: column, definitionLevels: def > 0 ? levels : [],
                                    repetitionLevels: hasRep ? entries.repetition : [], selection: selection,
                                    valueRange: 0..<0, entryCount: entries.index.count))
        }
    }

    /// Replaces each live entry by the elements of its list (offsets into the child), the first
    /// keeping the entry's repetition level and the rest repeating at `rep + 1`. An empty list ends
    /// the entry at `def` (list present, no element).
    private static func expand(_ entries: Entries, offsets: [Int64], def: Int32, rep: Int32) -> Entries {
        var out = Entries()
        let n = entries.index.count
        out.index.reserveCapacity(n)
        out.definition.reserveCapacity(n)
        out.repetition.reserveCapacity(n)
        for i in 0..<n {
            let idx = entries.index[i]
            if idx < 0 {
                out.index.append(-1)
                out.definition.append(entries.definition[i])
                out.repetition.append(entries.repetition[i])
                continue
            }
            let start = Int(offsets[idx]), end = Int(offsets[idx + 1])
            if start == end {
                out.index.append(-1)
                out.definition.append(def)
                out.repetition.append(entries.repetition[i])
                continue
            }
            for k in start..<end {
                out.index.append(k)
                out.definition.append(0)
                out.repetition.append(k == start ? entries.repetition[i] : rep + 1)
            }
        }
        return out
    }

    private static func mismatch(_ name: String) -> ParquetError {
        ParquetError(.invalidArgument, "column \(name) storage does not match its type")
    }
}
