import Columnar
import DataFrame
import DeltaLog

/// Schema enforcement for writes: input columns are matched to table columns by name (case-insensitively,
/// as Delta does), safely widened where needed, and anything else is refused with a message naming the column.
enum SchemaConformance {
    /// The Delta-storable form of an input schema: timestamps in microseconds, unsigned integers widened,
    /// fixed-size binary as binary. Throws for types Delta cannot store (time of day, uint64).
    static func deltaSchema(_ schema: Schema) throws -> Schema {
        Schema(try schema.fields.map { f in Field(f.name, try deltaType(f.type, column: f.name), nullable: f.nullable, metadata: f.metadata) })
    }

    static func deltaType(_ t: DataType, column: String) throws -> DataType {
        switch t {
        case .uint8: return .int16
        case .uint16: return .int32
        case .uint32: return .int64
        case .uint64: throw DeltaError.schemaMismatch("column \(column) is uint64, which Delta cannot store; cast it to long or decimal(20,0)")
        case .time: throw DeltaError.schemaMismatch("column \(column) is a time of day, which Delta cannot store; cast it to string or timestamp")
        case .fixedSizeBinary: return .binary
        case let .timestamp(_, utc): return .timestamp(.microsecond, utc: utc)
        case let .list(f): return .list(Field(f.name, try deltaType(f.type, column: column), nullable: f.nullable, metadata: f.metadata))
        case let .structure(fs):
            return .structure(try fs.map { Field($0.name, try deltaType($0.type, column: column + "." + $0.name), nullable: $0.nullable, metadata: $0.metadata) })
        case let .map(k, v):
            return .map(key: Field(k.name, try deltaType(k.type, column: column), nullable: false),
                        value: Field(v.name, try deltaType(v.type, column: column), nullable: v.nullable))
        default: return t
        }
    }

    /// Whether data of type `from` may be written to a column of type `to` without losing values.
    static func isSafeWidening(_ from: DataType, _ to: DataType) -> Bool {
        func rank(_ t: DataType) -> Int? {
            switch t {
            case .int8: 1
            case .uint8, .int16: 2
            case .uint16, .int32: 3
            case .uint32, .int64: 4
            default: nil
            }
        }
        if let a = rank(from), let b = rank(to) { return a <= b }
        switch (from, to) {
        case (.int8, .float64), (.int16, .float64), (.int32, .float64), (.uint8, .float64), (.uint16, .float64), (.uint32, .float64),
             (.int8, .float32), (.int16, .float32), (.uint8, .float32), (.uint16, .float32):
            return true
        case (.float32, .float64), (.date, .timestamp), (.fixedSizeBinary, .binary):
            return true
        case let (.timestamp(_, a), .timestamp(_, b)): return a == b
        case let (.decimal(p1, s1), .decimal(p2, s2)): return s2 >= s1 && p2 - s2 >= p1 - s1
        default: return false
        }
    }

    /// Reorders and casts `frame` to `schema`; missing nullable columns become nulls. Extra columns are
    /// an error unless `allowExtra` (then they are returned separately for schema evolution).
    static func conform(_ frame: DataFrame, to schema: Schema, allowExtra: Bool) throws -> (DataFrame, extra: [Field]) {
        var byName: [String: Int] = [:]
        for (i, f) in frame.schema.fields.enumerated() { byName[f.name.lowercased()] = i }
        var used = Set<Int>()
        var fields: [Field] = []
        var columns: [Column] = []
        for target in schema.fields {
            guard let i = byName[target.name.lowercased()] else {
                if !target.nullable {
                    throw DeltaError.schemaMismatch("the data has no column \(target.name), which the table requires (not null)")
                }
                fields.append(target)
                columns.append(try nullColumn(target.type, count: frame.rowCount))
                continue
            }
            used.insert(i)
            var column = frame.columns[i]
            let source = frame.schema.fields[i]
            if column.type != target.type, column.type.sameIgnoringFieldMetadata(target.type), let same = column.relabeled(as: target.type) {
                // Only field metadata differs (a column-mapped table's nested fields carry ids and names).
                column = same
            } else if column.type != target.type {
                guard isSafeWidening(column.type, target.type) else {
                    throw DeltaError.schemaMismatch("column \(target.name) is \(target.type.name) in the table but \(column.type.name) in the data; cast the data to \(target.type.name)")
                }
                let one = try DataFrame([(name: source.name, column: column)])
                column = try one.evaluate(Expr.cast(.col(source.name), target.type))
            }
            if !target.nullable && column.nullCount > 0 {
                throw DeltaError.schemaMismatch("column \(target.name) is not null in the table but the data has \(column.nullCount) null value(s)")
            }
            fields.append(target)
            columns.append(column)
        }
        let extra = frame.schema.fields.enumerated().filter { !used.contains($0.offset) }
        if !extra.isEmpty && !allowExtra {
            throw DeltaError.schemaMismatch("the data has column(s) \(extra.map(\.element.name).joined(separator: ", ")) that the table (\(schema.names.joined(separator: ", "))) does not have; enable schema evolution to add them")
        }
        var extraFields: [Field] = []
        for (i, f) in extra {
            let t = try deltaType(f.type, column: f.name)
            var column = frame.columns[i]
            if column.type != t {
                let one = try DataFrame([(name: f.name, column: column)])
                column = try one.evaluate(Expr.cast(.col(f.name), t))
            }
            // Evolved columns are nullable: older files do not have them.
            let field = Field(f.name, t, nullable: true, metadata: f.metadata)
            extraFields.append(field)
            fields.append(field)
            columns.append(column)
        }
        return (try DataFrame(schema: Schema(fields), columns: columns), extraFields)
    }

    /// A column of `count` nulls of `type`.
    static func nullColumn(_ type: DataType, count: Int) throws -> Column {
        try Column(type, [Scalar](repeating: .null, count: count))
    }
}
