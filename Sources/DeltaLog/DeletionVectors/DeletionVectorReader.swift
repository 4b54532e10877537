import ObjectStore

/// Loads deletion vectors (PROTOCOL.md "Deletion Vectors"): inline ones from their Z85 text, stored ones
/// from `<offset>`: a 4-byte big-endian size, the serialized bitmap, a 4-byte big-endian CRC-32.
public enum DeletionVectorReader {
    /// Sorted row indexes the descriptor deletes; `store` is the table root's store.
    ///
    /// With `rowCount` (the data file's rows), a cardinality above it or a row index at or past it is an
    /// error: such a DV belongs to another file or is corrupt. Decoding never produces more rows than the
    /// cardinality, whatever the bitmap claims.
    public static func deletedRows(_ dv: DeletionVectorDescriptor, store: any ObjectStore, rowCount: Int64? = nil) async throws(DeltaError) -> [Int64] {
        guard dv.sizeInBytes >= 0, dv.cardinality >= 0 else {
            throw .invalidDeletionVector("negative sizeInBytes (\(dv.sizeInBytes)) or cardinality (\(dv.cardinality)) in \(dv.uniqueId)")
        }
        if let rowCount, dv.cardinality > rowCount {
            throw .invalidDeletionVector("\(dv.uniqueId) deletes \(dv.cardinality) rows of a data file that has \(rowCount)")
        }
        let bitmap: [UInt8]
        switch try dv.location() {
        case let .inline(bytes):
            bitmap = bytes
        case let .relative(path):
            bitmap = try await readStored(store: store, path: path, dv: dv)
        case let .absolute(uri):
            guard let decoded = DeltaPath.decode(uri) else { throw .invalidDeletionVector("malformed absolute DV path \(uri)") }
            // Another directory than the table's: open it as its own store.
            let slash = decoded.lastIndex(of: "/") ?? decoded.startIndex
            let dir = String(decoded[..<slash]), name = String(decoded[decoded.index(after: slash)...])
            let other: any ObjectStore
            do { other = try StoreLocation.open(dir.isEmpty ? "/" : dir) } catch { throw .storage(error) }
            bitmap = try await readStored(store: other, path: name, dv: dv)
        }
        let rows = try RoaringBitmapArray.decode(bitmap, limit: Int(clamping: dv.cardinality))
        guard Int64(rows.count) == dv.cardinality else {
            throw .invalidDeletionVector("\(dv.uniqueId) decodes to \(rows.count) rows, cardinality says \(dv.cardinality)")
        }
        if let rowCount, let last = rows.last, last >= rowCount {
            throw .invalidDeletionVector("\(dv.uniqueId) deletes row \(last) of a data file that has \(rowCount) rows")
        }
        return rows
    }

    /// The bitmap bytes of a DV stored in a file, with its size and checksum checked.
    static func readStored(store: any ObjectStore, path: String, dv: DeletionVectorDescriptor) async throws(DeltaError) -> [UInt8] {
        let offset = Int(dv.offset ?? 1)
        let size = Int(dv.sizeInBytes)
        guard offset >= 0 else { throw .invalidDeletionVector("negative offset \(offset) in \(dv.uniqueId)") }
        let chunk = try await StoreAccess.getRange(store, path, offset..<(offset + 4 + size + 4))
        guard chunk.count == size + 8 else {
            throw .invalidDeletionVector("\(path) ends before the \(size)-byte DV at offset \(offset)")
        }
        func be32(_ at: Int) -> UInt32 { chunk[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        guard be32(0) == UInt32(size) else {
            throw .invalidDeletionVector("\(path) at offset \(offset) stores a DV of \(be32(0)) bytes, the log says \(size)")
        }
        let bitmap = Array(chunk[4..<4 + size])
        guard CRC32.checksum(bitmap) == be32(4 + size) else {
            throw .invalidDeletionVector("checksum mismatch for the DV in \(path) at offset \(offset)")
        }
        return bitmap
    }
}

extension Snapshot {
    /// Sorted indexes of the rows of `file` its deletion vector deletes (empty without one).
    public func deletedRows(for file: AddFile) async throws(DeltaError) -> [Int64] {
        guard let dv = file.deletionVector else { return [] }
        return try await DeletionVectorReader.deletedRows(dv, store: store)
    }
}
