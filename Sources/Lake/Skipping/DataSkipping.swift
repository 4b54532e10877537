import Columnar
import DataFrame
import DeltaLog
import Parquet

/// Typed data skipping for one predicate over one table: which files (by partition values, then by stats)
/// and which Parquet row groups can hold a row the predicate selects.
///
/// One evaluator serves all three: the predicate is compiled once into a `SkippingPredicate` whose leaves
/// compare a column with constants typed as the engine types them; each file, partition or row group then
/// only supplies `ColumnBounds` for the referenced columns. Values compare exactly in their own type
/// (ARCHITECTURE.md invariant 7); a file is dropped only when no row in it can make the predicate TRUE,
/// under SQL's three-valued logic. Everything is a pure function of values: no I/O.
///
/// Understood: `= <> < <= > >=` with the constant on either side, `<=>` / `IS [NOT] DISTINCT FROM`,
/// `[NOT] BETWEEN`, `[NOT] IN (...)`, `IS [NOT] NULL`, `AND`, `OR`, `NOT`, boolean columns and constants,
/// `CAST` of constants. Anything else (functions, column against column, LIKE) may match.
struct DataSkipping: Sendable {
    /// The table the predicate was compiled for.
    let table: SkippingTable
    /// The compiled predicate.
    let predicate: SkippingPredicate
    /// The columns the compiled predicate reads, by slot.
    let columns: [SkippingColumn]
    /// Stats paths of the data columns, and for each the slot it fills.
    let statsPaths: StatsColumnPaths
    let statsSlots: [Int]

    /// Compiles `predicate` for `table`. Never fails: what cannot be used for skipping keeps files.
    init(predicate: Expr, table: SkippingTable) {
        var compiler = PredicateCompiler(table: table)
        self.predicate = compiler.compile(predicate)
        self.table = table
        let columns = compiler.columns
        let data = columns.indices.filter { !columns[$0].isPartition }
        self.columns = columns
        statsSlots = data
        statsPaths = StatsColumnPaths(data.map { [columns[$0].physicalName] })
    }

    /// Compiles `predicate` for the snapshot's table.
    init(predicate: Expr, snapshot: Snapshot) {
        self.init(predicate: predicate, table: SkippingTable(snapshot: snapshot))
    }

    /// Whether the predicate reads any partition column (else partition pruning keeps every file).
    var readsPartitionColumns: Bool { columns.contains { $0.isPartition } }

    /// Whether the predicate reads any data column (else stats and row groups keep everything).
    var readsDataColumns: Bool { !statsSlots.isEmpty }

    /// Whether `add`'s partition values allow a matching row (data columns unknown).
    func partitionMayMatch(_ add: AddFile) -> Bool {
        guard readsPartitionColumns else { return predicate.outcomes([]).mayMatch }
        return predicate.outcomes(partitionBounds(add)).mayMatch
    }

    /// Whether `add`'s partition values alone make the predicate TRUE for every row of the file, whatever its
    /// data columns hold: then a delete can drop the file without reading it. The outcome sets are supersets of
    /// what rows can take, so `[.isTrue]` is a proof; anything the compiler does not follow keeps `.any`.
    func partitionDecidesTrue(_ add: AddFile) -> Bool {
        predicate.outcomes(partitionBounds(add)) == .isTrue
    }

    /// Whether `add`'s partition values and stats together allow a matching row. Files without stats, or
    /// with stats that do not parse, are kept.
    func statsMayMatch(_ add: AddFile) -> Bool {
        var bounds = partitionBounds(add)
        if readsDataColumns, let stats = add.statsLeaves(statsPaths) {
            for (k, slot) in statsSlots.enumerated() {
                bounds[slot] = StatsBounds.bounds(stats.leaves[k], numRecords: stats.numRecords, type: columns[slot].field.type,
                                                  stringPrefixLength: table.stringPrefixLength)
            }
        }
        return predicate.outcomes(bounds).mayMatch
    }

    /// Bounds for every slot: partition columns from `add`, data columns unknown.
    func partitionBounds(_ add: AddFile) -> [ColumnBounds] {
        columns.map { $0.isPartition ? PartitionBounds.bounds(add, column: $0) : .unknown }
    }

    /// The row groups of a data file that may hold a matching row, or nil to read them all (nothing to
    /// skip, or nothing known). Only top-level data columns are used; `add` supplies partition values.
    func rowGroupsToRead(_ reader: ParquetReader, of add: AddFile? = nil) -> [Int]? {
        let fileSchema = reader.schema
        return rowGroupsToRead(
            groupCount: reader.rowGroupCount,
            rows: { reader.metadata.rowGroups[$0].numRows },
            fileType: { name in fileSchema.field(named: name)?.type },
            statistics: { group, name in (try? reader.statistics(rowGroup: group, column: name)) ?? nil },
            partitions: add)
    }

    /// `rowGroupsToRead` over plain functions: the number of groups, each group's row count, the file's
    /// type of a physical column (nil when absent) and a group's statistics for it.
    func rowGroupsToRead(groupCount: Int, rows: (Int) -> Int64, fileType: (String) -> DataType?,
                         statistics: (Int, String) -> ColumnStatistics?, partitions add: AddFile? = nil) -> [Int]? {
        guard readsDataColumns, groupCount > 0 else { return nil }
        let base = add.map(partitionBounds) ?? Array(repeating: .unknown, count: columns.count)
        let types = statsSlots.map { fileType(columns[$0].physicalName) }
        var keep: [Int] = []
        for group in 0..<groupCount {
            var bounds = base
            for (k, slot) in statsSlots.enumerated() {
                // A column the file lacks, or stores nested, is unknown here: keep the group.
                guard let fileType = types[k], !fileType.isNested else { continue }
                bounds[slot] = RowGroupBounds.bounds(statistics(group, columns[slot].physicalName), fileType: fileType,
                                                     type: columns[slot].field.type, rows: rows(group))
            }
            if predicate.outcomes(bounds).mayMatch { keep.append(group) }
        }
        return keep.count == groupCount ? nil : keep
    }
}
