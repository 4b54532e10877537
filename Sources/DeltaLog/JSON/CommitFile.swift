#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing Delta commit files: newline-delimited JSON, one action per line
/// (PROTOCOL.md "Delta Log Entries").
public enum CommitFile {
    /// Parses every action of a commit (or JSON checkpoint) file.
    ///
    /// Unknown action keys and unknown fields are ignored, as the protocol requires; unknown `commitInfo`
    /// fields are kept in `CommitInfo.otherFields`. Errors are `DeltaError.corruptLog` naming `file` and the
    /// 1-based line.
    public static func parse(_ bytes: [UInt8], file: String) throws(DeltaError) -> [Action] {
        var actions: [Action] = []
        try bytes.withUnsafeBufferPointer { (buf) throws(DeltaError) in
            guard let base = buf.baseAddress else { return }
            // Rough guess (~300 bytes per action) so the array grows at most a few times.
            actions.reserveCapacity(buf.count / 256 + 1)
            var lineStart = 0
            var line = 1
            while lineStart < buf.count {
                let lineEnd: Int
                if let nl = memchr(base + lineStart, 0x0A, buf.count - lineStart) {
                    lineEnd = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                } else {
                    lineEnd = buf.count
                }
                do throws(JSONSyntaxError) {
                    var s = JSONScanner(base: base, start: lineStart, end: lineEnd)
                    if s.peek() != nil {
                        try parseLine(&s, into: &actions)
                        s.skipWhitespace()
                        if s.pos != s.end { throw s.error("unexpected characters after the action") }
                    }
                } catch {
                    throw DeltaError.corruptLog(file: file, line: line, message: error.message)
                }
                lineStart = lineEnd + 1
                line += 1
            }
        }
        return actions
    }

    /// Serializes actions as Delta writes them: one compact JSON object per line, each line ending in '\n'.
    public static func serialize(_ actions: [Action]) -> [UInt8] {
        var w = JSONWriter()
        w.bytes.reserveCapacity(actions.count * 320)
        for a in actions {
            w.action(a)
            w.bytes.append(0x0A)
        }
        return w.bytes
    }

    // MARK: - Decoding

    static func parseLine(_ s: inout JSONScanner, into actions: inout [Action]) throws(JSONSyntaxError) {
        try s.beginObject()
        var first = true
        while let k = try s.nextKey(&first) {
            if try s.readNull() { continue }
            if s.key(k, is: "add") { actions.append(.add(try addFile(&s))) }
            else if s.key(k, is: "remove") { actions.append(.remove(try removeFile(&s))) }
            else if s.key(k, is: "metaData") { actions.append(.metadata(try metadata(&s))) }
            else if s.key(k, is: "protocol") { actions.append(.protocol(try protocolAction(&s))) }
            else if s.key(k, is: "commitInfo") { actions.append(.commitInfo(try commitInfo(&s))) }
            else if s.key(k, is: "txn") { actions.append(.txn(try txn(&s))) }
            else if s.key(k, is: "cdc") { actions.append(.cdc(try cdc(&s))) }
            else if s.key(k, is: "domainMetadata") { actions.append(.domainMetadata(try domainMetadata(&s))) }
            else if s.key(k, is: "checkpointMetadata") { actions.append(.checkpointMetadata(try checkpointMetadata(&s))) }
            else if s.key(k, is: "sidecar") { actions.append(.sidecar(try sidecar(&s))) }
            else { try s.skipValue() }  // unknown actions are never required to interpret the log
        }
    }

    static func missing(_ s: JSONScanner, _ action: String, _ field: String) -> JSONSyntaxError {
        s.error("\(action) action is missing required field '\(field)'")
    }

