import Columnar

/// How a text reader chooses its columns.
enum TextColumnMode {
    /// Names and types inferred from the input.
    case infer
    /// A schema given by the caller, matched as `CSVOptions.schema` and `NDJSONReader.read(_:schema:)`
    /// document: CSV columns by position, NDJSON keys by exact name.
    case given(Schema)
    /// A table's schema: columns matched by name case-insensitively (CSV without a header: by position);
    /// table columns the file lacks are null; file columns the table lacks are kept with inferred types.
    case table(Schema)
}

/// The columns of every batch of a text read and where each comes from.
struct TextPlan {
    /// The batch schema.
    var fields: [Field]
    /// CSV: the file column each field is read from; nil when the file lacks it (all null).
    var csvSources: [Int?] = []
    /// NDJSON: the key spellings read, and the field each one fills.
    var keys: [[UInt8]] = []
    var keySlots: [Int] = []
    /// In `.table` mode, the fields of file columns the table lacks (the last fields of `fields`).
    var extraColumns: [Field] = []

    /// A table field the file does not have: nullable, since every row holds null there (the writer, not the
    /// reader, decides whether that is allowed).
    static func absent(_ f: Field) -> Field { Field(f.name, f.type, nullable: true, metadata: f.metadata) }

    /// Builds the batch columns of one chunk of CSV cells (one `TextCells` per file column).
    func buildCSV(_ columns: [TextCells], in b: UnsafeBufferPointer<UInt8>) throws(TextFault) -> [Column] {
        let rows = columns.first?.count ?? 0
        let builder = TextColumnBuilder(b, isCSV: true)
        var built = [Column]()
        built.reserveCapacity(fields.count)
        for (f, source) in zip(fields, csvSources) {
            if let k = source, k < columns.count {
                built.append(try builder.build(columns[k], f.type, nullable: f.nullable, path: "column \(k + 1) (`\(f.name)`)"))
            } else {
                built.append(try builder.build(TextCells(nulls: rows, at: 0), f.type, nullable: true, path: "`\(f.name)`"))
            }
        }
        return built
    }

    /// Builds the batch columns of one chunk of NDJSON rows (one object cell per line).
    func buildNDJSON(_ rows: TextCells, in b: UnsafeBufferPointer<UInt8>) throws(TextFault) -> [Column] {
        let builder = TextColumnBuilder(b, isCSV: false)
        let children = try builder.collectFields(rows, nil, names: keys, slots: keySlots, width: fields.count, path: "row")
        var built = [Column]()
        built.reserveCapacity(fields.count)
        for (f, cells) in zip(fields, children) {
            built.append(try builder.build(cells, f.type, nullable: f.nullable, path: "`\(f.name)`"))
        }
        return built
    }
}

/// Where the columns of a CSV file go, decided from its header (or width) before any value is read.
struct CSVMapping {
    /// Table or given fields with the file column each is read from (nil: absent).
    var fixed: [(Field, Int?)] = []
    /// File columns whose types are inferred (every column in `.infer` mode; the extras in `.table` mode).
    var inferred: [Int] = []
    let names: [String]
    let isTable: Bool

    /// The mapping of a file with columns `names` (the header, or `column_K` for each field when
    /// `positional`: no header) in `mode`; problems are reported at `headerAt`.
    init(_ mode: TextColumnMode, names: [String], positional: Bool = false, headerAt: Int) throws(TextFault) {
        self.names = names
        switch mode {
        case .infer:
            isTable = false
            inferred = Array(names.indices)
        case let .given(schema):
            isTable = false
            fixed = schema.fields.enumerated().map { ($1, $0) }
        case let .table(schema) where positional:
            // Without a header, the file's first columns are the table's, in order.
            isTable = true
            fixed = schema.fields.enumerated().map { k, f in k < names.count ? (f, k) : (TextPlan.absent(f), nil) }
            inferred = Array(min(schema.fields.count, names.count)..<names.count)
        case let .table(schema):
            isTable = true
            var byName = [String: Int]()
            for (k, name) in names.enumerated() {
                if let other = byName.updateValue(k, forKey: name.lowercased()) {
                    throw TextFault(headerAt, "the CSV header names column `\(names[other])` twice (columns \(other + 1) and \(k + 1)); column names are case-insensitive")
                }
            }
            var used = Set<Int>()
            for f in schema.fields {
                if let k = byName[f.name.lowercased()] {
                    fixed.append((f, k))
                    used.insert(k)
                } else {
                    fixed.append((TextPlan.absent(f), nil))
                }
            }
            inferred = names.indices.filter { !used.contains($0) }
        }
    }

