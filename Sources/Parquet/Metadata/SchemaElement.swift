/// One node of the flattened schema tree (`SchemaElement` in parquet.thrift). Groups have
/// `numChildren`; leaves have `type`. Nodes are listed depth-first, the root first.
public struct SchemaElement: ThriftStruct, Sendable, Hashable {
    /// Physical type of a leaf; nil for groups.
    public var type: PhysicalType?
    /// Byte width of FIXED_LEN_BYTE_ARRAY values.
    public var typeLength: Int32?
    /// Required, optional or repeated; nil only for the root.
    public var repetitionType: FieldRepetitionType?
    /// Field name.
    public var name: String
    /// Number of children of a group.
    public var numChildren: Int32?
    /// Deprecated annotation, still written for old readers.
    public var convertedType: ConvertedType?
    /// Decimal scale (deprecated duplicate of the logical type's).
    public var scale: Int32?
    /// Decimal precision (deprecated duplicate of the logical type's).
    public var precision: Int32?
    /// Field id of the original schema (Iceberg, Delta column mapping).
    public var fieldId: Int32?
    /// The logical type annotation.
    public var logicalType: LogicalType?

    /// Creates a schema element.
    public init(
        name: String, type: PhysicalType? = nil, typeLength: Int32? = nil, repetitionType: FieldRepetitionType? = nil,
        numChildren: Int32? = nil, convertedType: ConvertedType? = nil, scale: Int32? = nil, precision: Int32? = nil,
        fieldId: Int32? = nil, logicalType: LogicalType? = nil
    ) {
        self.type = type
        self.typeLength = typeLength
        self.repetitionType = repetitionType
        self.name = name
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.scale = scale
        self.precision = precision
        self.fieldId = fieldId
        self.logicalType = logicalType
    }

    /// Decodes the struct.
    public init(from reader: inout CompactReader) throws(ParquetError) {
        var name: String?
        self.init(name: "")
        let scope = try reader.beginStruct()
        while let f = try reader.readFieldHeader() {
            switch f.id {
            case 1:
                let raw = try reader.readI32(f)
                guard let t = PhysicalType(rawValue: raw) else { throw .corrupt("SchemaElement has unknown physical type \(raw)") }
                type = t
            case 2: typeLength = try reader.readI32(f)
            case 3: repetitionType = FieldRepetitionType(rawValue: try reader.readI32(f))
            case 4: name = try reader.readString(f)
            case 5: numChildren = try reader.readI32(f)
            case 6: convertedType = ConvertedType(rawValue: try reader.readI32(f))
            case 7: scale = try reader.readI32(f)
            case 8: precision = try reader.readI32(f)
            case 9: fieldId = try reader.readI32(f)
            case 10: logicalType = try reader.readStruct(f, as: LogicalType.self)
            default: try reader.skip(f)
            }
        }
        reader.endStruct(scope)
        self.name = try requireField(name, "name", in: "SchemaElement")
        numChildren = try requireNonNegativeIfPresent(numChildren, "num_children", in: "SchemaElement")
        typeLength = try requireNonNegativeIfPresent(typeLength, "type_length", in: "SchemaElement")
    }

    /// Encodes the struct.
    public func write(to writer: inout CompactWriter) {
        let scope = writer.beginStruct()
        if let type { writer.writeI32(field: 1, type.rawValue) }
        if let typeLength { writer.writeI32(field: 2, typeLength) }
        if let repetitionType { writer.writeI32(field: 3, repetitionType.rawValue) }
        writer.writeString(field: 4, name)
        if let numChildren { writer.writeI32(field: 5, numChildren) }
        if let convertedType { writer.writeI32(field: 6, convertedType.rawValue) }
        if let scale { writer.writeI32(field: 7, scale) }
        if let precision { writer.writeI32(field: 8, precision) }
        if let fieldId { writer.writeI32(field: 9, fieldId) }
        if let logicalType { writer.writeStruct(field: 10, logicalType) }
        writer.endStruct(scope)
    }
}
