import Columnar

/// A Parquet schema resolved into leaf columns and the Columnar tree they assemble into.
///
/// Built from the flat depth-first `[SchemaElement]` of the footer. Group/list/map shapes follow the
/// backward-compatibility rules of LogicalTypes.md (LIST and MAP sections) and the choices pyarrow makes
/// for legacy layouts, so the same file gives the same column types here and in pyarrow.
public struct ParquetSchema: Sendable {
    /// Leaf columns in file order (the order of column chunks in every row group).
    public let columns: [ColumnDescriptor]
    /// The Columnar schema: one field per top-level node.
    public let schema: Schema
    /// Columnar-shaped nodes; `topLevel` indexes into it.
    let nodes: [LogicalNode]
    /// Node ids of the top-level fields, in order.
    let topLevel: [Int]
    /// For each leaf, the node ids from its top-level field down to it.
    let chains: [[Int]]
    /// For each top-level field, the leaf indices under it.
    let leavesOfTop: [[Int]]

    /// Deepest nesting accepted; real schemas are far shallower, and the limit keeps recursion bounded.
    static let maxDepth = 100

    /// Resolves `elements` (root first); `metadata` becomes the Columnar schema's metadata. INT96 leaves
    /// read as timestamps of `int96TimestampUnit` (see `ParquetReadOptions`).
    public init(elements: [SchemaElement], metadata: [String: String] = [:], int96TimestampUnit: TimeUnit = .nanosecond) throws(ParquetError) {
        var builder = Builder(elements: elements, int96Unit: int96TimestampUnit)
        try builder.run()
        var fields: [Field] = []
        for id in builder.topLevel { fields.append(builder.nodes[id].field) }
        columns = builder.columns
        nodes = builder.nodes
        topLevel = builder.topLevel
        chains = builder.chains
        var leaves = [[Int]](repeating: [], count: builder.topLevel.count)
        let topPosition = Dictionary(uniqueKeysWithValues: builder.topLevel.enumerated().map { ($1, $0) })
        for (leaf, chain) in builder.chains.enumerated() {
            if let first = chain.first, let p = topPosition[first] { leaves[p].append(leaf) }
        }
        leavesOfTop = leaves
        schema = Schema(fields, metadata: metadata)
    }

    /// The leaf whose dotted path is `name`, or the only leaf under the top-level field `name`.
    public func column(named name: String) -> ColumnDescriptor? {
        if let c = columns.first(where: { $0.dottedPath == name }) { return c }
        if let top = schema.index(of: name), leavesOfTop[top].count == 1 { return columns[leavesOfTop[top][0]] }
        return nil
    }
}

/// Walks the flat schema list once. Indices into `elements` are consumed in order, so a node can only
/// refer to later elements as children: cycles cannot be expressed.
private struct Builder {
    let elements: [SchemaElement]
    let int96Unit: TimeUnit
    var next = 0
    var nodes: [LogicalNode] = []
    var topLevel: [Int] = []
    var columns: [ColumnDescriptor] = []
    var chains: [[Int]] = []

    /// A parsed Parquet node: the element and its children, with levels.
    struct TreeNode {
        var element: SchemaElement
        var children: [TreeNode]
        var def: Int16
        var rep: Int16
        var path: [String]
        var isRepeated: Bool { element.repetitionType == .repeated }
        var isGroup: Bool { element.type == nil }
    }

    init(elements: [SchemaElement], int96Unit: TimeUnit) {
        self.elements = elements
        self.int96Unit = int96Unit
    }

    mutating func run() throws(ParquetError) {
        guard let root = elements.first else { throw .corrupt("the schema has no root element") }
        next = 1
        let count = Int(root.numChildren ?? 0)
        guard count >= 0 else { throw .corrupt("the schema root has a negative number of children") }
        var top: [TreeNode] = []
        for _ in 0..<min(count, elements.count) {
            top.append(try parse(depth: 1, parentDef: 0, parentRep: 0, parentPath: []))
        }
        if count > elements.count - 1 {
            throw .corrupt("the schema root claims \(count) children but the schema has \(elements.count) elements")
        }
        if next != elements.count {
            throw .corrupt("the schema has \(elements.count - next) elements not reachable from the root")
        }
        for t in top {
            var chain: [Int] = []
            topLevel.append(try build(t, parentDef: 0, asElement: false, chain: &chain))
        }
    }

