import Hummingbird
import Lake

extension Routes {
    /// `GET .../history?limit=` and `GET .../changes?from=&to=` (rows by Accept).
    func registerLog(on router: Router<BasicRequestContext>) {
        router.get("/v1/tables/:name/history") { request, context in
            let (_, table) = try table(context)
            let (entries, _) = try await History(table: table, limit: try QueryParameters(request).count("limit")).execute()
            return Self.json(.object([("history", .array(entries.map(TableDocuments.history)))]))
        }

        router.get("/v1/tables/:name/changes") { request, context in
            let (_, table) = try table(context)
            let query = QueryParameters(request)
            let type = try RowResponseType(accept: request.headers[.accept])
            var options = Changes.Options()
            options.from = try query.versionSpec(version: "from", timestamp: "fromTimestamp", fallback: .version(0))
            options.to = try query.versionSpec(version: "to", timestamp: "toTimestamp", fallback: .latest)
            options.columns = query.list("columns")
            let (frame, _) = try await Changes(table: table, options: options).execute()
            return Self.bytes(try type.encode(frame.batch), type: type.rawValue)
        }
    }
}
