import DeltaLog

/// What an operation is, as the Delta log records it: `commitInfo.operation` and its `operationParameters` in the
/// names and shapes Spark writes (so `DESCRIBE HISTORY` in Spark, delta-rs's `history()` and `lake history` agree),
/// and whether it changes the table's data.
public enum DeltaOperation: Sendable, Hashable {
    /// `CREATE TABLE` of an empty table; `clusterBy` the logical clustering columns of a clustered table.
    case createTable(partitionBy: [String], properties: [String: String], description: String?, clusterBy: [String]? = nil)
    /// `WRITE`: append or overwrite (`predicate` for a replace-where overwrite).
    case write(mode: String, partitionBy: [String], predicate: String?)
    /// `DELETE` with an optional predicate (none deletes every row).
    case delete(predicate: String?)
    /// `UPDATE` with an optional predicate.
    case update(predicate: String?)
    /// `MERGE`: the ON condition and the clauses (each `{"actionType": ..., "predicate": ...}`).
    case merge(predicate: String, matched: [MergeClause], notMatched: [MergeClause], notMatchedBySource: [MergeClause])
    /// `OPTIMIZE` (compaction, or Z-order with `zOrderBy`), limited to partitions by `predicate`.
    case optimize(predicate: String?, zOrderBy: [String], clusterBy: [String]? = nil)
    /// `VACUUM START`: what is about to be deleted.
    case vacuumStart(retentionCheckEnabled: Bool, specifiedRetentionMillis: Int64?, defaultRetentionMillis: Int64)
    /// `VACUUM END`: `COMPLETED` or `FAILED`.
    case vacuumEnd(status: String)
    /// `RESTORE` to a version or a timestamp.
    case restore(version: Int64?, timestamp: String?)
    /// `SET TBLPROPERTIES`.
    case setProperties([String: String])
    /// `ADD CONSTRAINT name CHECK (expr)`.
    case addConstraint(name: String, expression: String)
    /// `DROP CONSTRAINT name`.
    case dropConstraint(name: String, expression: String?)
    /// `ALTER TABLE CLUSTER BY` (or `CLUSTER BY NONE`): the old and new logical clustering columns, each
    /// comma-separated as Spark records them.
    case clusterBy(oldClusteringColumns: String, newClusteringColumns: String)

    /// One clause of a MERGE as Delta describes it in the operation parameters.
    public struct MergeClause: Sendable, Hashable {
        /// `update`, `delete` or `insert`.
        public var actionType: String
        /// The clause's extra condition, if any.
        public var predicate: String?

        /// A clause description.
        public init(actionType: String, predicate: String? = nil) {
            self.actionType = actionType
            self.predicate = predicate
        }

        var json: JSONValue {
            var o: [String: JSONValue] = ["actionType": .string(actionType)]
            if let predicate { o["predicate"] = .string(predicate) }
            return .object(o)
        }
    }

    /// `commitInfo.operation`.
    public var name: String {
        switch self {
        case .createTable: "CREATE TABLE"
        case .write: "WRITE"
        case .delete: "DELETE"
        case .update: "UPDATE"
        case .merge: "MERGE"
        case .optimize: "OPTIMIZE"
        case .vacuumStart: "VACUUM START"
        case .vacuumEnd: "VACUUM END"
        case .restore: "RESTORE"
        case .setProperties: "SET TBLPROPERTIES"
        case .addConstraint: "ADD CONSTRAINT"
        case .dropConstraint: "DROP CONSTRAINT"
        case .clusterBy: "CLUSTER BY"
        }
    }

