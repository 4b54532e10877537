import Columnar
import DeltaLog

/// Which columns get per-file statistics (PROTOCOL.md "Per-file Statistics"): the columns
/// `delta.dataSkippingStatsColumns` lists when the table sets it (a listed struct: every leaf of it), otherwise
/// the first `delta.dataSkippingNumIndexedCols` leaf columns (32 by default, all when negative).
enum StatsColumns {
    /// The property listing the columns to collect stats for.
    static let statsColumnsKey = "delta.dataSkippingStatsColumns"
    /// The property giving how many leading leaf columns get stats.
    static let numIndexedColsKey = "delta.dataSkippingNumIndexedCols"

    /// `delta.dataSkippingNumIndexedCols` as the writer reads it (32 when unset or not a number).
    static func indexedColumnCount(_ configuration: [String: String]) -> Int {
        configuration[numIndexedColsKey].flatMap { Int($0) } ?? FileStatistics.defaultIndexedColumns
    }

    /// The logical column paths a `delta.dataSkippingStatsColumns` value lists: comma-separated, dots between
    /// the parts of a nested field, backquotes around a part holding dots or commas (two backquotes for one).
    static func parse(_ text: String) -> [[String]] {
        var out: [[String]] = []
        var parts: [String] = []
        var part = ""
        var quoted = false
        var wasQuoted = false
        func endPart() {
            let name = wasQuoted ? part : part.trimmingSpacesAndTabs()
            parts.append(name)
            part = ""
            wasQuoted = false
        }
        func endColumn() {
            endPart()
            if !parts.allSatisfy(\.isEmpty) { out.append(parts) }
            parts = []
        }
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "`" {
                    if chars.first == "`" { chars.removeFirst(); part.append("`") } else { quoted = false }
                } else {
                    part.append(c)
                }
                continue
            }
            switch c {
            case "`":
                quoted = true
                wasQuoted = true
                part = ""
            case ".": endPart()
            case ",": endColumn()
            default: if !wasQuoted { part.append(c) }
            }
        }
        endColumn()
        return out
    }

    /// The lowercased physical paths of the columns a table's `delta.dataSkippingStatsColumns` lists, nil when
    /// it sets none; names resolve against the table's schema (with its column mapping), or `schema` for a
    /// table whose metadata has none yet.
    static func listed(_ metadata: Metadata, schema: Schema) throws(LakeError) -> Set<[String]>? {
        guard let text = metadata.configuration[statsColumnsKey] else { return nil }
        let table: Schema
        do { table = metadata.schemaString.isEmpty ? schema : try DeltaSchema.parse(metadata.schemaString) } catch { throw LakeError(error) }
        return physicalPaths(text, schema: table, mapped: ColumnMapping(schema: table, configuration: metadata.configuration).mode != .none)
    }

    /// The lowercased physical name paths of the columns `text` lists in the logical `schema` (physical names
    /// under column mapping), for matching the data file's fields; entries naming no column are left out.
    static func physicalPaths(_ text: String, schema: Schema, mapped: Bool) -> Set<[String]> {
        var out = Set<[String]>()
        for path in parse(text) {
            var fields = schema.fields
            var physical: [String] = []
            for (i, name) in path.enumerated() {
                guard let f = fields.first(where: { $0.name.lowercased() == name.lowercased() }) else { physical = []; break }
                physical.append((mapped ? DeltaSchema.physicalName(f) : f.name).lowercased())
                if i + 1 < path.count {
                    guard case let .structure(children) = f.type else { physical = []; break }
                    fields = children
                }
            }
            if !physical.isEmpty { out.insert(physical) }
        }
        return out
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate func trimmingSpacesAndTabs() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