    /// The plan once the inferred columns' guesses are final (`guesses` indexed by file column).
    func plan(_ guesses: [CSVTypeGuess]) -> TextPlan {
        let extras = inferred.map { Field(names[$0], $0 < guesses.count ? guesses[$0].type : .string) }
        return TextPlan(fields: fixed.map(\.0) + extras, csvSources: fixed.map(\.1) + inferred.map { Optional($0) },
                        extraColumns: isTable ? extras : [])
    }
}

/// The top-level keys of NDJSON rows and the types of those the schema does not fix, observed row by row.
/// Without a table every key spelling is its own column in first-seen order; with one, keys match table
/// columns case-insensitively and the rest (merged case-insensitively too) become extra columns.
final class NDJSONKeyGuess {
    private let table: Schema?
    private var tableByLower = [String: Int]()
    private var seenTable: [Bool]
    private var spellings = [[UInt8]]()
    private var spellingIndex = [[UInt8]: Int]()
    private var slotOf = [Int]()
    private var extraNames = [String]()
    private var extraByLower = [String: Int]()
    private var extraGuesses = [JSONTypeGuess]()

    init(table: Schema?) {
        self.table = table
        for (k, f) in (table?.fields ?? []).enumerated() where tableByLower[f.name.lowercased()] == nil {
            tableByLower[f.name.lowercased()] = k
        }
        seenTable = [Bool](repeating: false, count: table?.fields.count ?? 0)
    }

    /// Observes the object cells `rows` of a chunk of `t`'s buffer, which starts at absolute offset `base`.
    func observe(_ rows: TextCells, in t: TextColumnBuilder, base: Int, locate: (Int) -> Int) throws(TextFault) {
        for i in 0..<rows.count {
            _ = try observeRow(rows.starts[i], end: rows.ends[i], in: t, base: base, locate: locate)
        }
    }

    /// Observes (and validates) the object at `start`, reading no further than `end`; returns the index after it.
    /// The first pass over a large input calls this on each line directly, walking each object once.
    func observeRow(_ start: Int, end: Int, in t: TextColumnBuilder, base: Int, locate: (Int) -> Int) throws(TextFault) -> Int {
        let tableCount = table?.fields.count ?? 0
        var ordinal = 0
        return try t.scanner.forEachMember(start, end: end, depth: 0) { ks, ke, esc, k, s, e throws(TextFault) in
            let j = spelling(ordinal, ks, ke, esc, in: t)
            ordinal += 1
            let slot = slotOf[j]
            if slot >= tableCount { try extraGuesses[slot - tableCount].observe(k, s, e, in: t, base: base, locate: locate) }
        }
    }

    /// The index of the key spelling `ks..<ke`, mapped to its column when first seen.
    private func spelling(_ ordinal: Int, _ ks: Int, _ ke: Int, _ esc: Bool, in t: TextColumnBuilder) -> Int {
        // Rows usually list keys in the same order: try the expected spelling before searching.
        if ordinal < spellings.count && t.keyEquals(spellings[ordinal], ks, ke, esc) { return ordinal }
        let key = t.keyBytes(ks, ke, esc)
        if let found = spellingIndex[key] { return found }
        let name = String(decoding: key, as: UTF8.self)
        let tableCount = table?.fields.count ?? 0
        let slot: Int
        if table != nil, let k = tableByLower[name.lowercased()] {
            slot = k
            seenTable[k] = true
        } else if table != nil, let x = extraByLower[name.lowercased()] {
            slot = tableCount + x
        } else {
            slot = tableCount + extraNames.count
            if table != nil { extraByLower[name.lowercased()] = extraNames.count }
            extraNames.append(name)
            extraGuesses.append(JSONTypeGuess(path: "`\(name)`"))
        }
        spellings.append(key)
        spellingIndex[key] = spellings.count - 1
        slotOf.append(slot)
        return spellings.count - 1
    }

    /// The plan after every row has been observed.
    var plan: TextPlan {
        let extras = zip(extraNames, extraGuesses).map { Field($0, $1.type) }
        let fixed = (table?.fields ?? []).enumerated().map { seenTable[$0] ? $1 : TextPlan.absent($1) }
        return TextPlan(fields: fixed + extras, keys: spellings, keySlots: slotOf, extraColumns: table == nil ? [] : extras)
    }

    /// The plan of a given schema: keys matched by exact name.
    static func given(_ schema: Schema) -> TextPlan {
        TextPlan(fields: schema.fields, keys: schema.fields.map { Array($0.name.utf8) }, keySlots: Array(schema.fields.indices))
    }
}
