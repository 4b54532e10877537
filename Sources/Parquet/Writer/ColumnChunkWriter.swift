import Columnar

/// One encoded column chunk: its pages (headers included) and its metadata with offsets relative to
/// the chunk's first byte (the row group writer shifts them to file offsets).
struct EncodedColumnChunk {
    var bytes: [UInt8]
    var metaData: ColumnMetaData
    /// True when a dictionary was tried and abandoned because it passed the size limit.
    var dictionaryOverflowed: Bool
}

/// Encodes one leaf column of a row group into pages: an optional PLAIN dictionary page, then data
/// pages (v1) of RLE levels and RLE_DICTIONARY or PLAIN values, each compressed with the chunk's codec.
struct ColumnChunkWriter {
    let leaf: WriterLeaf
    let options: ParquetWriterOptions
    /// Whether to try dictionary encoding; the file writer stops trying for a leaf whose dictionary
    /// overflowed in an earlier row group (high-cardinality data rarely becomes low-cardinality).
    var tryDictionary = true

    /// How a chunk's values are encoded.
    private enum ValueEncoding {
        case plain
        /// Dictionary indices of each present value, their bit width, and the PLAIN dictionary page body.
        case dictionary(indices: [Int32], bitWidth: Int, page: [UInt8], count: Int)
    }

    func encode(_ shredded: ShreddedLeaf) throws(ParquetError) -> EncodedColumnChunk {
        let values = try PhysicalValues.of(shredded.column, leaf: leaf)
        let order = PhysicalValues.order(of: leaf.dataType, physical: leaf.physicalType)
        let selection = shredded.selection

        var encoding = ValueEncoding.plain
        var statistics: Statistics
        let attempted = options.dictionaryEnabled && tryDictionary && shredded.valueCount > 0
        let dict = attempted ? try dictionaryEncode(values, selection: selection, range: shredded.valueRange) : nil
        if let dict {
            encoding = dict.encoding
            statistics = dict.statistics
        } else {
            statistics = try chunkStatistics(values, order: order, selection: selection, range: shredded.valueRange)
        }
        // Every entry below the max definition level counts as a null (empty lists included), as
        // parquet-cpp counts them.
        statistics.nullCount = Int64(shredded.entryCount - shredded.valueCount)

        var out = [UInt8]()
        var totalUncompressed = 0
        var dictionaryOffset: Int64?
        var encodingStats = [PageEncodingStats]()
        if case let .dictionary(_, _, page, count) = encoding {
            dictionaryOffset = 0
            let header = PageHeader(type: .dictionaryPage, uncompressedPageSize: 0, compressedPageSize: 0,
                                    dictionaryPageHeader: DictionaryPageHeader(numValues: Int32(count), encoding: .plain))
            totalUncompressed += try appendPage(body: page, header: header, to: &out)
            encodingStats.append(PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1))
        }
        let dataOffset = Int64(out.count)
        let pageCount = try writeDataPages(shredded, values: values, encoding: encoding, into: &out, uncompressed: &totalUncompressed)
        let valueEncoding: Encoding
        if case .dictionary = encoding { valueEncoding = .rleDictionary } else { valueEncoding = .plain }
        encodingStats.append(PageEncodingStats(pageType: .dataPage, encoding: valueEncoding, count: Int32(pageCount)))

