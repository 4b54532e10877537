import Columnar
import DataFrame
import DeltaLog

/// The Z-order of one partition's files (`OPTIMIZE ... ZORDER BY`, and the clustering of a liquid-clustered
/// table): incremental, and in memory that follows the budget rather than the partition.
///
/// **Incremental.** Files a previous Z-order wrote carry Delta's cube tags (`ZCUBE_ID`, `ZCUBE_ZORDER_BY`,
/// as Databricks writes them) and lake's own `lake.zOrderMin` / `lake.zOrderMax`: the first and last
/// Z-value in the file (the keys are a fixed function of the values, so Z-values of different runs compare).
/// Only files not clustered by these columns ("new" files) start a rewrite: with none, nothing is rewritten.
/// With some, the new rows' Z-values are streamed (clustering columns only) and a clustered file is
/// rewritten with them only when one of them falls inside its range; the others stay, and the output files are
/// cut at their ranges so clustered ranges never come to overlap. A clustered file without lake's range tags
/// (a Spark cube) counts as overlapping.
///
/// **Bounded memory.** When the rows to rewrite fit the budget (estimated from the first file read: decoded
/// bytes per row), they are read whole, sorted by Z-value on every core and written. Otherwise the Z-values
/// are sampled (clustering columns only), split into ranges of about the budget by the sample's quantiles
/// (ties broken by row position, so even one repeated value splits), each row is spilled to its range's
/// scratch file (`ZOrderSpill`) as the files are read a row group at a time, and the ranges are sorted and
/// written one after another. Either way output files are contiguous runs of the sorted rows of about the
/// target size, written in parallel, each tagged with its Z-value range.
struct ZOrderRewrite: Sendable {
    /// Tag with the clustering columns as a JSON array (Delta's `AddFile.Tags.ZCUBE_ZORDER_BY`).
    static let zOrderByTag = "ZCUBE_ZORDER_BY"
    /// Tag with the id of the run that wrote the file (Delta's `ZCUBE_ID`).
    static let cubeTag = "ZCUBE_ID"
    /// Tag with the target file size of the run (Delta's `OPTIMIZE_TARGET_SIZE`).
    static let targetSizeTag = "OPTIMIZE_TARGET_SIZE"
    /// Tag with the file's smallest Z-value, hex.
    static let minTag = "lake.zOrderMin"
    /// Tag with the file's largest Z-value, hex.
    static let maxTag = "lake.zOrderMax"
    /// `add.clusteringProvider` of files a liquid-clustered table's optimize writes (PROTOCOL.md "Clustered Table").
    static let liquidProvider = "liquid"
    /// Rows gathered per write call, and per row group of the files written: a quarter of Parquet's usual
    /// million, so the gather and the writer's pending rows stay small, and row-group stats on sorted rows
    /// skip at a finer grain.
    static let chunkRows = 1 << 18
    /// Bytes per row, beyond the decoded rows, that a sort in memory needs (Z-values, sort keys, order).
    static let sortBytesPerRow = 64

    /// The table written.
    let table: DeltaTable
    /// The snapshot the files are from.
    let snapshot: Snapshot
    /// The clustering columns, logical names in the schema's spelling.
    let columns: [String]
    /// Target size of the output files.
    let targetSize: Int
    /// Bytes this rewrite may hold.
    let memoryLimit: Int
    /// The run's id (`ZCUBE_ID`).
    let cubeID: String
    /// `clusteringProvider` of the files written (nil: none, a plain Z-order).
    var clusteringProvider: String?
    /// Where files read for the rewrite are reported.
    var progress: ProgressTracker?

    /// A file clustered by these columns and the Z-values it holds (nil when unknown).
    struct Clustered: Sendable {
        /// The file.
        var add: AddFile
        /// Its first and last Z-value.
        var range: ClosedRange<ZValue>?
    }

    /// What one partition's rewrite did.
    struct Result: Sendable {
        /// Files written.
        var added: [AddFile] = []
        /// Files rewritten (to be removed).
        var removed: [AddFile] = []
        /// Z-value ranges sorted one at a time (1 when the rows fit in memory, 0 when nothing was done).
        var ranges = 0
    }

    /// `add` as a file clustered by `columns`, or nil when it is not (no tag, or other columns).
    static func clustered(_ add: AddFile, columns: [String]) -> Clustered? {
        guard let text = add.tags?[zOrderByTag], case let .array(items)? = try? JSONValue.parse(text) else { return nil }
        let names = items.compactMap(\.stringValue)
        guard names.count == items.count, names.map({ $0.lowercased() }) == columns.map({ $0.lowercased() }) else { return nil }
        let width = columns.count
        guard let lo = add.tags?[minTag].flatMap({ ZValue(hex: $0, width: width) }),
              let hi = add.tags?[maxTag].flatMap({ ZValue(hex: $0, width: width) }), lo <= hi
        else { return Clustered(add: add, range: nil) }
        return Clustered(add: add, range: lo...hi)
    }

