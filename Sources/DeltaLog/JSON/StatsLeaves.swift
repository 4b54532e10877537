#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The column paths whose statistics a reader wants from `add.stats` (physical names, outermost first: `["a",
/// "b"]` is `minValues.a.b`). Built once per query; each file's stats are then scanned once for just these.
public struct StatsColumnPaths: Sendable {
    /// One level of the path tree: child names (UTF-8, compared in place against the JSON keys) and for each
    /// the node it leads to.
    struct Node: Sendable {
        var names: [[UInt8]] = []
        var children: [Int] = []
        /// The index of the requested path ending here.
        var leaf: Int?
    }

    var nodes: [Node] = [Node()]
    /// How many paths were requested; results are indexed by request order.
    public let count: Int

    /// Paths to extract; results come back in this order.
    public init(_ paths: [[String]]) {
        count = paths.count
        for (index, path) in paths.enumerated() {
            var node = 0
            for part in path {
                let name = Array(part.utf8)
                if let k = nodes[node].names.firstIndex(of: name) {
                    node = nodes[node].children[k]
                } else {
                    nodes.append(Node())
                    nodes[node].names.append(name)
                    nodes[node].children.append(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
            nodes[node].leaf = index
        }
    }
}

/// One statistics value exactly as the JSON wrote it: numbers keep their text, so 64-bit integers and
/// decimals are never rounded through `Double`.
public enum StatsToken: Sendable, Hashable {
    /// An integer literal that fits `Int64`.
    case integer(Int64)
    /// Any other number, as its JSON text (`1.005`, `-1.5E+300`, `12345678901234567890`).
    case number(String)
    /// A string (dates, timestamps, strings, and `"NaN"` / `"Infinity"` as some writers spell them).
    case string(String)
    /// `true` / `false`.
    case bool(Bool)
}

/// What `add.stats` says about one requested column.
public struct StatsLeaf: Sendable, Hashable {
    /// `minValues` at the column's path (nil when absent, null, or not a scalar).
    public var min: StatsToken?
    /// `maxValues` at the column's path.
    public var max: StatsToken?
    /// `nullCount` at the column's path.
    public var nullCount: Int64?

    /// Nothing known.
    public init(min: StatsToken? = nil, max: StatsToken? = nil, nullCount: Int64? = nil) {
        self.min = min
        self.max = max
        self.nullCount = nullCount
    }
}

/// The parts of one file's stats a query asked for (PROTOCOL.md "Per-file Statistics").
public struct FileStatsLeaves: Sendable, Hashable {
    /// `numRecords` (physical records, deleted rows included).
    public var numRecords: Int64?
    /// `tightBounds`; absent means true.
    public var tightBounds: Bool?
    /// One entry per requested path, in request order.
    public var leaves: [StatsLeaf]
}

extension AddFile {
    /// The stats of the requested columns, read in one pass over the stats text without building a JSON
    /// tree (a filtered scan of 100,000 files must not build 100,000 trees). nil when the file has no stats or
    /// they are not valid JSON: a reader then knows nothing and keeps the file.
    public func statsLeaves(_ paths: StatsColumnPaths) -> FileStatsLeaves? {
        guard var text = stats else { return nil }
        return text.withUTF8 { buf -> FileStatsLeaves? in
            guard let base = buf.baseAddress else { return nil }
            var scanner = JSONScanner(base: base, start: 0, end: buf.count)
            var out = FileStatsLeaves(numRecords: nil, tightBounds: nil, leaves: Array(repeating: StatsLeaf(), count: paths.count))
            do {
                scanner.skipWhitespace()
                try scanner.beginObject()
                var first = true
                while let key = try scanner.nextKey(&first) {
                    if scanner.key(key, is: "numRecords") {
                        out.numRecords = try scanner.readOptionalInt64()
                    } else if scanner.key(key, is: "tightBounds") {
                        out.tightBounds = try scanner.readNull() ? nil : try scanner.readBool()
                    } else if scanner.key(key, is: "minValues") {
                        try StatsLeafWalk.values(&scanner, paths, node: 0, into: &out.leaves, kind: .min)
                    } else if scanner.key(key, is: "maxValues") {
                        try StatsLeafWalk.values(&scanner, paths, node: 0, into: &out.leaves, kind: .max)
                    } else if scanner.key(key, is: "nullCount") {
                        try StatsLeafWalk.values(&scanner, paths, node: 0, into: &out.leaves, kind: .nullCount)
                    } else {
                        try scanner.skipValue()
                    }
                }
            } catch {
                return nil
            }
            return out
        }
    }
}

/// The recursive walk of `minValues` / `maxValues` / `nullCount` along the requested path tree.
enum StatsLeafWalk {
    enum Kind { case min, max, nullCount }

    static func values(_ s: inout JSONScanner, _ paths: StatsColumnPaths, node: Int, into leaves: inout [StatsLeaf], kind: Kind) throws(JSONSyntaxError) {
        guard s.peek() == UInt8(ascii: "{") else { try s.skipValue(); return }
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(&first) {
            guard let child = try match(s, key, paths.nodes[node]) else { try s.skipValue(); continue }
            if let leaf = paths.nodes[child].leaf {
                try read(&s, into: &leaves[leaf], kind: kind)
            } else {
                try values(&s, paths, node: child, into: &leaves, kind: kind)
            }
        }
    }

    /// The child of `node` named by `key`, compared byte for byte (escaped keys decoded first).
    static func match(_ s: JSONScanner, _ key: JSONScanner.Key, _ node: StatsColumnPaths.Node) throws(JSONSyntaxError) -> Int? {
        if key.escaped {
            let name = Array(try s.keyString(key).utf8)
            return node.names.firstIndex(of: name).map { node.children[$0] }
        }
        for (k, name) in node.names.enumerated() where name.count == key.count {
            let same = name.withUnsafeBufferPointer { n in
                guard let p = n.baseAddress else { return true }  // both empty
                return memcmp(s.base + key.start, p, key.count) == 0
            }
            if same { return node.children[k] }
        }
        return nil
    }

    static func read(_ s: inout JSONScanner, into leaf: inout StatsLeaf, kind: Kind) throws(JSONSyntaxError) {
        if kind == .nullCount {
            guard let c = s.peek(), c == UInt8(ascii: "-") || (c &- UInt8(ascii: "0")) <= 9 else { try s.skipValue(); return }
            leaf.nullCount = try s.readInt64()
            return
        }
        let token: StatsToken?
        switch s.peek() {
        case UInt8(ascii: "\""): token = .string(try s.readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): token = .bool(try s.readBool())
        case let c? where c == UInt8(ascii: "-") || (c &- UInt8(ascii: "0")) <= 9:
            let (start, end, isInteger) = try s.scanNumber()
            let text = UnsafeBufferPointer(start: s.base + start, count: end - start)
            if isInteger, let v = integer(text) {
                token = .integer(v)
            } else {
                token = .number(String(decoding: text, as: UTF8.self))
            }
        default:
            try s.skipValue()
            token = nil
        }
        if kind == .min { leaf.min = token } else { leaf.max = token }
    }

    /// The value of an optionally signed digit string, or nil when it does not fit Int64.
    static func integer(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let negative = b.first == UInt8(ascii: "-")
        if negative { i = 1 }
        var v: Int64 = 0
        while i < b.count {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let d = Int64(b[i] &- UInt8(ascii: "0"))
            let (a, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return v
    }
}
