import ObjectStore

/// Writes the deletion vectors of one commit (PROTOCOL.md "Deletion Vector Format" and "Deletion Vector File
/// Storage Format"): a vector whose serialized bitmap is small goes inline into the log (storage type `i`,
/// Z85 text), every other one into a single `deletion_vector_<uuid>.bin` file of the table (storage type `u`):
/// a version byte (1), then per vector a 4-byte big-endian size, the serialized `RoaringBitmapArray`, and a
/// 4-byte big-endian CRC-32 of that bitmap. Descriptors point at the size field (`offset`), as Spark's do.
///
/// Collect every vector with `add`, then `store` the file (nothing is written when every vector was inline)
/// before committing the descriptors. Not thread-safe.
public struct DeletionVectorWriter: Sendable {
    /// Serialized bitmaps up to this many bytes go inline. Inline vectors are replayed with every log and
    /// checkpoint read, so they are kept to the size of a file's stats text: 256 bytes hold about a hundred
    /// scattered row indexes (2 bytes each in an array container, after a 30-byte header). Larger ones go to
    /// the `.bin` file, which readers fetch only for the file they scan.
    public static let defaultInlineLimit = 256

    /// The largest serialized bitmap `add` inlines.
    public let inlineLimit: Int
    /// Key of the vector file relative to the table root: `[<prefix>/]deletion_vector_<uuid>.bin`.
    public let path: String
    private let uuid: [UInt8]
    private let prefix: String
    private var file: [UInt8] = [1]
    private var stored = 0

    /// A writer whose file is named by `uuid` (canonical `8-4-4-4-12` text) under the optional directory
    /// `prefix` (the protocol's random prefix, e.g. two letters; empty puts the file at the table root).
    public init(uuid: String, prefix: String = "", inlineLimit: Int = defaultInlineLimit) throws(DeltaError) {
        guard let bytes = DeletionVectorDescriptor.uuidBytes(uuid) else {
            throw .invalidDeletionVector("\(uuid) is not a UUID in 8-4-4-4-12 hex form")
        }
        guard !prefix.contains("/"), prefix.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else {
            throw .invalidDeletionVector("a deletion vector prefix is one path segment of printable ASCII, not \"\(prefix)\"")
        }
        self.uuid = bytes
        self.prefix = prefix
        self.inlineLimit = max(0, inlineLimit)
        let name = "deletion_vector_" + DeletionVectorDescriptor.uuidString(bytes) + ".bin"
        path = prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The descriptor of a vector deleting `rows` (sorted, distinct, non-negative row indexes; at least one).
    public mutating func add(_ rows: [Int64]) throws(DeltaError) -> DeletionVectorDescriptor {
        guard !rows.isEmpty else { throw .invalidDeletionVector("a deletion vector deletes at least one row") }
        var previous: Int64 = -1
        for r in rows {
            guard r > previous else {
                throw .invalidDeletionVector("row indexes of a deletion vector must be non-negative and strictly increasing (\(r) after \(previous))")
            }
            previous = r
        }
        let bitmap = RoaringBitmapArray.encode(rows)
        guard let size = Int32(exactly: bitmap.count) else {
            throw .invalidDeletionVector("a serialized deletion vector of \(bitmap.count) bytes exceeds the protocol's 2^31 - 1")
        }
        let cardinality = Int64(rows.count)
        if bitmap.count <= inlineLimit {
            // Z85 takes whole 4-byte groups: pad with zeros; sizeInBytes keeps the bitmap's own length.
            let padded = bitmap + [UInt8](repeating: 0, count: (4 - bitmap.count % 4) % 4)
            guard let text = Z85.encode(padded) else { throw .invalidDeletionVector("cannot Z85-encode \(padded.count) bytes") }
            return DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: text, offset: nil, sizeInBytes: size, cardinality: cardinality)
        }
        guard let offset = Int32(exactly: file.count), file.count + 8 + bitmap.count <= Int(Int32.max) else {
            throw .invalidDeletionVector("the deletion vector file of one commit would pass 2 GiB; delete in smaller steps")
        }
        appendBigEndian(UInt32(bitmap.count))
        file += bitmap
        appendBigEndian(CRC32.checksum(bitmap))
        stored += 1
        return try DeletionVectorDescriptor.relative(uuid: uuid, prefix: prefix, offset: offset, sizeInBytes: size, cardinality: cardinality)
    }

    /// The vector file's bytes, or nil when no vector went to it.
    public var fileBytes: [UInt8]? { stored > 0 ? file : nil }

    /// Writes the vector file to `store` (the table root's) when some vector went to it.
    public func store(to store: any ObjectStore) async throws(DeltaError) {
        guard let bytes = fileBytes else { return }
        try await StoreAccess.put(store, path, bytes)
    }

    private mutating func appendBigEndian(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { file.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
}

extension DeletionVectorDescriptor {
    /// The 16 bytes of a UUID in canonical `8-4-4-4-12` hex text (either case), or nil for other text.
    public static func uuidBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count == 36 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(16)
        var i = 0
        while i < chars.count {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard chars[i] == UInt8(ascii: "-") else { return nil }
                i += 1
                continue
            }
            guard i + 1 < chars.count, let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out.count == 16 ? out : nil
    }
}

extension RoaringBitmapArray {
    /// The sorted union of two sorted, distinct row index lists (a file's old vector and its newly deleted rows).
    public static func union(_ a: [Int64], _ b: [Int64]) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { out.append(a[i]); i += 1 } else if b[j] < a[i] { out.append(b[j]); j += 1 } else { out.append(a[i]); i += 1; j += 1 }
        }
        out += a[i...]
        out += b[j...]
        return out
    }
}
