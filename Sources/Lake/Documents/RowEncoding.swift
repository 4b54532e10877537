import Columnar
import Parquet

/// The encodings rows are exported in, shared by `lake read` / `lake changes` and the HTTP service's row
/// answers: NDJSON (one object a line), a JSON array of objects, CSV with a header, or a Parquet file.
public enum RowEncoding: Sendable, CaseIterable {
    case ndjson, jsonArray, csv, parquet

    /// `batch` in this encoding; `variantsAsJSON` renders variant columns of NDJSON as their JSON values.
    public func encode(_ batch: RecordBatch, variantsAsJSON: Bool = false) throws(LakeError) -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .ndjson:
            if variantsAsJSON {
                do { try BatchText.ndjsonRenderingVariants(batch, to: &out) } catch { throw LakeError(error) }
            } else {
                BatchText.ndjson(batch, to: &out)
            }
        case .csv: BatchText.csv(batch, to: &out)
        case .parquet:
            do { out = try ParquetWriter.write([batch], schema: batch.schema) } catch { throw LakeError(error) }
        case .jsonArray:
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
