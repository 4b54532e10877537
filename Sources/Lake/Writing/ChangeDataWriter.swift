import Columnar
import DataFrame
import DeltaLog

/// Writes the change data of an operation on a table with the change data feed on
/// (`delta.enableChangeDataFeed=true`; PROTOCOL.md "Change Data Files"): the images of the rows it deleted,
/// updated and inserted, each with `_change_type` (`delete`, `update_preimage`, `update_postimage`, `insert`),
/// into Parquet files under `_change_data/` (partitioned like the data), described by `cdc` actions.
///
/// A commit that has `cdc` actions is read from them alone, so an operation that writes any change data must
/// write all of its changes here: every deleted row, both images of every updated row, every inserted row.
final class ChangeDataWriter {
    /// The column naming each change row's kind.
    static let changeTypeColumn = "_change_type"

    /// The kinds of change rows.
    enum ChangeType: String {
        case insert, delete
        case updatePreimage = "update_preimage"
        case updatePostimage = "update_postimage"
    }

    /// Whether a table with `metadata` records change data.
    static func enabled(_ metadata: Metadata) -> Bool {
        metadata.configuration["delta.enableChangeDataFeed"]?.lowercased() == "true"
    }

    private let writer: DataFileWriter
    private let schema: Schema

    /// A writer of change rows with `schema`'s columns (the table's logical schema) into `table`.
    init(table: DeltaTable, metadata: Metadata, schema: Schema, targetFileSize: Int) throws(LakeError) {
        self.schema = schema
        let withType = Schema(schema.fields + [Field(Self.changeTypeColumn, .string, nullable: false)])
        writer = try DataFileWriter(table: table, metadata: metadata, schema: withType, targetFileSize: targetFileSize, dataChange: false, changeData: true)
    }

    /// Adds `rows` (the table's columns) as changes of `type`.
    func write(_ rows: DataFrame, as type: ChangeType) async throws(LakeError) {
        guard rows.rowCount > 0 else { return }
        let kind = Column(unchecked: .string, count: rows.rowCount, validity: nil,
                          values: .bytes(offsets: Self.offsets(length: type.rawValue.utf8.count, count: rows.rowCount),
                                         data: Self.repeated(Array(type.rawValue.utf8), count: rows.rowCount)))
        let frame: DataFrame
        do { frame = try DataFrame(schema: Schema(rows.schema.fields + [Field(Self.changeTypeColumn, .string, nullable: false)]), columns: rows.columns + [kind]) } catch { throw LakeError(error) }
        try await writer.write(frame)
    }

    /// Stores the last files; returns their `cdc` actions.
    func finish() async throws(LakeError) -> [AddCDCFile] {
        try await writer.finish().map { AddCDCFile(path: $0.path, partitionValues: $0.partitionValues, size: $0.size, dataChange: false) }
    }

    private static func repeated(_ bytes: [UInt8], count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count &* count)
        for _ in 0..<count { out.append(contentsOf: bytes) }
        return out
    }

    private static func offsets(length: Int, count: Int) -> [Int64] {
        (0...count).map { Int64($0) &* Int64(length) }
    }
}