        var encodings: [Encoding] = [.plain, .rle]
        if valueEncoding == .rleDictionary { encodings.append(.rleDictionary) }
        let meta = ColumnMetaData(
            type: leaf.physicalType, encodings: encodings, pathInSchema: leafPath, codec: options.compression,
            numValues: Int64(shredded.entryCount), totalUncompressedSize: Int64(totalUncompressed),
            totalCompressedSize: Int64(out.count), dataPageOffset: dataOffset, dictionaryPageOffset: dictionaryOffset,
            statistics: statistics, encodingStats: encodingStats)
        return EncodedColumnChunk(bytes: out, metaData: meta, dictionaryOverflowed: attempted && dict == nil)
    }

    /// path_in_schema: every name from the top-level field to the leaf (list/key_value groups included).
    private var leafPath: [String] { leaf.path }

    // MARK: - Pages

    /// Splits the entries into pages of about `dataPageSize` bytes (cutting only at row starts when
    /// the column repeats) and appends each page. Returns the number of data pages.
    private func writeDataPages(
        _ s: ShreddedLeaf, values: PhysicalValues, encoding: ValueEncoding, into out: inout [UInt8], uncompressed: inout Int
    ) throws(ParquetError) -> Int {
        let maxDef = leaf.maxDefinitionLevel, maxRep = leaf.maxRepetitionLevel
        let defWidth = RLEHybridEncoder.bitWidth(forMaxValue: Int(maxDef))
        let repWidth = RLEHybridEncoder.bitWidth(forMaxValue: Int(maxRep))
        let limitBits = max(1, options.dataPageSize) &* 8
        let levelBits = defWidth + repWidth

        // Cost of one present value in bits; byte arrays vary.
        var fixedCost = 0
        var byteOffsets: [Int64] = []
        var lengthPrefix = 0
        switch (encoding, values) {
        case let (.dictionary(_, width, _, _), _): fixedCost = max(width, 1)
        case (.plain, .boolean): fixedCost = 1
        case (.plain, .int32), (.plain, .float): fixedCost = 32
        case (.plain, .int64), (.plain, .double): fixedCost = 64
        case let (.plain, .bytes(o, _, fixed)):
            byteOffsets = o
            lengthPrefix = fixed == nil ? 32 : 0
        }

        var pages = 0
        var entryStart = 0, valueStart = 0
        var e = 0, v = 0, bits = 0
        let n = s.entryCount
        let hasDef = !s.definitionLevels.isEmpty, hasRep = !s.repetitionLevels.isEmpty
        try s.definitionLevels.withUnsafeBufferPointer { (def) throws(ParquetError) in
            try s.repetitionLevels.withUnsafeBufferPointer { (rep) throws(ParquetError) in
                let sel = s.selection
                while e < n {
                    if bits >= limitBits && e > entryStart && (!hasRep || rep[e] == 0) {
                        try writePage(s, values: values, encoding: encoding, entries: entryStart..<e, presentValues: valueStart..<v,
                                      def: def, rep: rep, defWidth: defWidth, repWidth: repWidth, into: &out, uncompressed: &uncompressed)
                        pages += 1
                        entryStart = e
                        valueStart = v
                        bits = 0
                    }
                    bits &+= levelBits
                    if !hasDef || def[e] == maxDef {
                        if fixedCost > 0 {
                            bits &+= fixedCost
                        } else {
                            let p = sel?[v] ?? s.valueRange.lowerBound &+ v
                            bits &+= Int(byteOffsets[p + 1] &- byteOffsets[p]) &* 8 &+ lengthPrefix
                        }
                        v += 1
                    }
                    e += 1
                }
                // The last page; a chunk with no entries still gets one empty page so readers see the column.
                try writePage(s, values: values, encoding: encoding, entries: entryStart..<n, presentValues: valueStart..<v,
                              def: def, rep: rep, defWidth: defWidth, repWidth: repWidth, into: &out, uncompressed: &uncompressed)
                pages += 1
            }
        }
        return pages
    }

    private func writePage(
        _ s: ShreddedLeaf, values: PhysicalValues, encoding: ValueEncoding, entries: Range<Int>, presentValues: Range<Int>,
        def: UnsafeBufferPointer<Int32>, rep: UnsafeBufferPointer<Int32>, defWidth: Int, repWidth: Int,
        into out: inout [UInt8], uncompressed: inout Int
    ) throws(ParquetError) {
        var body = [UInt8]()
        body.reserveCapacity(estimatedBodySize(values: values, encoding: encoding, count: presentValues.count) + entries.count / 2 + 16)
        if leaf.maxRepetitionLevel > 0 {
            try RLEHybridEncoder.encodeWithLengthPrefix(UnsafeBufferPointer(rebasing: rep[entries]), bitWidth: repWidth, into: &body)
        }
        if leaf.maxDefinitionLevel > 0 {
            try RLEHybridEncoder.encodeWithLengthPrefix(UnsafeBufferPointer(rebasing: def[entries]), bitWidth: defWidth, into: &body)
        }
        let valueEncoding: Encoding
        switch encoding {
        case let .dictionary(indices, width, _, _):
            valueEncoding = .rleDictionary
            body.append(UInt8(width))
            try indices.withUnsafeBufferPointer { (idx) throws(ParquetError) in
                try RLEHybridEncoder.encode(UnsafeBufferPointer(rebasing: idx[presentValues]), bitWidth: width, into: &body)
            }
        case .plain:
            valueEncoding = .plain
            values.appendPlain(selection: s.selection, range: s.valueRange, values: presentValues, to: &body)
        }
        guard entries.count <= Int(Int32.max) else {
            throw ParquetError(.invalidArgument, "a data page cannot hold \(entries.count) values; lower dataPageSize")
        }
        let header = PageHeader(type: .dataPage, uncompressedPageSize: 0, compressedPageSize: 0,
                                dataPageHeader: DataPageHeader(numValues: Int32(entries.count), encoding: valueEncoding))
        uncompressed += try appendPage(body: body, header: header, to: &out)
    }

    private func estimatedBodySize(values: PhysicalValues, encoding: ValueEncoding, count: Int) -> Int {
        switch (encoding, values) {
        case let (.dictionary(_, w, _, _), _): return count * w / 8 + 16
        case (.plain, .boolean): return count / 8 + 1
        case (.plain, .int32), (.plain, .float): return count * 4
        case (.plain, .int64), (.plain, .double): return count * 8
        case (.plain, .bytes): return count * 8
        }
    }

    /// Compresses `body`, appends header and body to `out`, and returns the uncompressed size counted
    /// in `total_uncompressed_size` (header plus body).
    private func appendPage(body: [UInt8], header template: PageHeader, to out: inout [UInt8]) throws(ParquetError) -> Int {
        guard body.count <= Int(Int32.max) else {
            throw ParquetError(.invalidArgument, "a page of \(body.count) bytes exceeds the format's 2 GiB limit")
        }
        let stored = options.compression == .uncompressed
            ? body : try ParquetCompression.compress(options.compression, body, level: options.compressionLevel)
        guard stored.count <= Int(Int32.max) else {
            throw ParquetError(.invalidArgument, "a compressed page of \(stored.count) bytes exceeds the format's 2 GiB limit")
        }
        var header = template
        header.uncompressedPageSize = Int32(body.count)
        header.compressedPageSize = Int32(stored.count)
        var w = CompactWriter(capacity: 64)
        header.write(to: &w)
        out.append(contentsOf: w.bytes)
        out.append(contentsOf: stored)
        return w.bytes.count + body.count
    }

    // MARK: - Dictionary

    private func dictionaryEncode(
        _ values: PhysicalValues, selection: [Int]?, range: Range<Int>
    ) throws(ParquetError) -> (encoding: ValueEncoding, statistics: Statistics)? {
        let limit = options.dictionaryPageSizeLimit
        let order = PhysicalValues.order(of: leaf.dataType, physical: leaf.physicalType)
        func finish<V>(_ d: DictionaryEncoded<V>?, plain: (V) -> [UInt8], stats: (V) throws(ParquetError) -> Statistics)
            throws(ParquetError) -> (encoding: ValueEncoding, statistics: Statistics)? {
            guard let d else { return nil }
            let width = RLEHybridEncoder.bitWidth(forMaxValue: d.count - 1)
            return (.dictionary(indices: d.indices, bitWidth: width, page: plain(d.dictionary), count: d.count), try stats(d.dictionary))
        }
        func fixed<T: DictionaryScalar>(_ a: [T], _ wrap: ([T]) -> PhysicalValues) throws(ParquetError) -> (encoding: ValueEncoding, statistics: Statistics)? {
            let d = a.withUnsafeBufferPointer { buf in
                withOptionalBuffer(selection) { sel in buildFixedDictionary(buf, selection: sel, range: range, limit: limit) }
            }
            return try finish(d, plain: { dict in
                var page = [UInt8]()
                dict.withUnsafeBufferPointer { PlainValueEncoder.encodeFixed($0, .all($0.count), into: &page) }
                return page
            }) { (dict) throws(ParquetError) in
                try chunkStatistics(wrap(dict), order: order, selection: nil, range: 0..<dict.count)
            }
        }
        switch values {
        case .boolean:
            return nil
        case let .int32(a): return try fixed(a) { .int32($0) }
        case let .int64(a): return try fixed(a) { .int64($0) }
        case let .float(a): return try fixed(a) { .float($0) }
        case let .double(a): return try fixed(a) { .double($0) }
        case let .bytes(o, data, fixedWidth):
            let d = o.withUnsafeBufferPointer { ob in
                data.withUnsafeBufferPointer { db in
                    withOptionalBuffer(selection) { sel in
                        buildBytesDictionary(offsets: ob, data: db, selection: sel, range: range, fixed: fixedWidth != nil, limit: limit)
                    }
                }
            }
            return try finish(d, plain: { dict in
                var page = [UInt8]()
                PhysicalValues.bytes(offsets: dict.offsets, data: dict.data, fixedWidth: fixedWidth)
                    .appendPlain(selection: nil, range: 0..<(dict.offsets.count - 1), values: 0..<(dict.offsets.count - 1), to: &page)
                return page
            }) { (dict) throws(ParquetError) in
                try chunkStatistics(.bytes(offsets: dict.offsets, data: dict.data, fixedWidth: fixedWidth), order: order,
                                    selection: nil, range: 0..<(dict.offsets.count - 1))
            }
        }
    }

    // MARK: - Statistics

    /// Statistics of the present values (null_count is filled in by the caller).
    private func chunkStatistics(
        _ values: PhysicalValues, order: StatisticsOrder, selection: [Int]?, range: Range<Int>
    ) throws(ParquetError) -> Statistics {
        var stats = Statistics()
        var minMax: MinMax?
        withOptionalBuffer(selection) { sel in
            switch values {
            case let .boolean(b):
                var sawFalse = false, sawTrue = false
                if let sel { for p in sel { if b[p] { sawTrue = true } else { sawFalse = true } } }
                else { for p in range { if b[p] { sawTrue = true } else { sawFalse = true } } }
                if sawFalse || sawTrue { minMax = MinMax(min: [sawFalse ? 0 : 1], max: [sawTrue ? 1 : 0]) }
            case let .int32(a):
                minMax = a.withUnsafeBufferPointer { buf in
                    order == .unsigned ? integerMinMax(buf, selection: sel, range: range, as: UInt32.self)
                        : integerMinMax(buf, selection: sel, range: range, as: Int32.self)
                }
            case let .int64(a):
                minMax = a.withUnsafeBufferPointer { buf in
                    order == .unsigned ? integerMinMax(buf, selection: sel, range: range, as: UInt64.self)
                        : integerMinMax(buf, selection: sel, range: range, as: Int64.self)
                }
            case let .float(a):
                var nans = 0
                if let (lo, hi) = a.withUnsafeBufferPointer({ floatingMinMax($0, selection: sel, range: range, nanCount: &nans) }) {
                    minMax = MinMax(min: littleEndianBytes(lo.bitPattern), max: littleEndianBytes(hi.bitPattern))
                }
                stats.nanCount = Int64(nans)
            case let .double(a):
                var nans = 0
                if let (lo, hi) = a.withUnsafeBufferPointer({ floatingMinMax($0, selection: sel, range: range, nanCount: &nans) }) {
                    minMax = MinMax(min: littleEndianBytes(lo.bitPattern), max: littleEndianBytes(hi.bitPattern))
                }
                stats.nanCount = Int64(nans)
            case let .bytes(o, d, _):
                minMax = o.withUnsafeBufferPointer { ob in
                    d.withUnsafeBufferPointer { db in
                        bytesMinMax(offsets: ob, data: db, selection: sel, range: range, decimal: order == .decimalBytes)
                    }
                }
            }
        }
        guard var mm = minMax else { return stats }
        var minExact = true, maxExact = true
        if leaf.physicalType == .byteArray {
            let limit = max(1, options.statisticsTruncateLength)
            let utf8 = leaf.dataType == .string
            if mm.min.count > limit {
                mm.min = StatisticsTruncation.lowerBound(mm.min, limit: limit, utf8: utf8)
                minExact = false
            }
            if mm.max.count > limit {
                guard let upper = StatisticsTruncation.upperBound(mm.max, limit: limit, utf8: utf8) else {
                    // No short upper bound exists (all 0xff): keep only the min.
                    stats.minValue = mm.min
                    stats.isMinValueExact = minExact
                    return stats
                }
                mm.max = upper
                maxExact = false
            }
        }
        stats.minValue = mm.min
        stats.maxValue = mm.max
        stats.isMinValueExact = minExact
        stats.isMaxValueExact = maxExact
        // The deprecated min/max are defined by signed comparison; write them only where that is the
        // column's order, so old readers never prune with a wrong bound.
        if order == .signed || order == .floating || order == .boolean {
            stats.min = mm.min
            stats.max = mm.max
        }
        return stats
    }
}

