/// Variant (semi-structured) values as Delta and Parquet store them: a struct of two binaries, `metadata`
/// (the Variant metadata: a dictionary of field names) and `value` (the encoded value), the shape Arrow
/// and delta-rs expose. Columnar has no dedicated type for it: a variant column has `storageType`, and
/// its `Field` carries `Variant.marker` in its metadata so schema serialization writes `variant` back and
/// text renderings can decode it.
public enum Variant {
    /// `Field.metadata` key set (to `"true"`) on a field whose values are variants.
    public static let marker = "lake.variant"
    /// The storage of an unshredded variant: `struct<metadata: binary not null, value: binary not null>`.
    public static let storageType = DataType.structure([
        Field("metadata", .binary, nullable: false),
        Field("value", .binary, nullable: false),
    ])

    /// A variant field named `name`, with `metadata` besides the marker.
    public static func field(_ name: String, nullable: Bool = true, metadata: [String: String] = [:]) -> Field {
        var m = metadata
        m[marker] = "true"
        return Field(name, storageType, nullable: nullable, metadata: m)
    }
}

extension Field {
    /// Whether the field holds variants (its metadata carries `Variant.marker`).
    public var isVariant: Bool { metadata[Variant.marker] == "true" }
}
