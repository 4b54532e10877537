#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// AWS credentials: an access key pair and, for temporary credentials, a session token.
///
/// `description` never shows the secret or the token (and only the first characters of the key id), so a
/// configuration printed in an error or a log cannot leak them.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The access key id (`AWS_ACCESS_KEY_ID`).
    public var accessKeyId: String
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`).
    public var secretAccessKey: String
    /// The session token of temporary credentials (`AWS_SESSION_TOKEN`), sent as `x-amz-security-token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The key id shortened to its first four characters; secret and token redacted.
    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId.prefix(4))…, secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    /// Same as `description`: debug output must not leak the secret either.
    public var debugDescription: String { description }

    /// A mirror without the secrets, so `dump` and reflection-based printing cannot leak them.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": "\(accessKeyId.prefix(4))…", "secretAccessKey": "<redacted>",
                                "sessionToken": sessionToken == nil ? "nil" : "<redacted>"])
    }
}

/// A request as Signature Version 4 sees it: the parts that go into the canonical request.
struct SigV4Request: Sendable {
    /// HTTP method, upper case.
    var method: String
    /// The path exactly as sent, already URI-encoded (`SigV4.encodePath`), starting with '/'.
    var encodedPath: String
    /// Query parameters, not encoded (the canonical form encodes and sorts them).
    var query: [(String, String)]
    /// Headers to sign and send (names in any case; `host` must be among them).
    var headers: [(String, String)]
    /// Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    var payloadHash: String
}

/// AWS Signature Version 4 (header-based), as specified in "Authenticating Requests (AWS Signature Version 4)".
///
/// Pure functions of their inputs (the time is a parameter), so the AWS test vectors pin every step.
enum SigV4 {
    /// The algorithm name at the head of the string to sign and the Authorization header.
    static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash value that tells S3 the body is not part of the signature.
    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// Hex SHA-256 of the empty body.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// `x-amz-date` (`20130524T000000Z`) and the scope date (`20130524`) of a Unix time, in UTC.
    static func timestamp(epochSeconds: Int) -> (dateTime: String, date: String) {
        var t = time_t(epochSeconds)
        var parts = tm()
        _ = gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let date = pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2)
        return (date + "T" + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z", date)
    }

    /// URI-encodes every byte except the unreserved characters (`A-Z a-z 0-9 - _ . ~`), and '/' when `keepSlash`.
    static func encode(_ s: String, keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash:
                out.append(b)
            default:
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An S3 object path (`/bucket/key` or `/key`), encoded once: S3 does not normalize or double-encode paths.
    static func encodePath(_ path: String) -> String {
        encode(path, keepSlash: true)
    }

    /// The canonical query string: names and values encoded, sorted by name then value, joined with '&'.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0, keepSlash: false), encode($0.1, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? ObjectPath.precedes($0.1, $1.1) : ObjectPath.precedes($0.0, $1.0) }
            .map { $0.0 + "=" + $0.1 }
            .joined(separator: "&")
    }

    /// The query as sent in the URL: same encoding and order as the canonical one, with `name` alone for an
    /// empty value (`?uploads`, `?delete`), which S3 reads the same as `name=`.
    static func urlQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0, keepSlash: false), encode($0.1, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? ObjectPath.precedes($0.1, $1.1) : ObjectPath.precedes($0.0, $1.0) }
            .map { $0.1.isEmpty ? $0.0 : $0.0 + "=" + $0.1 }
            .joined(separator: "&")
    }

    /// Canonical headers (lower-case names, trimmed values with inner runs of spaces collapsed, sorted, repeated
    /// names joined with ',') and the signed-headers list.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (canonical: String, signed: String) {
        var merged: [(String, String)] = []
        for (name, value) in headers {
            let n = name.lowercased()
            let v = trimValue(value)
            if let i = merged.firstIndex(where: { $0.0 == n }) {
                merged[i].1 += "," + v
            } else {
                merged.append((n, v))
            }
        }
        merged.sort { ObjectPath.precedes($0.0, $1.0) }
        let canonical = merged.map { $0.0 + ":" + $0.1 + "\n" }.joined()
        return (canonical, merged.map(\.0).joined(separator: ";"))
    }

    static func trimValue(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for b in value.utf8 {
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(UInt8(ascii: " ")); pendingSpace = false }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical request: method, path, query, headers, signed headers and payload hash, one per line.
    static func canonicalRequest(_ request: SigV4Request) -> (text: String, signedHeaders: String) {
        let (headers, signed) = canonicalHeaders(request.headers)
        let text = [request.method, request.encodedPath, canonicalQuery(request.query), headers, signed, request.payloadHash]
            .joined(separator: "\n")
        return (text, signed)
    }

    /// `date/region/service/aws4_request`.
    static func scope(date: String, region: String, service: String) -> String {
        "\(date)/\(region)/\(service)/aws4_request"
    }

    /// The string to sign: algorithm, timestamp, scope and the hex SHA-256 of the canonical request.
    static func stringToSign(dateTime: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, dateTime, scope, Digest.hex(Digest.sha256(canonicalRequest))].joined(separator: "\n")
    }

    /// The signing key: HMAC chain over date, region, service and `aws4_request`, keyed by `AWS4` + secret.
    static func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        let kDate = Digest.hmacSHA256(key: Array(("AWS4" + secret).utf8), date)
        let kRegion = Digest.hmacSHA256(key: kDate, region)
        let kService = Digest.hmacSHA256(key: kRegion, service)
        return Digest.hmacSHA256(key: kService, "aws4_request")
    }

    /// The `Authorization` header value for `request` at `dateTime` (which must equal its `x-amz-date`).
    static func authorization(
        _ request: SigV4Request, credentials: AWSCredentials, region: String, service: String, dateTime: String
    ) -> String {
        let date = String(dateTime.prefix(8))
        let (canonical, signed) = canonicalRequest(request)
        let scope = scope(date: date, region: region, service: service)
        let toSign = stringToSign(dateTime: dateTime, scope: scope, canonicalRequest: canonical)
        let key = signingKey(secret: credentials.secretAccessKey, date: date, region: region, service: service)
        let signature = Digest.hex(Digest.hmacSHA256(key: key, toSign))
        return "\(algorithm) Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signed), Signature=\(signature)"
    }

    /// Adds `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` (temporary credentials) and
    /// `Authorization` to `request.headers`, signing every header the request carries.
    static func sign(
        _ request: inout SigV4Request, credentials: AWSCredentials, region: String, service: String = "s3", epochSeconds: Int
    ) {
        let (dateTime, _) = timestamp(epochSeconds: epochSeconds)
        request.headers.append(("x-amz-date", dateTime))
        request.headers.append(("x-amz-content-sha256", request.payloadHash))
        if let token = credentials.sessionToken, !token.isEmpty {
            request.headers.append(("x-amz-security-token", token))
        }
        let auth = authorization(request, credentials: credentials, region: region, service: service, dateTime: dateTime)
        request.headers.append(("Authorization", auth))
    }
}
