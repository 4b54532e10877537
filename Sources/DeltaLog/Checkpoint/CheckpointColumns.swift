import Columnar

/// Typed, bounds-checked views over the nested columns of a checkpoint batch.
///
/// Checkpoint decoding touches every row of every action column, so the buffers are unpacked once per
/// column rather than per value (no `Scalar` boxing in the loop).
struct CheckpointColumn: Sendable {
    let column: Column
    let file: String

    /// The child named `name` of a struct column, or nil when the file's schema lacks it (older writers).
    func child(_ name: String) -> CheckpointColumn? {
        guard case let .structure(fields) = column.type, case let .structure(children) = column.values,
              let i = fields.firstIndex(where: { $0.name == name }), i < children.count else { return nil }
        return CheckpointColumn(column: children[i], file: file)
    }

    func isValid(_ row: Int) -> Bool { row < column.count && !column.isNull(row) }

    func corrupt(_ message: String) -> DeltaError { .corruptLog(file: file, line: 0, message: message) }
}

/// Strings of one column.
struct StringView {
    let offsets: [Int64]
    let data: [UInt8]
    let validity: Bitmap?
    let count: Int

    init?(_ c: CheckpointColumn?) {
        guard let c, case let .bytes(o, d) = c.column.values, o.count == c.column.count + 1 else { return nil }
        offsets = o
        data = d
        validity = c.column.validity
        count = c.column.count
    }

    /// A view with no rows (every `get` is nil), for a child column the file lacks.
    init() {
        offsets = []
        data = []
        validity = nil
        count = 0
    }

    /// The view of `c`, or an empty one when `c` is absent or not a string column.
    static func orEmpty(_ c: CheckpointColumn?) -> StringView { StringView(c) ?? StringView() }

    @inline(__always)
    func get(_ row: Int) -> String? {
        guard row < count else { return nil }
        if let v = validity, !v[row] { return nil }
        let s = Int(offsets[row]), e = Int(offsets[row + 1])
        guard s >= 0, s <= e, e <= data.count else { return nil }
        return data.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[s..<e]), as: UTF8.self) }
    }
}

/// Integers (any width) of one column.
struct IntView {
    let values: ColumnValues
    let validity: Bitmap?
    let count: Int

    init?(_ c: CheckpointColumn?) {
        guard let c else { return nil }
        values = c.column.values
        validity = c.column.validity
        count = c.column.count
    }

    /// The view of `c`, or one with no rows when `c` is absent.
    static func orEmpty(_ c: CheckpointColumn?) -> IntView {
        IntView(c) ?? IntView(values: .int64([]), validity: nil, count: 0)
    }

    private init(values: ColumnValues, validity: Bitmap?, count: Int) {
        self.values = values
        self.validity = validity
        self.count = count
    }

    func get(_ row: Int) -> Int64? {
        guard row < count else { return nil }
        if let v = validity, !v[row] { return nil }
        switch values {
        case let .int64(a): return a[row]
        case let .int32(a): return Int64(a[row])
        case let .int16(a): return Int64(a[row])
        case let .int8(a): return Int64(a[row])
        default: return nil
        }
    }
}

/// Booleans of one column.
struct BoolView {
    let bits: Bitmap?
    let validity: Bitmap?
    let count: Int

    init?(_ c: CheckpointColumn?) {
        guard let c else { return nil }
        if case let .boolean(b) = c.column.values { bits = b } else { bits = nil }
        validity = c.column.validity
        count = c.column.count
    }

    /// The view of `c`, or one with no rows when `c` is absent.
    static func orEmpty(_ c: CheckpointColumn?) -> BoolView { BoolView(c) ?? BoolView(bits: nil, validity: nil, count: 0) }

    private init(bits: Bitmap?, validity: Bitmap?, count: Int) {
        self.bits = bits
        self.validity = validity
        self.count = count
    }

    func get(_ row: Int) -> Bool? {
        guard row < count, let bits, row < bits.count else { return nil }
        if let v = validity, !v[row] { return nil }
        return bits[row]
    }
}

/// `map<string,string>` of one column.
struct StringMapView {
    let offsets: [Int64]
    let keys: StringView
    let values: StringView
    let validity: Bitmap?
    let count: Int

    init?(_ c: CheckpointColumn?) {
        guard let c, case let .map(o, k, v) = c.column.values, o.count == c.column.count + 1,
              let keys = StringView(CheckpointColumn(column: k, file: c.file)),
              let values = StringView(CheckpointColumn(column: v, file: c.file)) else { return nil }
        offsets = o
        self.keys = keys
        self.values = values
        validity = c.column.validity
        count = c.column.count
    }

    /// The view of `c`, or one with no rows when `c` is absent or not a string map.
    static func orEmpty(_ c: CheckpointColumn?) -> StringMapView {
        StringMapView(c) ?? StringMapView(offsets: [], keys: StringView(), values: StringView(), validity: nil, count: 0)
    }

    private init(offsets: [Int64], keys: StringView, values: StringView, validity: Bitmap?, count: Int) {
        self.offsets = offsets
        self.keys = keys
        self.values = values
        self.validity = validity
        self.count = count
    }

    /// Entries of `row`; nil for a null map.
    func get(_ row: Int) -> [String: String?]? {
        guard row < count else { return nil }
        if let v = validity, !v[row] { return nil }
        let s = Int(offsets[row]), e = Int(offsets[row + 1])
        guard s >= 0, s <= e, e <= keys.count else { return nil }
        if s == e { return [:] }
        var out: [String: String?] = [:]
        out.reserveCapacity(e - s)
        for i in s..<e { if let k = keys.get(i) { out[k] = .some(values.get(i)) } }
        return out
    }

    /// Entries of `row` without null values.
    func getNonNull(_ row: Int) -> [String: String]? {
        get(row).map { $0.compactMapValues { $0 } }
    }
}

/// `array<string>` of one column.
struct StringListView {
    let offsets: [Int64]
    let elements: StringView
    let validity: Bitmap?
    let count: Int

    init?(_ c: CheckpointColumn?) {
        guard let c, case let .list(o, child) = c.column.values, o.count == c.column.count + 1,
              let el = StringView(CheckpointColumn(column: child, file: c.file)) else { return nil }
        offsets = o
        elements = el
        validity = c.column.validity
        count = c.column.count
    }

    func get(_ row: Int) -> [String]? {
        guard row < count else { return nil }
        if let v = validity, !v[row] { return nil }
        let s = Int(offsets[row]), e = Int(offsets[row + 1])
        guard s >= 0, s <= e, e <= elements.count else { return nil }
        return (s..<e).compactMap { elements.get($0) }
    }
}
