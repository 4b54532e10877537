import Foundation
import HTTPTypes
import Hummingbird

/// The request id every response carries in `X-Request-Id`: the client's own when it sent a usable one,
/// else a new UUID, so a pipeline can match its logs to the server's.
enum RequestID {
    /// The header name.
    static let header = HTTPField.Name("X-Request-Id")!

    /// The client's id when it is 1 to 128 printable ASCII characters, else a fresh one.
    static func of(_ request: Request) -> String {
        if let given = request.headers[header], (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) {
            return given
        }
        return UUID().uuidString.lowercased()
    }
}
