import Columnar
import DataFrame
import DeltaLog

/// Adds a CHECK constraint: Delta's `ALTER TABLE t ADD CONSTRAINT name CHECK (expr)`.
///
/// The expression must be a boolean over the table's columns. The existing rows are validated first (a scan
/// for a row where the expression is not TRUE, stopping at the first one; files whose stats prove it TRUE are
/// not opened); a violating row fails the operation, naming it, and nothing is committed. Then one commit sets
/// `delta.constraints.<name>` (names are case-insensitive and stored lowercased, as Spark does) and upgrades
/// the protocol when the table lacks the `checkConstraints` feature. The commit reads the whole table and
/// changes metadata, so an append that lands meanwhile conflicts instead of slipping in unchecked rows.
public struct AddConstraint: Sendable {
    /// What adding did.
    public struct Metrics: OperationMetrics, Hashable {
        /// The version committed.
        public var version: Int64 = -1
        /// Files the validation opened.
        public var numFilesRead = 0

        /// Empty metrics.
        public init() {}
    }

    /// The table.
    public let table: DeltaTable
    /// The constraint's name.
    public let name: String
    /// Its SQL boolean expression.
    public let expression: String

    /// Adds the constraint `name` CHECK (`expression`) to `table`.
    public init(table: DeltaTable, name: String, expression: String) {
        self.table = table
        self.name = name
        self.expression = expression
    }

    /// Validates the existing rows and commits.
    public func execute() async throws(LakeError) -> (Snapshot, Metrics) {
        try await execute(on: try await table.snapshot())
    }

    /// Validates the rows of `snapshot` and commits on top of it (tests race it against other commits).
    func execute(on snapshot: Snapshot) async throws(LakeError) -> (Snapshot, Metrics) {
        do { try TableFeatures.checkWritable(snapshot.protocolAction, metadata: snapshot.metadata) } catch { throw LakeError(error) }
        let key = try Self.propertyKey(name)
        if let existing = snapshot.properties[key] {
            throw LakeError(.alreadyExists, "the table already has a constraint named \(name.lowercased()) (\(existing)); drop it first to replace it")
        }
        let condition = try RowCondition.parse(expression, schema: snapshot.schema)

        // Any row where the condition is FALSE or NULL violates it.
        var options = Scan.Options()
        options.version = .version(snapshot.version)
        options.predicate = "NOT coalesce((\(condition.sql)), false)"
        options.limit = 1
        let (_, violating, scanned) = try await Scan(table: table, options: options).execute()
        if violating.rowCount > 0 {
            throw LakeError(.constraintViolation, "cannot add CHECK constraint \(name.lowercased()) (\(expression)): existing rows violate it, e.g. \(TableConstraints.rowText(violating, 0)); fix or delete them first (nothing was committed)")
        }

        var metadata = snapshot.metadata
        metadata.configuration[key] = expression
        var actions: [Action] = [.metadata(metadata)]
        let needed: ProtocolAction
        do { needed = try TableFeatures.minimumProtocol(for: metadata) } catch { throw LakeError(error) }
        if let upgraded = TableFeatures.upgrade(snapshot.protocolAction, toSupport: needed) { actions.insert(.protocol(upgraded), at: 0) }
        var metrics = Metrics()
        metrics.numFilesRead = scanned.filesRead
        let commit = OperationCommit(table: table, snapshot: snapshot, operation: .addConstraint(name: name.lowercased(), expression: expression), read: .wholeTable)
        metrics.version = try await commit.commit(actions, metrics: metrics).version
        return (try await table.snapshot(at: .version(metrics.version)), metrics)
    }

    /// `delta.constraints.<name lowercased>`, after checking the name is a plain identifier.
    static func propertyKey(_ name: String) throws(LakeError) -> String {
        guard !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
            throw LakeError.invalidRequest("a constraint name is letters, digits and underscores, not \"\(name)\"")
        }
        return "delta.constraints." + name.lowercased()
    }
}
