import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP request as the transport sends it: everything already signed.
struct HTTPRequest: Sendable {
    /// HTTP method, upper case.
    var method: String
    /// Absolute URL, path and query already encoded.
    var url: String
    /// Header lines to send (`Host` among them, matching what was signed).
    var headers: [(String, String)]
    /// The request body; empty for none.
    var body: [UInt8]
}

/// One HTTP response: status, headers (names lower-cased) and the whole body.
struct HTTPResponse: Sendable {
    /// HTTP status code.
    var status: Int
    /// Response headers, names lower-cased, in arrival order.
    var headers: [(String, String)]
    /// The response body.
    var body: [UInt8]
    /// Connections libcurl opened for this transfer: 0 when it reused a cached one.
    var newConnections: Int = 0

    /// The first value of header `name` (lower case).
    func header(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }
}

/// A transfer that failed below HTTP: connection refused or reset, timeout, TLS, truncated body.
struct TransportError: Error, Sendable, CustomStringConvertible {
    /// The libcurl result code.
    var code: Int
    /// libcurl's message for it.
    var message: String

    /// Connection-level failures and timeouts are worth retrying; bad URLs, TLS certificate errors are not.
    var isRetryable: Bool {
        switch code {
        case 5, 6, 7: true          // couldn't resolve proxy/host (transient DNS), couldn't connect
        case 18: true               // partial file: body shorter than Content-Length
        case 23: false              // write error (our callback refused): not the network
        case 28: true               // operation timed out (incl. low-speed stall)
        case 35: true               // TLS connect error (often a reset during handshake)
        case 52, 55, 56: true       // got nothing, send error, receive error (connection reset)
        case 16, 92: true           // HTTP/2 framing / stream errors
        default: false
        }
    }

    var description: String { "curl error \(code): \(message)" }
}

/// Timeouts for one transfer.
struct TransferLimits: Sendable {
    /// Connecting (TCP + TLS) may take at most this long.
    var connectTimeoutMs: Int = 10_000
    /// A transfer slower than 1 byte/s for this many seconds counts as stalled and fails (then is retried).
    var stallSeconds: Int = 30
    /// Upper bound for the whole transfer; 0 for none (large objects may take long).
    var totalTimeoutMs: Int = 0
    /// Verify the server's TLS certificate and host name (always, unless a test says otherwise).
    var verifyTLS: Bool = true
    /// A PEM file of CA certificates to trust instead of the system's (`AWS_CA_BUNDLE`).
    var caBundle: String?
}

/// Drives libcurl on one dedicated thread with a multi handle, so no Swift task ever blocks on the network:
/// callers suspend on a continuation that the curl thread resumes when the transfer finishes.
///
/// One engine serves the whole process: the multi handle keeps a connection cache, so requests to the same
/// endpoint reuse connections, and any number of transfers run in parallel (bounded per host by curl).
final class CurlEngine: @unchecked Sendable {
    /// The process-wide engine.
    static let shared = CurlEngine()

    private let multi: UnsafeMutableRawPointer?
    private let pending = Mutex<[CurlTransfer]>([])

