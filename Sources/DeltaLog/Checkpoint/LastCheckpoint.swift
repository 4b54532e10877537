import ObjectStore

/// The `_delta_log/_last_checkpoint` hint (PROTOCOL.md "Last Checkpoint File Schema").
public struct LastCheckpoint: Sendable, Hashable {
    /// Version of the checkpoint.
    public var version: Int64
    /// Number of actions (rows) in the checkpoint.
    public var size: Int64
    /// Number of parts of a multi-part checkpoint.
    public var parts: Int?
    /// Total size of the checkpoint in bytes.
    public var sizeInBytes: Int64?
    /// Number of add actions in the checkpoint.
    public var numOfAddFiles: Int64?
    /// The UUID-named V2 checkpoint the hint points to, when it is one.
    public var v2Checkpoint: V2Checkpoint?

    /// The `v2Checkpoint` member Delta writes for a UUID-named checkpoint: the top-level file and, when they
    /// are few, its non-file actions and sidecars, so a reader can skip reading the top-level file.
    public struct V2Checkpoint: Sendable, Hashable {
        /// Name of the top-level checkpoint file within `_delta_log/`.
        public var path: String
        /// Size of the top-level file in bytes.
        public var sizeInBytes: Int64
        /// Modification time of the top-level file in ms since the epoch.
        public var modificationTime: Int64
        /// The checkpoint's non-file actions (protocol, metaData, txn, domainMetadata, checkpointMetadata).
        public var nonFileActions: [Action]?
        /// The sidecar actions of the checkpoint.
        public var sidecarFiles: [Sidecar]?

        /// Creates the member.
        public init(path: String, sizeInBytes: Int64, modificationTime: Int64, nonFileActions: [Action]? = nil, sidecarFiles: [Sidecar]? = nil) {
            self.path = path
            self.sizeInBytes = sizeInBytes
            self.modificationTime = modificationTime
            self.nonFileActions = nonFileActions
            self.sidecarFiles = sidecarFiles
        }
    }

    /// Creates the hint.
    public init(version: Int64, size: Int64, parts: Int? = nil, sizeInBytes: Int64? = nil, numOfAddFiles: Int64? = nil, v2Checkpoint: V2Checkpoint? = nil) {
        self.version = version
        self.size = size
        self.parts = parts
        self.sizeInBytes = sizeInBytes
        self.numOfAddFiles = numOfAddFiles
        self.v2Checkpoint = v2Checkpoint
    }

    /// Key of the hint file.
    public static let path = "_delta_log/_last_checkpoint"

    /// Reads the hint; nil when it is missing. Throws `corruptLog` when it is not valid.
    public static func read(store: any ObjectStore) async throws(DeltaError) -> LastCheckpoint? {
        guard let bytes = try await StoreAccess.getIfPresent(store, path) else { return nil }
        return try parse(bytes)
    }

    /// Parses the hint's JSON.
    public static func parse(_ bytes: [UInt8]) throws(DeltaError) -> LastCheckpoint {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            throw .corruptLog(file: path, line: 1, message: error.message)
        }
        guard let version = json["version"]?.int64Value, version >= 0 else {
            throw .corruptLog(file: path, line: 1, message: "no valid \"version\"")
        }
        return LastCheckpoint(
            version: version, size: json["size"]?.int64Value ?? 0, parts: json["parts"]?.int64Value.map { Int($0) },
            sizeInBytes: json["sizeInBytes"]?.int64Value, numOfAddFiles: json["numOfAddFiles"]?.int64Value,
            v2Checkpoint: try json["v2Checkpoint"].map(parseV2))
    }

    /// Parses the `v2Checkpoint` member; the embedded actions are decoded as commit-file lines.
    static func parseV2(_ v: JSONValue) throws(DeltaError) -> V2Checkpoint {
        guard let p = v["path"]?.stringValue, let size = v["sizeInBytes"]?.int64Value else {
            throw .corruptLog(file: path, line: 1, message: "\"v2Checkpoint\" lacks path or sizeInBytes")
        }
        func actions(_ key: String) throws(DeltaError) -> [Action]? {
            guard case let .array(items)? = v[key] else { return nil }
            var lines: [UInt8] = []
            for item in items { lines += Array(item.jsonText.utf8); lines.append(0x0A) }
            return try CommitFile.parse(lines, file: path)
        }
        var sidecars: [Sidecar]?
        if case let .array(items)? = v["sidecarFiles"] {
            var out: [Sidecar] = []
            for item in items {
                guard let sp = item["path"]?.stringValue, let ss = item["sizeInBytes"]?.int64Value else {
                    throw .corruptLog(file: path, line: 1, message: "a sidecar of \"v2Checkpoint\" lacks path or sizeInBytes")
                }
                out.append(Sidecar(path: sp, sizeInBytes: ss, modificationTime: item["modificationTime"]?.int64Value ?? 0))
            }
            sidecars = out
        }
        return V2Checkpoint(
            path: p, sizeInBytes: size, modificationTime: v["modificationTime"]?.int64Value ?? 0,
            nonFileActions: try actions("nonFileActions"), sidecarFiles: sidecars)
    }

    /// The hint's JSON text, as Delta writes it.
    public func serialized() -> [UInt8] {
        var o: [String: JSONValue] = ["version": .int(version), "size": .int(size)]
        if let parts { o["parts"] = .int(Int64(parts)) }
        if let sizeInBytes { o["sizeInBytes"] = .int(sizeInBytes) }
        if let numOfAddFiles { o["numOfAddFiles"] = .int(numOfAddFiles) }
        if let v2Checkpoint { o["v2Checkpoint"] = v2Checkpoint.json }
        return Array(JSONValue.object(o).jsonText.utf8)
    }
}

extension LastCheckpoint.V2Checkpoint {
    /// The member's JSON; embedded actions keep the form they have in a commit file.
    var json: JSONValue {
        var o: [String: JSONValue] = ["path": .string(path), "sizeInBytes": .int(sizeInBytes), "modificationTime": .int(modificationTime)]
        if let nonFileActions {
            // Serialized the way commits are, then re-read as values; a line that does not re-read (it cannot:
            // the writer produces valid JSON) would drop the optional embedding rather than corrupt the hint.
            let values = nonFileActions.compactMap { try? JSONValue.parse(CommitFile.serialize([$0])) }
            if values.count == nonFileActions.count { o["nonFileActions"] = .array(values) }
        }
        if let sidecarFiles {
            o["sidecarFiles"] = .array(sidecarFiles.map { s in
                var e: [String: JSONValue] = ["path": .string(s.path), "sizeInBytes": .int(s.sizeInBytes), "modificationTime": .int(s.modificationTime)]
                if let tags = s.tags { e["tags"] = .object(tags.mapValues { .string($0) }) }
                return .object(e)
            })
        }
        return .object(o)
    }
}
