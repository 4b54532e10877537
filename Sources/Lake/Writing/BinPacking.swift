import DeltaLog

/// The compaction plan of `OPTIMIZE`: which files of which partitions are rewritten together.
///
/// Within each partition, the files smaller than the target size are the candidates; files at or over it are
/// left alone, and so is a partition with fewer than two candidates (rewriting one file gains nothing). The
/// candidates, in the order they were added to the table (modification time, then path, so related rows stay
/// together: Delta's `preserveInsertionOrder`), are packed into consecutive bins of at most the target size;
/// a file that does not fit in the open bin starts the next one. Bins are the unit of Delta's `numBatches` and
/// of `--max-commit-bins`. Pure: no I/O.
struct BinPacking: Sendable {
    /// One bin: files of one partition whose sizes add up to at most the target (or a single file).
    struct Bin: Sendable {
        /// The partition's values, in the table's partition column order (nil: a null value).
        var partition: [String?]
        /// The files, in insertion order.
        var files: [AddFile]
        /// Their total size in bytes.
        var bytes: Int64
    }

    /// The bins, partition by partition (partitions in the order of their values), in insertion order inside each.
    var bins: [Bin]
    /// Files that were considered (in the selected partitions).
    var consideredFiles: Int

    /// Plans the compaction of `files` (all of one snapshot) into files of about `targetSize` bytes;
    /// `partition` gives a file's raw partition values (`Optimize.partitionKey`).
    init(files: [AddFile], targetSize: Int64, partition: (AddFile) -> [String?]) {
        consideredFiles = files.count
        var byPartition: [[String?]: [AddFile]] = [:]
        for add in files where add.size < targetSize {
            byPartition[partition(add), default: []].append(add)
        }
        let keys = byPartition.keys.sorted { Self.lessThan($0, $1) }
        var bins: [Bin] = []
        for key in keys {
            guard let candidates = byPartition[key], candidates.count >= 2 else { continue }
            let ordered = candidates.sorted { ($0.modificationTime, $0.path) < ($1.modificationTime, $1.path) }
            var packed: [Bin] = []
            var open = Bin(partition: key, files: [], bytes: 0)
            for add in ordered {
                let size = max(0, add.size)
                if !open.files.isEmpty && open.bytes > targetSize - size {
                    packed.append(open)
                    open = Bin(partition: key, files: [], bytes: 0)
                }
                open.files.append(add)
                open.bytes += size
            }
            packed.append(open)
            bins += Self.foldingSingles(packed)
        }
        self.bins = bins
    }

    /// A bin of one file would rewrite it alone (when bins commit separately) for nothing: it joins the bin
    /// after it, or, the partition's last, the bin before it. `bins` are one partition's, two files or more in all.
    static func foldingSingles(_ bins: [Bin]) -> [Bin] {
        var out: [Bin] = []
        var carried: Bin?
        for var bin in bins {
            if let c = carried {
                bin.files = c.files + bin.files
                bin.bytes = Self.adding(bin.bytes, c.bytes)
                carried = nil
            }
            if bin.files.count == 1 { carried = bin } else { out.append(bin) }
        }
        if let c = carried {
            if out.isEmpty { out.append(c) } else {
                out[out.count - 1].files += c.files
                out[out.count - 1].bytes = Self.adding(out[out.count - 1].bytes, c.bytes)
            }
        }
        return out
    }

    /// `a + b`, saturating at Int64.max (a target size near it would otherwise overflow).
    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// Orders partitions by their values, nulls first, so the plan (and the files it writes) is reproducible.
    static func lessThan(_ a: [String?], _ b: [String?]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            switch (x, y) {
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?): return x < y
            }
        }
        return a.count < b.count
    }
}
