import ArgumentParser
import Columnar
import DataFrame
import Parquet

/// The in-memory DataFrame rows of the standard workload (shared/bench/WORKLOAD.md) for `lake bench`:
/// the inputs are loaded untimed, then only the operation is timed, best of `repeat`.
enum FrameBench {
    /// The workload's filter predicate.
    static let filterPredicate = "amount > 500 AND status <> 'cancelled'"

    /// Runs `op` `repeat` times; returns the best seconds and the result's row count.
    static func run(_ op: BenchCommand.Operation, input: String, input2: String?, repeat count: Int) throws -> (Double, Int) {
        let orders = DataFrame(try ParquetReader(path: input).read())
        var customers: DataFrame?
        if op == .frameJoin {
            guard let input2 else { throw ValidationError("frame-join needs --input2 with the customers file") }
            customers = DataFrame(try ParquetReader(path: input2).read())
        }
        let predicate = try Expr.parse(filterPredicate)
        let aggs: [Agg] = [.count().alias("n"), .sum("amount").alias("total"), .mean("amount").alias("mean"),
                           .nUnique("product_id").alias("products")]
        let sortKeys = [SortKey("customer_id"), SortKey("amount")]
        var best = Double.infinity
        var rows = 0
        for _ in 0..<count {
            let t = ContinuousClock.now
            let result: DataFrame
            switch op {
            case .frameFilter:
                result = try orders.filter(predicate)
            case .frameGroupBy:
                result = try orders.groupBy("customer_id").agg(aggs)
            case .frameJoin:
                guard let customers else { throw ValidationError("frame-join needs --input2") }
                result = try orders.join(customers, on: "customer_id", how: .left)
            case .frameSort:
                result = try orders.sort(by: sortKeys)
            case .frameWindow:
                result = try orders.withWindow("running_amount", .runningSum("amount"), partitionBy: ["customer_id"],
                                               orderBy: [SortKey("created_at")])
            case .parquetRead, .parquetWrite:
                throw ValidationError("\(op.rawValue) is not a frame operation")
            }
            best = min(best, t.duration(to: .now).seconds)
            rows = result.rowCount
        }
        return (best, rows)
    }
}
