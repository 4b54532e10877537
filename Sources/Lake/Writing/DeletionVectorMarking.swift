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

    /// Marks the rows of `add` whose bit is set in `removed` (over the rows as read, `rowIndex` giving each
    /// one's Delta row index) deleted, on top of the file's old vector.
    mutating func mark(_ add: AddFile, rowIndex: [Int64]?, removed: Bitmap, deletionTimestamp: Int64) async throws(LakeError) {
        guard let rowIndex, rowIndex.count == removed.count else {
            throw LakeError(.failed, "marking rows of \(add.path) deleted: the file was read without its row indexes")
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
        replacement.stats = add.stats.map(Self.looseBounds)
        if add.statsNumRecords == nil {
            // The protocol requires numRecords on a file with a vector (readers subtract the cardinality).
            replacement.stats = Self.withNumRecords(replacement.stats, try await physicalRows(add))
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

    /// `stats` (a JSON object, or nil for none) with `numRecords` added in front.
    static func withNumRecords(_ stats: String?, _ rows: Int64) -> String {
        guard let stats, let scan = TopLevelKeys(Array(stats.utf8)) else { return "{\"numRecords\":\(rows)}" }
        var bytes = Array(stats.utf8)
        let brace = bytes.firstIndex(of: UInt8(ascii: "{")) ?? 0
        bytes.insert(contentsOf: Array("\"numRecords\":\(rows)\(scan.keys.isEmpty ? "" : ",")".utf8), at: brace + 1)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Stores the vector file (when some vector is not inline); returns the marked files.
    func finish() async throws(LakeError) -> [Marked] {
        do { try await writer.store(to: table.store) } catch { throw LakeError(error) }
        return marked
    }

    /// File stats for a file under a deletion vector, as Spark writes them: `numRecords` stays the physical
    /// row count (readers subtract the vector's cardinality), and the bounds, which still hold but may no
    /// longer be reached, say `"tightBounds":false`. Stats with only a row count (or unreadable text) stay as
    /// they are: there are no bounds to qualify.
    static func looseBounds(_ stats: String) -> String {
        var bytes = Array(stats.utf8)
        guard let scan = TopLevelKeys(bytes), scan.keys.contains(where: { $0.name != "numRecords" }) else { return stats }
        if let tight = scan.keys.first(where: { $0.name == "tightBounds" }) {
            bytes.replaceSubrange(tight.value, with: Array("false".utf8))
        } else {
            bytes.insert(contentsOf: Array(",\"tightBounds\":false".utf8), at: scan.closingBrace)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The top-level keys of a JSON object and where their values are, found by tracking strings and
    /// nesting; nil for text that is not one well-nested object.
    struct TopLevelKeys {
        var keys: [(name: String, value: Range<Int>)] = []
        var closingBrace = 0

        init?(_ b: [UInt8]) {
            var i = 0
            func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
            func skipString() -> Bool {
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { return false }
                i += 1
                while i < b.count {
                    if b[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if b[i] == UInt8(ascii: "\"") { i += 1; return true }
                    i += 1
                }
                return false
            }
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
            i += 1
            while true {
                skipSpace()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: "}") { closingBrace = i; break }
                if b[i] == UInt8(ascii: ",") { i += 1; skipSpace() }
                let nameStart = i
                guard skipString() else { return nil }
                let name = String(decoding: b[(nameStart + 1)..<(i - 1)], as: UTF8.self)
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace()
                let valueStart = i
                var depth = 0
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: "\"") { guard skipString() else { return nil }; continue }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                    if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        if depth == 0 { break }
                        depth -= 1
                    }
                    if c == UInt8(ascii: ","), depth == 0 { break }
                    i += 1
                }
                var valueEnd = i
                while valueEnd > valueStart, b[valueEnd - 1] == 0x20 || b[valueEnd - 1] == 0x0A || b[valueEnd - 1] == 0x0D || b[valueEnd - 1] == 0x09 { valueEnd -= 1 }
                guard valueEnd > valueStart else { return nil }
                keys.append((name, valueStart..<valueEnd))
            }
        }
    }
}
