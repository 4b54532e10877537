import DeltaLog
import HTTPTypes
import Hummingbird
import Lake

extension Routes {
    /// `POST /v1/tables/{name}/rows` (append or overwrite) and `GET /v1/tables/{name}/rows` (read).
    func registerRows(on router: Router<BasicRequestContext>) {
        router.post("/v1/tables/:name/rows") { request, context in
            let (_, table) = try table(context)
            let query = QueryParameters(request)
            var options = Write.Options()
            switch query.string("mode") ?? "append" {
            case "append": options.mode = .append
            case "overwrite": options.mode = .overwrite
            case let other: throw Problem.badRequest("mode is append or overwrite, not \"\(other)\"")
            }
            options.schemaEvolution = query.string("schemaEvolution") == "true"
            options.transaction = try Idempotency.transaction(request)
            let type = try RowBodyType(contentType: request.headers[.contentType])
            // The table must exist (PUT creates it): a typo in a pipeline's table name is an error, not a new table.
            let snapshot = try await table.snapshot()
            if let txn = options.transaction, let done = snapshot.appTransactions[txn.appId], done >= txn.version {
                return try await replay(txn, table: table, at: snapshot.version)
            }
            try checkDeclaredLength(request)
        let body = try await SpooledBody.spool(request.body, type: type, limit: maxBody, directory: uploads)
            defer { body.remove() }
            let (_, metrics) = try await Write(table: table, data: try body.batches(table: snapshot.schema), options: options).execute()
            if metrics.skipped, let txn = options.transaction {
                // Another request with the same key committed between our snapshot and our commit.
                return try await replay(txn, table: table, at: metrics.version)
            }
            self.metrics.commit("WRITE")
            self.metrics.wrote(rows: metrics.numOutputRows, bytes: metrics.numOutputBytes)
            return Self.json(TableDocuments.operationMetrics(metrics, version: metrics.version))
        }

        router.get("/v1/tables/:name/rows") { request, context in
            let (_, table) = try table(context)
            let query = QueryParameters(request)
            let type = try RowResponseType(accept: request.headers[.accept])
            var options = Scan.Options()
            options.version = try query.versionSpec(version: "version", timestamp: "timestamp", fallback: .latest)
            options.columns = query.list("columns")
            options.predicate = query.string("where")
            options.limit = try query.count("limit")
            let (snapshot, frame, _) = try await Scan(table: table, options: options).execute()
            metrics.read(rows: frame.rowCount)
            var response = Self.bytes(try type.encode(frame.batch), type: type.rawValue)
            response.headers[Self.versionHeader] = String(snapshot.version)
            return response
        }
    }

    /// The header saying which table version a read answered.
    static let versionHeader = HTTPField.Name("Lake-Table-Version")!

    /// The original answer of the write that recorded `txn`, marked as replayed.
    func replay(_ txn: SetTransaction, table: DeltaTable, at version: Int64) async throws -> Response {
        let document = try await Idempotency.originalResult(txn, table: table)
            ?? .object([("version", .int(version)), ("skipped", .bool(true))])
        var response = Self.json(document)
        response.headers[Idempotency.replayedHeader] = "true"
        return response
    }
}
