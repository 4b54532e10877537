import Columnar
import Foundation
import Testing
import DataFrame

// TEMPORARY benchmark (deleted after measuring): group-by on the 5M-row orders data.
@Suite struct AggBenchTemporary {
    func load<T>(_ path: String, _: T.Type) -> [T] {
        guard let d = FileManager.default.contents(atPath: path) else { return [] }
        return d.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    }

    @Test func benchGroupBy() throws {
        guard ProcessInfo.processInfo.environment["AGG_BENCH"] != nil else { return }
        let cust = load("/tmp/agg_cust.bin", Int64.self), prod = load("/tmp/agg_prod.bin", Int64.self)
        let amount = load("/tmp/agg_amount.bin", Double.self)
        let n = cust.count
        let df = try DataFrame([("customer_id", Column(unchecked: .int64, count: n, validity: nil, values: .int64(cust))),
                                ("product_id", Column(unchecked: .int64, count: n, validity: nil, values: .int64(prod))),
                                ("amount", Column(unchecked: .float64, count: n, validity: nil, values: .float64(amount)))])
        var best = 1e9
        for _ in 0..<5 {
            let t = Date()
            let r = try df.groupBy("customer_id").agg(sql: "count(*) AS n", "sum(amount) AS s", "mean(amount) AS m", "n_unique(product_id) AS u")
            best = min(best, Date().timeIntervalSince(t))
            #expect(r.rowCount == 100_000)
        }
        print("AGGBENCH groupby best \(best)")
        var bestSort = 1e9
        for _ in 0..<3 {
            let t = Date()
            let r = try df.sort(by: [SortKey("customer_id"), SortKey("amount")])
            bestSort = min(bestSort, Date().timeIntervalSince(t))
            #expect(r.rowCount == n)
        }
        print("AGGBENCH sort best \(bestSort)")
    }
}
