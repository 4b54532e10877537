#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Columnar
import DataFrame
import ObjectStore
import Parquet

/// Local scratch files for a Z-order larger than its memory budget: the rows of each Z-value range are
/// appended to that range's Parquet file as they are read, and read back one range at a time to be sorted.
///
/// The files live in a fresh directory under `$TMPDIR` (else `/tmp`), are written through `LocalStore`
/// (appended as row groups, so a range never sits whole in memory while it is gathered) and removed by
/// `remove()`, which the rewrite calls whether it succeeds or fails. Rows buffered per range are bounded by
/// `flushBytes`; one task drives it.
final class ZOrderSpill {
    /// The schema of the spilled rows.
    let schema: Schema
    private let store: LocalStore
    private let directory: String
    private let flushBytes: Int
    private var ranges: [Range]

    private struct Range {
        var key: String
        var writer: ParquetWriter
        var upload: (any ObjectUpload)?
        var pending: [DataFrame] = []
        var pendingBytes = 0
        var rows = 0
        var size: Int64 = 0
    }

    /// Scratch files for `count` ranges of rows of `schema`; each range flushes a row group once it buffers
    /// `flushBytes`.
    init(count: Int, schema: Schema, flushBytes: Int, id: String) throws(LakeError) {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        directory = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/lake-zorder-" + id
        store = LocalStore(root: directory)
        self.schema = schema
        self.flushBytes = max(1 << 20, flushBytes)
        var options = ParquetWriterOptions()
        options.compression = .lz4Raw
        do {
            ranges = try (0..<count).map { i throws(ParquetError) -> Range in
                Range(key: "range-\(i).parquet", writer: try ParquetWriter(schema: schema, options: options))
            }
        } catch {
            throw LakeError(.failed, "cannot start the Z-order scratch files: \(error)")
        }
    }

    /// Appends `frame` (rows of `schema`) to range `r`.
    func append(_ frame: DataFrame, to r: Int) async throws(LakeError) {
        guard frame.rowCount > 0, ranges.indices.contains(r) else { return }
        ranges[r].pending.append(frame)
        ranges[r].pendingBytes += DataFileWriter.bufferBytes(frame)
        if ranges[r].pendingBytes >= flushBytes { try await flush(r) }
    }

    /// Flushes every range and closes its file.
    func finish() async throws(LakeError) {
        for r in ranges.indices {
            try await flush(r)
            guard let upload = ranges[r].upload else { continue }
            do {
                let tail = try ranges[r].writer.finish()
                ranges[r].size = Int64(ranges[r].writer.bytesWritten + tail.count)
                try await upload.append(tail)
                try await upload.complete()
            } catch {
                await upload.abort()
                throw LakeError(.storage, "writing the Z-order scratch file \(directory)/\(ranges[r].key): \(error)")
            }
        }
    }

    /// Rows spilled to range `r`.
    func rows(_ r: Int) -> Int { ranges.indices.contains(r) ? ranges[r].rows : 0 }

    /// The rows of range `r`, read back a row group at a time and joined.
    func read(_ r: Int) async throws(LakeError) -> DataFrame {
        guard ranges.indices.contains(r), ranges[r].rows > 0 else { return DataFrame(emptyOf: schema) }
        let key = ranges[r].key
        do {
            let (reader, source) = try await FetchedRanges.openParquet(store: store, key: key, expectedSize: ranges[r].size)
            var parts: [DataFrame] = []
            for g in 0..<reader.rowGroupCount {
                try await source.fetch(try reader.byteRanges(rowGroups: [g]))
                let batch = try reader.read(rowGroups: [g])
                source.releaseColumnChunks()
                parts.append(try DataFrame(schema: schema, columns: batch.columns))
            }
            return parts.count == 1 ? parts[0] : try DataFrame.concat(parts)
        } catch let error as LakeError {
            throw error
        } catch {
            throw LakeError(.storage, "reading the Z-order scratch file \(directory)/\(key): \(error)")
        }
    }

    /// Deletes range `r`'s file (once it has been sorted and written).
    func remove(_ r: Int) async {
        guard ranges.indices.contains(r) else { return }
        if let upload = ranges[r].upload { await upload.abort() }
        try? await store.delete(ranges[r].key)
    }

    /// Deletes every scratch file and the directory.
    func remove() async {
        for r in ranges.indices { await remove(r) }
        _ = rmdir(directory)
    }

    private func flush(_ r: Int) async throws(LakeError) {
        guard !ranges[r].pending.isEmpty else { return }
        do {
            let rows = ranges[r].pending.count == 1 ? ranges[r].pending[0] : try DataFrame.concat(ranges[r].pending)
            ranges[r].pending = []
            ranges[r].pendingBytes = 0
            try ranges[r].writer.write(try RecordBatch(schema: schema, columns: rows.columns))
            ranges[r].rows += rows.rowCount
            if ranges[r].upload == nil { ranges[r].upload = try await store.upload(ranges[r].key) }
            try await ranges[r].upload?.append(ranges[r].writer.takeBytes())
        } catch {
            throw LakeError(.storage, "writing the Z-order scratch file \(directory)/\(ranges[r].key): \(error)")
        }
    }
}