    /// The tag value naming `columns`.
    static func zOrderByValue(_ columns: [String]) -> String { JSONValue.array(columns.map { .string($0) }).jsonText }

    /// Rewrites `new` files and the `clustered` ones their rows overlap.
    func run(new: [AddFile], clustered: [Clustered]) async throws(LakeError) -> Result {
        guard !new.isEmpty else { return Result() }
        var rewrite = new
        var untouched: [ZValue] = []
        if !clustered.isEmpty {
            let hit = try await overlapped(clustered, by: new)
            for (i, c) in clustered.enumerated() {
                if hit[i] { rewrite.append(c.add) } else if let r = c.range { untouched.append(r.lowerBound) }
            }
        }
        let cuts = untouched.sorted()
        progress?.expect(files: rewrite.count, bytes: rewrite.reduce(0) { BinPacking.adding($0, $1.size) })
        let rowsPerFile = Self.rowsPerFile(rewrite, targetSize: targetSize)

        // The first file gives the decoded bytes per row; the rest are read only if everything fits.
        let reader = DataFileReader(table: table, snapshot: snapshot)
        let totalRows = max(1, rewrite.reduce(0) { $0 + Self.liveRows($1) })
        guard let head = rewrite.first else { return Result() }
        let first = try await reader.open(head)
        let firstFrame = try await first.read(schema: snapshot.schema, rowGroups: Array(0..<first.rowGroupCount)).frame
        let bytesPerRow = Double(DataFileWriter.bufferBytes(firstFrame)) / Double(max(1, firstFrame.rowCount))
        let need = Double(totalRows) * (2 * bytesPerRow + Double(Self.sortBytesPerRow))
        var result = Result(removed: rewrite)
        if need <= Double(memoryLimit) {
            let frame = try await readAll(rewrite, first: firstFrame, reader: reader)
            result.added = try await sortAndWrite(frame, cuts: cuts, rowsPerFile: rowsPerFile)
            result.ranges = 1
        } else {
            let count = max(2, Int((need / Double(max(1, memoryLimit))).rounded(.up)))
            (result.added, result.ranges) = try await spillAndWrite(rewrite, ranges: count, totalRows: totalRows, cuts: cuts, rowsPerFile: rowsPerFile)
        }
        return result
    }

    // MARK: - Overlap

