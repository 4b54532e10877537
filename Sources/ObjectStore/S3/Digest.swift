import CCrypto

/// The hashes S3 requests need, computed by OpenSSL's libcrypto: SHA-256 and HMAC-SHA256 for Signature
/// Version 4, MD5 for the `Content-MD5` header DeleteObjects requires.
enum Digest {
    /// SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { evp($0, EVP_sha256(), size: 32) }
    }

    /// SHA-256 of the UTF-8 bytes of `text`.
    static func sha256(_ text: String) -> [UInt8] {
        sha256(Array(text.utf8))
    }

    /// MD5 of `bytes` (an integrity check S3 demands on some requests, not a security measure).
    static func md5(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { evp($0, EVP_md5(), size: 16) }
    }

    /// HMAC-SHA256 of `data` under `key`.
    static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        // A zero-length buffer may have no base address; OpenSSL wants a valid pointer either way.
        let one: [UInt8] = [0]
        key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                one.withUnsafeBufferPointer { z in
                    _ = HMAC(EVP_sha256(), k.baseAddress ?? z.baseAddress, Int32(k.count),
                             d.baseAddress ?? z.baseAddress, d.count, &out, &length)
                }
            }
        }
        return out
    }

    /// HMAC-SHA256 of the UTF-8 bytes of `text` under `key`.
    static func hmacSHA256(key: [UInt8], _ text: String) -> [UInt8] {
        hmacSHA256(key: key, Array(text.utf8))
    }

    private static func evp(_ bytes: UnsafeRawBufferPointer, _ md: OpaquePointer?, size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        var zero: UInt8 = 0
        if let base = bytes.baseAddress {
            _ = EVP_Digest(base, bytes.count, &out, &length, md, nil)
        } else {
            _ = EVP_Digest(&zero, 0, &out, &length, md, nil)
        }
        return out
    }

    /// Lower-case hexadecimal, as SigV4 writes hashes and signatures.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard base64 with padding (RFC 4648), as `Content-MD5` carries the digest.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)]); out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "=")); out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)]); out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
