/// The `add` action: a logical file (data file plus optional deletion vector) joins the table.
public struct AddFile: Sendable, Hashable {
    /// URI-encoded path relative to the table root, or an absolute URI (decode with `DeltaPath.decode`).
    public var path: String
    /// Serialized partition values by column name; nil is a null partition value.
    public var partitionValues: [String: String?]
    /// File size in bytes.
    public var size: Int64
    /// File creation time in ms since the epoch.
    public var modificationTime: Int64
    /// False when the action only rearranges data (optimize) or updates stats.
    public var dataChange: Bool
    /// Per-file statistics as the raw JSON text Delta stores (numRecords, minValues, maxValues, nullCount).
    public var stats: String?
    /// Free-form file tags.
    public var tags: [String: String]?
    /// Rows of the file that are deleted, when present.
    public var deletionVector: DeletionVectorDescriptor?
    /// Row tracking: row id of the file's first row.
    public var baseRowId: Int64?
    /// Row tracking: first version that committed this path.
    public var defaultRowCommitVersion: Int64?
    /// Clustered tables: name of the clustering implementation.
    public var clusteringProvider: String?

    /// Creates an add action.
    public init(
        path: String, partitionValues: [String: String?] = [:], size: Int64, modificationTime: Int64,
        dataChange: Bool = true, stats: String? = nil, tags: [String: String]? = nil,
        deletionVector: DeletionVectorDescriptor? = nil, baseRowId: Int64? = nil,
        defaultRowCommitVersion: Int64? = nil, clusteringProvider: String? = nil
    ) {
        self.path = path
        self.partitionValues = partitionValues
        self.size = size
        self.modificationTime = modificationTime
        self.dataChange = dataChange
        self.stats = stats
        self.tags = tags
        self.deletionVector = deletionVector
        self.baseRowId = baseRowId
        self.defaultRowCommitVersion = defaultRowCommitVersion
        self.clusteringProvider = clusteringProvider
    }

    /// The logical file key `(path, deletionVector.uniqueId)` used by log replay.
    public var logicalKey: LogicalFileKey { LogicalFileKey(path: path, dvId: deletionVector?.uniqueId) }

    /// A `remove` action for this file, carrying its extended metadata, at `deletionTimestamp` (ms).
    public func removal(deletionTimestamp: Int64, dataChange: Bool = true) -> RemoveFile {
        RemoveFile(
            path: path, deletionTimestamp: deletionTimestamp, dataChange: dataChange, extendedFileMetadata: true,
            partitionValues: partitionValues, size: size, stats: stats, tags: tags, deletionVector: deletionVector,
            baseRowId: baseRowId, defaultRowCommitVersion: defaultRowCommitVersion)
    }
}

/// The primary key of a logical file in log replay: its path plus the deletion vector's unique id.
public struct LogicalFileKey: Sendable, Hashable {
    /// The action's `path`, as written in the log (not decoded).
    public var path: String
    /// `DeletionVectorDescriptor.uniqueId`, or nil without a deletion vector.
    public var dvId: String?

    /// Creates a key.
    public init(path: String, dvId: String?) {
        self.path = path
        self.dvId = dvId
    }
}

/// The `remove` action: a logical file leaves the table; kept as a tombstone until vacuum.
public struct RemoveFile: Sendable, Hashable {
    /// URI-encoded path, as in `AddFile.path`.
    public var path: String
    /// When the removal happened, ms since the epoch.
    public var deletionTimestamp: Int64?
    /// False when the removal only rearranges data.
    public var dataChange: Bool
    /// True when `partitionValues`, `size` and `tags` are present.
    public var extendedFileMetadata: Bool?
    /// Serialized partition values (see `AddFile.partitionValues`).
    public var partitionValues: [String: String?]?
    /// File size in bytes.
    public var size: Int64?
    /// Raw statistics JSON text.
    public var stats: String?
    /// Free-form file tags.
    public var tags: [String: String]?
    /// The deletion vector of the logical file removed.
    public var deletionVector: DeletionVectorDescriptor?
    /// Row tracking: row id of the file's first row.
    public var baseRowId: Int64?
    /// Row tracking: first version that committed this path.
    public var defaultRowCommitVersion: Int64?

    /// Creates a remove action.
    public init(
        path: String, deletionTimestamp: Int64? = nil, dataChange: Bool = true, extendedFileMetadata: Bool? = nil,
        partitionValues: [String: String?]? = nil, size: Int64? = nil, stats: String? = nil,
        tags: [String: String]? = nil, deletionVector: DeletionVectorDescriptor? = nil, baseRowId: Int64? = nil,
        defaultRowCommitVersion: Int64? = nil
    ) {
        self.path = path
        self.deletionTimestamp = deletionTimestamp
        self.dataChange = dataChange
        self.extendedFileMetadata = extendedFileMetadata
        self.partitionValues = partitionValues
        self.size = size
        self.stats = stats
        self.tags = tags
        self.deletionVector = deletionVector
        self.baseRowId = baseRowId
        self.defaultRowCommitVersion = defaultRowCommitVersion
    }

    /// The logical file key `(path, deletionVector.uniqueId)` used by log replay.
    public var logicalKey: LogicalFileKey { LogicalFileKey(path: path, dvId: deletionVector?.uniqueId) }
}

/// The `cdc` action: a change data file (under `_change_data/`) for this version.
public struct AddCDCFile: Sendable, Hashable {
    /// URI-encoded path relative to the table root.
    public var path: String
    /// Serialized partition values.
    public var partitionValues: [String: String?]
    /// File size in bytes.
    public var size: Int64
    /// Always false for `cdc` actions.
    public var dataChange: Bool
    /// Free-form file tags.
    public var tags: [String: String]?

    /// Creates a cdc action.
    public init(path: String, partitionValues: [String: String?] = [:], size: Int64, dataChange: Bool = false, tags: [String: String]? = nil) {
        self.path = path
        self.partitionValues = partitionValues
        self.size = size
        self.dataChange = dataChange
        self.tags = tags
    }
}
