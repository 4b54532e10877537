import Columnar

/// Densely packed values of one physical type, as decoded from pages before logical conversion.
enum DecodedValues {
    case boolean(Bitmap)
    case int32([Int32])
    case int64([Int64])
    /// 12 bytes per value.
    case int96([UInt8])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY: value `i` is `data[offsets[i]..<offsets[i+1]]`; `offsets` starts at 0.
    case byteArray(offsets: [Int64], data: [UInt8])
    /// FIXED_LEN_BYTE_ARRAY of `width` bytes per value.
    case fixed(width: Int, data: [UInt8])

    static func empty(_ type: PhysicalType, width: Int) -> DecodedValues {
        switch type {
        case .boolean: .boolean(Bitmap(count: 0, value: false))
        case .int32: .int32([])
        case .int64: .int64([])
        case .int96: .int96([])
        case .float: .float([])
        case .double: .double([])
        case .byteArray: .byteArray(offsets: [0], data: [])
        case .fixedLenByteArray: .fixed(width: width, data: [])
        }
    }

    var count: Int {
        switch self {
        case let .boolean(a): a.count
        case let .int32(a): a.count
        case let .int64(a): a.count
        case let .int96(a): a.count / 12
        case let .float(a): a.count
        case let .double(a): a.count
        case let .byteArray(o, _): o.count - 1
        case let .fixed(w, d): w == 0 ? 0 : d.count / w
        }
    }
}

/// Decodes the pages of one leaf's column chunks, appending chunk after chunk (row group after row
/// group) into one set of level and value buffers, so several row groups need no concatenation.
struct LeafDecoder {
    let descriptor: ColumnDescriptor
    let maxDef: Int32
    let maxRep: Int32
    var def: [Int32] = []
    var rep: [Int32] = []
    var values: ValueAccumulator
    var levelCount = 0
    /// For columns without repetition, definition levels are kept only once a null appears: until then
    /// every level is the maximum and `def` stays empty (the common all-present case costs no buffer).
    var defMaterialized: Bool
    /// Per-page scratch for definition levels while `def` is not materialized.
    var scratch: [Int32] = []

    /// A decoder expecting about `capacity` level entries in total.
    init(descriptor: ColumnDescriptor, capacity: Int) {
        self.descriptor = descriptor
        maxDef = Int32(descriptor.maxDefinitionLevel)
        maxRep = Int32(descriptor.maxRepetitionLevel)
        defMaterialized = maxRep > 0
        if maxDef > 0 && maxRep > 0 { def.reserveCapacity(capacity) }
        if maxRep > 0 { rep.reserveCapacity(capacity) }
        values = ValueAccumulator(descriptor: descriptor, capacity: capacity)
    }

