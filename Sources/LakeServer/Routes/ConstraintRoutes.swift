import Hummingbird
import Lake

extension Routes {
    /// `POST .../constraints` (add a CHECK constraint; existing rows must satisfy it) and
    /// `DELETE .../constraints/{constraint}`.
    func registerConstraints(on router: Router<BasicRequestContext>) {
        router.post("/v1/tables/:name/constraints") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let body = try await JSONBody.read(request, limit: maxBody, allowed: ["name", "check"])
            guard let name = try body.string("name"), !name.isEmpty, let check = try body.string("check"), !check.isEmpty else {
                throw Problem.badRequest("give {\"name\": \"positive_amount\", \"check\": \"amount > 0\"}")
            }
            let (s, m) = try await AddConstraint(table: table, name: name, expression: check).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: s.version))
        }

        router.delete("/v1/tables/:name/constraints/:constraint") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let constraint = context.parameters.get("constraint") ?? ""
            let (s, m) = try await DropConstraint(table: table, name: constraint).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: s.version))
        }
    }
}
