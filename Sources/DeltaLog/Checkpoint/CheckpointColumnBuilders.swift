import Columnar

// Typed builders for the add and remove columns of checkpoint files: those columns have a row per file of
// the table, so they are built straight into column buffers (no `Scalar` per cell, PERFORMANCE.md). Every
// builder appends one row at a time, a value or a null; a null struct row is null in every child too.

/// Validity bits of a column being built; dropped at the end when every row is present.
struct ValidityBuilder {
    var bits = Bitmap(count: 0, value: false)
    var hasNull = false

    mutating func append(_ present: Bool) {
        bits.append(present)
        if !present { hasNull = true }
    }

    var bitmap: Bitmap? { hasNull ? bits : nil }
}

/// `string` values.
struct StringColumnBuilder {
    var offsets: [Int64] = [0]
    var data: [UInt8] = []
    var validity = ValidityBuilder()

    mutating func append(_ s: String?) {
        if let s { data.append(contentsOf: s.utf8) }
        validity.append(s != nil)
        offsets.append(Int64(data.count))
    }

    func finish() throws(ColumnarError) -> Column {
        try Column(type: .string, count: offsets.count - 1, validity: validity.bitmap, values: .bytes(offsets: offsets, data: data))
    }
}

/// `long` or `int` values.
struct IntegerColumnBuilder<T: FixedWidthInteger & Sendable> {
    var values: [T] = []
    var validity = ValidityBuilder()

    mutating func append(_ v: T?) {
        values.append(v ?? 0)
        validity.append(v != nil)
    }
}

extension IntegerColumnBuilder where T == Int64 {
    func finish() throws(ColumnarError) -> Column {
        try Column(type: .int64, count: values.count, validity: validity.bitmap, values: .int64(values))
    }
}

extension IntegerColumnBuilder where T == Int32 {
    func finish() throws(ColumnarError) -> Column {
        try Column(type: .int32, count: values.count, validity: validity.bitmap, values: .int32(values))
    }
}

/// `boolean` values.
struct BooleanColumnBuilder {
    var values = Bitmap(count: 0, value: false)
    var validity = ValidityBuilder()

    mutating func append(_ v: Bool?) {
        values.append(v ?? false)
        validity.append(v != nil)
    }

    func finish() throws(ColumnarError) -> Column {
        try Column(type: .boolean, count: values.count, validity: validity.bitmap, values: .boolean(values))
    }
}

/// `map<string,string>` values, entries in key order so the bytes are deterministic.
struct StringMapColumnBuilder {
    var offsets: [Int64] = [0]
    var keys = StringColumnBuilder()
    var values = StringColumnBuilder()
    var validity = ValidityBuilder()

    mutating func append(_ m: [String: String?]?) {
        if let m {
            for (k, v) in m.sorted(by: { $0.key < $1.key }) {
                keys.append(k)
                values.append(v)
            }
        }
        validity.append(m != nil)
        offsets.append(Int64(keys.offsets.count - 1))
    }

    mutating func append(tags m: [String: String]?) {
        if let m {
            for (k, v) in m.sorted(by: { $0.key < $1.key }) {
                keys.append(k)
                values.append(v)
            }
        }
        validity.append(m != nil)
        offsets.append(Int64(keys.offsets.count - 1))
    }

    func finish(_ type: DataType) throws(ColumnarError) -> Column {
        try Column(type: type, count: offsets.count - 1, validity: validity.bitmap,
                   values: .map(offsets: offsets, keys: try keys.finish(), values: try values.finish()))
    }
}

/// The `deletionVector` struct.
struct DeletionVectorColumnBuilder {
    var storageType = StringColumnBuilder()
    var pathOrInlineDv = StringColumnBuilder()
    var offset = IntegerColumnBuilder<Int32>()
    var sizeInBytes = IntegerColumnBuilder<Int32>()
    var cardinality = IntegerColumnBuilder<Int64>()
    var validity = ValidityBuilder()

    mutating func append(_ d: DeletionVectorDescriptor?) {
        storageType.append(d?.storageType.rawValue)
        pathOrInlineDv.append(d?.pathOrInlineDv)
        offset.append(d?.offset)
        sizeInBytes.append(d?.sizeInBytes)
        cardinality.append(d?.cardinality)
        validity.append(d != nil)
    }