    /// Decodes the pages of one chunk (`chunk` holds its bytes, the first page at `start`), which must
    /// hold `totalValues` level entries.
    mutating func decode(chunk: [UInt8], start: Int, codec: CompressionCodec, totalValues: Int) throws(ParquetError) {
        let name = descriptor.dottedPath
        let maxDef = self.maxDef, maxRep = self.maxRep
        var pages = PageReader(bytes: chunk, start: start, codec: codec, column: name, totalValues: totalValues)
        var dictionary: ChunkDictionary?
        var chunkLevels = 0
        var pageNumber = 0
        while let page = try pages.next() {
            pageNumber = pages.pageIndex - 1
            do throws(ParquetError) {
                switch page.kind {
                case .dictionary:
                    guard dictionary == nil else { throw ParquetError.corrupt("a second dictionary page") }
                    guard page.encoding == .plain || page.encoding == .plainDictionary else {
                        throw ParquetError.unsupported("dictionary page encoding \(page.encoding)")
                    }
                    var dict = ValueAccumulator(descriptor: descriptor, capacity: 0)
                    try withBytes(page.body) { (raw: UnsafeRawBufferPointer) throws(ParquetError) in
                        try dict.appendPlain(raw, count: page.numValues)
                    }
                    dictionary = try ChunkDictionary(dict.finish())
                case .dataV1, .dataV2:
                    try withBytes(page.body) { (raw: UnsafeRawBufferPointer) throws(ParquetError) in
                        var reader = ByteReader(raw)
                        let n = page.numValues
                        var repSection = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0))
                        var defSection = repSection
                        if page.kind == .dataV2 {
                            repSection = ByteReader(UnsafeRawBufferPointer(rebasing: raw[0..<page.repetitionLevelsLength]))
                            let defEnd = page.repetitionLevelsLength + page.definitionLevelsLength
                            defSection = ByteReader(UnsafeRawBufferPointer(rebasing: raw[page.repetitionLevelsLength..<defEnd]))
                            reader.position = defEnd
                        }
                        if maxRep > 0 {
                            if page.kind == .dataV2 {
                                try Levels.decode(page: page, section: &repSection, encoding: .rle, max: maxRep, count: n, into: &rep, what: "repetition")
                            } else {
                                try Levels.decode(page: page, section: &reader, encoding: page.repetitionLevelEncoding, max: maxRep, count: n, into: &rep, what: "repetition")
                            }
                        }
                        var nonNull = n
                        if maxDef > 0 {
                            scratch.removeAll(keepingCapacity: true)
                            if page.kind == .dataV2 {
                                try Levels.decode(page: page, section: &defSection, encoding: .rle, max: maxDef, count: n, into: &scratch, what: "definition")
                            } else {
                                try Levels.decode(page: page, section: &reader, encoding: page.definitionLevelEncoding, max: maxDef, count: n, into: &scratch, what: "definition")
                            }
                            nonNull = scratch.withUnsafeBufferPointer { d in
                                var c = 0
                                for x in d where x == maxDef { c += 1 }
                                return c
                            }
                            if nonNull != n && !defMaterialized {
                                // The first null: write out the implicit all-present levels seen so far.
                                def = [Int32](repeating: maxDef, count: levelCount + chunkLevels)
                                reserveGrowing(&def, n)
                                defMaterialized = true
                            }
                            if defMaterialized { def.append(contentsOf: scratch) }
                        }
                        if let nulls = page.numNulls, maxRep == 0, nulls != n - nonNull {
                            throw ParquetError.corrupt("header says \(nulls) nulls but the levels say \(n - nonNull)")
                        }
                        let valuesBytes = UnsafeRawBufferPointer(rebasing: raw[reader.position..<raw.count])
                        try values.decode(valuesBytes, encoding: page.encoding, count: nonNull, dictionary: dictionary)
                    }
                    chunkLevels += page.numValues
                }
            } catch {
                throw ParquetError(error.kind, "column \(name) page \(pageNumber): \(error.message)")
            }
        }
        if chunkLevels != totalValues {
            throw .corrupt("column \(name): pages hold \(chunkLevels) values but the chunk metadata says \(totalValues)")
        }
        levelCount += chunkLevels
    }

    /// The levels and the values converted to the leaf's Columnar type.
    func finish() throws(ParquetError) -> LeafData {
        let dense = try values.finish()
        let converted: ColumnValues
        do throws(ParquetError) {
            converted = try LogicalConversion.convert(dense, to: descriptor)
        } catch {
            throw ParquetError(error.kind, "column \(descriptor.dottedPath): \(error.message)")
        }
        return LeafData(def: def, rep: rep, levelCount: levelCount, values: converted, valueCount: dense.count)
    }
}

/// Definition/repetition level sections of a data page.
enum Levels {
    static func decode(page: Page, section: inout ByteReader, encoding: Encoding, max: Int32, count: Int,
                       into out: inout [Int32], what: String) throws(ParquetError) {
        let width = RLEHybridEncoder.bitWidth(forMaxValue: Int(max))
        let before = out.count
        if page.kind == .dataV2 {
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: section.buffer[section.position..<section.buffer.count]), bitWidth: width)
            try decoder.decode(count: count, appendingTo: &out)
        } else if encoding == .rle {
            var decoder = try RLEHybridDecoder.levelsV1(&section, bitWidth: width)
            try decoder.decode(count: count, appendingTo: &out)
        } else if encoding == .bitPacked {
            try BitPackedLevels.decode(&section, bitWidth: width, count: count, appendingTo: &out)
        } else {
            throw .unsupported("\(what) level encoding \(encoding)")
        }
        // Run values are stored in whole bytes, so a level can exceed the maximum; it would index past
        // the schema's levels later.
        let bad = out.withUnsafeBufferPointer { p in
            var bad = false
            for i in before..<p.count where p[i] > max || p[i] < 0 { bad = true }
            return bad
        }
        if bad { throw .corrupt("\(what) level above the maximum \(max)") }
    }
}
