import Columnar
import DeltaLog

/// Marks rows of data files deleted through deletion vectors, for `FileRewrite`: a file's new vector is its
/// old one united with the Delta row indexes of the rows leaving it; the file stays, and the commit replaces
/// its logical file (the old `add` is removed with its old vector, the same path is added with the new one).
/// Vectors of one operation share one `deletion_vector_<uuid>.bin` file at the table root, small ones go
/// inline (`DeletionVectorWriter`).
struct DeletionVectorMarking {
    /// A file kept under a new deletion vector.
    struct Marked: Sendable, Hashable {
        /// The `remove` of the old logical file (with its old vector, if any).
        var remove: RemoveFile
        /// The `add` of the same path with the new vector.
        var add: AddFile
    }

    /// Whether changes to `snapshot`'s table mark deletion vectors: the protocol has the `deletionVectors`
    /// feature and the table property `delta.enableDeletionVectors` is true (Spark's rule; with the feature
    /// but the property off, existing vectors are read and files are rewritten).
    static func enabled(_ snapshot: Snapshot) -> Bool {
        TableFeatures.supports(snapshot.protocolAction, feature: "deletionVectors")
            && snapshot.properties["delta.enableDeletionVectors"]?.lowercased() == "true"
    }

    private let table: DeltaTable
    private var writer: DeletionVectorWriter
    private var marked: [Marked] = []

    /// A marking for `table`; its vector file takes a fresh id from the table's context.
    init(table: DeltaTable) throws(LakeError) {
        self.table = table
        do { writer = try DeletionVectorWriter(uuid: table.context.uuid()) } catch { throw LakeError(error) }
    }

    /// The Delta row indexes of the rows set in `removed` (over rows read with `rowIndex`), ascending.
    static func rowIndexes(of removed: Bitmap, in rowIndex: [Int64]?, file: String) throws(LakeError) -> [Int64] {
        guard let rowIndex, rowIndex.count == removed.count else {
            throw LakeError(.failed, "marking rows of \(file) deleted: the file was read without its row indexes")
        }
        var gone: [Int64] = []
        gone.reserveCapacity(removed.setCount)
        for (w, word) in removed.words.enumerated() {
            var bits = word
            while bits != 0 {
                let i = w &* 64 &+ bits.trailingZeroBitCount
                bits &= bits &- 1
                guard i < rowIndex.count else { break }
                gone.append(rowIndex[i])
            }
        }
        return gone
    }

    /// Marks the rows of `add` at the Delta row indexes `gone` (ascending) deleted, on top of the file's old
    /// vector.
    mutating func mark(_ add: AddFile, gone: [Int64], deletionTimestamp: Int64) async throws(LakeError) {
        var rows = gone
        if let old = add.deletionVector {
            let before: [Int64]
            do { before = try await DeletionVectorReader.deletedRows(old, store: table.store) } catch { throw LakeError(error) }
            rows = RoaringBitmapArray.union(before, gone)
        }
        let descriptor: DeletionVectorDescriptor
        do { descriptor = try writer.add(rows) } catch { throw LakeError(error) }
        var replacement = add
        replacement.deletionVector = descriptor
        replacement.dataChange = true
        replacement.stats = add.statsWithLooseBounds
        if add.statsNumRecords == nil {
            // The protocol requires numRecords on a file with a vector (readers subtract the cardinality).
            replacement.stats = replacement.statsWithNumRecords(try await physicalRows(add))
        }
        marked.append(Marked(remove: add.removal(deletionTimestamp: deletionTimestamp), add: replacement))
    }

    /// The rows of `add`'s data file, from its Parquet footer (only the footer is fetched).
    private func physicalRows(_ add: AddFile) async throws(LakeError) -> Int64 {
        let location = try FileResolution.resolve(add.path, table: table)
        do {
            let (reader, _) = try await FetchedRanges.openParquet(store: location.store, key: location.key, expectedSize: add.size)
            return reader.metadata.numRows
        } catch {
            throw LakeError(error)
        }
    }

    /// Stores the vector file (when some vector is not inline); returns the marked files.
    func finish() async throws(LakeError) -> [Marked] {
        do { try await writer.store(to: table.store) } catch { throw LakeError(error) }
        return marked
    }
}
