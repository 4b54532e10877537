/// Appends compact JSON to a byte buffer: integers by digit arithmetic, strings with minimal escaping
/// (quote, backslash, control characters; non-ASCII stays raw UTF-8 as Spark and delta-rs write it).
struct JSONWriter {
    var bytes: [UInt8] = []
    /// True before the first member of the current object, so `key` knows whether to write a comma.
    private var firstStack: [Bool] = []

    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        firstStack.append(true)
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        firstStack.removeLast()
    }

    mutating func key(_ name: StaticString) {
        comma()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func key(_ name: String) {
        comma()
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func comma() {
        if let last = firstStack.last {
            if last { firstStack[firstStack.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
        }
    }

    mutating func null() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    mutating func bool(_ b: Bool) {
        if b { bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65]) }
    }

    mutating func int(_ v: Int64) {
        var mag = v.magnitude
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        if mag == 0 { bytes.append(UInt8(ascii: "0")); return }
        var n = 0
        var t = mag
        while t > 0 { n += 1; t /= 10 }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n))
        var i = start + n - 1
        while mag > 0 {
            bytes[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: mag % 10)
            mag /= 10
            i -= 1
        }
    }

    mutating func double(_ d: Double) {
        // JSON has no NaN or infinity.
        guard d.isFinite else { null(); return }
        bytes.append(contentsOf: "\(d)".utf8)
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { buf in
            var runStart = 0
            for i in 0..<buf.count {
                let c = buf[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
                runStart = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch c {
                case 0x22: bytes.append(0x22)
                case 0x5C: bytes.append(0x5C)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
                }
            }
            if runStart < buf.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case let .bool(b): bool(b)
        case let .int(i): int(i)
        case let .double(d): double(d)
        case let .string(s): string(s)
        case let .array(a):
            bytes.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(e)
            }
            bytes.append(UInt8(ascii: "]"))
        case let .object(o):
            valueMap(o)
        }
    }

    mutating func valueMap(_ o: [String: JSONValue]) {
        beginObject()
        for k in o.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            key(k)
            if let v = o[k] { value(v) }
        }
        endObject()
    }

    mutating func stringMap(_ m: [String: String]) {
        beginObject()
        for k in m.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            key(k)
            string(m[k] ?? "")
        }
        endObject()
    }

    mutating func partitionValues(_ m: [String: String?]) {
        beginObject()
        for k in m.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            key(k)
            if case let .some(.some(v)) = m[k] { string(v) } else { null() }
        }
        endObject()
    }

    mutating func stringArray(_ a: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, e) in a.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(e)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    // MARK: Actions, keys in the order Delta writers use

    mutating func action(_ a: Action) {
        beginObject()
        switch a {
        case let .protocol(p):
            key("protocol"); beginObject()
            key("minReaderVersion"); int(Int64(p.minReaderVersion))
            key("minWriterVersion"); int(Int64(p.minWriterVersion))
            if let r = p.readerFeatures { key("readerFeatures"); stringArray(r) }
            if let w = p.writerFeatures { key("writerFeatures"); stringArray(w) }
            endObject()
        case let .metadata(m):
            key("metaData"); beginObject()
            key("id"); string(m.id)
            if let n = m.name { key("name"); string(n) }
            if let d = m.description { key("description"); string(d) }
            key("format"); beginObject()
            key("provider"); string(m.format.provider)
            key("options"); stringMap(m.format.options)
            endObject()
            key("schemaString"); string(m.schemaString)
            key("partitionColumns"); stringArray(m.partitionColumns)
            key("configuration"); stringMap(m.configuration)
            if let t = m.createdTime { key("createdTime"); int(t) }
            endObject()
        case let .add(f):
            key("add"); beginObject()
            key("path"); string(f.path)
            key("partitionValues"); partitionValues(f.partitionValues)
            key("size"); int(f.size)
            key("modificationTime"); int(f.modificationTime)
            key("dataChange"); bool(f.dataChange)
            if let s = f.stats { key("stats"); string(s) }
            if let t = f.tags { key("tags"); stringMap(t) }
            if let dv = f.deletionVector { key("deletionVector"); deletionVector(dv) }
            if let b = f.baseRowId { key("baseRowId"); int(b) }
            if let v = f.defaultRowCommitVersion { key("defaultRowCommitVersion"); int(v) }
            if let c = f.clusteringProvider { key("clusteringProvider"); string(c) }
            endObject()
        case let .remove(r):
            key("remove"); beginObject()
            key("path"); string(r.path)
            if let t = r.deletionTimestamp { key("deletionTimestamp"); int(t) }
            key("dataChange"); bool(r.dataChange)
            if let e = r.extendedFileMetadata { key("extendedFileMetadata"); bool(e) }
            if let p = r.partitionValues { key("partitionValues"); partitionValues(p) }
            if let s = r.size { key("size"); int(s) }
            if let s = r.stats { key("stats"); string(s) }
            if let t = r.tags { key("tags"); stringMap(t) }
            if let dv = r.deletionVector { key("deletionVector"); deletionVector(dv) }
            if let b = r.baseRowId { key("baseRowId"); int(b) }
            if let v = r.defaultRowCommitVersion { key("defaultRowCommitVersion"); int(v) }
            endObject()
        case let .cdc(c):
            key("cdc"); beginObject()
            key("path"); string(c.path)
            key("partitionValues"); partitionValues(c.partitionValues)
            key("size"); int(c.size)
            key("dataChange"); bool(c.dataChange)
            if let t = c.tags { key("tags"); stringMap(t) }
            endObject()
        case let .txn(t):
            key("txn"); beginObject()
            key("appId"); string(t.appId)
            key("version"); int(t.version)
            if let l = t.lastUpdated { key("lastUpdated"); int(l) }
            endObject()
        case let .commitInfo(c):
            key("commitInfo"); beginObject()
            // inCommitTimestamp first: with in-commit timestamps on, readers may look only at the first action.
            if let t = c.inCommitTimestamp { key("inCommitTimestamp"); int(t) }
            if let t = c.timestamp { key("timestamp"); int(t) }
            if let o = c.operation { key("operation"); string(o) }
            if let p = c.operationParameters { key("operationParameters"); valueMap(p) }
            if let v = c.readVersion { key("readVersion"); int(v) }
            if let i = c.isolationLevel { key("isolationLevel"); string(i) }
            if let b = c.isBlindAppend { key("isBlindAppend"); bool(b) }
            if let m = c.operationMetrics { key("operationMetrics"); valueMap(m) }
            for k in c.otherFields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if let v = c.otherFields[k] { key(k); value(v) }
            }
            if let e = c.engineInfo { key("engineInfo"); string(e) }
            if let t = c.txnId { key("txnId"); string(t) }
            endObject()
        case let .domainMetadata(d):
            key("domainMetadata"); beginObject()
            key("domain"); string(d.domain)
            key("configuration"); string(d.configuration)
            key("removed"); bool(d.removed)
            endObject()
        case let .checkpointMetadata(c):
            key("checkpointMetadata"); beginObject()
            key("version"); int(c.version)
            if let t = c.tags { key("tags"); stringMap(t) }
            endObject()
        case let .sidecar(s):
            key("sidecar"); beginObject()
            key("path"); string(s.path)
            key("sizeInBytes"); int(s.sizeInBytes)
            key("modificationTime"); int(s.modificationTime)
            if let t = s.tags { key("tags"); stringMap(t) }
            endObject()
        }
        endObject()
    }

    mutating func deletionVector(_ dv: DeletionVectorDescriptor) {
        beginObject()
        key("storageType"); string(dv.storageType.rawValue)
        key("pathOrInlineDv"); string(dv.pathOrInlineDv)
        if let o = dv.offset { key("offset"); int(Int64(o)) }
        key("sizeInBytes"); int(Int64(dv.sizeInBytes))
        key("cardinality"); int(dv.cardinality)
        endObject()
    }
}