    /// For each clustered file, whether a row of `new` has a Z-value in its range (always, without a range).
    func overlapped(_ clustered: [Clustered], by new: [AddFile]) async throws(LakeError) -> [Bool] {
        var hit = clustered.map { $0.range == nil }
        // Ranges by lower bound, with the running maximum of upper bounds, so a value visits only the ranges
        // that can hold it.
        let known = clustered.enumerated()
            .compactMap { i, c in c.range.map { (index: i, range: $0) } }
            .sorted { $0.range.lowerBound < $1.range.lowerBound }
        guard !known.isEmpty else { return hit }
        let lower = known.map(\.range.lowerBound)
        let upper = known.map(\.range.upperBound)
        var reach = upper
        for i in 1..<reach.count { reach[i] = max(reach[i - 1], reach[i]) }
        try await forEachZBatch(new) { z in
            for row in 0..<z.count {
                // The last range starting at or below the value, then back while ranges can still reach it.
                var lo = 0, hi = lower.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if z.compare(row, lower[mid]) >= 0 { lo = mid + 1 } else { hi = mid }
                }
                var j = lo - 1
                while j >= 0, z.compare(row, reach[j]) <= 0 {
                    if z.compare(row, upper[j]) <= 0 { hit[known[j].index] = true }
                    j -= 1
                }
            }
        }
        return hit
    }

    /// Calls `body` with the Z-values of each row group of `files` in turn (clustering columns read only).
    func forEachZBatch(_ files: [AddFile], _ body: (ZValues) throws(LakeError) -> Void) async throws(LakeError) {
        let reader = DataFileReader(table: table, snapshot: snapshot)
        let keySchema = Schema(columns.compactMap { name in snapshot.schema.fields.first { $0.name == name } })
        for add in files {
            let file = try await reader.open(add)
            for g in 0..<file.rowGroupCount {
                try Task.checkCancellation(or: LakeError(.cancelled, "the optimize was cancelled"))
                let rows = try await file.read(schema: keySchema, rowGroups: [g])
                try body(try ZValues(rows.frame, columns: columns))
            }
        }
    }

    // MARK: - In memory

    /// Every row of `files` (the first already read), files read in parallel, in file order.
    func readAll(_ files: [AddFile], first: DataFrame, reader: DataFileReader) async throws(LakeError) -> DataFrame {
        let schema = snapshot.schema
        let progress = self.progress
        if let head = files.first { progress?.done(files: 1, bytes: head.size) }
        var parts = try await BoundedParallel.map(Array(files.dropFirst()), limit: table.context.threads) { add in
            let file = try await reader.open(add)
            let frame = try await file.read(schema: schema, rowGroups: Array(0..<file.rowGroupCount)).frame
            progress?.done(files: 1, bytes: add.size)
            return frame
        }
        parts.insert(first, at: 0)
        return try Self.join(consume parts)
    }

    /// The rows of `parts` in one frame, built a column at a time and each part's column let go as soon as it
    /// is copied, so joining holds one column twice rather than every column (the files' rows are most of a
    /// Z-order's memory).
    static func join(_ parts: consuming [DataFrame]) throws(LakeError) -> DataFrame {
        guard let head = parts.first else { throw LakeError(.failed, "nothing to join") }
        if parts.count == 1 { return head }
        let schema = head.schema
        var columns = parts.map(\.columns)
        _ = consume parts
        var joined: [Column] = []
        joined.reserveCapacity(schema.fields.count)
        for c in schema.fields.indices {
            let pieces = columns.map { $0[c] }
            for p in columns.indices { columns[p][c] = Column.empty(schema.fields[c].type) }
            do { joined.append(try Column.concatenate(pieces)) } catch { throw LakeError(error) }
        }
        do { return try DataFrame(schema: schema, columns: joined) } catch { throw LakeError(error) }
    }

    /// Sorts `frame`'s rows by Z-value and writes them as files of about `rowsPerFile` rows, cut before
    /// each Z-value of `cuts`.
    func sortAndWrite(_ frame: DataFrame, cuts: [ZValue], rowsPerFile: Int) async throws(LakeError) -> [AddFile] {
        guard frame.rowCount > 0 else { return [] }
        let z = try ZValues(frame, columns: columns)
        let order = z.sortedOrder(threads: table.context.threads)
        let slices = Self.slices(z, order: order, cuts: cuts, rowsPerFile: rowsPerFile)
        let table = self.table, snapshot = self.snapshot, provider = clusteringProvider
        let base: [String: String] = [
            Self.cubeTag: cubeID, Self.zOrderByTag: Self.zOrderByValue(columns), Self.targetSizeTag: String(targetSize),
        ]
        let jobs = slices.map { slice -> (rows: ArraySlice<UInt32>, tags: [String: String]) in
            var tags = base
            tags[Self.minTag] = z.value(Int(order[slice.lowerBound])).hex
            tags[Self.maxTag] = z.value(Int(order[slice.upperBound - 1])).hex
            return (order[slice], tags)
        }
        let written = try await BoundedParallel.map(jobs, limit: table.context.threads) { job in
            try await Self.write(frame, rows: job.rows, tags: job.tags, provider: provider, table: table, snapshot: snapshot)
        }
        return written.flatMap { $0 }
    }

    /// Positions in the sorted order where output files start and end: every `rowsPerFile` rows, and before
    /// the first row at or above each cut (the start of a clustered file left alone).
    static func slices(_ z: ZValues, order: [UInt32], cuts: [ZValue], rowsPerFile: Int) -> [Range<Int>] {
        let n = order.count
        var out: [Range<Int>] = []
        var start = 0
        var c = 0
        while start < n {
            // Cuts at or below the current row are behind it.
            while c < cuts.count, z.compare(Int(order[start]), cuts[c]) >= 0 { c += 1 }
            var end = min(n, start + max(1, rowsPerFile))
            if c < cuts.count {
                // The first position in start..<end whose row reaches cut c.
                var lo = start + 1, hi = end
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if z.compare(Int(order[mid]), cuts[c]) >= 0 { hi = mid } else { lo = mid + 1 }
                }
                end = lo
            }
            out.append(start..<end)
            start = end
        }
        return out
    }

    /// Writes `rows` of `frame` (in that order) as one data file with `tags` and clustering `provider`.
    static func write(_ frame: DataFrame, rows: ArraySlice<UInt32>, tags: [String: String], provider: String?, table: DeltaTable, snapshot: Snapshot) async throws(LakeError) -> [AddFile] {
        // One file per call: the caller sized the slice to the target, so the writer never cuts it.
        let writer = try DataFileWriter(table: table, metadata: snapshot.metadata, schema: snapshot.schema, targetFileSize: .max, dataChange: false,
                                        rowGroupRows: chunkRows)
        var a = rows.startIndex
        while a < rows.endIndex {
            let b = min(rows.endIndex, a + chunkRows)
            do { try await writer.write(try frame.rows(at: rows[a..<b].map { Int($0) })) } catch let error as LakeError { throw error } catch { throw LakeError(error) }
            a = b
        }
        var files = try await writer.finish()
        for i in files.indices {
            files[i].tags = tags
            files[i].clusteringProvider = provider
        }
        return files
    }

    // MARK: - Spilling

    /// Samples the Z-values, spills each row to its range's scratch file and sorts and writes the ranges in
    /// order; returns the files written and the number of ranges.
    func spillAndWrite(_ files: [AddFile], ranges count: Int, totalRows: Int64, cuts: [ZValue], rowsPerFile: Int) async throws(LakeError) -> ([AddFile], Int) {
        // Pass 1: a sample of about 1,000 rows per range (at most a million), clustering columns only.
        let stride = max(1, Int(totalRows / Int64(min(1_000_000, 1_000 * count))))
        var samples: [(z: ZValue, at: Int64)] = []
        var position: Int64 = 0
        try await forEachZBatch(files) { z in
            var i = Int((Int64(stride) - position % Int64(stride)) % Int64(stride))
            while i < z.count {
                samples.append((z.value(i), position + Int64(i)))
                i += stride
            }
            position += Int64(z.count)
        }
        samples.sort { ($0.z, $0.at) < ($1.z, $1.at) }
        let ranges = max(1, min(count, samples.count))
        let bounds = (1..<ranges).map { samples[$0 * samples.count / ranges] }

        // Pass 2: every row to its range's scratch file, a row group at a time.
        let spillSchema = Schema(snapshot.schema.fields.map { Field($0.name, $0.type, nullable: true, metadata: $0.metadata) })
        let spill = try ZOrderSpill(count: ranges, schema: spillSchema, flushBytes: memoryLimit / (4 * ranges), id: cubeID)
        do {
            let reader = DataFileReader(table: table, snapshot: snapshot)
            position = 0
            for add in files {
                let file = try await reader.open(add)
                for g in 0..<file.rowGroupCount {
                    try Task.checkCancellation(or: LakeError(.cancelled, "the optimize was cancelled"))
                    let frame = try await file.read(schema: snapshot.schema, rowGroups: [g]).frame
                    let z = try ZValues(frame, columns: columns)
                    var members = [[Int]](repeating: [], count: ranges)
                    for row in 0..<z.count {
                        let at = position + Int64(row)
                        var lo = 0, hi = bounds.count
                        while lo < hi {
                            let mid = (lo + hi) / 2
                            let c = z.compare(row, bounds[mid].z)
                            if c > 0 || (c == 0 && at >= bounds[mid].at) { lo = mid + 1 } else { hi = mid }
                        }
                        members[lo].append(row)
                    }
                    for r in 0..<ranges where !members[r].isEmpty {
                        do { try await spill.append(try frame.rows(at: members[r]), to: r) } catch let error as LakeError { throw error } catch { throw LakeError(error) }
                    }
                    position += Int64(z.count)
                }
                progress?.done(files: 1, bytes: add.size)
            }
            try await spill.finish()

            // Pass 3: each range sorted and written, in Z order.
            var added: [AddFile] = []
            for r in 0..<ranges {
                let frame = try await spill.read(r)
                await spill.remove(r)
                added += try await sortAndWrite(frame, cuts: cuts, rowsPerFile: rowsPerFile)
            }
            await spill.remove()
            return (added, ranges)
        } catch let error as LakeError {
            await spill.remove()
            throw error
        } catch {
            await spill.remove()
            throw LakeError(error)
        }
    }

    // MARK: - Sizes

    /// Rows of `add` after its deletion vector (0 when the stats do not say).
    static func liveRows(_ add: AddFile) -> Int64 {
        guard let n = add.statsNumRecords, n >= 0 else { return 0 }
        let deleted = add.deletionVector?.cardinality ?? 0
        return deleted >= 0 && deleted <= n ? n - deleted : n
    }

    /// Rows per output file: the target size over the input's bytes per row (Parquet's compression of the
    /// same rows), at least one.
    static func rowsPerFile(_ files: [AddFile], targetSize: Int) -> Int {
        var bytes: Double = 0, rows: Double = 0
        for add in files {
            guard let n = add.statsNumRecords, n > 0, add.size > 0 else { continue }
            bytes += Double(add.size)
            rows += Double(n)
        }
        guard rows > 0, bytes > 0 else { return chunkRows }
        let perFile = Double(targetSize) / (bytes / rows)
        return perFile >= Double(Int.max / 2) ? Int.max / 2 : max(1, Int(perFile))
    }
}