    mutating func parse(depth: Int, parentDef: Int16, parentRep: Int16, parentPath: [String]) throws(ParquetError) -> TreeNode {
        guard depth <= ParquetSchema.maxDepth else { throw .corrupt("the schema nests deeper than \(ParquetSchema.maxDepth) levels") }
        guard next < elements.count else { throw .corrupt("the schema ends inside a group: num_children is larger than the element list") }
        let e = elements[next]
        next += 1
        let repetition = e.repetitionType ?? .optional
        guard repetition == .required || repetition == .optional || repetition == .repeated else {
            throw .unsupported("field \(e.name) has repetition \(repetition)")
        }
        let def = parentDef + (repetition == .required ? 0 : 1)
        let rep = parentRep + (repetition == .repeated ? 1 : 0)
        let path = parentPath + [e.name]
        var children: [TreeNode] = []
        if e.type == nil {
            let n = Int(e.numChildren ?? 0)
            guard n > 0 else { throw .unsupported("group \(path.joined(separator: ".")) has no fields") }
            guard n <= elements.count - next else {
                throw .corrupt("group \(e.name) claims \(n) children but only \(elements.count - next) elements follow")
            }
            for _ in 0..<n {
                children.append(try parse(depth: depth + 1, parentDef: def, parentRep: rep, parentPath: path))
            }
        } else if let n = e.numChildren, n > 0 {
            throw .corrupt("primitive field \(e.name) claims \(n) children")
        }
        return TreeNode(element: e, children: children, def: def, rep: rep, path: path)
    }

    /// The field id (as pyarrow names it) and, for a group annotated VARIANT, `Variant.marker`: the group
    /// itself reads as the struct of its children (`metadata` and `value`, as Arrow exposes it).
    func fieldMetadata(_ e: SchemaElement) -> [String: String] {
        var m: [String: String] = [:]
        if let id = e.fieldId { m["PARQUET:field_id"] = String(id) }
        if e.type == nil, e.logicalType == .variant { m[Variant.marker] = "true" }
        return m
    }

    mutating func addNode(_ node: LogicalNode) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    /// Builds the Columnar node for `t`. `asElement` means `t` is the repeated field of a list that is
    /// itself the element (legacy two-level lists): its repetition was already folded into the list.
    mutating func build(_ t: TreeNode, parentDef: Int16, asElement: Bool, chain: inout [Int]) throws(ParquetError) -> Int {
        let e = t.element
        if t.isRepeated && !asElement {
            // A repeated field without a LIST annotation around it is a required list of that field.
            let id = addNode(LogicalNode(kind: .list, field: Field(e.name, .int32, nullable: false, metadata: fieldMetadata(e)),
                                         defPresent: parentDef, defElement: t.def, repElement: t.rep))
            chain.append(id)
            let child = try build(t, parentDef: parentDef, asElement: true, chain: &chain)
            chain.removeLast()
            var childField = nodes[child].field
            childField.metadata = [:]
            nodes[id].field.type = .list(childField)
            nodes[id].children = [child]
            return id
        }
        let nullable = !asElement && e.repetitionType != .required
        let defPresent = asElement ? t.def : t.def
        if !t.isGroup {
            let leafIndex = columns.count
            let type = try ColumnTypes.dataType(for: e, path: t.path, int96Unit: int96Unit)
            let id = addNode(LogicalNode(kind: .leaf(leafIndex), field: Field(e.name, type, nullable: nullable, metadata: fieldMetadata(e)),
                                         defPresent: defPresent))
            guard let physical = e.type else { throw .corrupt("leaf without a type") }
            columns.append(ColumnDescriptor(
                path: t.path, maxDefinitionLevel: t.def, maxRepetitionLevel: t.rep, physicalType: physical,
                typeLength: Int(e.typeLength ?? 0), logicalType: e.logicalType, convertedType: e.convertedType,
                dataType: type, index: leafIndex))
            chains.append(chain + [id])
            return id
        }
        let isList = e.logicalType == .list || e.convertedType == .list
        let isMap = e.logicalType == .map || e.convertedType == .map || e.convertedType == .mapKeyValue
        if isList && t.children.count == 1 && t.children[0].isRepeated {
            return try buildList(t, nullable: nullable, defPresent: defPresent, chain: &chain)
        }
        if isMap && t.children.count == 1 && t.children[0].isRepeated && t.children[0].isGroup {
            return try buildMap(t, nullable: nullable, defPresent: defPresent, chain: &chain)
        }
        // A plain group (or an annotation whose shape does not match): a struct.
        let id = addNode(LogicalNode(kind: .structure, field: Field(e.name, .int32, nullable: nullable, metadata: fieldMetadata(e)),
                                     defPresent: defPresent))
        chain.append(id)
        var children: [Int] = []
        for c in t.children { children.append(try build(c, parentDef: t.def, asElement: false, chain: &chain)) }
        chain.removeLast()
        nodes[id].children = children
        nodes[id].field.type = .structure(children.map { nodes[$0].field })
        return id
    }

