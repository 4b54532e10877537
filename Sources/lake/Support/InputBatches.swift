import Columnar
import DataFrame
import Lake
import Parquet
import Synchronization

/// The input files of `lake write` as one stream of batches: Parquet files row group by row group (never
/// loaded whole), text files one file at a time.
enum InputBatches {
    /// A stream over `paths`, in order; its schema is the first file's.
    static func stream(_ paths: [String]) throws -> WriteData {
        guard let first = paths.first else { throw LakeError.invalidRequest("give at least one input file") }
        let state = Mutex(Cursor(paths: paths))
        let schema: Schema
        if first.lowercased().hasSuffix(".parquet") {
            schema = try ParquetReader(path: first).schema
        } else {
            let frame = try TableSupport.readInput(first)
            schema = frame.schema
            state.withLock { $0.pendingFrame = frame; $0.next = 1 }
        }
        return WriteData(schema: schema) {
            try state.withLock { (c: inout Cursor) throws -> DataFrame? in try c.advance() }
        }
    }

    /// Where the stream is.
    struct Cursor: @unchecked Sendable {
        let paths: [String]
        var next = 0
        var reader: ParquetReader?
        var group = 0
        var pendingFrame: DataFrame?

        init(paths: [String]) { self.paths = paths }

        mutating func advance() throws -> DataFrame? {
            if let f = pendingFrame { pendingFrame = nil; return f }
            while true {
                if let r = reader {
                    if group < r.rowGroupCount {
                        group += 1
                        return DataFrame(try r.readRowGroup(group - 1))
                    }
                    reader = nil
                }
                guard next < paths.count else { return nil }
                let path = paths[next]
                next += 1
                if path.lowercased().hasSuffix(".parquet") {
                    reader = try ParquetReader(path: path)
                    group = 0
                } else {
                    return try TableSupport.readInput(path)
                }
            }
        }
    }
}