    static func addFile(_ s: inout JSONScanner) throws(JSONSyntaxError) -> AddFile {
        try s.beginObject()
        var path: String?
        var partitionValues: [String: String?] = [:]
        var size: Int64?
        var modificationTime: Int64 = 0
        var dataChange = true
        var stats: String?
        var tags: [String: String]?
        var dv: DeletionVectorDescriptor?
        var baseRowId: Int64?
        var defaultRowCommitVersion: Int64?
        var clusteringProvider: String?
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "path") { path = try s.readString() }
            else if s.key(k, is: "partitionValues") { partitionValues = try s.readPartitionValues() }
            else if s.key(k, is: "size") { size = try s.readInt64() }
            else if s.key(k, is: "modificationTime") { modificationTime = try s.readOptionalInt64() ?? 0 }
            else if s.key(k, is: "dataChange") { dataChange = try s.readNull() ? true : s.readBool() }
            else if s.key(k, is: "stats") { stats = try statsText(&s) }
            else if s.key(k, is: "tags") { tags = try s.readStringMap() }
            else if s.key(k, is: "deletionVector") { dv = try deletionVector(&s) }
            else if s.key(k, is: "baseRowId") { baseRowId = try s.readOptionalInt64() }
            else if s.key(k, is: "defaultRowCommitVersion") { defaultRowCommitVersion = try s.readOptionalInt64() }
            else if s.key(k, is: "clusteringProvider") { clusteringProvider = try s.readOptionalString() }
            else { try s.skipValue() }
        }
        guard let path else { throw missing(s, "add", "path") }
        guard let size else { throw missing(s, "add", "size") }
        return AddFile(
            path: path, partitionValues: partitionValues, size: size, modificationTime: modificationTime,
            dataChange: dataChange, stats: stats, tags: tags, deletionVector: dv, baseRowId: baseRowId,
            defaultRowCommitVersion: defaultRowCommitVersion, clusteringProvider: clusteringProvider)
    }

    /// Stats are a JSON string holding JSON; a writer that embedded the object itself gets its text kept.
    static func statsText(_ s: inout JSONScanner) throws(JSONSyntaxError) -> String? {
        switch s.peek() {
        case UInt8(ascii: "\""): return try s.readString()
        case UInt8(ascii: "n"): try s.literal("null"); return nil
        default: return try s.rawValueText()
        }
    }

    static func removeFile(_ s: inout JSONScanner) throws(JSONSyntaxError) -> RemoveFile {
        try s.beginObject()
        var r = RemoveFile(path: "")
        var sawPath = false
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "path") { r.path = try s.readString(); sawPath = true }
            else if s.key(k, is: "deletionTimestamp") { r.deletionTimestamp = try s.readOptionalInt64() }
            else if s.key(k, is: "dataChange") { r.dataChange = try s.readNull() ? true : s.readBool() }
            else if s.key(k, is: "extendedFileMetadata") { r.extendedFileMetadata = try s.readNull() ? nil : s.readBool() }
            else if s.key(k, is: "partitionValues") { r.partitionValues = try s.readNull() ? nil : s.readPartitionValues() }
            else if s.key(k, is: "size") { r.size = try s.readOptionalInt64() }
            else if s.key(k, is: "stats") { r.stats = try statsText(&s) }
            else if s.key(k, is: "tags") { r.tags = try s.readStringMap() }
            else if s.key(k, is: "deletionVector") { r.deletionVector = try deletionVector(&s) }
            else if s.key(k, is: "baseRowId") { r.baseRowId = try s.readOptionalInt64() }
            else if s.key(k, is: "defaultRowCommitVersion") { r.defaultRowCommitVersion = try s.readOptionalInt64() }
            else { try s.skipValue() }
        }
        guard sawPath else { throw missing(s, "remove", "path") }
        return r
    }

    static func cdc(_ s: inout JSONScanner) throws(JSONSyntaxError) -> AddCDCFile {
        try s.beginObject()
        var path: String?
        var c = AddCDCFile(path: "", size: 0)
        var size: Int64?
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "path") { path = try s.readString() }
            else if s.key(k, is: "partitionValues") { c.partitionValues = try s.readPartitionValues() }
            else if s.key(k, is: "size") { size = try s.readInt64() }
            else if s.key(k, is: "dataChange") { c.dataChange = try s.readNull() ? false : s.readBool() }
            else if s.key(k, is: "tags") { c.tags = try s.readStringMap() }
            else { try s.skipValue() }
        }
        guard let path else { throw missing(s, "cdc", "path") }
        guard let size else { throw missing(s, "cdc", "size") }
        c.path = path
        c.size = size
        return c
    }

    static func deletionVector(_ s: inout JSONScanner) throws(JSONSyntaxError) -> DeletionVectorDescriptor? {
        if try s.readNull() { return nil }
        try s.beginObject()
        var storage: String?
        var pathOrInline: String?
        var offset: Int32?
        var size: Int32?
        var cardinality: Int64?
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "storageType") { storage = try s.readString() }
            else if s.key(k, is: "pathOrInlineDv") { pathOrInline = try s.readString() }
            else if s.key(k, is: "offset") { offset = try s.readNull() ? nil : s.readInt32() }
            else if s.key(k, is: "sizeInBytes") { size = try s.readInt32() }
            else if s.key(k, is: "cardinality") { cardinality = try s.readInt64() }
            else { try s.skipValue() }
        }
        guard let storage else { throw missing(s, "deletionVector", "storageType") }
        guard let type = DeletionVectorDescriptor.StorageType(rawValue: storage) else {
            throw s.error("unknown deletion vector storageType \"\(storage)\" (expected u, i or p)")
        }
        guard let pathOrInline else { throw missing(s, "deletionVector", "pathOrInlineDv") }
        guard let size else { throw missing(s, "deletionVector", "sizeInBytes") }
        guard let cardinality else { throw missing(s, "deletionVector", "cardinality") }
        return DeletionVectorDescriptor(storageType: type, pathOrInlineDv: pathOrInline, offset: offset, sizeInBytes: size, cardinality: cardinality)
    }

    static func metadata(_ s: inout JSONScanner) throws(JSONSyntaxError) -> Metadata {
        try s.beginObject()
        var id: String?
        var m = Metadata(id: "", schemaString: "")
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "id") { id = try s.readString() }
            else if s.key(k, is: "name") { m.name = try s.readOptionalString() }
            else if s.key(k, is: "description") { m.description = try s.readOptionalString() }
            else if s.key(k, is: "format") { m.format = try format(&s) }
            else if s.key(k, is: "schemaString") { m.schemaString = try s.readOptionalString() ?? "" }
            else if s.key(k, is: "partitionColumns") { m.partitionColumns = try s.readStringArray() ?? [] }
            else if s.key(k, is: "configuration") { m.configuration = try s.readStringMap() ?? [:] }
            else if s.key(k, is: "createdTime") { m.createdTime = try s.readOptionalInt64() }
            else { try s.skipValue() }
        }
        guard let id else { throw missing(s, "metaData", "id") }
        m.id = id
        return m
    }

    static func format(_ s: inout JSONScanner) throws(JSONSyntaxError) -> Metadata.Format {
        var f = Metadata.Format()
        if try s.readNull() { return f }
        try s.beginObject()
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "provider") { f.provider = try s.readString() }
            else if s.key(k, is: "options") { f.options = try s.readStringMap() ?? [:] }
            else { try s.skipValue() }
        }
        return f
    }

    static func protocolAction(_ s: inout JSONScanner) throws(JSONSyntaxError) -> ProtocolAction {
        try s.beginObject()
        var reader: Int32?
        var writer: Int32?
        var p = ProtocolAction(minReaderVersion: 0, minWriterVersion: 0)
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "minReaderVersion") { reader = try s.readInt32() }
            else if s.key(k, is: "minWriterVersion") { writer = try s.readInt32() }
            else if s.key(k, is: "readerFeatures") { p.readerFeatures = try s.readStringArray() }
            else if s.key(k, is: "writerFeatures") { p.writerFeatures = try s.readStringArray() }
            else { try s.skipValue() }
        }
        guard let reader else { throw missing(s, "protocol", "minReaderVersion") }
        guard let writer else { throw missing(s, "protocol", "minWriterVersion") }
        p.minReaderVersion = Int(reader)
        p.minWriterVersion = Int(writer)
        return p
    }

    static func txn(_ s: inout JSONScanner) throws(JSONSyntaxError) -> SetTransaction {
        try s.beginObject()
        var appId: String?
        var version: Int64?
        var lastUpdated: Int64?
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "appId") { appId = try s.readString() }
            else if s.key(k, is: "version") { version = try s.readInt64() }
            else if s.key(k, is: "lastUpdated") { lastUpdated = try s.readOptionalInt64() }
            else { try s.skipValue() }
        }
        guard let appId else { throw missing(s, "txn", "appId") }
        guard let version else { throw missing(s, "txn", "version") }
        return SetTransaction(appId: appId, version: version, lastUpdated: lastUpdated)
    }

    static func commitInfo(_ s: inout JSONScanner) throws(JSONSyntaxError) -> CommitInfo {
        guard case let .object(o) = try s.parseValue() else { throw s.error("commitInfo must be an object") }
        var c = CommitInfo()
        var other = o
        // Typed fields are taken out only when their JSON type matches; otherwise they stay verbatim.
        func take<T>(_ key: String, _ f: (JSONValue) -> T?) -> T? {
            guard let v = other[key], let t = f(v) else { return nil }
            other[key] = nil
            return t
        }
        c.timestamp = take("timestamp") { if case let .int(i) = $0 { i } else { nil } }
        c.inCommitTimestamp = take("inCommitTimestamp") { if case let .int(i) = $0 { i } else { nil } }
        c.operation = take("operation") { $0.stringValue }
        c.operationParameters = take("operationParameters") { if case let .object(m) = $0 { m } else { nil } }
        c.operationMetrics = take("operationMetrics") { if case let .object(m) = $0 { m } else { nil } }
        c.engineInfo = take("engineInfo") { $0.stringValue }
        c.readVersion = take("readVersion") { if case let .int(i) = $0 { i } else { nil } }
        c.isolationLevel = take("isolationLevel") { $0.stringValue }
        c.isBlindAppend = take("isBlindAppend") { $0.boolValue }
        c.txnId = take("txnId") { $0.stringValue }
        c.otherFields = other
        return c
    }

    static func domainMetadata(_ s: inout JSONScanner) throws(JSONSyntaxError) -> DomainMetadata {
        try s.beginObject()
        var domain: String?
        var configuration = ""
        var removed = false
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "domain") { domain = try s.readString() }
            else if s.key(k, is: "configuration") { configuration = try s.readOptionalString() ?? "" }
            else if s.key(k, is: "removed") { removed = try s.readNull() ? false : s.readBool() }
            else { try s.skipValue() }
        }
        guard let domain else { throw missing(s, "domainMetadata", "domain") }
        return DomainMetadata(domain: domain, configuration: configuration, removed: removed)
    }

    static func checkpointMetadata(_ s: inout JSONScanner) throws(JSONSyntaxError) -> CheckpointMetadata {
        try s.beginObject()
        var version: Int64?
        var tags: [String: String]?
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "version") { version = try s.readInt64() }
            else if s.key(k, is: "tags") { tags = try s.readStringMap() }
            else { try s.skipValue() }
        }
        guard let version else { throw missing(s, "checkpointMetadata", "version") }
        return CheckpointMetadata(version: version, tags: tags)
    }

    static func sidecar(_ s: inout JSONScanner) throws(JSONSyntaxError) -> Sidecar {
        try s.beginObject()
        var path: String?
        var size: Int64?
        var mtime: Int64 = 0
        var tags: [String: String]?
        var first = true
        while let k = try s.nextKey(&first) {
            if s.key(k, is: "path") { path = try s.readString() }
            else if s.key(k, is: "sizeInBytes") { size = try s.readInt64() }
            else if s.key(k, is: "modificationTime") { mtime = try s.readOptionalInt64() ?? 0 }
            else if s.key(k, is: "tags") { tags = try s.readStringMap() }
            else { try s.skipValue() }
        }
        guard let path else { throw missing(s, "sidecar", "path") }
        guard let size else { throw missing(s, "sidecar", "sizeInBytes") }
        return Sidecar(path: path, sizeInBytes: size, modificationTime: mtime, tags: tags)
    }
}
