#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Columnar
import DeltaLog

/// `OPTIMIZE ... ZORDER BY (c1, c2, ...)`: each selected partition's files are rewritten in Z-order
/// (`ZOrderRewrite`: incremental, bounded memory), with the same commit path as compaction.
extension Optimize {
    /// The memory a Z-order holds at once when no limit is given: 512 MiB, or a quarter of the machine's memory
    /// when that is less. Bigger partitions are sorted in spilled ranges (one extra local write and read of
    /// their rows), so the nightly job stays small beside the pipelines; `--memory-limit` trades memory for speed.
    public static var defaultMemoryLimit: Int {
        let cap = 512 << 20
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return cap }
        let (bytes, overflow) = Int(pages).multipliedReportingOverflow(by: Int(pageSize))
        return overflow ? cap : max(64 << 20, min(cap, bytes / 4))
    }

    /// The columns to cluster by, in the schema's spelling: the `--zorder` option's, checked (existing, not
    /// partition columns, of a type with an order, no repeats), or a liquid-clustered table's clustering
    /// columns (`liquid`); empty for a compaction (also on a table clustered by no columns).
    func clusteringColumns(_ snapshot: Snapshot) throws(LakeError) -> (columns: [String], liquid: Bool) {
        if let clustered = try ClusteringColumns.of(snapshot) {
            guard options.zOrderBy.isEmpty else {
                throw LakeError.invalidRequest("\(table.location) is clustered by \(clustered.isEmpty ? "no columns" : clustered.joined(separator: ", ")) (liquid clustering): optimize it without --zorder, or change its columns with `lake cluster --by`")
            }
            return (clustered, true)
        }
        return (try zOrderColumns(snapshot), false)
    }

    /// The `--zorder` columns, checked.
    func zOrderColumns(_ snapshot: Snapshot) throws(LakeError) -> [String] {
        var out: [String] = []
        for name in options.zOrderBy {
            guard let field = snapshot.schema.fields.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw LakeError.invalidRequest("cannot Z-order by \(name): the table has no such column (columns: \(snapshot.schema.fields.map(\.name).joined(separator: ", ")))")
            }
            if snapshot.partitionColumns.contains(where: { $0.lowercased() == field.name.lowercased() }) {
                throw LakeError.invalidRequest("cannot Z-order by \(field.name): it is a partition column; every file holds one value of it already")
            }
            switch field.type {
            case .list, .structure, .map:
                throw LakeError.invalidRequest("cannot Z-order by \(field.name): it is \(field.type.name); Z-order columns are numbers, dates, timestamps, strings or booleans")
            default: break
            }
            if out.contains(field.name) { throw LakeError.invalidRequest("\(field.name) is given twice in the Z-order columns") }
            out.append(field.name)
        }
        return out
    }

    /// Z-orders `files` (the selected partitions') by `columns`, partitions in parallel, committing every
    /// `maxCommitBins` partitions (default: once).
    /// On a liquid-clustered table (`liquid`) the files written are marked `clusteringProvider: liquid`, files
    /// another clustering provider wrote are left alone, and the commit records `clusterBy` as Spark does.
    func zOrder(_ files: [AddFile], by columns: [String], liquid: Bool, snapshot: Snapshot, target: Int, started: ContinuousClock.Instant) async throws(LakeError) -> (Snapshot, Metrics) {
        let limit = options.memoryLimit ?? Self.defaultMemoryLimit
        guard limit >= 1 << 20 else { throw LakeError.invalidRequest("the memory limit must be at least 1MiB, not \(limit) bytes") }
        var byPartition: [[String?]: (new: [AddFile], clustered: [ZOrderRewrite.Clustered])] = [:]
        for add in files {
            if liquid, let provider = add.clusteringProvider, provider != ZOrderRewrite.liquidProvider { continue }
            let key = Self.partitionKey(add, snapshot)
            if let c = ZOrderRewrite.clustered(add, columns: columns) {
                byPartition[key, default: ([], [])].clustered.append(c)
            } else {
                byPartition[key, default: ([], [])].new.append(add)
            }
        }
        // Only partitions with files not yet clustered by these columns have anything to do.
        let jobs = byPartition.keys.filter { !(byPartition[$0]?.new.isEmpty ?? true) }.sorted { BinPacking.lessThan($0, $1) }
        var total = Metrics()
        total.version = snapshot.version
        total.totalConsideredFiles = files.count
        total.totalFilesSkipped = files.count
        total.preserveInsertionOrder = false
        guard !jobs.isEmpty else {
            total.executionTimeMs = (ContinuousClock.now - started).milliseconds
            return (snapshot, total)
        }

        let cube = table.context.uuid()
        let parallel = max(1, min(table.context.threads, jobs.count))
        let rewrite = ZOrderRewrite(table: table, snapshot: snapshot, columns: columns, targetSize: target, memoryLimit: limit / parallel, cubeID: cube,
                                    clusteringProvider: liquid ? ZOrderRewrite.liquidProvider : nil, progress: progress)
        let groupSize = options.maxCommitBins ?? jobs.count
        var totals = Totals()
        var groupStart = 0
        while groupStart < jobs.count {
            let groupStarted = ContinuousClock.now
            let group = Array(jobs[groupStart..<min(jobs.count, groupStart + groupSize)])
            groupStart += group.count
            let work = group.map { byPartition[$0] ?? ([], []) }
            let results = try await BoundedParallel.map(work, limit: parallel) { job in try await rewrite.run(new: job.new, clustered: job.clustered) }
            let removed = results.flatMap(\.removed)
            guard !removed.isEmpty else { continue }
            try await commitRewrite(removed: removed, added: results.flatMap(\.added), partitions: group, batches: group.count,
                                    considered: files.count, zOrderBy: columns, liquid: liquid, snapshot: snapshot, started: groupStarted, into: &totals)
        }
        guard totals.metrics.commits > 0 else {
            total.executionTimeMs = (ContinuousClock.now - started).milliseconds
            return (snapshot, total)
        }
        let (after, metrics) = try await finish(totals, batches: jobs.count, considered: files.count, started: started)
        var done = metrics
        done.preserveInsertionOrder = false
        return (after, done)
    }
}
