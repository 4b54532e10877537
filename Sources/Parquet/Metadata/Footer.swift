/// Locating and decoding the footer at the end of a Parquet file:
/// `"PAR1" <pages...> <FileMetaData (compact Thrift)> <4-byte LE length of it> "PAR1"`.
public enum ParquetFooter {
    /// The magic at the start and end of every plaintext Parquet file.
    public static let magic: [UInt8] = [0x50, 0x41, 0x52, 0x31]  // "PAR1"
    /// The trailing magic of files whose footer is encrypted.
    public static let encryptedMagic: [UInt8] = [0x50, 0x41, 0x52, 0x45]  // "PARE"
    /// Bytes after the metadata: its length (4) and the magic (4). Read these first.
    public static let trailerSize = 8
    /// The smallest possible file: leading magic plus trailer.
    public static let minimumFileSize = 4 + trailerSize

    /// The byte range of the serialized `FileMetaData` in a file of `fileSize` bytes, given the
    /// file's last `trailerSize` bytes. Throws when the magic is wrong, the footer is encrypted, or
    /// the length does not fit between the leading magic and the trailer.
    public static func metadataRange(trailer: UnsafeRawBufferPointer, fileSize: Int) throws(ParquetError) -> Range<Int> {
        guard fileSize >= minimumFileSize else {
            throw .corrupt("file of \(fileSize) bytes is too small to be Parquet (at least \(minimumFileSize))")
        }
        guard trailer.count == trailerSize else {
            throw ParquetError(.invalidArgument, "footer trailer must be exactly \(trailerSize) bytes, got \(trailer.count)")
        }
        let tail = UnsafeRawBufferPointer(rebasing: trailer[4..<8])
        if tail.elementsEqual(encryptedMagic) { throw .unsupported("encrypted Parquet files are not supported") }
        guard tail.elementsEqual(magic) else { throw .corrupt("file does not end with the Parquet magic \"PAR1\"") }
        let length = Int(UInt32(littleEndian: trailer.loadUnaligned(as: UInt32.self)))
        let available = fileSize - minimumFileSize
        guard length <= available else {
            throw .corrupt("footer length \(length) exceeds the \(available) bytes available before it")
        }
        let end = fileSize - trailerSize
        return (end - length)..<end
    }

    /// Throws unless `head` (the file's first 4 or more bytes) starts with "PAR1".
    public static func checkHeader(_ head: UnsafeRawBufferPointer) throws(ParquetError) {
        guard head.count >= 4, UnsafeRawBufferPointer(rebasing: head[0..<4]).elementsEqual(magic) else {
            throw .corrupt("file does not start with the Parquet magic \"PAR1\"")
        }
    }

    /// The trailer bytes (metadata length + magic) that follow serialized metadata of `length` bytes.
    public static func trailer(metadataLength length: Int) -> [UInt8] {
        let n = UInt32(truncatingIfNeeded: length)
        return [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8),
                UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)] + magic
    }
}

extension FileMetaData {
    /// Decodes serialized footer metadata (the bytes `ParquetFooter.metadataRange` points at).
    public static func parse(footer: UnsafeRawBufferPointer) throws(ParquetError) -> FileMetaData {
        var reader = CompactReader(footer)
        return try FileMetaData(from: &reader)
    }

    /// Decodes the footer of a whole file held in memory, checking the magic at both ends.
    public static func parse(file: UnsafeRawBufferPointer) throws(ParquetError) -> FileMetaData {
        guard file.count >= ParquetFooter.minimumFileSize else {
            throw .corrupt("file of \(file.count) bytes is too small to be Parquet (at least \(ParquetFooter.minimumFileSize))")
        }
        let trailer = UnsafeRawBufferPointer(rebasing: file[(file.count - ParquetFooter.trailerSize)...])
        let range = try ParquetFooter.metadataRange(trailer: trailer, fileSize: file.count)
        try ParquetFooter.checkHeader(file)
        return try parse(footer: UnsafeRawBufferPointer(rebasing: file[range]))
    }

    /// Decodes the footer of a whole file held in a byte array.
    public static func parse(file: [UInt8]) throws(ParquetError) -> FileMetaData {
        // withUnsafeBytes does not carry typed throws through, so the error is passed out as a value.
        let result: Result<FileMetaData, ParquetError> = file.withUnsafeBytes { buf in
            do throws(ParquetError) { return .success(try parse(file: buf)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The serialized metadata followed by its length and the magic: everything a writer appends
    /// after the last column chunk.
    public func serializedFooter() -> [UInt8] {
        var writer = CompactWriter(capacity: 1024)
        write(to: &writer)
        let length = writer.bytes.count
        writer.bytes.append(contentsOf: ParquetFooter.trailer(metadataLength: length))
        return writer.bytes
    }
}
