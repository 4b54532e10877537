import Columnar
import DataFrame
import DeltaLog

/// Brings a column read from a data file to the table's type: nested children matched by (physical) name,
/// list/map element fields renamed (`item` vs `element`), missing struct children filled with nulls, and
/// leaves of another physical type cast (timestamp units, widened types).
enum ColumnReconcile {
    static func conform(_ column: Column, to field: Field, mapping: Bool) throws -> Column {
        if column.type == field.type { return column }
        switch (field.type, column.values) {
        case let (.structure(fields), .structure(children)):
            guard case let .structure(fileFields) = column.type else { break }
            var out: [Column] = []
            for f in fields {
                let name = mapping ? DeltaSchema.physicalName(f) : f.name
                // Delta's names are case-insensitive: a child named in another case is the same field.
                if let i = fileFields.firstIndex(where: { $0.name == name }) ?? fileFields.firstIndex(where: { $0.name == f.name })
                    ?? fileFields.firstIndex(where: { $0.name.lowercased() == f.name.lowercased() }) {
                    out.append(try conform(children[i], to: f, mapping: mapping))
                } else {
                    out.append(try SchemaConformance.nullColumn(f.type, count: column.count))
                }
            }
            return Column(unchecked: field.type, count: column.count, validity: column.validity, values: .structure(out))
        case let (.list(element), .list(offsets, child)):
            let c = try conform(child, to: element, mapping: mapping)
            return Column(unchecked: field.type, count: column.count, validity: column.validity, values: .list(offsets: offsets, child: c))
        case let (.map(kf, vf), .map(offsets, keys, values)):
            let k = try conform(keys, to: kf, mapping: mapping)
            let v = try conform(values, to: vf, mapping: mapping)
            return Column(unchecked: field.type, count: column.count, validity: column.validity, values: .map(offsets: offsets, keys: k, values: v))
        default:
            break
        }
        if column.type.isNested || field.type.isNested {
            throw DeltaError.schemaMismatch("column \(field.name) is \(column.type.name) in the data file but \(field.type.name) in the table")
        }
        let one = try DataFrame([(name: "c", column: column)])
        return try one.evaluate(Expr.cast(.col("c"), field.type))
    }
}
