import Dispatch
import Synchronization
import Columnar

/// The decoded contents of one leaf column chunk: its levels and its non-null values, already converted
/// to the leaf's Columnar type but not yet spaced out for nulls.
struct LeafData: Sendable {
    /// Definition levels, one per level entry; empty when the column's max definition level is 0.
    var def: [Int32]
    /// Repetition levels, one per level entry; empty when the column's max repetition level is 0.
    var rep: [Int32]
    /// Number of level entries (the pages' `num_values` summed).
    var levelCount: Int
    /// The non-null values, densely packed.
    var values: ColumnValues
    /// Number of values in `values`.
    var valueCount: Int
}

/// Validity and offsets of one node, as reconstructed from one leaf's levels.
struct NodeShape {
    var validity: Bitmap
    var offsets: [Int64]
    var count: Int

    init(isList: Bool, capacity: Int) {
        validity = Bitmap(count: 0, value: false)
        validity.reserveCapacity(capacity)
        offsets = isList ? [0] : []
        if isList { offsets.reserveCapacity(capacity + 1) }
        count = 0
    }

    /// Appends a slot; a list slot starts with no elements.
    @inline(__always)
    mutating func appendSlot(present: Bool, isList: Bool) {
        validity.append(present)
        if isList { offsets.append(offsets[offsets.count - 1]) }
        count += 1
    }
}

/// Dremel record assembly: rebuilds Columnar columns (lists, structs, maps, nulls) from the definition
/// and repetition levels of each leaf.
///
/// Every leaf is walked once against the chain of nodes above it. The walk yields the validity and
/// offsets of every node on the chain; nodes shared by several leaves take them from their first leaf
/// (the levels above a node are identical in all its leaves). See the "Nested encoding" section of the
/// Parquet format and the Dremel paper.
struct RecordAssembler {
    let nodes: [LogicalNode]
    /// For each leaf column, the node ids from its top-level field down to the leaf node.
    let chains: [[Int]]
    let descriptors: [ColumnDescriptor]

    /// Assembles the top-level columns `topNodes` for a row group of `rowCount` rows from the leaves in
    /// `leaves` (keyed by leaf column index).
    func assemble(topNodes: [Int], leaves: [Int: LeafData], rowCount: Int) throws(ParquetError) -> [Column] {
        // Each leaf's walk is independent, so leaves are walked in parallel; the shapes of shared nodes
        // are then taken from the first leaf under them, as the format guarantees they agree.
        let items = leaves.sorted(by: { $0.key < $1.key })
        let results = Mutex<[Int: Result<(Column, [Int: NodeShape]), ParquetError>]>([:])
        DispatchQueue.concurrentPerform(iterations: items.count) { k in
            let r: Result<(Column, [Int: NodeShape]), ParquetError>
            do throws(ParquetError) {
                var own: [Int: NodeShape] = [:]
                let column = try assembleLeaf(items[k].key, items[k].value, shapes: &own)
                r = .success((column, own))
            } catch {
                r = .failure(error)
            }
            results.withLock { $0[k] = r }
        }
        let all = results.withLock { $0 }
        var shapes: [Int: NodeShape] = [:]
        var leafColumns: [Int: Column] = [:]
        for k in items.indices {
            guard let r = all[k] else { throw .corrupt("column \(descriptors[items[k].key].dottedPath) was not assembled") }
            let (column, own) = try r.get()
            leafColumns[items[k].key] = column
            for (id, shape) in own where shapes[id] == nil { shapes[id] = shape }
        }
        var out: [Column] = []
        for top in topNodes {
            let c = try build(top, shapes: shapes, leafColumns: leafColumns)
            if c.count != rowCount {
                throw .corrupt("column \(nodes[top].field.name) has \(c.count) rows but the row group has \(rowCount)")
            }
            out.append(c)
        }
        return out
    }

