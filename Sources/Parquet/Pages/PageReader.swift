/// One page of a column chunk, decompressed, with its sections located.
struct Page {
    /// Which kind of page this is.
    enum Kind { case dictionary, dataV1, dataV2 }

    var kind: Kind
    /// Dictionary entries, or level entries (values including nulls) of a data page.
    var numValues: Int
    /// Encoding of the values section.
    var encoding: Encoding
    /// The page body after decompression. For v2 pages the uncompressed levels come first, then the
    /// decompressed values, exactly as laid out in the file.
    var body: [UInt8]
    /// v1: encodings of the level sections, which start the body with 4-byte length prefixes.
    var definitionLevelEncoding: Encoding = .rle
    var repetitionLevelEncoding: Encoding = .rle
    /// v2: byte lengths of the repetition and definition level sections at the start of the body.
    var repetitionLevelsLength = 0
    var definitionLevelsLength = 0
    /// v2: number of nulls, which gives the number of stored values without decoding levels.
    var numNulls: Int?
}

/// Iterates the pages of one column chunk held in memory, checking every size against the chunk.
///
/// Index pages and page types this reader does not know are skipped (the spec allows readers to ignore
/// them). Iteration stops once the data pages have supplied the chunk's `num_values` level entries, so
/// trailing bytes (some writers pad chunks) are never parsed as headers.
struct PageReader {
    let bytes: [UInt8]
    let codec: CompressionCodec
    let column: String
    let totalValues: Int
    private(set) var position: Int
    private(set) var valuesSeen = 0
    private(set) var pageIndex = 0

    /// Pages of `bytes` (the chunk), whose first page starts at `start`.
    init(bytes: [UInt8], start: Int = 0, codec: CompressionCodec, column: String, totalValues: Int) {
        self.bytes = bytes
        self.codec = codec
        self.column = column
        self.totalValues = totalValues
        self.position = start
    }

    /// The next page, or nil after the last data page.
    mutating func next() throws(ParquetError) -> Page? {
        while valuesSeen < totalValues {
            guard position < bytes.count else {
                throw .corrupt("column \(column): the chunk ends after \(valuesSeen) of its \(totalValues) values")
            }
            let index = pageIndex
            pageIndex += 1
            let (header, bodyStart) = try readHeader(index)
            let compressedSize = Int(header.compressedPageSize)
            let uncompressedSize = Int(header.uncompressedPageSize)
            guard compressedSize >= 0, uncompressedSize >= 0, compressedSize <= bytes.count - bodyStart else {
                throw .corrupt("column \(column) page \(index): page of \(compressedSize) bytes runs past the end of the column chunk")
            }
            let bodyRange = bodyStart..<(bodyStart + compressedSize)
            position = bodyRange.upperBound
            switch header.type {
            case .dictionaryPage:
                guard let h = header.dictionaryPageHeader else {
                    throw .corrupt("column \(column) page \(index): dictionary page without a dictionary header")
                }
                guard h.numValues >= 0 else { throw .corrupt("column \(column) page \(index): negative dictionary size") }
                let body = try decompressed(bodyRange, uncompressedSize, index)
                return Page(kind: .dictionary, numValues: Int(h.numValues), encoding: h.encoding, body: body)
            case .dataPage:
                guard let h = header.dataPageHeader else {
                    throw .corrupt("column \(column) page \(index): data page without a data page header")
                }
                let n = try checkedValueCount(Int(h.numValues), index, bodySize: max(compressedSize, uncompressedSize))
                let body = try decompressed(bodyRange, uncompressedSize, index)
                return Page(kind: .dataV1, numValues: n, encoding: h.encoding, body: body,
                            definitionLevelEncoding: h.definitionLevelEncoding, repetitionLevelEncoding: h.repetitionLevelEncoding)
            case .dataPageV2:
                guard let h = header.dataPageHeaderV2 else {
                    throw .corrupt("column \(column) page \(index): v2 data page without a v2 header")
                }
                let n = try checkedValueCount(Int(h.numValues), index, bodySize: max(compressedSize, uncompressedSize))
                let repLength = Int(h.repetitionLevelsByteLength)
                let defLength = Int(h.definitionLevelsByteLength)
                guard repLength >= 0, defLength >= 0, repLength <= compressedSize, defLength <= compressedSize - repLength else {
                    throw .corrupt("column \(column) page \(index): level sections (\(repLength) + \(defLength) bytes) do not fit the \(compressedSize)-byte page")
                }
                guard h.numNulls >= 0, Int(h.numNulls) <= n else {
                    throw .corrupt("column \(column) page \(index): \(h.numNulls) nulls in a page of \(n) values")
                }
                let levelsEnd = bodyRange.lowerBound + repLength + defLength
                var body = Array(bytes[bodyRange.lowerBound..<levelsEnd])
                let valuesRange = levelsEnd..<bodyRange.upperBound
                if h.isCompressed && codec != .uncompressed {
                    let valuesSize = uncompressedSize - repLength - defLength
                    guard valuesSize >= 0 else {
                        throw .corrupt("column \(column) page \(index): uncompressed size \(uncompressedSize) is smaller than its levels")
                    }
                    if valuesRange.isEmpty && valuesSize == 0 {
                        // An empty values section: some writers store no codec frame at all for it.
                    } else {
                        body.append(contentsOf: try decompress(valuesRange, valuesSize, index))
                    }
                } else {
                    body.append(contentsOf: bytes[valuesRange])
                }
                return Page(kind: .dataV2, numValues: n, encoding: h.encoding, body: body,
                            repetitionLevelsLength: repLength, definitionLevelsLength: defLength, numNulls: Int(h.numNulls))
            default:
                // INDEX_PAGE and unknown page types carry nothing a reader needs.
                continue
            }
        }
        return nil
    }

