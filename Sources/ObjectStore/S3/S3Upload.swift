/// An S3 multipart upload: appended bytes are cut into parts of `config.partSize`, which go up in parallel
/// (at most `config.maxConcurrentParts` at once, so memory stays bounded) while the writer keeps producing.
///
/// Nothing is visible at the key until `complete` (CompleteMultipartUpload). Any failure aborts the upload
/// (AbortMultipartUpload) so no parts linger; an object smaller than one part never starts a multipart upload
/// and is written with one PUT at `complete`.
actor S3Upload: ObjectUpload {
    private enum State { case open, finished }
    private let store: S3Store
    private let path: String
    private let key: String
    private var buffer: [UInt8] = []
    private var uploadId: String?
    private var nextPart = 1
    private var inFlight: [(number: Int, task: Task<String, any Error>)] = []
    private var etags: [(number: Int, etag: String)] = []
    private var state = State.open
    /// Bytes handed to parts so far (the object's size once complete).
    private var totalBytes: Int64 = 0

    init(store: S3Store, path: String, key: String) {
        self.store = store
        self.path = path
        self.key = key
    }

    private var client: S3Client { store.client }
    private var partSize: Int { store.config.partSize }

    /// Appends bytes; uploads each full part as it fills.
    func append(_ bytes: [UInt8]) async throws {
        guard state == .open else { throw ObjectStoreError.io(path, "upload already finished") }
        var offset = 0
        if !buffer.isEmpty || bytes.count < partSize {
            let take = min(partSize - buffer.count, bytes.count)
            buffer.append(contentsOf: bytes[..<take])
            offset = take
            if buffer.count == partSize {
                let part = buffer
                buffer = []
                try await startPart(part)
            }
        }
        while bytes.count - offset >= partSize {
            try await startPart(Array(bytes[offset ..< offset + partSize]))
            offset += partSize
        }
        if offset < bytes.count { buffer.append(contentsOf: bytes[offset...]) }
    }

    /// Publishes the object: the rest as the last part and CompleteMultipartUpload, or one PUT if small.
    func complete() async throws {
        guard state == .open else { throw ObjectStoreError.io(path, "upload already finished") }
        guard uploadId != nil else {
            state = .finished
            let bytes = buffer
            buffer = []
            try await store.put(path, bytes)
            return
        }
        do {
            if !buffer.isEmpty {
                let part = buffer
                buffer = []
                try await startPart(part)
            }
            try await drain(keeping: 0)
            try await completeUpload()
            state = .finished
        } catch {
            await abort()
            throw error
        }
    }

    /// Cancels parts in flight and aborts the multipart upload; the key keeps its previous state.
    func abort() async {
        guard state == .open else { return }
        state = .finished
        buffer = []
        for part in inFlight { part.task.cancel() }
        for part in inFlight { _ = try? await part.task.value }
        inFlight = []
        guard let uploadId else { return }
        // Best effort, retried by the client; an upload left behind is reclaimed by lifecycle rules.
        _ = try? await client.send("DELETE", key: key, query: [("uploadId", uploadId)])
    }

    private func startPart(_ part: [UInt8]) async throws {
        totalBytes += Int64(part.count)
        do {
            let id = try await ensureStarted()
            try await drain(keeping: store.config.maxConcurrentParts - 1)
            let number = nextPart
            nextPart += 1
            let client = self.client, key = self.key, path = self.path
            let task = Task<String, any Error> {
                let outcome = try await client.send("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", id)], body: part)
                guard outcome.response.status == 200 else {
                    throw client.failure(outcome, method: "PUT (part \(number))", key: key, relativeKey: path)
                }
                guard let etag = outcome.response.header("etag"), !etag.isEmpty else {
                    throw ObjectStoreError.io(path, "S3 UploadPart \(number) of \(client.describe(key)) returned no ETag")
                }
                return etag
            }
            inFlight.append((number, task))
        } catch {
            await abort()
            throw error
        }
    }

    /// Waits for the oldest parts until at most `keeping` are in flight.
    private func drain(keeping: Int) async throws {
        while inFlight.count > max(keeping, 0) {
            let first = inFlight.removeFirst()
            let etag = try await first.task.value
            etags.append((first.number, etag))
        }
    }

    private func ensureStarted() async throws -> String {
        if let uploadId { return uploadId }
        let outcome = try await client.send("POST", key: key, query: [("uploads", "")])
        guard outcome.response.status == 200 else {
            throw client.failure(outcome, method: "POST (CreateMultipartUpload)", key: key, relativeKey: path)
        }
        guard let id = (try? S3XML(outcome.response.body))?.text("UploadId"), !id.isEmpty else {
            throw ObjectStoreError.io(path, "S3 CreateMultipartUpload for \(client.describe(key)) returned no UploadId")
        }
        uploadId = id
        return id
    }

    private func completeUpload() async throws {
        guard let uploadId else { return }
        var body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in etags.sorted(by: { $0.number < $1.number }) {
            body += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XML.escape(part.etag))</ETag></Part>"
        }
        body += "</CompleteMultipartUpload>"
        let outcome = try await client.send("POST", key: key, query: [("uploadId", uploadId)], headers: [("Content-Type", "application/xml")],
                                            body: Array(body.utf8))
        if outcome.response.status == 404, outcome.earlierAttemptMayHaveApplied,
           S3Client.errorCode(outcome.response) == "NoSuchUpload",
           let meta = try? await store.head(path), meta.size == totalBytes {
            // An earlier, unanswered attempt completed the upload; S3 has since forgotten the upload id.
            return
        }
        guard outcome.response.status == 200 else {
            throw client.failure(outcome, method: "POST (CompleteMultipartUpload)", key: key, relativeKey: path)
        }
        // S3 may answer 200 and report the failure in the body.
        if let xml = try? S3XML(outcome.response.body), let code = xml.text("Code"), xml.text("ETag") == nil {
            throw ObjectStoreError.io(path, "S3 CompleteMultipartUpload for \(client.describe(key)) failed: \(code) \(xml.text("Message") ?? "")")
        }
    }
}