    mutating func buildList(_ t: TreeNode, nullable: Bool, defPresent: Int16, chain: inout [Int]) throws(ParquetError) -> Int {
        let e = t.element
        let r = t.children[0]
        let id = addNode(LogicalNode(kind: .list, field: Field(e.name, .int32, nullable: nullable, metadata: fieldMetadata(e)),
                                     defPresent: defPresent, defElement: r.def, repElement: r.rep))
        chain.append(id)
        let child: Int
        // LogicalTypes.md backward-compatibility rules: the repeated field itself is the element when it
        // is primitive, has several fields, is named `array` or `<list>_tuple`, or (as pyarrow also
        // accepts) its only field is repeated again.
        let repeatedIsElement = !r.isGroup || r.children.count != 1 || r.element.name == "array"
            || r.element.name == e.name + "_tuple" || r.children[0].isRepeated
        if repeatedIsElement {
            child = try build(r, parentDef: r.def, asElement: true, chain: &chain)
        } else {
            child = try build(r.children[0], parentDef: r.def, asElement: false, chain: &chain)
        }
        chain.removeLast()
        var childField = nodes[child].field
        childField.metadata = nodes[child].field.metadata
        nodes[id].children = [child]
        nodes[id].field.type = .list(childField)
        return id
    }

    mutating func buildMap(_ t: TreeNode, nullable: Bool, defPresent: Int16, chain: inout [Int]) throws(ParquetError) -> Int {
        let e = t.element
        let kv = t.children[0]
        if kv.children.count == 1 {
            // A key_value group with only a key reads as a list of keys, as in pyarrow.
            let id = addNode(LogicalNode(kind: .list, field: Field(e.name, .int32, nullable: nullable, metadata: fieldMetadata(e)),
                                         defPresent: defPresent, defElement: kv.def, repElement: kv.rep))
            chain.append(id)
            let child = try build(kv.children[0], parentDef: kv.def, asElement: false, chain: &chain)
            chain.removeLast()
            nodes[id].children = [child]
            nodes[id].field.type = .list(nodes[child].field)
            return id
        }
        guard kv.children.count == 2 else {
            throw .unsupported("map \(t.path.joined(separator: ".")) has \(kv.children.count) fields in its key_value group")
        }
        guard kv.children[0].element.repetitionType == .required else {
            throw .unsupported("map \(t.path.joined(separator: ".")) has an optional key; map keys must be required")
        }
        let id = addNode(LogicalNode(kind: .map, field: Field(e.name, .int32, nullable: nullable, metadata: fieldMetadata(e)),
                                     defPresent: defPresent, defElement: kv.def, repElement: kv.rep))
        chain.append(id)
        let entries = addNode(LogicalNode(kind: .structure, field: Field(kv.element.name, .int32, nullable: false), defPresent: kv.def))
        chain.append(entries)
        let key = try build(kv.children[0], parentDef: kv.def, asElement: false, chain: &chain)
        let value = try build(kv.children[1], parentDef: kv.def, asElement: false, chain: &chain)
        chain.removeLast()
        chain.removeLast()
        nodes[entries].children = [key, value]
        nodes[entries].field.type = .structure([nodes[key].field, nodes[value].field])
        nodes[id].children = [entries]
        nodes[id].field.type = .map(key: nodes[key].field, value: nodes[value].field)
        return id
    }
}
