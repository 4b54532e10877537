/// An object store over an S3 bucket (AWS or any S3-compatible server): keys are object keys below `prefix`.
///
/// Requests are signed with Signature Version 4 and sent through libcurl on a dedicated thread (`CurlEngine`),
/// reusing connections and running in parallel; transient failures are retried (`S3RetryPolicy`).
/// `putIfAbsent` is a `PUT` with `If-None-Match: *`, which S3 applies atomically: exactly one writer of a
/// Delta commit wins, across processes and machines.
public struct S3Store: ObjectStore {
    /// The bucket.
    public let bucket: String
    /// Key prefix of the store's root (no leading or trailing '/'; empty for the bucket root).
    public let prefix: String
    /// The configuration requests use.
    public var config: S3Config { client.config }
    let client: S3Client

    /// Creates a store for `s3://bucket/prefix`; throws when `config` cannot work (see `S3Config.validate`).
    public init(bucket: String, prefix: String = "", config: S3Config) throws(ObjectStoreError) {
        guard !bucket.isEmpty, !bucket.contains("/") else {
            throw .unsupportedLocation("s3://\(bucket)", "the bucket name must be non-empty and contain no '/'")
        }
        try config.validate()
        self.bucket = bucket
        self.prefix = prefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        self.client = S3Client(bucket: bucket, config: config)
    }

    /// The object key of store path `path`.
    func objectKey(_ path: String) throws(ObjectStoreError) -> String {
        try ObjectPath.validate(path)
        return prefix.isEmpty ? path : prefix + "/" + path
    }

    /// Key prefix that every object of the store starts with ("" or "prefix/").
    var rootPrefix: String { prefix.isEmpty ? "" : prefix + "/" }

    /// The whole object.
    public func get(_ path: String) async throws -> [UInt8] {
        let key = try objectKey(path)
        let outcome = try await client.send("GET", key: key, errorPath: path)
        guard outcome.response.status == 200 else { throw client.failure(outcome, method: "GET", key: key, relativeKey: path) }
        return outcome.response.body
    }

