import DeltaLog
import HTTPTypes
import Hummingbird
import Lake

/// `Idempotency-Key` on a write: the key becomes the app id of a Delta txn action committed with the rows
/// (`lake-http:<key>`, version 0), so a retry, to this server after a restart or to another server on the same
/// table, finds the txn in the table's state and commits nothing. The retry gets the original result back:
/// the metrics recorded in the commitInfo of the commit that carries the txn.
enum Idempotency {
    /// The header name.
    static let header = HTTPField.Name("Idempotency-Key")!
    /// Set to `true` on a response that replays an earlier result instead of applying the request.
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    /// The txn of `request`'s key, nil without one; 400 for a key that is empty, longer than 200 bytes or not
    /// printable ASCII.
    static func transaction(_ request: Request) throws(Problem) -> SetTransaction? {
        guard let key = request.headers[header] else { return nil }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw Problem.badRequest("Idempotency-Key must be 1 to 200 printable ASCII characters")
        }
        return SetTransaction(appId: "lake-http:" + key, version: 0)
    }

    /// The result document of the commit that recorded `txn`, as the original request answered it: its version
    /// and the write's metrics from the commitInfo (only those `Write.Metrics` reports: the commit also records
    /// things the answer never had, such as its retries). Nil when the log no longer has that commit.
    static func originalResult(_ txn: SetTransaction, table: DeltaTable) async throws -> JSONDocument? {
        guard let entry = try await History(table: table).commit(recordingTransaction: txn.appId) else { return nil }
        let recorded = entry.commitInfo?.operationMetrics ?? [:]
        let answered = Write.Metrics().operationMetrics.keys.sorted()
        return .object([("version", .int(entry.version))] + answered.map { k in
            (k, recorded[k].map { v in if case let .string(s) = v { JSONDocument.string(s) } else { JSONDocument(v) } } ?? .null)
        })
    }
}
