import Columnar

/// The type of one CSV column, inferred from its cells chunk by chunk: the first of long, double, boolean,
/// date, timestamp that every non-null value parses as; otherwise (or when every value is null) string.
/// Observing cells only narrows the candidates, so a later value that widens the column (a fraction after
/// integers) changes the answer instead of failing, and the answer after the last chunk holds for the
/// whole file.
struct CSVTypeGuess {
    private var long = true, double = true, bool = true, date = true, timestamp = true
    private var any = false

    /// Whether the column is already known to be a string (nothing later can change it).
    var isString: Bool { any && !(long || double || bool || date || timestamp) }

    /// Narrows the guess by the cells of `c` (spans of `b`).
    mutating func observe(_ c: TextCells, in b: UnsafeBufferPointer<UInt8>) {
        for i in 0..<c.count {
            if isString { return }
            let k = c.kinds[i]
            let s = c.starts[i], e = c.ends[i]
            if k == .null || s == e { continue }
            any = true
            // A doubled quote never appears in a number, boolean or date.
            if k == .csvEscaped { long = false; double = false; bool = false; date = false; timestamp = false; return }
            if long { long = TextValues.parseInt64(b, s, e) != nil }
            if !long && double { double = TextValues.parseDouble(b, s, e) != nil }
            if bool { bool = TextValues.parseBoolWord(b, s, e) != nil }
            if date {
                date = e - s == 10 && TextValues.isISODateShape(b, s, e)
                    && TemporalText.parseDate(UnsafeBufferPointer(rebasing: b[s..<e])) != nil
            }
            if !date && timestamp {
                timestamp = TextValues.isISODateTimeShape(b, s, e)
                    && TemporalText.parseTimestamp(UnsafeBufferPointer(rebasing: b[s..<e])) != nil
            }
        }
    }

    /// The inferred type.
    var type: DataType {
        if !any { return .string }
        if long { return .int64 }
        if double { return .float64 }
        if bool { return .boolean }
        if date { return .date }
        if timestamp { return .timestampMicros }
        return .string
    }
}

/// The type of one JSON value position (a top-level key, a struct member, list elements), inferred value by
/// value without building columns: integers → long (double when any value has a fraction or exponent),
/// booleans, strings, arrays → list of the unified element type, objects → struct of the union of keys in
/// first-seen order; all null → string. Values of different kinds (a string and a number) are an error naming
/// both lines, since no type holds both.
final class JSONTypeGuess {
    /// How messages name this position (`` `a`.b[] ``).
    let path: String
    private var category: UInt8 = 0  // 0 none seen, 1 number, 2 boolean, 3 string, 4 array, 5 object
    private var isFloat = false
    private var firstKind = CellKind.null
    /// Absolute byte offset (from the start of the input) of the first non-null value, for messages.
    private var firstOffset = 0
    private var element: JSONTypeGuess?
    private var memberNames = [[UInt8]]()
    private var memberIndex = [[UInt8]: Int]()
    private var members = [JSONTypeGuess]()

    init(path: String) { self.path = path }

    /// Narrows the guess by one value of `kind` spanning `s..<e` of `t`'s buffer, which starts at absolute
    /// offset `base`. `locate` turns an absolute offset into a 1-based line number (called only for an error).
    func observe(_ kind: CellKind, _ s: Int, _ e: Int, in t: TextColumnBuilder, base: Int,
                 locate: (Int) -> Int) throws(TextFault) {
        let cat: UInt8
        switch kind {
        case .null: return
        case .jsonInt: cat = 1
        case .jsonFloat: cat = 1
        case .jsonTrue, .jsonFalse: cat = 2
        case .text, .jsonEscaped, .csvEscaped: cat = 3
        case .jsonArray: cat = 4
        case .jsonObject: cat = 5
        }
        if category == 0 {
            category = cat
            firstKind = kind
            firstOffset = base + s
        } else if cat != category {
            throw TextFault(s, "\(path) holds \(t.kindName(kind)) here but \(t.kindName(firstKind)) on line \(locate(firstOffset)); "
                            + "give a schema that declares it string to keep the JSON text of mixed values")
        }
        switch kind {
        case .jsonFloat: isFloat = true
        case .jsonArray:
            let child = element ?? JSONTypeGuess(path: path + "[]")
            element = child
            _ = try t.scanner.forEachElement(s, end: e, depth: 0) { k, a, z throws(TextFault) in
                try child.observe(k, a, z, in: t, base: base, locate: locate)
            }
        case .jsonObject:
            var ordinal = 0
            _ = try t.scanner.forEachMember(s, end: e, depth: 0) { ks, ke, esc, k, a, z throws(TextFault) in
                let j = member(ordinal, ks, ke, esc, in: t)
                ordinal += 1
                try members[j].observe(k, a, z, in: t, base: base, locate: locate)
            }
        default: break
        }
    }

    /// The index of the member named by the key `ks..<ke`, added in first-seen order when new.
    private func member(_ ordinal: Int, _ ks: Int, _ ke: Int, _ esc: Bool, in t: TextColumnBuilder) -> Int {
        // Objects usually list keys in the same order: try the expected member before searching.
        if ordinal < memberNames.count && t.keyEquals(memberNames[ordinal], ks, ke, esc) { return ordinal }
        let key = t.keyBytes(ks, ke, esc)
        if let found = memberIndex[key] { return found }
        memberNames.append(key)
        memberIndex[key] = members.count
        members.append(JSONTypeGuess(path: path + "." + String(decoding: key, as: UTF8.self)))
        return members.count - 1
    }

    /// The inferred type.
    var type: DataType {
        switch category {
        case 1: return isFloat ? .float64 : .int64
        case 2: return .boolean
        case 4: return .list(Field("element", element?.type ?? .string))
        case 5: return .structure(zip(memberNames, members).map { Field(String(decoding: $0, as: UTF8.self), $1.type) })
        default: return .string
        }
    }
}
