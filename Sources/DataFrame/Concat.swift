import Columnar

extension DataFrame {
    /// The frames one after another (SQL `UNION ALL BY NAME`).
    ///
    /// The result has the first frame's columns followed by columns that only later frames have.
    /// A column missing from a frame is filled with nulls, which requires the field to be nullable:
    /// silently inventing nulls in a NOT NULL column would break the table's contract. Columns with the
    /// same name must have the same type; integers of different widths are not widened here (cast first).
    public static func concat(_ frames: [DataFrame]) throws(DataFrameError) -> DataFrame {
        guard let first = frames.first else { return DataFrame(emptyOf: Schema([])) }
        if frames.count == 1 { return first }
        var fields = first.schema.fields
        var position = [String: Int]()
        for (i, f) in fields.enumerated() { position[f.name] = i }
        for frame in frames.dropFirst() {
            for f in frame.schema.fields {
                if let i = position[f.name] {
                    guard fields[i].type == f.type else {
                        throw .shapeMismatch("column `\(f.name)` is \(fields[i].type.name) in one frame and \(f.type.name) in another; cast one of them")
                    }
                    if f.nullable { fields[i].nullable = true }
                } else {
                    position[f.name] = fields.count
                    fields.append(f)
                }
            }
        }
        for frame in frames {
            for (i, f) in fields.enumerated() where frame.schema.index(of: f.name) == nil {
                guard f.nullable || frame.rowCount == 0 else {
                    throw .shapeMismatch("column `\(f.name)` is missing from a frame and is NOT NULL, so it cannot be filled with nulls")
                }
                fields[i].nullable = true
            }
        }
        var columns = [Column]()
        columns.reserveCapacity(fields.count)
        for f in fields {
            var parts = [Column]()
            for frame in frames {
                if let i = frame.schema.index(of: f.name) {
                    parts.append(frame.columns[i])
                } else {
                    parts.append(Kernels.nulls(f.type, count: frame.rowCount))
                }
            }
            do {
                columns.append(try Column.concatenate(parts))
            } catch {
                throw .columnar(error)
            }
        }
        let total = frames.reduce(0) { $0 + $1.rowCount }
        return DataFrame(unchecked: Schema(fields, metadata: first.schema.metadata), columns: columns, rowCount: total)
    }

    /// This frame followed by `other`, aligned by column name (see `concat(_:)`).
    public func appending(_ other: DataFrame) throws(DataFrameError) -> DataFrame {
        try DataFrame.concat([self, other])
    }
}