    /// `commitInfo.operationParameters`: string values, lists and maps as JSON text, as Spark writes them.
    public var parameters: [String: String] {
        func list(_ items: [String]) -> String { JSONValue.array(items.map { .string($0) }).jsonText }
        func predicates(_ p: String?) -> String { list(p.map { [$0] } ?? []) }
        switch self {
        case let .createTable(partitionBy, properties, description, clusterBy):
            var p = [
                "isManaged": "false", "description": description ?? "", "partitionBy": list(partitionBy),
                "properties": JSONValue.object(properties.mapValues { .string($0) }).jsonText,
            ]
            // Spark records clusterBy (a JSON list of logical names) for clustered tables only.
            if let clusterBy { p["clusterBy"] = list(clusterBy) }
            return p
        case let .write(mode, partitionBy, predicate):
            var p = ["mode": mode, "partitionBy": list(partitionBy)]
            if let predicate { p["predicate"] = predicates(predicate) }
            return p
        case let .delete(predicate), let .update(predicate):
            return ["predicate": predicates(predicate)]
        case let .merge(predicate, matched, notMatched, notMatchedBySource):
            return [
                "predicate": predicates(predicate),
                "matchedPredicates": JSONValue.array(matched.map(\.json)).jsonText,
                "notMatchedPredicates": JSONValue.array(notMatched.map(\.json)).jsonText,
                "notMatchedBySourcePredicates": JSONValue.array(notMatchedBySource.map(\.json)).jsonText,
            ]
        case let .optimize(predicate, zOrderBy, clusterBy):
            // Spark records a liquid-clustered table's OPTIMIZE with its clustering columns and isFull.
            guard let clusterBy else { return ["predicate": predicates(predicate), "zOrderBy": list(zOrderBy), "auto": "false"] }
            return ["predicate": predicates(predicate), "zOrderBy": list([]), "clusterBy": list(clusterBy), "auto": "false", "isFull": "false"]
        case let .vacuumStart(check, specified, defaultMillis):
            var p = ["retentionCheckEnabled": String(check), "defaultRetentionMillis": String(defaultMillis)]
            if let specified { p["specifiedRetentionMillis"] = String(specified) }
            return p
        case let .vacuumEnd(status):
            return ["status": status]
        case let .restore(version, timestamp):
            var p: [String: String] = [:]
            if let version { p["version"] = String(version) }
            if let timestamp { p["timestamp"] = timestamp }
            return p
        case let .setProperties(properties):
            return ["properties": JSONValue.object(properties.mapValues { .string($0) }).jsonText]
        case let .addConstraint(name, expression):
            return ["name": name, "expr": expression]
        case let .dropConstraint(name, expression):
            var p = ["name": name]
            if let expression { p["expr"] = expression }
            return p
        case let .clusterBy(old, new):
            return ["oldClusteringColumns": old, "newClusteringColumns": new]
        }
    }

    /// Whether the operation changes what readers see (its file actions carry `dataChange = true`).
    /// Compaction, clustering and vacuum only rearrange or delete unreferenced files.
    public var changesData: Bool {
        switch self {
        case .write, .delete, .update, .merge, .restore: true
        case .createTable, .optimize, .vacuumStart, .vacuumEnd, .setProperties, .addConstraint, .dropConstraint, .clusterBy: false
        }
    }
}

/// What an operation read from the table version it started from, for the conflict rules of
/// `shared/design/CONFLICTS.md`: a blind append read nothing; a delete read the partitions its predicate selects
/// and the files it rewrote; an overwrite read the whole table.
public struct ReadSet: Sendable, Hashable {
    /// Partition-level predicates the operation scanned with (`.wholeTable` for every file).
    public var predicates: [ReadPredicate]
    /// Log paths of the data files the operation actually read.
    public var files: [String]

    /// A read set.
    public init(predicates: [ReadPredicate] = [], files: [String] = []) {
        self.predicates = predicates
        self.files = files
    }

    /// Read nothing: a blind append.
    public static let nothing = ReadSet()
    /// Depends on every file of the table (an overwrite, a delete without a partition predicate).
    public static let wholeTable = ReadSet(predicates: [.wholeTable])

    /// Whether the operation read nothing (its commit may be a blind append).
    public var isEmpty: Bool { predicates.isEmpty && files.isEmpty }
}
