import Columnar
import Hummingbird
import Lake

/// The media types rows are answered in, chosen by `Accept`: NDJSON, a JSON array of objects, CSV (with a
/// header) or Parquet, encoded by `RowEncoding` as the CLI does.
enum RowResponseType: String, Sendable {
    case ndjson = "application/x-ndjson"
    case json = "application/json"
    case csv = "text/csv"
    case parquet = "application/vnd.apache.parquet"

    /// The first type of `accept` (in the client's order, `q` ignored) that lake writes; NDJSON for none, `*/*`
    /// or `application/*`; 406 when the client accepts none of the four.
    init(accept: String?) throws(Problem) {
        guard let accept, !accept.isEmpty else { self = .ndjson; return }
        for part in accept.split(separator: ",") {
            let base = part.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            if base == "*/*" || base == "application/*" { self = .ndjson; return }
            if base == "application/ndjson" || base == "application/jsonl" { self = .ndjson; return }
            if base == "text/*" { self = .csv; return }
            if let t = RowResponseType(rawValue: base) { self = t; return }
        }
        throw Problem.notAcceptable("rows are answered as application/x-ndjson, application/json, text/csv or application/vnd.apache.parquet, none of which \"\(accept)\" accepts")
    }

    /// `batch` in this type, with the CLI's encoders.
    func encode(_ batch: RecordBatch) throws(LakeError) -> [UInt8] {
        switch self {
        case .ndjson: try RowEncoding.ndjson.encode(batch)
        case .json: try RowEncoding.jsonArray.encode(batch)
        case .csv: try RowEncoding.csv.encode(batch)
        case .parquet: try RowEncoding.parquet.encode(batch)
        }
    }
}