    /// Bytes `range` of the object, clamped to its end (one ranged GET).
    public func getRange(_ path: String, _ range: Range<Int>) async throws -> [UInt8] {
        let key = try objectKey(path)
        guard range.lowerBound >= 0 else { throw ObjectStoreError.io(path, "negative range start \(range.lowerBound)") }
        if range.isEmpty { return [] }
        let outcome = try await client.send("GET", key: key, headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")], errorPath: path)
        let response = outcome.response
        switch response.status {
        case 206:
            return response.body.count > range.count ? Array(response.body.prefix(range.count)) : response.body
        case 200:
            // A server that ignores Range sends the whole object.
            let lo = min(range.lowerBound, response.body.count), hi = min(range.upperBound, response.body.count)
            return Array(response.body[lo ..< hi])
        case 416:
            return []  // the range starts at or after the end
        default:
            throw client.failure(outcome, method: "GET", key: key, relativeKey: path)
        }
    }

    /// Size and modification time of the object (HEAD).
    public func head(_ path: String) async throws -> ObjectMeta {
        let key = try objectKey(path)
        let outcome = try await client.send("HEAD", key: key, errorPath: path)
        let response = outcome.response
        guard response.status == 200 else {
            if response.status == 404 { throw ObjectStoreError.notFound(path) }
            throw client.failure(outcome, method: "HEAD", key: key, relativeKey: path)
        }
        guard let length = response.header("content-length").flatMap({ Int64($0) }), length >= 0 else {
            throw ObjectStoreError.io(path, "S3 HEAD \(client.describe(key)) returned no valid Content-Length")
        }
        let modified = response.header("last-modified").flatMap(HTTPDate.parseMillis) ?? 0
        return ObjectMeta(path: path, size: length, lastModified: modified)
    }

    /// Writes the object with one PUT (S3 replaces objects atomically).
    public func put(_ path: String, _ bytes: [UInt8]) async throws {
        let key = try objectKey(path)
        let outcome = try await client.send("PUT", key: key, body: bytes, errorPath: path)
        guard outcome.response.status == 200 else { throw client.failure(outcome, method: "PUT", key: key, relativeKey: path) }
    }

    /// Creates the object only if absent: `PUT` with `If-None-Match: *`; a 412 means another writer has it.
    ///
    /// When an earlier attempt of this request timed out or failed with a 5xx, a 412 on the retry may be our
    /// own first attempt having landed: the object is read back and compared, and identical bytes count as
    /// success. (Two writers committing byte-identical content cannot be told apart, and need not be.)
    public func putIfAbsent(_ path: String, _ bytes: [UInt8]) async throws {
        let key = try objectKey(path)
        let outcome = try await client.send("PUT", key: key, headers: [("If-None-Match", "*")], body: bytes, errorPath: path)
        switch outcome.response.status {
        case 200:
            return
        case 412:
            if outcome.earlierAttemptMayHaveApplied {
                // Failing to read back must not turn into "another writer won": the caller would then commit
                // the same actions again at the next version.
                let existing: [UInt8]
                do { existing = try await get(path) } catch {
                    throw ObjectStoreError.io(path, "a conditional PUT to \(client.describe(key)) got 412 after an unanswered attempt, and reading the object back to tell whether it is ours failed: \(error)")
                }
                if existing == bytes { return }
            }
            throw ObjectStoreError.alreadyExists(path)
        default:
            throw client.failure(outcome, method: "PUT", key: key, relativeKey: path)
        }
    }

    /// Starts a multipart upload (see `S3Upload`): parts go up in parallel once they reach `config.partSize`;
    /// an object smaller than one part is written with a single PUT at `complete`.
    public func upload(_ path: String) async throws -> any ObjectUpload {
        let key = try objectKey(path)
        return S3Upload(store: self, path: path, key: key)
    }

    /// Every object whose key starts with `prefix`, in byte order of the keys (ListObjectsV2, all pages).
    public func list(prefix: String) async throws -> [ObjectMeta] {
        try await list(prefix: prefix, startAfter: nil)
    }

    /// Objects whose key starts with `prefix` and sorts after `startAfter`, in byte order: S3 starts the listing
    /// there (`start-after`), so a log listed from a checkpoint version does not page through older commits.
    public func list(prefix: String, startAfter: String?) async throws -> [ObjectMeta] {
        if prefix.utf8.first == UInt8(ascii: "/") { throw ObjectStoreError.invalidPath(prefix, "paths are relative to the store root") }
        let root = rootPrefix
        let fullPrefix = root + prefix
        var out: [ObjectMeta] = []
        var token: String?
        var pages = 0
        while true {
            var query: [(String, String)] = [("list-type", "2"), ("prefix", fullPrefix), ("encoding-type", "url"),
                                             ("max-keys", String(config.listPageSize))]
            if let token { query.append(("continuation-token", token)) } else if let startAfter { query.append(("start-after", root + startAfter)) }
            let outcome = try await client.send("GET", key: nil, query: query, errorPath: prefix)
            guard outcome.response.status == 200 else {
                throw client.failure(outcome, method: "GET (list \(fullPrefix))", key: nil, relativeKey: prefix)
            }
            let page: S3ListPage
            do { page = try S3ListPage(outcome.response.body) } catch {
                throw ObjectStoreError.io(prefix, "S3 ListObjectsV2 on \(client.describe(fullPrefix)) returned a malformed document: \(error)")
            }
            for entry in page.entries {
                guard entry.key.hasPrefix(root) else { continue }
                let relative = String(entry.key.dropFirst(root.count))
                // Keys a store cannot address (empty segments, "..") are not its objects.
                guard (try? ObjectPath.validate(relative)) != nil else { continue }
                out.append(ObjectMeta(path: relative, size: entry.size, lastModified: entry.lastModified))
            }
            pages += 1
            guard page.isTruncated else { break }
            guard let next = page.nextContinuationToken, !next.isEmpty, next != token else {
                throw ObjectStoreError.io(prefix, "S3 ListObjectsV2 on \(client.describe(fullPrefix)) says the listing is truncated but gives no new continuation token (page \(pages))")
            }
            token = next
        }
        out.sort { ObjectPath.precedes($0.path, $1.path) }
        return out
    }

    /// Deletes the object; a missing object is not an error.
    public func delete(_ path: String) async throws {
        let key = try objectKey(path)
        let outcome = try await client.send("DELETE", key: key, errorPath: path)
        let status = outcome.response.status
        guard status == 204 || status == 200 || status == 404 else {
            throw client.failure(outcome, method: "DELETE", key: key, relativeKey: path)
        }
    }

    /// Deletes many objects with DeleteObjects, up to 1000 keys per request; missing objects are not errors.
    /// Throws naming the keys S3 refused to delete.
    public func delete(_ paths: [String]) async throws {
        let keys = try paths.map { (path: String) throws(ObjectStoreError) in try objectKey(path) }
        var start = 0
        while start < keys.count {
            let batch = keys[start ..< min(start + 1000, keys.count)]
            start += batch.count
            var body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
            for key in batch { body += "<Object><Key>\(S3XML.escape(key))</Key></Object>" }
            body += "</Delete>"
            let bytes = Array(body.utf8)
            let outcome = try await client.send("POST", key: nil, query: [("delete", "")],
                                                headers: [("Content-MD5", Digest.base64(Digest.md5(bytes))), ("Content-Type", "application/xml")],
                                                body: bytes)
            guard outcome.response.status == 200 else {
                throw client.failure(outcome, method: "POST (DeleteObjects)", key: nil, relativeKey: batch.first ?? "")
            }
            let xml: S3XML
            do { xml = try S3XML(outcome.response.body) } catch {
                throw ObjectStoreError.io(batch.first ?? "", "S3 DeleteObjects returned a malformed document: \(error)")
            }
            let errors = xml.records("Error").filter { $0["Code"] != "NoSuchKey" }
            if let first = errors.first {
                let shown = errors.prefix(5).map { "\($0["Key"] ?? "?"): \($0["Code"] ?? "?") \($0["Message"] ?? "")" }.joined(separator: "; ")
                throw ObjectStoreError.io(first["Key"] ?? "", "S3 DeleteObjects in s3://\(bucket) failed for \(errors.count) key\(errors.count == 1 ? "" : "s"): \(shown)")
            }
        }
    }
}

/// One page of a ListObjectsV2 response (keys URL-decoded, as requested with `encoding-type=url`).
struct S3ListPage: Sendable {
    /// Object keys with size and modification time.
    var entries: [(key: String, size: Int64, lastModified: Int64)] = []
    /// More pages follow.
    var isTruncated = false
    /// The token for the next page.
    var nextContinuationToken: String?

    init(_ body: [UInt8]) throws {
        let xml = try S3XML(body)
        let encoded = xml.text("EncodingType") == "url"
        for record in xml.records("Contents") {
            guard let rawKey = record["Key"] else { throw S3XMLError("a <Contents> entry has no <Key>") }
            let key: String
            if encoded {
                // S3 encodes a space as '+' in url encoding; a literal '+' arrives as %2B.
                guard let decoded = StoreLocation.percentDecode(rawKey.replacingPlus()) else { throw S3XMLError("key \(rawKey) is not valid URL encoding") }
                key = decoded
            } else {
                key = rawKey
            }
            guard let size = record["Size"].flatMap({ Int64($0) }), size >= 0 else { throw S3XMLError("key \(rawKey) has no valid <Size>") }
            entries.append((key, size, record["LastModified"].flatMap(HTTPDate.parseISO8601Millis) ?? 0))
        }
        isTruncated = xml.text("IsTruncated") == "true"
        nextContinuationToken = xml.text("NextContinuationToken")
    }
}

extension String {
    fileprivate func replacingPlus() -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