    /// Most level entries a page may claim beyond eight per byte of its body. Runs of nulls compress to a
    /// few bytes, so a pure bytes bound would reject real all-null pages; this allowance (16 Mi entries)
    /// still rejects a 100-byte page claiming billions of values before anything is allocated for them.
    static let pageValueAllowance = 1 << 24

    private mutating func checkedValueCount(_ n: Int, _ index: Int, bodySize: Int) throws(ParquetError) -> Int {
        guard n >= 0 else { throw .corrupt("column \(column) page \(index): negative value count \(n)") }
        guard n <= bodySize &* 8 &+ Self.pageValueAllowance else {
            throw .corrupt("column \(column) page \(index): \(n) values cannot fit a \(bodySize)-byte page")
        }
        guard n <= totalValues - valuesSeen else {
            throw .corrupt("column \(column) page \(index): \(n) values exceed the chunk's remaining \(totalValues - valuesSeen)")
        }
        valuesSeen += n
        return n
    }

    private func readHeader(_ index: Int) throws(ParquetError) -> (PageHeader, Int) {
        let start = position
        do throws(ParquetError) {
            return try withBytes(bytes) { (raw: UnsafeRawBufferPointer) throws(ParquetError) -> (PageHeader, Int) in
                var reader = CompactReader(raw, position: start)
                let header = try PageHeader(from: &reader)
                return (header, reader.position)
            }
        } catch {
            throw .corrupt("column \(column) page \(index) at chunk offset \(start): bad page header: \(error.message)")
        }
    }

    private func decompressed(_ range: Range<Int>, _ uncompressedSize: Int, _ index: Int) throws(ParquetError) -> [UInt8] {
        if codec == .uncompressed { return Array(bytes[range]) }
        return try decompress(range, uncompressedSize, index)
    }

    private func decompress(_ range: Range<Int>, _ uncompressedSize: Int, _ index: Int) throws(ParquetError) -> [UInt8] {
        do throws(ParquetError) {
            return try ParquetCompression.decompress(codec, bytes: bytes, range: range, uncompressedSize: uncompressedSize)
        } catch {
            throw ParquetError(error.kind, "column \(column) page \(index): \(error.message)")
        }
    }
}
