import Columnar

/// One leaf (primitive) column of a Parquet schema, with the levels needed to decode its pages.
public struct ColumnDescriptor: Sendable, Hashable {
    /// Names from the top-level field down to the leaf, as in the Parquet schema (including the
    /// intermediate `list` / `key_value` groups).
    public var path: [String]
    /// Highest definition level: the number of optional or repeated nodes on the path.
    public var maxDefinitionLevel: Int16
    /// Highest repetition level: the number of repeated nodes on the path.
    public var maxRepetitionLevel: Int16
    /// Physical storage type.
    public var physicalType: PhysicalType
    /// Byte width of FIXED_LEN_BYTE_ARRAY values (0 for other types).
    public var typeLength: Int
    /// The logical type annotation, if any.
    public var logicalType: LogicalType?
    /// The deprecated converted type annotation, if any.
    public var convertedType: ConvertedType?
    /// The Columnar type values of this leaf are decoded into.
    public var dataType: DataType
    /// Index of the leaf in depth-first order, which is also the column chunk's index in a row group.
    public var index: Int

    /// The path joined with dots, as used in messages and in `ParquetReader.statistics`.
    public var dottedPath: String { path.joined(separator: ".") }
}
