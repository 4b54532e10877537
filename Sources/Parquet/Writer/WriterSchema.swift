import Columnar

/// How the writer stores one leaf column: its place in the Parquet schema and its physical form.
struct WriterLeaf: Sendable {
    /// Names from the top-level field down to the leaf.
    var path: [String]
    /// Physical type.
    var physicalType: PhysicalType
    /// Byte width for FIXED_LEN_BYTE_ARRAY.
    var typeLength: Int
    /// Highest definition level (number of optional or repeated ancestors, itself included).
    var maxDefinitionLevel: Int32
    /// Highest repetition level (number of repeated ancestors).
    var maxRepetitionLevel: Int32
    /// The Columnar type of the leaf values.
    var dataType: DataType
}

/// The Parquet schema the writer derives from a Columnar schema, laid out the way pyarrow writes it
/// (3-level lists named `list`/`element`, maps as `key_value` with `key`/`value`).
struct WriterSchema: Sendable {
    /// Flattened schema elements, root first.
    var elements: [SchemaElement] = []
    /// Leaf columns in schema order.
    var leaves: [WriterLeaf] = []
    /// For each top-level field, the range of its leaves in `leaves`.
    var leafRanges: [Range<Int>] = []

    init(_ schema: Schema) throws(ParquetError) {
        elements.append(SchemaElement(name: "schema", numChildren: Int32(schema.fields.count)))
        for field in schema.fields {
            let start = leaves.count
            try add(name: field.name, type: field.type, nullable: field.nullable, metadata: field.metadata,
                    path: [], def: 0, rep: 0)
            leafRanges.append(start..<leaves.count)
        }
    }

    private mutating func add(
        name: String, type: DataType, nullable: Bool, metadata: [String: String],
        path parent: [String], def parentDef: Int32, rep: Int32
    ) throws(ParquetError) {
        let path = parent + [name]
        let repetition: FieldRepetitionType = nullable ? .optional : .required
        let def = parentDef + (nullable ? 1 : 0)
        let fieldId = metadata["PARQUET:field_id"].flatMap { Int32($0) }
        func group(_ children: Int, converted: ConvertedType? = nil, logical: LogicalType? = nil) {
            elements.append(SchemaElement(name: name, repetitionType: repetition, numChildren: Int32(children),
                                          convertedType: converted, fieldId: fieldId, logicalType: logical))
        }
        switch type {
        case let .structure(fields):
            group(fields.count)
            for f in fields {
                try add(name: f.name, type: f.type, nullable: f.nullable, metadata: f.metadata, path: path, def: def, rep: rep)
            }
        case let .list(element):
            group(1, converted: .list, logical: .list)
            elements.append(SchemaElement(name: "list", repetitionType: .repeated, numChildren: 1))
            try add(name: "element", type: element.type, nullable: element.nullable, metadata: element.metadata,
                    path: path + ["list"], def: def + 1, rep: rep + 1)
        case let .map(key, value):
            group(1, converted: .map, logical: .map)
            elements.append(SchemaElement(name: "key_value", repetitionType: .repeated, numChildren: 2))
            // Map keys are never null in Parquet, whatever the key field says.
            try add(name: "key", type: key.type, nullable: false, metadata: key.metadata,
                    path: path + ["key_value"], def: def + 1, rep: rep + 1)
            try add(name: "value", type: value.type, nullable: value.nullable, metadata: value.metadata,
                    path: path + ["key_value"], def: def + 1, rep: rep + 1)
        default:
            var e = try Self.leafElement(name: name, type: type)
            e.repetitionType = repetition
            e.fieldId = fieldId
            elements.append(e)
            leaves.append(WriterLeaf(path: path, physicalType: e.type ?? .byteArray, typeLength: Int(e.typeLength ?? 0),
                                     maxDefinitionLevel: def, maxRepetitionLevel: rep, dataType: type))
        }
    }

    /// The schema element of a primitive Columnar type (repetition left for the caller).
    static func leafElement(name: String, type: DataType) throws(ParquetError) -> SchemaElement {
        var e = SchemaElement(name: name)
        switch type {
        case .boolean: e.type = .boolean
        case .int8: e.type = .int32; e.logicalType = .integer(bitWidth: 8, isSigned: true); e.convertedType = .int8
        case .int16: e.type = .int32; e.logicalType = .integer(bitWidth: 16, isSigned: true); e.convertedType = .int16
        case .int32: e.type = .int32
        case .int64: e.type = .int64
        case .uint8: e.type = .int32; e.logicalType = .integer(bitWidth: 8, isSigned: false); e.convertedType = .uint8
        case .uint16: e.type = .int32; e.logicalType = .integer(bitWidth: 16, isSigned: false); e.convertedType = .uint16
        case .uint32: e.type = .int32; e.logicalType = .integer(bitWidth: 32, isSigned: false); e.convertedType = .uint32
        case .uint64: e.type = .int64; e.logicalType = .integer(bitWidth: 64, isSigned: false); e.convertedType = .uint64
        case .float32: e.type = .float
        case .float64: e.type = .double
        case let .decimal(p, s):
            guard (1...38).contains(p), (0...p).contains(s) else {
                throw ParquetError(.invalidArgument, "decimal(\(p),\(s)) cannot be written: precision must be 1...38 and scale 0...precision")
            }
            if p <= 9 { e.type = .int32 } else if p <= 18 { e.type = .int64 } else {
                e.type = .fixedLenByteArray
                e.typeLength = Int32(decimalByteWidth(precision: p))
            }
            e.logicalType = .decimal(scale: Int32(s), precision: Int32(p))
            e.convertedType = .decimal
            e.scale = Int32(s)
            e.precision = Int32(p)
        case .string: e.type = .byteArray; e.logicalType = .string; e.convertedType = .utf8
        case .binary: e.type = .byteArray
        case let .fixedSizeBinary(n):
            guard n > 0, n <= Int(Int32.max) else {
                throw ParquetError(.invalidArgument, "fixed_binary(\(n)) cannot be written: width must be positive")
            }
            e.type = .fixedLenByteArray
            e.typeLength = Int32(n)
        case .date: e.type = .int32; e.logicalType = .date; e.convertedType = .date
        case let .time(unit):
            e.type = unit == .millisecond ? .int32 : .int64
            // A Columnar time is a local time of day; converted TIME_* would claim "adjusted to UTC",
            // so (like pyarrow) only the logical type is written.
            e.logicalType = .time(isAdjustedToUTC: false, unit: unit)
        case let .timestamp(unit, utc):
            e.type = .int64
            e.logicalType = .timestamp(isAdjustedToUTC: utc, unit: unit)
            // Converted TIMESTAMP_* means "adjusted to UTC", so it is only written for UTC timestamps.
            if utc { e.convertedType = unit == .millisecond ? .timestampMillis : unit == .microsecond ? .timestampMicros : nil }
        case .list, .structure, .map:
            throw ParquetError(.invalidArgument, "\(type.name) is not a primitive type")
        }
        return e
    }

    /// The fewest bytes whose two's complement holds every unscaled value of `precision` digits.
    static func decimalByteWidth(precision: Int) -> Int {
        var maxUnscaled: Int128 = 1
        for _ in 0..<precision { maxUnscaled *= 10 }
        maxUnscaled -= 1
        var n = 1
        while n < 16 && (Int128(1) << (8 * n - 1)) <= maxUnscaled { n += 1 }
        return n
    }
}
