import Columnar
import DataFrame
import Lake
import Synchronization

/// The input files of `lake write` as one stream of bounded batches (`BatchReaders`: Parquet row group by row
/// group, CSV and NDJSON in chunks cut at record boundaries), never loaded whole.
///
/// Writing into an existing table, text fields parse with the table's types (`table`); into a new table the
/// first file's types are inferred and the other files parse with them.
enum InputBatches {
    /// A stream over `paths`, in order, with the first file's schema.
    static func stream(_ paths: [String], table: Schema?) throws -> WriteData {
        guard let first = paths.first else { throw LakeError.invalidRequest("give at least one input file") }
        let reader = try BatchReaders.open(path: first, table: table)
        let cursor = Cursor(paths: Array(paths.dropFirst()), current: reader, table: table ?? reader.schema)
        return WriteData(schema: reader.schema) { try cursor.next() }
    }

    /// Where the stream is: the open reader and the files still to open. Pulled by one task at a time.
    final class Cursor: @unchecked Sendable {
        private struct State: @unchecked Sendable {
            var paths: [String]
            var current: (any BatchReader)?
            let table: Schema
        }
        private let state: Mutex<State>

        init(paths: [String], current: any BatchReader, table: Schema) {
            state = Mutex(State(paths: paths, current: current, table: table))
        }

        func next() throws -> DataFrame? {
            try state.withLock { (s: inout State) throws -> DataFrame? in
                while true {
                    if let r = s.current, let batch = try r.next() { return batch }
                    guard !s.paths.isEmpty else { s.current = nil; return nil }
                    s.current = try BatchReaders.open(path: s.paths.removeFirst(), table: s.table)
                }
            }
        }
    }
}
