/// Types that differ only in what their fields are called or carry: the same values under another label.
/// Delta's column mapping needs it both ways (a table's nested fields carry ids and physical names that the
/// rows written to it lack; data files name nested fields by physical names), and a cast between such types
/// moves no value.
extension DataType {
    /// Whether `self` and `other` differ at most in the metadata of their fields: names, nullability, leaf
    /// types and variant markers equal.
    public func sameIgnoringFieldMetadata(_ other: DataType) -> Bool {
        func same(_ x: Field, _ y: Field) -> Bool {
            x.name == y.name && x.nullable == y.nullable && x.isVariant == y.isVariant && x.type.sameIgnoringFieldMetadata(y.type)
        }
        switch (self, other) {
        case let (.structure(a), .structure(b)):
            return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case let (.list(a), .list(b)):
            return same(a, b)
        case let (.map(k1, v1), .map(k2, v2)):
            return same(k1, k2) && same(v1, v2)
        default:
            return self == other
        }
    }
}

extension Column {
    /// This column under `type`, which has its shape (structs of as many fields, lists, maps, equal leaf
    /// types) but other field names or metadata; children are relabeled too and every buffer is shared.
    /// Nil when the shapes differ.
    public func relabeled(as type: DataType) -> Column? {
        if self.type == type { return self }
        let out: ColumnValues
        switch (type, values) {
        case let (.structure(fields), .structure(children)) where fields.count == children.count:
            var relabeled: [Column] = []
            relabeled.reserveCapacity(children.count)
            for (f, child) in zip(fields, children) {
                guard let c = child.relabeled(as: f.type) else { return nil }
                relabeled.append(c)
            }
            out = .structure(relabeled)
        case let (.list(element), .list(offsets, child)):
            guard let c = child.relabeled(as: element.type) else { return nil }
            out = .list(offsets: offsets, child: c)
        case let (.map(key, value), .map(offsets, keys, items)):
            guard let k = keys.relabeled(as: key.type), let v = items.relabeled(as: value.type) else { return nil }
            out = .map(offsets: offsets, keys: k, values: v)
        default:
            return nil
        }
        return Column(unchecked: type, count: count, validity: validity, values: out)
    }
}
