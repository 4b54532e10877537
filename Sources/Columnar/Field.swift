/// A named, typed column description with nullability and key-value metadata.
public struct Field: Sendable, Hashable {
    /// Column name.
    public var name: String
    /// Column type.
    public var type: DataType
    /// Whether the column may hold nulls.
    public var nullable: Bool
    /// Free-form key-value metadata (Delta column metadata, Parquet field ids, ...).
    public var metadata: [String: String]

    /// Creates a field.
    public init(_ name: String, _ type: DataType, nullable: Bool = true, metadata: [String: String] = [:]) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.metadata = metadata
    }
}

/// An ordered list of fields plus schema-level key-value metadata.
public struct Schema: Sendable, Hashable {
    /// The top-level fields in order.
    public var fields: [Field]
    /// Schema-level metadata (for Parquet, the file's key-value metadata).
    public var metadata: [String: String]

    /// Creates a schema.
    public init(_ fields: [Field], metadata: [String: String] = [:]) {
        self.fields = fields
        self.metadata = metadata
    }

    /// Position of the field named `name`, compared exactly.
    public func index(of name: String) -> Int? {
        fields.firstIndex { $0.name == name }
    }

    /// The field named `name`, compared exactly.
    public func field(named name: String) -> Field? {
        index(of: name).map { fields[$0] }
    }

    /// The field names in order.
    public var names: [String] { fields.map(\.name) }
}

extension Schema: CustomStringConvertible {
    /// One field per line: `name: type [not null]`.
    public var description: String {
        fields.map { "\($0.name): \($0.type.name)\($0.nullable ? "" : " not null")" }.joined(separator: "\n")
    }
}