/// Calls `body` with a buffer over `array`, or nil.
@inline(__always)
func withOptionalBuffer<R>(_ array: [Int]?, _ body: (UnsafeBufferPointer<Int>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0) }
}

extension PhysicalValues {
    /// Appends the PLAIN encoding of present values `values` (indices into the present-value sequence given
    /// by `selection` or `range`) to `out`.
    func appendPlain(selection: [Int]?, range: Range<Int>, values: Range<Int>, to out: inout [UInt8]) {
        withOptionalBuffer(selection) { sel in
            let positions = ValuePositions(selection: sel, start: range.lowerBound, values: values)
            switch self {
            case let .boolean(b): PlainValueEncoder.encodeBoolean(b, positions, into: &out)
            case let .int32(a): a.withUnsafeBufferPointer { PlainValueEncoder.encodeFixed($0, positions, into: &out) }
            case let .int64(a): a.withUnsafeBufferPointer { PlainValueEncoder.encodeFixed($0, positions, into: &out) }
            case let .float(a): a.withUnsafeBufferPointer { PlainValueEncoder.encodeFixed($0, positions, into: &out) }
            case let .double(a): a.withUnsafeBufferPointer { PlainValueEncoder.encodeFixed($0, positions, into: &out) }
            case let .bytes(o, d, fixedWidth):
                o.withUnsafeBufferPointer { ob in
                    d.withUnsafeBufferPointer { db in
                        PlainValueEncoder.encodeBytes(offsets: ob, data: db, positions, lengthPrefix: fixedWidth == nil, into: &out)
                    }
                }
            }
        }
    }
}