    func finish(_ type: DataType) throws(ColumnarError) -> Column {
        try Column(type: type, count: storageType.offsets.count - 1, validity: validity.bitmap, values: .structure([
            try storageType.finish(), try pathOrInlineDv.finish(), try offset.finish(), try sizeInBytes.finish(), try cardinality.finish(),
        ]))
    }
}

/// The `add` struct column, in the order of `CheckpointRows.addFields`.
struct AddColumnBuilder {
    var path = StringColumnBuilder()
    var partitionValues = StringMapColumnBuilder()
    var size = IntegerColumnBuilder<Int64>()
    var modificationTime = IntegerColumnBuilder<Int64>()
    var dataChange = BooleanColumnBuilder()
    var tags = StringMapColumnBuilder()
    var deletionVector = DeletionVectorColumnBuilder()
    var baseRowId = IntegerColumnBuilder<Int64>()
    var defaultRowCommitVersion = IntegerColumnBuilder<Int64>()
    var clusteringProvider = StringColumnBuilder()
    var stats = StringColumnBuilder()
    var validity = ValidityBuilder()

    mutating func append(_ a: AddFile?) {
        path.append(a?.path)
        partitionValues.append(a?.partitionValues)
        size.append(a?.size)
        modificationTime.append(a?.modificationTime)
        dataChange.append(a?.dataChange)
        tags.append(tags: a?.tags)
        deletionVector.append(a?.deletionVector)
        baseRowId.append(a?.baseRowId)
        defaultRowCommitVersion.append(a?.defaultRowCommitVersion)
        clusteringProvider.append(a?.clusteringProvider)
        stats.append(a?.stats)
        validity.append(a != nil)
    }

    func finish(_ field: Field) throws(ColumnarError) -> Column {
        guard case let .structure(fields) = field.type, fields.count == 11 else { throw .invalid("add column has an unexpected type") }
        return try Column(type: field.type, count: path.offsets.count - 1, validity: validity.bitmap, values: .structure([
            try path.finish(), try partitionValues.finish(fields[1].type), try size.finish(), try modificationTime.finish(),
            try dataChange.finish(), try tags.finish(fields[5].type), try deletionVector.finish(fields[6].type), try baseRowId.finish(),
            try defaultRowCommitVersion.finish(), try clusteringProvider.finish(), try stats.finish(),
        ]))
    }
}

/// The `remove` struct column, in the order of `CheckpointRows.removeFields`.
struct RemoveColumnBuilder {
    var path = StringColumnBuilder()
    var deletionTimestamp = IntegerColumnBuilder<Int64>()
    var dataChange = BooleanColumnBuilder()
    var extendedFileMetadata = BooleanColumnBuilder()
    var partitionValues = StringMapColumnBuilder()
    var size = IntegerColumnBuilder<Int64>()
    var tags = StringMapColumnBuilder()
    var deletionVector = DeletionVectorColumnBuilder()
    var baseRowId = IntegerColumnBuilder<Int64>()
    var defaultRowCommitVersion = IntegerColumnBuilder<Int64>()
    var stats = StringColumnBuilder()
    var validity = ValidityBuilder()

    mutating func append(_ r: RemoveFile?) {
        path.append(r?.path)
        deletionTimestamp.append(r?.deletionTimestamp)
        dataChange.append(r?.dataChange)
        extendedFileMetadata.append(r?.extendedFileMetadata)
        partitionValues.append(r?.partitionValues)
        size.append(r?.size)
        tags.append(tags: r?.tags)
        deletionVector.append(r?.deletionVector)
        baseRowId.append(r?.baseRowId)
        defaultRowCommitVersion.append(r?.defaultRowCommitVersion)
        stats.append(r?.stats)
        validity.append(r != nil)
    }

    func finish(_ field: Field) throws(ColumnarError) -> Column {
        guard case let .structure(fields) = field.type, fields.count == 11 else { throw .invalid("remove column has an unexpected type") }
        return try Column(type: field.type, count: path.offsets.count - 1, validity: validity.bitmap, values: .structure([
            try path.finish(), try deletionTimestamp.finish(), try dataChange.finish(), try extendedFileMetadata.finish(),
            try partitionValues.finish(fields[4].type), try size.finish(), try tags.finish(fields[6].type),
            try deletionVector.finish(fields[7].type), try baseRowId.finish(), try defaultRowCommitVersion.finish(), try stats.finish(),
        ]))
    }
}
