import DeltaLog
import Hummingbird
import Lake

/// A small JSON request body (the options of create, delete, update, restore, optimize, vacuum) read whole, at
/// most `limit` bytes, with typed accessors whose errors name the field.
struct JSONBody {
    /// The body's fields.
    let fields: [String: JSONValue]

    /// Reads `request`'s body; an empty body is an empty object. 413 past `limit`, 415 when it is not JSON,
    /// 400 when it does not parse or is not an object, or has a field `allowed` does not name.
    static func read(_ request: Request, limit: Int, allowed: Set<String>) async throws -> JSONBody {
        if let type = request.headers[.contentType],
           type.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) != "application/json" {
            throw Problem.unsupportedMediaType("this route reads application/json, not \(type)")
        }
        if let text = request.headers[.contentLength], let length = Int(text), length > limit { throw Problem.bodyTooLarge(limit) }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            if bytes.count + buffer.readableBytes > limit { throw Problem.bodyTooLarge(limit) }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return JSONBody(fields: [:]) }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw Problem.badRequest("the body is not valid JSON: \(error)") }
        guard case let .object(fields) = value else { throw Problem.badRequest("the body must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem.badRequest("unknown field \"\(unknown)\"; this route takes \(allowed.sorted().joined(separator: ", "))")
        }
        return JSONBody(fields: fields)
    }

    /// A string field, nil when absent or null.
    func string(_ key: String) throws(Problem) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case let .string(s)?: return s
        default: throw Problem.badRequest("\"\(key)\" must be a string")
        }
    }

    /// An integer field, nil when absent or null.
    func int(_ key: String) throws(Problem) -> Int64? {
        switch fields[key] {
        case nil, .null?: return nil
        case let .int(i)?: return i
        default: throw Problem.badRequest("\"\(key)\" must be an integer")
        }
    }

    /// A number field (integer or not), nil when absent or null.
    func number(_ key: String) throws(Problem) -> Double? {
        switch fields[key] {
        case nil, .null?: return nil
        case let .int(i)?: return Double(i)
        case let .double(d)?: return d
        default: throw Problem.badRequest("\"\(key)\" must be a number")
        }
    }

    /// A boolean field, nil when absent or null.
    func bool(_ key: String) throws(Problem) -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case let .bool(b)?: return b
        default: throw Problem.badRequest("\"\(key)\" must be true or false")
        }
    }

    /// An array of strings, nil when absent or null.
    func strings(_ key: String) throws(Problem) -> [String]? {
        switch fields[key] {
        case nil, .null?: return nil
        case let .array(items)?:
            var out: [String] = []
            for item in items {
                guard case let .string(s) = item else { throw Problem.badRequest("\"\(key)\" must be an array of strings") }
                out.append(s)
            }
            return out
        default: throw Problem.badRequest("\"\(key)\" must be an array of strings")
        }
    }

    /// An object of strings, in key order; nil when absent or null.
    func stringMap(_ key: String) throws(Problem) -> [(String, String)]? {
        switch fields[key] {
        case nil, .null?: return nil
        case let .object(o)?:
            var out: [(String, String)] = []
            for k in o.keys.sorted() {
                guard case let .string(s)? = o[k] else { throw Problem.badRequest("\"\(key)\" must map names to strings") }
                out.append((k, s))
            }
            return out
        default: throw Problem.badRequest("\"\(key)\" must be an object of strings")
        }
    }
}
