import Hummingbird
import Lake

extension Routes {
    /// `POST .../optimize` (compaction or Z-order) and `POST .../vacuum`.
    func registerMaintenance(on router: Router<BasicRequestContext>) {
        router.post("/v1/tables/:name/optimize") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let body = try await JSONBody.read(request, limit: maxBody, allowed: ["zorder", "targetSize", "where"])
            let targetSize = try body.int("targetSize")
            if let targetSize, targetSize < 1 { throw Problem.badRequest("targetSize must be at least 1 byte") }
            let options = Optimize.Options(targetSize: targetSize.map { Int($0) }, predicate: try body.string("where"),
                                           zOrderBy: try body.strings("zorder") ?? [])
            let (s, m) = try await Optimize(table: table, options: options).execute()
            return Self.json(TableDocuments.operationMetrics(m, version: s.version))
        }

        router.post("/v1/tables/:name/vacuum") { request, context in
            try Self.refuseIdempotencyKey(request)
            let (_, table) = try table(context)
            let body = try await JSONBody.read(request, limit: maxBody, allowed: ["retainHours", "dryRun", "force"])
            var retention: Int64?
            if let hours = try body.number("retainHours") {
                let ms = hours * 3_600_000
                guard hours >= 0, ms < 9e18 else { throw Problem.badRequest("retainHours must be 0 or more (and not absurdly large)") }
                retention = Int64(ms)
            }
            let options = Vacuum.Options(retentionMillis: retention, dryRun: try body.bool("dryRun") ?? false, force: try body.bool("force") ?? false)
            let m = try await Vacuum(table: table, options: options).execute()
            return Self.json(TableDocuments.vacuum(m))
        }
    }
}