    private func build(_ id: Int, shapes: [Int: NodeShape], leafColumns: [Int: Column]) throws(ParquetError) -> Column {
        let node = nodes[id]
        if case let .leaf(leafIndex) = node.kind {
            guard let c = leafColumns[leafIndex] else { throw .corrupt("column \(descriptors[leafIndex].dottedPath) was not read") }
            return c
        }
        guard let shape = shapes[id] else { throw .corrupt("no levels for \(node.field.name)") }
        let validity = node.field.nullable && shape.validity.setCount != shape.count ? shape.validity : nil
        var children: [Column] = []
        for child in node.children { children.append(try build(child, shapes: shapes, leafColumns: leafColumns)) }
        let values: ColumnValues
        switch node.kind {
        case .leaf:
            throw .corrupt("unreachable leaf")
        case .structure:
            values = .structure(children)
        case .list:
            guard children.count == 1 else { throw .corrupt("list \(node.field.name) needs one child") }
            values = .list(offsets: shape.offsets, child: children[0])
        case .map:
            guard children.count == 1, case let .structure(kv) = children[0].values, kv.count == 2 else {
                throw .corrupt("map \(node.field.name) needs a key and a value")
            }
            values = .map(offsets: shape.offsets, keys: kv[0], values: kv[1])
        }
        do throws(ColumnarError) {
            return try Column(type: node.field.type, count: shape.count, validity: validity, values: values)
        } catch {
            throw .corrupt("levels of \(node.field.name) are inconsistent: \(error)")
        }
    }

