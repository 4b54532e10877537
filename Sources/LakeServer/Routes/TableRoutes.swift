import Columnar
import DataFrame
import Hummingbird
import Lake

extension Routes {
    /// `GET /v1/tables`, `PUT /v1/tables/{name}`, `GET /v1/tables/{name}`.
    func registerTables(on router: Router<BasicRequestContext>) {
        router.get("/v1/tables") { _, _ in
            var tables: [JSONDocument] = []
            for name in try root.tableNames() {
                // A table that cannot be read is still listed, with a null version.
                let version = try? await root.table(name).snapshot().version
                tables.append(.object([("name", .string(name.value)), ("version", version.map { .int($0) } ?? .null)]))
            }
            return Self.json(.object([("tables", .array(tables))]))
        }

        router.put("/v1/tables/:name") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (name, table) = try table(context)
            let body = try await JSONBody.read(request, limit: maxBody, allowed: ["schema", "partitionBy", "clusterBy", "properties", "description"])
            guard let schemaText = try body.string("schema") else {
                throw Problem.badRequest("give the schema, e.g. {\"schema\": \"id long not null, name string\"}")
            }
            let schema: Schema
            do { schema = try SchemaString.parse(schemaText) } catch { throw Problem.badRequest("schema: \(error)") }
            let partitionBy = try body.strings("partitionBy") ?? []
            let clusterBy = try body.strings("clusterBy")
            if clusterBy?.isEmpty == true { throw Problem.badRequest("clusterBy names at least one column") }
            if clusterBy != nil && !partitionBy.isEmpty {
                throw Problem.badRequest("clusterBy and partitionBy cannot be used together: a Delta table is either partitioned or clustered")
            }
            var properties: [String: String] = [:]
            for (k, v) in try body.stringMap("properties") ?? [] { properties[k] = v }
            let options = CreateTable.Options(schema: schema, partitionColumns: partitionBy, properties: properties,
                                              name: name.value, description: try body.string("description"), clusterBy: clusterBy)
            _ = try await CreateTable(table: table, options: options).execute()
            let (_, summary) = try await Info(table: table).execute()
            var response = Self.json(TableDocuments.info(summary), status: .created)
            response.headers[.location] = "/v1/tables/\(name.value)"
            return response
        }

        router.get("/v1/tables/:name") { request, context in
            let (_, table) = try table(context)
            let version = try QueryParameters(request).versionSpec(version: "version", timestamp: "timestamp", fallback: .latest)
            let (_, summary) = try await Info(table: table, version: version).execute()
            return Self.json(TableDocuments.info(summary))
        }
    }
}
