/// Where a deletion vector lives and how big it is (PROTOCOL.md "Deletion Vector Descriptor Schema").
public struct DeletionVectorDescriptor: Sendable, Hashable {
    /// How `pathOrInlineDv` is interpreted.
    public enum StorageType: String, Sendable, Hashable {
        /// `u`: a file relative to the table root, named by a Z85-encoded UUID with an optional prefix.
        case uuidRelative = "u"
        /// `i`: the serialized bitmap itself, Z85-encoded.
        case inline = "i"
        /// `p`: an absolute path URI.
        case absolutePath = "p"
    }

    /// The storage type.
    public var storageType: StorageType
    /// `<prefix><z85 uuid>`, the Z85 inline bitmap, or an absolute path, depending on `storageType`.
    public var pathOrInlineDv: String
    /// Byte offset of the DV within its file (absent for inline DVs).
    public var offset: Int32?
    /// Size of the serialized DV in bytes.
    public var sizeInBytes: Int32
    /// Number of rows the DV deletes.
    public var cardinality: Int64

    /// Creates a descriptor.
    public init(storageType: StorageType, pathOrInlineDv: String, offset: Int32? = nil, sizeInBytes: Int32, cardinality: Int64) {
        self.storageType = storageType
        self.pathOrInlineDv = pathOrInlineDv
        self.offset = offset
        self.sizeInBytes = sizeInBytes
        self.cardinality = cardinality
    }

    /// Identifies the DV among those of one data file: storage type, path or inline data, and `@offset` if any.
    public var uniqueId: String {
        var id = storageType.rawValue + pathOrInlineDv
        if let offset { id += "@\(offset)" }
        return id
    }

    /// Where to find the DV's bytes.
    public enum Location: Sendable, Hashable {
        /// A key relative to the table root, e.g. `ab/deletion_vector_<uuid>.bin`; read at `offset`.
        case relative(String)
        /// An absolute path URI, as written in the log; read at `offset`.
        case absolute(String)
        /// The serialized bitmap itself (already Z85-decoded and trimmed to `sizeInBytes`).
        case inline([UInt8])
    }

    /// Resolves the descriptor; throws `DeltaError.invalidDeletionVector` for malformed Z85 or UUIDs.
    public func location() throws(DeltaError) -> Location {
        switch storageType {
        case .absolutePath:
            return .absolute(pathOrInlineDv)
        case .inline:
            guard let bytes = Z85.decode(pathOrInlineDv) else {
                throw .invalidDeletionVector("inline DV is not valid Z85")
            }
            guard sizeInBytes >= 0, Int(sizeInBytes) <= bytes.count else {
                throw .invalidDeletionVector("inline DV has \(bytes.count) bytes, sizeInBytes says \(sizeInBytes)")
            }
            return .inline(Array(bytes.prefix(Int(sizeInBytes))))
        case .uuidRelative:
            let chars = Array(pathOrInlineDv.utf8)
            guard chars.count >= 20 else {
                throw .invalidDeletionVector("relative DV path \"\(pathOrInlineDv)\" is shorter than a Z85 UUID (20 characters)")
            }
            let prefix = String(decoding: chars[..<(chars.count - 20)], as: UTF8.self)
            let encoded = String(decoding: chars[(chars.count - 20)...], as: UTF8.self)
            guard let uuid = Z85.decode(encoded), uuid.count == 16 else {
                throw .invalidDeletionVector("relative DV path \"\(pathOrInlineDv)\" does not end in a Z85 UUID")
            }
            let name = "deletion_vector_" + Self.uuidString(uuid) + ".bin"
            return .relative(prefix.isEmpty ? name : prefix + "/" + name)
        }
    }

    /// A `u` descriptor for a DV file `<prefix>/deletion_vector_<uuid>.bin` (uuid as 16 bytes).
    public static func relative(uuid: [UInt8], prefix: String = "", offset: Int32?, sizeInBytes: Int32, cardinality: Int64) throws(DeltaError) -> DeletionVectorDescriptor {
        guard uuid.count == 16, let z = Z85.encode(uuid) else { throw .invalidDeletionVector("a UUID has 16 bytes") }
        return DeletionVectorDescriptor(storageType: .uuidRelative, pathOrInlineDv: prefix + z, offset: offset, sizeInBytes: sizeInBytes, cardinality: cardinality)
    }

    /// Lowercase canonical `8-4-4-4-12` form of 16 UUID bytes.
    static func uuidString(_ b: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// ZeroMQ Base-85 (Z85), which Delta uses for DV UUIDs and inline bitmaps: 4 bytes big-endian ⇄ 5 characters.
public enum Z85 {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
    static let decodeTable: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Encodes bytes; nil unless the count is a multiple of 4 (pad first, as Delta does for inline DVs).
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 * 5)
        var i = 0
        while i < bytes.count {
            var v = UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
            var chunk = [UInt8](repeating: 0, count: 5)
            for j in stride(from: 4, through: 0, by: -1) {
                chunk[j] = alphabet[Int(v % 85)]
                v /= 85
            }
            out.append(contentsOf: chunk)
            i += 4
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes Z85 text; nil for a length not a multiple of 5, a character outside the alphabet, or overflow.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 5 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 5 * 4)
        var i = 0
        while i < chars.count {
            var v: UInt64 = 0
            for j in 0..<5 {
                let d = decodeTable[Int(chars[i + j])]
                if d == 0xFF { return nil }
                v = v * 85 + UInt64(d)
            }
            if v > UInt64(UInt32.max) { return nil }
            out.append(UInt8(truncatingIfNeeded: v >> 24))
            out.append(UInt8(truncatingIfNeeded: v >> 16))
            out.append(UInt8(truncatingIfNeeded: v >> 8))
            out.append(UInt8(truncatingIfNeeded: v))
            i += 5
        }
        return out
    }
}
