import Columnar
import Hummingbird
import Lake
import Parquet

/// The media types rows are answered in, chosen by `Accept`: NDJSON, a JSON array of objects, CSV (with a
/// header) or Parquet. The encoders are the CLI's (`BatchText`, `ParquetWriter`).
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

    /// `batch` in this type.
    func encode(_ batch: RecordBatch) throws -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .ndjson: BatchText.ndjson(batch, to: &out)
        case .csv: BatchText.csv(batch, to: &out)
        case .parquet:
            do { out = try ParquetWriter.write([batch], schema: batch.schema) } catch { throw LakeError(error) }
        case .json:
            // The NDJSON lines, each one object, joined into one array.
            var lines: [UInt8] = []
            BatchText.ndjson(batch, to: &lines)
            out.reserveCapacity(lines.count + 2)
            out.append(UInt8(ascii: "["))
            var first = true
            for line in lines.split(separator: 0x0a, omittingEmptySubsequences: true) {
                if !first { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: line)
                first = false
            }
            out.append(UInt8(ascii: "]"))
        }
        return out
    }
}
