import Columnar
import DataFrame
import Foundation
import Hummingbird
import Lake

/// The media types a request body of rows may have, by `Content-Type`.
enum RowBodyType: Sendable {
    case ndjson, csv, parquet, jsonArray

    /// The type of `contentType` (parameters such as `; charset=utf-8` ignored); 415 for anything else.
    init(contentType: String?) throws(Problem) {
        guard let contentType else {
            throw Problem.unsupportedMediaType("send rows with a Content-Type: application/x-ndjson, application/json (an array of objects), text/csv or application/vnd.apache.parquet")
        }
        let base = contentType.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch base {
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines": self = .ndjson
        case "text/csv": self = .csv
        case "application/vnd.apache.parquet": self = .parquet
        case "application/json": self = .jsonArray
        default:
            throw Problem.unsupportedMediaType("rows cannot be read from \(base.isEmpty ? "an empty Content-Type" : base): use application/x-ndjson, application/json (an array of objects), text/csv or application/vnd.apache.parquet")
        }
    }

    /// The file extension `BatchReaders` opens the spooled body by.
    var fileExtension: String {
        switch self {
        case .ndjson, .jsonArray: "ndjson"
        case .csv: "csv"
        case .parquet: "parquet"
        }
    }
}

/// A request body of rows spooled to a temporary file chunk by chunk (so memory stays bounded whatever its
/// size), at most `limit` bytes, then read with the same batch readers as `lake write`. A JSON array of objects
/// is rewritten to NDJSON on the way.
final class SpooledBody: Sendable {
    /// The spooled file.
    let path: String

    private init(path: String) { self.path = path }

    /// Spools `body` of `type` into `directory`; 413 past `limit` bytes, 400 for an empty body or a JSON body
    /// that is not an array of objects.
    static func spool(_ body: RequestBody, type: RowBodyType, limit: Int, directory: String) async throws -> SpooledBody {
        let path = directory + "/upload-" + UUID().uuidString + "." + type.fileExtension
        guard let file = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        }() else {
            throw LakeError(.storage, "cannot create the upload file \(path)")
        }
        let spooled = SpooledBody(path: path)
        do {
            defer { try? file.close() }
            var total = 0
            var splitter = type == .jsonArray ? JSONArrayLines() : nil
            for try await buffer in body {
                total += buffer.readableBytes
                if total > limit { throw Problem.bodyTooLarge(limit) }
                var bytes = Array(buffer.readableBytesView)
                if var s = splitter { bytes = try s.feed(bytes); splitter = s }
                if !bytes.isEmpty { try file.write(contentsOf: bytes) }
            }
            if var s = splitter {
                try s.finish()
                if s.rows == 0 { throw Problem.badRequest("the JSON array has no rows") }
            }
            if total == 0 { throw Problem.badRequest("the request body is empty: send the rows to write") }
        } catch {
            spooled.remove()
            throw error
        }
        return spooled
    }

    /// The batches of the body, parsed with `table`'s column types.
    func batches(table: Schema) throws -> WriteData {
        let reader: any BatchReader
        do { reader = try BatchReaders.open(path: path, table: table) } catch { throw Self.classify(error) }
        let box = ReaderBox(reader)
        return WriteData(schema: reader.schema) { try box.next() }
    }

    /// Deletes the spooled file.
    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A body that does not parse is the client's fault (422 when it parsed but does not fit; 400 when its bytes
    /// are not what the Content-Type says).
    static func classify(_ error: any Error) -> any Error {
        let e = LakeError.inputData(error)
        switch e.kind {
        case .corruptTable, .unsupported, .failed: return Problem.badRequest("the body is not what its Content-Type says: \(e.message)")
        default: return e
        }
    }

    /// The reader behind a `WriteData`, pulled by one task at a time.
    private final class ReaderBox: @unchecked Sendable {
        let reader: any BatchReader
        init(_ reader: any BatchReader) { self.reader = reader }
        func next() throws -> DataFrame? {
            do { return try reader.next() } catch { throw SpooledBody.classify(error) }
        }
    }
}

/// Rewrites a JSON array of objects (`[{...}, {...}]`) into NDJSON, one object a line, byte by byte so it
/// works on a body arriving in chunks. Whitespace outside strings is dropped; nesting deeper than
/// `maxDepth` or anything but objects at the top of the array is refused.
struct JSONArrayLines {
    static let maxDepth = 64
    private var started = false
    private var ended = false
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Rows completed so far.
    private(set) var rows = 0

    /// The NDJSON bytes for `chunk`.
    mutating func feed(_ chunk: [UInt8]) throws(Problem) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(chunk.count)
        for b in chunk {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case 0x20, 0x0a, 0x0d, 0x09: continue
            default: break
            }
            if ended { throw Problem.badRequest("the JSON body has content after its array") }
            if !started {
                guard b == UInt8(ascii: "[") else { throw Problem.badRequest("a JSON body of rows is an array of objects: it starts with [") }
                started = true
                continue
            }
            if depth == 0 {
                switch b {
                case UInt8(ascii: "{"): depth = 1; out.append(b)
                case UInt8(ascii: ","): if rows == 0 { throw Problem.badRequest("the JSON array has a comma before its first object") }
                case UInt8(ascii: "]"): ended = true
                default: throw Problem.badRequest("a JSON body of rows is an array of objects; found something else in the array")
                }
                continue
            }
            out.append(b)
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > Self.maxDepth { throw Problem.badRequest("the JSON body nests deeper than \(Self.maxDepth) levels") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { out.append(0x0a); rows += 1 }
            default: break
            }
        }
        return out
    }

    /// Checks the array was closed.
    func finish() throws(Problem) {
        guard started, ended else { throw Problem.badRequest("the JSON body is not a complete array of objects") }
    }
}