    /// Walks one leaf's levels, recording the shapes of chain nodes not yet seen and returning the leaf
    /// column spaced out to one slot per leaf instance.
    private func assembleLeaf(_ leafIndex: Int, _ data: LeafData, shapes: inout [Int: NodeShape]) throws(ParquetError) -> Column {
        let chain = chains[leafIndex]
        let desc = descriptors[leafIndex]
        let maxDef = Int32(desc.maxDefinitionLevel)
        guard let leafNode = chain.last else { throw .corrupt("empty column path") }
        let leafType = nodes[leafNode].field.type

        // Fast path: a top-level primitive column needs no walk, only a validity bitmap.
        if chain.count == 1 {
            if maxDef == 0 {
                guard data.valueCount == data.levelCount else {
                    throw .corrupt("column \(desc.dottedPath) has \(data.valueCount) values for \(data.levelCount) rows")
                }
                return Column(unchecked: leafType, count: data.valueCount, validity: nil, values: data.values)
            }
            // Every level entry produced a value, so none is null: skip the bitmap.
            if data.valueCount == data.levelCount {
                return Column(unchecked: leafType, count: data.valueCount, validity: nil, values: data.values)
            }
            let validity = try LevelBitmap.presentBits(data.def, count: data.levelCount, level: maxDef)
            let present = validity.setCount
            guard present == data.valueCount else {
                throw .corrupt("column \(desc.dottedPath) has \(data.valueCount) values but its levels say \(present)")
            }
            if present == data.levelCount {
                return Column(unchecked: leafType, count: data.valueCount, validity: nil, values: data.values)
            }
            return Column(unchecked: leafType, count: data.levelCount, validity: validity,
                          values: try Spacing.spaced(data.values, validity: validity, width: leafType.fixedWidth))
        }

        let chainNodes = chain.map { nodes[$0] }
        // Plain arrays of what the loop reads, so it touches no `Field` (and no reference counts).
        let isList = chainNodes.map { n -> Bool in n.kind == .list || n.kind == .map }
        let isStruct = chainNodes.map { $0.kind == .structure }
        let defPresent = chainNodes.map { Int32($0.defPresent) }
        let defElement = chainNodes.map { Int32($0.defElement) }
        // Which chain position a repetition level repeats.
        var listForRep = [Int](repeating: -1, count: Int(desc.maxRepetitionLevel) + 1)
        for (k, n) in chainNodes.enumerated() where isList[k] {
            let r = Int(n.repElement)
            if r >= 1 && r < listForRep.count { listForRep[r] = k }
        }
        var local = chainNodes.indices.map { NodeShape(isList: isList[$0], capacity: min(data.levelCount, 1 << 20)) }
        let depth = chainNodes.count
        let leafPos = depth - 1
        let n = data.levelCount
        let hasDef = !data.def.isEmpty
        let hasRep = !data.rep.isEmpty
        guard !hasDef || data.def.count >= n, !hasRep || data.rep.count >= n else {
            throw .corrupt("column \(desc.dottedPath) has fewer levels than values")
        }
        let path = desc.dottedPath
        var failure: ParquetError?
        // Raw buffers for the per-entry loop: no bounds or uniqueness checks on `local` per level entry.
        data.def.withUnsafeBufferPointer { defs in
            data.rep.withUnsafeBufferPointer { reps in
                local.withUnsafeMutableBufferPointer { loc in
                    entries: for i in 0..<n {
                        let d = hasDef ? defs[i] : maxDef
                        let r = hasRep ? reps[i] : 0
                        var j = 0
                        if r > 0 {
                            let k = Int(r) < listForRep.count ? listForRep[Int(r)] : -1
                            if k < 0 {
                                failure = .corrupt("column \(path): repetition level \(r) matches no list")
                                break entries
                            }
                            if loc[k].count == 0 {
                                failure = .corrupt("column \(path): the repetition level at the start of a record must be 0 but is \(r)")
                                break entries
                            }
                            if d < defElement[k] {
                                failure = .corrupt("column \(path): definition level \(d) too low for repetition level \(r)")
                                break entries
                            }
                            loc[k].offsets[loc[k].offsets.count - 1] += 1
                            j = k + 1
                        }
                        while j < depth {
                            if d < defPresent[j] {
                                loc[j].appendSlot(present: false, isList: isList[j])
                                // Below a null struct every field still has a (null) slot, down to the next list.
                                if isStruct[j] {
                                    var m = j + 1
                                    while m < depth {
                                        loc[m].appendSlot(present: false, isList: isList[m])
                                        if isList[m] { break }
                                        m += 1
                                    }
                                }
                                break
                            }
                            loc[j].appendSlot(present: true, isList: isList[j])
                            if isList[j] {
                                if d >= defElement[j] {
                                    loc[j].offsets[loc[j].offsets.count - 1] += 1
                                    j += 1
                                } else {
                                    break
                                }
                            } else {
                                j += 1
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        for (k, id) in chain.enumerated() where k < leafPos && shapes[id] == nil {
            shapes[id] = local[k]
        }
        let leafShape = local[leafPos]
        let present = leafShape.validity.setCount
        guard present == data.valueCount else {
            throw .corrupt("column \(desc.dottedPath) has \(data.valueCount) values but its levels say \(present)")
        }
        if present == leafShape.count {
            return Column(unchecked: leafType, count: present, validity: nil, values: data.values)
        }
        return Column(unchecked: leafType, count: leafShape.count, validity: leafShape.validity,
                      values: try Spacing.spaced(data.values, validity: leafShape.validity, width: leafType.fixedWidth))
    }
}

extension DataType {
    /// The byte width of a fixed-size binary type, used to space its nulls.
    var fixedWidth: Int? {
        if case let .fixedSizeBinary(w) = self { return w }
        return nil
    }
}

/// Turns definition levels into validity bitmaps.
enum LevelBitmap {
    /// A bitmap with bit `i` set when `def[i] >= level`.
    static func presentBits(_ def: [Int32], count: Int, level: Int32) throws(ParquetError) -> Bitmap {
        guard def.count >= count else { throw .corrupt("\(def.count) definition levels for \(count) values") }
        var words = [UInt64](repeating: 0, count: (count + 63) >> 6)
        def.withUnsafeBufferPointer { d in
            words.withUnsafeMutableBufferPointer { w in
                var i = 0
                var wi = 0
                while i + 64 <= count {
                    var word: UInt64 = 0
                    for b in 0..<64 where d[i + b] >= level { word |= 1 << UInt64(b) }
                    w[wi] = word
                    wi += 1
                    i += 64
                }
                if i < count {
                    var word: UInt64 = 0
                    for b in 0..<(count - i) where d[i + b] >= level { word |= 1 << UInt64(b) }
                    w[wi] = word
                }
            }
        }
        return Bitmap(words: words, count: count)
    }
}

/// Spreads densely packed values out to one slot per row, leaving zero in null slots.
enum Spacing {
    static func spaced(_ values: ColumnValues, validity: Bitmap, width: Int?) throws(ParquetError) -> ColumnValues {
        switch values {
        case let .boolean(b):
            var out = Bitmap(count: validity.count, value: false)
            var k = 0
            for i in 0..<validity.count where validity[i] {
                if b[k] { out[i] = true }
                k += 1
            }
            return .boolean(out)
        case let .int8(a): return .int8(spread(a, validity))
        case let .int16(a): return .int16(spread(a, validity))
        case let .int32(a): return .int32(spread(a, validity))
        case let .int64(a): return .int64(spread(a, validity))
        case let .uint8(a): return .uint8(spread(a, validity))
        case let .uint16(a): return .uint16(spread(a, validity))
        case let .uint32(a): return .uint32(spread(a, validity))
        case let .uint64(a): return .uint64(spread(a, validity))
        case let .float32(a): return .float32(spread(a, validity))
        case let .float64(a): return .float64(spread(a, validity))
        case let .decimal(a): return .decimal(spread(a, validity))
        case let .bytes(offsets, data):
            let n = validity.count
            if let w = width, w > 0 {
                // Fixed-size binary keeps `w` (zero) bytes in null slots so every value has width `w`.
                let (total, overflow) = n.multipliedReportingOverflow(by: w)
                guard !overflow else { throw .corrupt("fixed-size column too large") }
                var outData = [UInt8](repeating: 0, count: total)
                var outOffsets = [Int64](repeating: 0, count: n + 1)
                var k = 0
                for i in 0..<n {
                    outOffsets[i + 1] = Int64((i + 1) * w)
                    if validity[i] {
                        let s = Int(offsets[k])
                        for b in 0..<w { outData[i * w + b] = data[s + b] }
                        k += 1
                    }
                }
                return .bytes(offsets: outOffsets, data: outData)
            }
            var outOffsets = [Int64](repeating: 0, count: n + 1)
            var k = 0
            var cur = offsets.first ?? 0
            outOffsets[0] = cur
            for i in 0..<n {
                if validity[i] {
                    cur = offsets[k + 1]
                    k += 1
                }
                outOffsets[i + 1] = cur
            }
            return .bytes(offsets: outOffsets, data: data)
        case .list, .structure, .map:
            throw .corrupt("cannot space nested values")
        }
    }

    @inline(__always)
    static func spread<T: BitwiseCopyable>(_ dense: [T], _ validity: Bitmap) -> [T] {
        let n = validity.count
        let words = validity.words
        return [T](unsafeUninitializedCapacity: n) { out, initialized in
            dense.withUnsafeBufferPointer { src in
                guard let o = out.baseAddress else { return }
                // Zero-fill first so null slots are defined, then place values word by word.
                memsetZero(o, n)
                var k = 0
                for wi in 0..<words.count {
                    var word = words[wi]
                    let base = wi << 6
                    while word != 0 {
                        let b = word.trailingZeroBitCount
                        if k < src.count { o[base + b] = src[k] }
                        k += 1
                        word &= word &- 1
                    }
                }
            }
            initialized = n
        }
    }

    @inline(__always)
    static func memsetZero<T>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
        UnsafeMutableRawPointer(p).initializeMemory(as: UInt8.self, repeating: 0, count: n * MemoryLayout<T>.stride)
    }
}
