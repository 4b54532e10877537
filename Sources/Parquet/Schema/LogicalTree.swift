import Columnar

/// The shape of one node of the Columnar tree a Parquet schema maps to. Parquet's own tree has extra
/// levels (the repeated `list` group of a LIST, the `key_value` group of a MAP) that do not appear here;
/// their definition and repetition levels are folded into the list/map node.
enum LogicalKind: Sendable, Equatable {
    /// A primitive column: index into `ParquetSchema.columns`.
    case leaf(Int)
    /// A struct with the node's children as fields.
    case structure
    /// A list whose only child is the element.
    case list
    /// A map whose only child is a non-null struct of key (and usually value).
    case map
}

/// One node of the Columnar-shaped tree, with the levels record assembly needs.
struct LogicalNode: Sendable {
    /// What the node is.
    var kind: LogicalKind
    /// Name, Columnar type, nullability and metadata of the node as a field.
    var field: Field
    /// Definition level at which this node's value is present (not null). For a required node this is
    /// its parent's level, so every slot that exists is present.
    var defPresent: Int16
    /// For lists and maps: the definition level at which the list has at least one element.
    var defElement: Int16 = 0
    /// For lists and maps: the repetition level of the repeated field (a new element of this list).
    var repElement: Int16 = 0
    /// Children, as indices into `ParquetSchema.nodes`.
    var children: [Int] = []
}
