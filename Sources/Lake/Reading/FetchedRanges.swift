import ObjectStore
import Parquet
import Synchronization

/// A `RandomAccessSource` over the byte ranges of one object that were fetched from its store beforehand.
///
/// `ParquetReader` reads synchronously; stores are asynchronous and possibly remote. So a read first fetches
/// the footer, asks the reader which column chunks it needs (`ParquetReader.byteRanges`), fetches those
/// (coalesced), and only then decodes: a remote file is never downloaded whole to read one column.
final class FetchedRanges: RandomAccessSource, Sendable {
    /// The object's key, for error messages.
    let name: String
    /// The object's size in bytes.
    let size: Int
    private let pieces = Mutex<[(start: Int, bytes: [UInt8])]>([])
    private let fetched = Atomic<Int>(0)
    private let store: any ObjectStore

    /// Delta timestamps are microseconds: INT96 values (older Spark) decode straight to them, exactly, instead of
    /// through nanoseconds, which wrap outside 1677–2262.
    static let deltaReadOptions = ParquetReadOptions(int96TimestampUnit: .microsecond)

    /// Largest gap between two needed ranges that is fetched along with them rather than as a second request.
    static let coalesceGap = 1 << 20
    /// Bytes fetched from the end of the object for the footer; small footers need no second request.
    static let footerGuess = 64 * 1024

    private init(store: any ObjectStore, key: String, size: Int) {
        self.store = store
        self.name = key
        self.size = size
    }

    /// Bytes fetched from the store so far.
    var bytesFetched: Int { fetched.load(ordering: .relaxed) }

    /// Opens `key` for Parquet reading: fetches its footer and parses it. `expectedSize` is the size the log
    /// records; when the bytes there do not end in a Parquet footer the real size is asked of the store.
    static func openParquet(store: any ObjectStore, key: String, expectedSize: Int64) async throws -> (ParquetReader, FetchedRanges) {
        if expectedSize >= 12, expectedSize <= Int64(Int.max) {
            let source = FetchedRanges(store: store, key: key, size: Int(expectedSize))
            if try await source.fetchFooter() { return (try ParquetReader(source: source, options: deltaReadOptions), source) }
        }
        let meta = try await store.head(key)
        let source = FetchedRanges(store: store, key: key, size: Int(clamping: meta.size))
        guard try await source.fetchFooter() else {
            throw ParquetError(.corrupt, "not a Parquet file: it does not end with the PAR1 magic", file: key)
        }
        return (try ParquetReader(source: source, options: deltaReadOptions), source)
    }

    /// Fetches the tail and, when the footer is longer, the rest of it; false when the tail is not a footer.
    private func fetchFooter() async throws -> Bool {
        let tailLength = min(size, Self.footerGuess)
        let tail = try await store.getRange(name, (size - tailLength)..<size)
        fetched.add(tail.count, ordering: .relaxed)
        guard tail.count == tailLength, tailLength >= 8, Array(tail[(tailLength - 4)...]) == Array("PAR1".utf8) else { return false }
        let b = tail[(tailLength - 8)..<(tailLength - 4)].map(UInt32.init)
        let footerLength = Int(b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24)
        add(start: size - tailLength, bytes: tail)
        let needed = footerLength + 8
        if needed > tailLength, needed <= size {
            try await fetch([(size - needed)..<(size - tailLength)])
        }
        return true
    }

    /// Fetches `ranges` (coalescing neighbours closer than `coalesceGap`), skipping what is already here.
    func fetch(_ ranges: [Range<Int>]) async throws {
        var merged: [Range<Int>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !r.isEmpty && !covers(r) {
            if let last = merged.last, r.lowerBound <= last.upperBound + Self.coalesceGap {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        for r in merged {
            let bytes = try await store.getRange(name, r)
            fetched.add(bytes.count, ordering: .relaxed)
            guard bytes.count == r.count else {
                throw ParquetError(.corrupt, "the object ended after \(r.lowerBound + bytes.count) bytes while reading bytes \(r.lowerBound)..<\(r.upperBound) (the log says \(size))", file: name)
            }
            add(start: r.lowerBound, bytes: bytes)
        }
    }

    /// Drops the fetched column chunks, keeping only the footer's bytes: a file read row group by row group
    /// holds one group's chunks at a time.
    func releaseColumnChunks() {
        let footerStart = size - min(size, Self.footerGuess)
        pieces.withLock { p in p.removeAll { $0.start < footerStart } }
    }

    private func add(start: Int, bytes: [UInt8]) {
        pieces.withLock { p in
            p.append((start, bytes))
            p.sort { $0.start < $1.start }
        }
    }

    private func covers(_ r: Range<Int>) -> Bool {
        pieces.withLock { p in p.contains { $0.start <= r.lowerBound && r.upperBound <= $0.start + $0.bytes.count } }
    }

    /// Exactly `count` bytes at `offset`, from one fetched piece.
    func read(offset: Int, count: Int) throws(ParquetError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw ParquetError(.corrupt, "read of \(count) bytes at offset \(offset) is outside the \(size)-byte file", file: name)
        }
        let found: [UInt8]? = pieces.withLock { p in
            for piece in p where piece.start <= offset && offset + count <= piece.start + piece.bytes.count {
                let from = offset - piece.start
                return Array(piece.bytes[from..<(from + count)])
            }
            return nil
        }
        guard let found else {
            throw ParquetError(.io, "bytes \(offset)..<\(offset + count) were not fetched before reading", file: name)
        }
        return found
    }
}
