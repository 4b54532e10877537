import Columnar
import Foundation
import Testing
@testable import DataFrame

@Test func tmpJoinWindowBench() throws {
    guard ProcessInfo.processInfo.environment["LAKE_TMP_BENCH"] != nil else { return }
    let n = 5_000_000
    let cid = (0..<n).map { Int64(($0 &* 7919) % 100_000) }
    let created = (0..<n).map { Int64(1_704_067_200_000_000 + (($0 &* 2_654_435_761) % 31_536_000_000_000)) }
    let amount = (0..<n).map { Double($0 % 99_900) / 100 + 1 }
    let orders = try DataFrame([
        (name: "order_id", column: Kernels.column(.int64, (0..<n).map { Int64($0) }, validity: nil)),
        (name: "customer_id", column: Kernels.column(.int64, cid, validity: nil)),
        (name: "amount", column: Kernels.column(.float64, amount, validity: nil)),
        (name: "created_at", column: Kernels.column(.timestampNTZ, created, validity: nil)),
    ])
    var sb = StringBuilder(capacity: 100_000)
    for i in 0..<100_000 { sb.append(Array(["a", "b", "c"][i % 3].utf8)) }
    let customers = try DataFrame([
        (name: "customer_id", column: Kernels.column(.int64, (0..<100_000).map { Int64($0) }, validity: nil)),
        (name: "segment", column: sb.column(validity: nil)),
    ])
    for _ in 0..<3 {
        let t0 = Date()
        let j = try orders.join(customers, on: "customer_id", how: .left)
        let t1 = Date()
        let w = try orders.withWindow("rs", .runningSum("amount"), partitionBy: ["customer_id"], orderBy: [SortKey("created_at")])
        let t2 = Date()
        print("BENCH join \(t1.timeIntervalSince(t0)) rows \(j.rowCount) window \(t2.timeIntervalSince(t1)) rows \(w.rowCount)")
    }
}
