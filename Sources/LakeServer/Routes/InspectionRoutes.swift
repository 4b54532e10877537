import Hummingbird
import Lake

extension Routes {
    /// `GET .../files` (the data files of a version) and `GET .../plan` (the scan plan of a read, reading no
    /// data: `lake read --explain`).
    func registerInspection(on router: Router<BasicRequestContext>) {
        router.get("/v1/tables/:name/files") { request, context in
            let (_, table) = try table(context)
            let version = try QueryParameters(request).versionSpec(version: "version", timestamp: "timestamp", fallback: .latest)
            let (snapshot, files) = try await Files(table: table, version: version).execute()
            return Self.json(.object([("version", .int(snapshot.version)), ("files", .array(files.map(TableDocuments.file)))]))
        }

        router.get("/v1/tables/:name/plan") { request, context in
            let (_, table) = try table(context)
            let query = QueryParameters(request)
            var options = Scan.Options()
            options.version = try query.versionSpec(version: "version", timestamp: "timestamp", fallback: .latest)
            options.columns = query.list("columns")
            options.predicate = query.string("where")
            return Self.json(TableDocuments.plan(try await Scan(table: table, options: options).plan()))
        }
    }
}
