/// What a transaction scanned the table with, evaluable on an `add` action's partition values.
///
/// CONFLICTS.md rule 5 fails a transaction when a winning commit added files that match what it read, and rule
/// 6 treats a whole-table read specially; both need predicates that can be evaluated on partition values alone,
/// without a disk or an expression engine (STYLE.md: conflict checks are plain functions over values). The enum
/// is closure-free so summaries stay `Sendable` and `Hashable`.
///
/// Columns are keys of `AddFile.partitionValues` (physical names under column mapping); values are Delta's
/// serialized partition values (`nil` is a null partition value) and are compared as text, so callers pass the
/// canonical serialization (`PartitionValues.serialize`). A column that a file's partition values do not
/// contain (a data column, or a file from another writer) cannot be decided and conservatively matches: a false
/// conflict is safe, a missed one is not.
public indirect enum ReadPredicate: Sendable, Hashable, CustomStringConvertible {
    /// The transaction read the whole table: every added file matches (rule 5), any removal conflicts (rule 6).
    case wholeTable
    /// The partition column's serialized value equals `value` (`nil` matches the null partition).
    case equals(column: String, value: String?)
    /// The partition column's serialized value is one of `values` (`nil` matches the null partition).
    case isIn(column: String, values: [String?])
    /// Every sub-predicate matches (an empty list matches everything).
    case and([ReadPredicate])
    /// Some sub-predicate matches (an empty list matches nothing).
    case or([ReadPredicate])

    /// Whether a file with these partition values may hold rows the predicate selects.
    public func matches(_ partitionValues: [String: String?]) -> Bool {
        switch self {
        case .wholeTable:
            return true
        case let .equals(column, value):
            guard let actual = Self.lookup(column, in: partitionValues) else { return true }
            return actual == value
        case let .isIn(column, values):
            guard let actual = Self.lookup(column, in: partitionValues) else { return true }
            return values.contains(actual)
        case let .and(parts):
            return parts.allSatisfy { $0.matches(partitionValues) }
        case let .or(parts):
            return parts.contains { $0.matches(partitionValues) }
        }
    }

    /// True when the predicate selects every file whatever its partition values (the "whole table" of rule 6).
    public var isWholeTable: Bool {
        switch self {
        case .wholeTable: true
        case .equals, .isIn: false
        case let .and(parts): parts.allSatisfy(\.isWholeTable)
        case let .or(parts): parts.contains(where: \.isWholeTable)
        }
    }

    /// SQL-like text for error messages and logs.
    public var description: String {
        func lit(_ v: String?) -> String { v.map { "'\($0)'" } ?? "NULL" }
        switch self {
        case .wholeTable: return "TRUE"
        case let .equals(c, v): return v == nil ? "\(c) IS NULL" : "\(c) = \(lit(v))"
        case let .isIn(c, vs): return "\(c) IN (\(vs.map(lit).joined(separator: ", ")))"
        case let .and(ps): return ps.isEmpty ? "TRUE" : "(" + ps.map(\.description).joined(separator: " AND ") + ")"
        case let .or(ps): return ps.isEmpty ? "FALSE" : "(" + ps.map(\.description).joined(separator: " OR ") + ")"
        }
    }

    /// The value for `column`: `.some(nil)` for a null partition, `nil` when the file does not carry the column.
    /// Falls back to a case-insensitive match because Delta column names are case-insensitive.
    static func lookup(_ column: String, in values: [String: String?]) -> String?? {
        if let v = values[column] { return .some(v) }
        let lower = column.lowercased()
        for (k, v) in values where k.lowercased() == lower { return .some(v) }
        return nil
    }
}
