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

    /// Creates the hint.
    public init(version: Int64, size: Int64, parts: Int? = nil, sizeInBytes: Int64? = nil, numOfAddFiles: Int64? = nil) {
        self.version = version
        self.size = size
        self.parts = parts
        self.sizeInBytes = sizeInBytes
        self.numOfAddFiles = numOfAddFiles
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
            sizeInBytes: json["sizeInBytes"]?.int64Value, numOfAddFiles: json["numOfAddFiles"]?.int64Value)
    }

    /// The hint's JSON text, as Delta writes it.
    public func serialized() -> [UInt8] {
        var o: [String: JSONValue] = ["version": .int(version), "size": .int(size)]
        if let parts { o["parts"] = .int(Int64(parts)) }
        if let sizeInBytes { o["sizeInBytes"] = .int(sizeInBytes) }
        if let numOfAddFiles { o["numOfAddFiles"] = .int(numOfAddFiles) }
        return Array(JSONValue.object(o).jsonText.utf8)
    }
}
