import Columnar
import DeltaLog

/// The JSON documents describing a table, built once here and shown by both the CLI (`--json`) and, later,
/// the HTTP service.
public enum TableDocuments {
    /// `lake info --json`: version, id, name, protocol, schema, partitioning, clustering columns (null when the
    /// table is not clustered), properties and size.
    public static func info(_ summary: Info.Summary) -> JSONDocument {
        let s = summary.snapshot
        let p = s.protocolAction
        let schema = (try? JSONValue.parse(s.metadata.schemaString)).map(JSONDocument.init) ?? .string(s.metadata.schemaString)
        var proto: [(String, JSONDocument)] = [("minReaderVersion", .int(Int64(p.minReaderVersion))), ("minWriterVersion", .int(Int64(p.minWriterVersion)))]
        if let r = p.readerFeatures { proto.append(("readerFeatures", .array(r.map { .string($0) }))) }
        if let w = p.writerFeatures { proto.append(("writerFeatures", .array(w.map { .string($0) }))) }
        return .object([
            ("version", .int(s.version)),
            ("id", .string(s.metadata.id)),
            ("name", s.metadata.name.map { .string($0) } ?? .null),
            ("description", s.metadata.description.map { .string($0) } ?? .null),
            ("protocol", .object(proto)),
            ("schema", schema),
            ("partitionColumns", .array(s.partitionColumns.map { .string($0) })),
            ("clusteringColumns", summary.clusteringColumns.map { .array($0.map { .string($0) }) } ?? .null),
            ("properties", JSONDocument(s.metadata.configuration)),
            ("numFiles", .int(Int64(summary.numFiles))),
            ("sizeInBytes", .int(summary.sizeInBytes)),
            ("numRows", summary.numRows.map { .int($0) } ?? .null),
        ])
    }

    /// One `lake history --json` entry: version, timestamp (commitInfo's), commitTime (time travel's) and the
    /// commitInfo fields as the log has them.
    public static func history(_ e: History.Entry) -> JSONDocument {
        // `timestamp` is the commit's own record (as delta-rs's history shows it); `commitTime` the time time
        // travel and the change feed give the commit (in-commit timestamp, else the file's time).
        let recorded = e.commitInfo?.timestamp ?? e.timestamp
        var pairs: [(String, JSONDocument)] = [("version", .int(e.version)), ("timestamp", .int(recorded)), ("commitTime", .int(e.timestamp))]
        if let i = e.commitInfo {
            if let op = i.operation { pairs.append(("operation", .string(op))) }
            if let p = i.operationParameters { pairs.append(("operationParameters", JSONDocument(.object(p)))) }
            if let m = i.operationMetrics { pairs.append(("operationMetrics", JSONDocument(.object(m)))) }
            if let r = i.readVersion { pairs.append(("readVersion", .int(r))) }
            if let b = i.isBlindAppend { pairs.append(("isBlindAppend", .bool(b))) }
            if let l = i.isolationLevel { pairs.append(("isolationLevel", .string(l))) }
            if let e = i.engineInfo { pairs.append(("engineInfo", .string(e))) }
            for k in i.otherFields.keys.sorted() { pairs.append((k, JSONDocument(i.otherFields[k] ?? .null))) }
        }
        return .object(pairs)
    }

    /// One `lake files --json` entry: path, partition values, size, modification time, stats, deletion vector.
    public static func file(_ f: AddFile) -> JSONDocument {
        .object([
            ("path", .string(f.path)),
            ("partitionValues", JSONDocument(f.partitionValues)),
            ("size", .int(f.size)),
            ("modificationTime", .int(f.modificationTime)),
            ("stats", f.stats.flatMap { try? JSONValue.parse($0) }.map(JSONDocument.init) ?? .null),
            ("deletionVector", f.deletionVector.map { .string($0.uniqueId) } ?? .null),
        ])
    }

    /// `lake read --explain`: the plan's counts, the files to read, the columns and the residual predicate.
    public static func plan(_ plan: ScanPlan) -> JSONDocument {
        .object([
            ("version", .int(plan.snapshot.version)),
            ("filesTotal", .int(Int64(plan.filesTotal))),
            ("filesPrunedByPartition", .int(Int64(plan.filesPrunedByPartition))),
            ("filesSkippedByStats", .int(Int64(plan.filesSkippedByStats))),
            ("filesToRead", .int(Int64(plan.files.count))),
            ("files", .array(plan.files.map { .string($0.path) })),
            ("columns", .array(plan.outputSchema.names.map { .string($0) })),
            ("readColumns", .array(plan.readSchema.names.map { .string($0) })),
            ("residualPredicate", plan.residual.map { .string($0.sql) } ?? .null),
        ])
    }

    /// `lake read --metrics`: what the scan read and returned.
    public static func scanMetrics(_ m: Scan.Metrics) -> JSONDocument {
        .object([
            ("filesTotal", .int(Int64(m.filesTotal))),
            ("filesPrunedByPartition", .int(Int64(m.filesPrunedByPartition))),
            ("filesSkippedByStats", .int(Int64(m.filesSkippedByStats))),
            ("filesRead", .int(Int64(m.filesRead))),
            ("bytesRead", .int(Int64(m.bytesRead))),
            ("rowsReturned", .int(Int64(m.rowsReturned))),
        ])
    }

    /// `lake cluster --json`: the version, whether a commit was made, and the clustering columns after and
    /// before (null when the table was not clustered).
    public static func cluster(_ m: Cluster.Metrics) -> JSONDocument {
        .object([
            ("version", .int(m.version)),
            ("changed", .bool(m.changed)),
            ("clusteringColumns", .array(m.newColumns.map { .string($0) })),
            ("previousClusteringColumns", m.oldColumns.map { .array($0.map { .string($0) }) } ?? .null),
        ])
    }

    /// An operation's metrics as its commit records them, plus the version.
    public static func operationMetrics(_ m: some OperationMetrics, version: Int64) -> JSONDocument {
        let map = m.operationMetrics
        return .object([("version", .int(version))] + map.keys.sorted().map { ($0, .string(map[$0] ?? "")) })
    }
}
