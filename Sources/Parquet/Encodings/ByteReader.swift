/// A bounds-checked cursor over untrusted bytes. Every read checks the remaining length once and throws
/// `ParquetError.corrupt` instead of trapping.
public struct ByteReader {
    /// The bytes being read; the caller keeps them alive while the reader is used.
    public let buffer: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    public var position: Int

    /// A reader over `buffer` starting at `position`.
    public init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        self.buffer = buffer
        self.position = position
    }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { buffer.count - position }

    /// Throws unless `n` more bytes are available.
    @inlinable
    public func require(_ n: Int, _ what: @autoclosure () -> String) throws(ParquetError) {
        if n < 0 || n > remaining {
            throw .corrupt("\(what()) needs \(n) bytes but only \(remaining) remain")
        }
    }

    /// Reads one byte.
    @inlinable
    public mutating func readByte() throws(ParquetError) -> UInt8 {
        guard position < buffer.count else { throw .corrupt("unexpected end of data") }
        let b = buffer[position]
        position += 1
        return b
    }

    /// Reads a little-endian fixed-width integer.
    @inlinable
    public mutating func readLE<T: FixedWidthInteger>(_: T.Type) throws(ParquetError) -> T {
        try require(MemoryLayout<T>.size, "a \(T.self)")
        let v = T(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: T.self))
        position += MemoryLayout<T>.size
        return v
    }

    /// Reads an unsigned LEB128 varint of at most 64 bits.
    @inlinable
    public mutating func readVarUInt() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift >= 64 || (shift == 63 && b > 1) { throw .corrupt("varint longer than 64 bits") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads a zigzag-encoded signed varint.
    @inlinable
    public mutating func readZigZag() throws(ParquetError) -> Int64 {
        let u = try readVarUInt()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// Returns the next `n` bytes as a sub-buffer and advances past them.
    @inlinable
    public mutating func readBytes(_ n: Int) throws(ParquetError) -> UnsafeRawBufferPointer {
        try require(n, "a \(n)-byte field")
        let s = UnsafeRawBufferPointer(rebasing: buffer[position..<position + n])
        position += n
        return s
    }

    /// Advances past `n` bytes.
    @inlinable
    public mutating func skip(_ n: Int) throws(ParquetError) {
        try require(n, "skipping")
        position += n
    }
}
