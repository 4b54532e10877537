import Columnar
import Foundation
import Testing
@testable import Parquet

/// A small deterministic generator so fuzz cases are the same on every run.
private struct FuzzRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Reads `bytes` completely; returns the error when it throws. A trap would crash the test run.
@discardableResult
func readAll(_ bytes: [UInt8], name: String) -> ParquetError? {
    do {
        let reader = try ParquetReader(source: MemorySource(bytes, name: name))
        _ = try reader.read()
        for g in 0..<reader.rowGroupCount {
            for c in reader.parquetSchema.columns { _ = try reader.statistics(rowGroup: g, column: c.dottedPath) }
        }
        return nil
    } catch {
        return error
    }
}

@Test func badDataFilesThrowOrReadLikePyarrow() throws {
    let files = Corpus.files(Corpus.badData)
    #expect(files.count >= 8)
    // pyarrow reads ARROW-GH-43605 (a valid if unusual file); every other file here it rejects.
    let readable: Set<String> = ["ARROW-GH-43605.parquet"]
    for file in files {
        let bytes = try [UInt8](Data(contentsOf: file))
        let error = readAll(bytes, name: file.lastPathComponent)
        if readable.contains(file.lastPathComponent) {
            #expect(error == nil, "\(file.lastPathComponent): \(String(describing: error))")
            let want = try #require(Pyarrow.read([file])[file.lastPathComponent]?.columns)
            let batch = try ParquetReader(path: file.path).read()
            for (i, field) in batch.schema.fields.enumerated() {
                let c = batch.columns[i]
                #expect((0..<c.count).map { canon(c.scalar(at: $0), field.type) } == want[field.name], "\(field.name)")
            }
        } else {
            #expect(error != nil, "\(file.lastPathComponent) should not read")
            if let error {
                #expect(error.file == file.lastPathComponent)
                #expect(!error.message.isEmpty)
            }
        }
    }
}

@Test func truncatedFilesThrowWithoutTrapping() throws {
    var rng = FuzzRNG(state: 42)
    for file in Corpus.files(Corpus.data) {
        let bytes = try [UInt8](Data(contentsOf: file))
        // Big files are slow in debug builds; fewer cuts still cover header, pages and footer.
        let cuts = bytes.count > 200_000 ? 4 : 16
        var offsets: Set<Int> = [0, 1, 4, 8, bytes.count - 1, bytes.count - 4, bytes.count - 8, bytes.count - 9]
        for _ in 0..<cuts { offsets.insert(Int.random(in: 0..<bytes.count, using: &rng)) }
        for cut in offsets.sorted() where cut >= 0 && cut < bytes.count {
            let error = readAll(Array(bytes[0..<cut]), name: file.lastPathComponent)
            #expect(error != nil, "\(file.lastPathComponent) cut at \(cut) read without error")
        }
    }
}

@Test func flippedBytesThrowOrReadWithoutTrapping() throws {
    var rng = FuzzRNG(state: 7)
    var failures = 0, reads = 0
    for file in Corpus.files(Corpus.data) {
        let bytes = try [UInt8](Data(contentsOf: file))
        let rounds = bytes.count > 200_000 ? 3 : 24
        for _ in 0..<rounds {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<mutated.count, using: &rng)
                mutated[i] ^= UInt8.random(in: 1...255, using: &rng)
            }
            if let error = readAll(mutated, name: file.lastPathComponent) {
                #expect(error.file == file.lastPathComponent)
                failures += 1
            } else {
                reads += 1
            }
        }
    }
    // Most flips land in values and still read; some must hit headers and throw.
    #expect(failures > 0)
    #expect(reads > 0)
}

@Test func flippedFooterBytesThrowOrReadWithoutTrapping() throws {
    // The footer is where sizes and offsets live; hammer it specifically.
    var rng = FuzzRNG(state: 99)
    for file in Corpus.files(Corpus.data) {
        let bytes = try [UInt8](Data(contentsOf: file))
        let footerLength = Int(UInt32(bytes[bytes.count - 8]) | UInt32(bytes[bytes.count - 7]) << 8
            | UInt32(bytes[bytes.count - 6]) << 16 | UInt32(bytes[bytes.count - 5]) << 24)
        guard footerLength > 0, footerLength < bytes.count - 8 else { continue }
        let start = bytes.count - 8 - footerLength
        for _ in 0..<(bytes.count > 200_000 ? 3 : 12) {
            var mutated = bytes
            let i = Int.random(in: start..<(bytes.count - 8), using: &rng)
            mutated[i] ^= UInt8.random(in: 1...255, using: &rng)
            readAll(mutated, name: file.lastPathComponent)
        }
    }
}