    private init() {
        _ = curl_global_init(3)  // CURL_GLOBAL_ALL; once, before any other curl call, on this thread
        multi = curl_multi_init()
        if let multi {
            _ = lake_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 32)
            _ = lake_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
        }
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            let engine = Unmanaged<CurlEngine>.fromOpaque(arg).takeRetainedValue()
            engine.run()
            return nil
        }, box)
        if started == 0 { pthread_detach(thread) } else { Unmanaged<CurlEngine>.fromOpaque(box).release() }
    }

    /// Sends `request` and returns the response; throws `TransportError` when no HTTP response arrived.
    func perform(_ request: HTTPRequest, limits: TransferLimits) async throws -> HTTPResponse {
        guard let multi else { throw TransportError(code: -1, message: "libcurl failed to initialise") }
        let transfer = CurlTransfer(request: request, limits: limits)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<HTTPResponse, any Error>) in
                transfer.continuation = c
                pending.withLock { $0.append(transfer) }
                _ = curl_multi_wakeup(multi)
            }
        } onCancel: {
            transfer.cancelled.store(true, ordering: .relaxed)
            self.wakeUp()
        }
    }

    /// Interrupts the curl thread's poll so it picks up new or cancelled transfers.
    private func wakeUp() {
        if let multi { _ = curl_multi_wakeup(multi) }
    }

    /// The curl thread: adds new transfers, runs the multi handle, completes finished transfers.
    private func run() {
        guard let multi else { return }
        var active: [UInt: CurlTransfer] = [:]
        while true {
            let new = pending.withLock { p in defer { p = [] }; return p }
            for transfer in new {
                do {
                    let easy = try transfer.makeEasyHandle()
                    if curl_multi_add_handle(multi, easy) != CURLM_OK {
                        transfer.finish(.failure(TransportError(code: -1, message: "curl_multi_add_handle failed")))
                        continue
                    }
                    active[UInt(bitPattern: easy)] = transfer
                } catch {
                    transfer.finish(.failure(error))
                }
            }
            for (key, transfer) in active where transfer.cancelled.load(ordering: .relaxed) {
                if let easy = transfer.easy { _ = curl_multi_remove_handle(multi, easy) }
                active[key] = nil
                transfer.finish(.failure(CancellationError()))
            }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let msg = curl_multi_info_read(multi, &left) {
                guard lake_curl_msg_is_done(msg) != 0, let easy = lake_curl_msg_easy(msg) else { continue }
                let result = lake_curl_msg_result(msg)
                _ = curl_multi_remove_handle(multi, easy)
                guard let transfer = active.removeValue(forKey: UInt(bitPattern: easy)) else { continue }
                transfer.complete(result)
            }
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}

/// The state of one transfer. Created by the caller, then touched only by the curl thread (the hand-over goes
/// through the engine's mutex), until `finish` resumes the caller exactly once.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let limits: TransferLimits
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    let cancelled = Atomic<Bool>(false)
    var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 256)
    fileprivate var uploadOffset = 0
    fileprivate var responseBody: [UInt8] = []
    fileprivate var responseHeaders: [(String, String)] = []

    init(request: HTTPRequest, limits: TransferLimits) {
        self.request = request
        self.limits = limits
        errorBuffer.initialize(repeating: 0, count: 256)
    }

    deinit {
        if let easy { curl_easy_cleanup(easy) }
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    func makeEasyHandle() throws -> UnsafeMutableRawPointer {
        guard let easy = curl_easy_init() else { throw TransportError(code: -1, message: "curl_easy_init failed") }
        self.easy = easy
        let me = Unmanaged.passUnretained(self).toOpaque()
        var ok = true
        func check(_ code: CURLcode) { if code != CURLE_OK { ok = false } }
        check(lake_curl_easy_setopt_string(easy, CURLOPT_URL, request.url))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(lake_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeoutMs))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, limits.stallSeconds))
        if limits.totalTimeoutMs > 0 { check(lake_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, limits.totalTimeoutMs)) }
        check(lake_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, limits.verifyTLS ? 1 : 0))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, limits.verifyTLS ? 2 : 0))
        if let caBundle = limits.caBundle { check(lake_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caBundle)) }
        check(lake_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        // Only http(s), also on redirects (which S3 requests never follow).
        check(lake_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))

        switch request.method {
        case "GET": break
        case "HEAD": check(lake_curl_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
        default: check(lake_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if request.method == "PUT" || request.method == "POST" {
            // UPLOAD streams the body through the read callback with a Content-Length (0 included).
            check(lake_curl_easy_setopt_long(easy, CURLOPT_UPLOAD, 1))
            check(lake_curl_easy_setopt_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.count)))
            check(lake_curl_easy_setopt_read_callback(easy, curlRead))
            check(lake_curl_easy_setopt_pointer(easy, CURLOPT_READDATA, me))
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            list = curl_slist_append(list, name + ": " + value)
        }
        // No `Expect: 100-continue` round trip, and no Accept header that was not signed.
        list = curl_slist_append(list, "Expect:")
        list = curl_slist_append(list, "Accept:")
        headerList = list
        check(lake_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list))
        check(lake_curl_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, curlWrite))
        check(lake_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me))
        check(lake_curl_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, curlHeader))
        check(lake_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me))
        check(lake_curl_easy_setopt_long(easy, CURLOPT_NOPROGRESS, 0))
        check(lake_curl_easy_setopt_xferinfo_callback(easy, curlProgress))
        check(lake_curl_easy_setopt_pointer(easy, CURLOPT_XFERINFODATA, me))
        guard ok else { throw TransportError(code: -1, message: "libcurl refused an option (is libcurl older than 7.85?)") }
        return easy
    }

    /// Called on the curl thread when curl reports the transfer done.
    func complete(_ result: CURLcode) {
        guard result == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
            finish(.failure(cancelled.load(ordering: .relaxed) ? CancellationError() as any Error
                                                              : TransportError(code: Int(result.rawValue), message: message)))
            return
        }
        var status = 0
        var connects = 0
        if let easy {
            _ = lake_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            _ = lake_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        }
        finish(.success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody, newConnections: connects)))
    }

    func finish(_ result: Result<HTTPResponse, any Error>) {
        guard let c = continuation else { return }
        continuation = nil
        responseBody = []
        c.resume(with: result)
    }

    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = Array(bytes)
        while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: "\n") { line.removeLast() }
        if line.starts(with: Array("HTTP/".utf8)) {
            // A new status line (after `100 Continue`, or an interim response): headers start over.
            responseHeaders = []
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
        let value = SigV4.trimValue(String(decoding: line[(colon + 1)...], as: UTF8.self))
        responseHeaders.append((name, value))
        if name == "content-length", let n = Int(value), n > 0, n <= 1 << 32 {
            responseBody.reserveCapacity(n)
        }
    }
}

private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
    return n
}

private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: n))
    return n
}

private func curlRead(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let body = transfer.request.body
    let n = min(size * count, body.count - transfer.uploadOffset)
    if n <= 0 { return 0 }
    body.withUnsafeBytes { src in
        guard let base = src.baseAddress else { return }
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + transfer.uploadOffset, byteCount: n)
    }
    transfer.uploadOffset += n
    return n
}

private func curlProgress(_ context: UnsafeMutableRawPointer?, _ dlTotal: curl_off_t, _ dlNow: curl_off_t, _ ulTotal: curl_off_t, _ ulNow: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    // Non-zero aborts the transfer: a cancelled task stops its download at once.
    return transfer.cancelled.load(ordering: .relaxed) ? 1 : 0
}
