import Hummingbird
import Lake

extension Routes {
    /// `POST .../delete`, `.../update`, `.../merge`, `.../scd2`, `.../restore`: the row-changing operations.
    func registerChanges(on router: Router<BasicRequestContext>) {
        router.post("/v1/tables/:name/delete") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let body = try await JSONBody.read(request, limit: maxBody, allowed: ["where"])
            let (s, m) = try await Delete(table: table, options: Delete.Options(predicate: try body.string("where"))).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: s.version))
        }

        router.post("/v1/tables/:name/update") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let body = try await JSONBody.read(request, limit: maxBody, allowed: ["set", "where"])
            guard let set = try body.stringMap("set"), !set.isEmpty else {
                throw Problem.badRequest("give \"set\": {\"column\": \"expression\", ...} with at least one column")
            }
            let options = Update.Options(set: set.map { (column: $0.0, expression: $0.1) }, predicate: try body.string("where"))
            let (s, m) = try await Update(table: table, options: options).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: s.version))
        }

        router.post("/v1/tables/:name/merge") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let query = QueryParameters(request)
            guard let on = query.string("on"), !on.isEmpty else { throw Problem.badRequest("give on=<merge condition>, e.g. on=target.id%20%3D%20source.id") }
            let clauses = try query.all("clause").map { (c) throws(LakeError) in try Merge.Clause.parse(c) }
            var options = Merge.Options()
            if let a = query.string("targetAlias") { options.targetAlias = a }
            if let a = query.string("sourceAlias") { options.sourceAlias = a }
            options.schemaEvolution = query.string("schemaEvolution") == "true"
            let (source, spooled) = try await source(request, query: query)
            defer { spooled?.remove() }
            let (_, m) = try await Merge(table: table, source: source, on: on, clauses: clauses, options: options).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: m.version))
        }

        router.post("/v1/tables/:name/scd2") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let query = QueryParameters(request)
            guard let keys = query.list("keys"), !keys.isEmpty else { throw Problem.badRequest("give keys=<comma-separated key columns>") }
            let effective: SCD2.EffectiveTime
            if let column = query.string("effectiveColumn") {
                effective = .column(column)
            } else if let at = query.string("effectiveAt") {
                guard case let .timestamp(ms) = try QueryParameters.timestampSpec(at, name: "effectiveAt") else { throw Problem.badRequest("effectiveAt is a time") }
                effective = .at(ms * 1000)
            } else {
                effective = .now
            }
            var options = SCD2.Options(keys: keys, tracked: query.list("track") ?? [], effective: effective)
            options.closeMissing = query.string("closeMissing") == "true"
            options.updateUntracked = query.string("updateUntracked") == "true"
            let (source, spooled) = try await source(request, query: query)
            defer { spooled?.remove() }
            let (s, m) = try await SCD2(table: table, source: source, options: options).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: s.version))
        }

        router.post("/v1/tables/:name/restore") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let body = try await JSONBody.read(request, limit: maxBody, allowed: ["version", "timestamp"])
            let version = try body.int("version")
            let timestamp = try body.string("timestamp") ?? body.int("timestamp").map { String($0) }
            let spec: VersionSpec
            switch (version, timestamp) {
            case let (v?, nil):
                guard v >= 0 else { throw Problem.badRequest("version must be 0 or more") }
                spec = .version(v)
            case let (nil, t?): spec = try QueryParameters.timestampSpec(t, name: "timestamp")
            default: throw Problem.badRequest("give either {\"version\": N} or {\"timestamp\": ...}")
            }
            let (s, m) = try await Restore(table: table, to: spec).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: s.version))
        }
    }

    /// The source rows of a merge or SCD2 load: the table named by `source=` (at `sourceVersion=`), else the
    /// body, spooled like a `/rows` body (the caller removes the spooled file).
    func source(_ request: Request, query: QueryParameters) async throws -> (Merge.Source, SpooledBody?) {
        if let name = query.string("source") {
            let version: Int64?
            if let v = query.string("sourceVersion") {
                guard let n = Int64(v), n >= 0 else { throw Problem.badRequest("sourceVersion must be a table version, not \"\(v)\"") }
                version = n
            } else {
                version = nil
            }
            return (.table(try root.table(try TableName(name)), version: version), nil)
        }
        let type = try RowBodyType(contentType: request.headers[.contentType])
        try checkDeclaredLength(request)
        let body = try await SpooledBody.spool(request.body, type: type, limit: maxBody, directory: uploads)
        return (.file(body.path), body)
    }
}
