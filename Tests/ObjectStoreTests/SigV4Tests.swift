import Testing
@testable import ObjectStore

/// Signature Version 4 against the published vectors: AWS's SigV4 test suite (service `service`, 2015-08-30) and
/// the S3 examples of "Examples: Signature Calculations in AWS Signature Version 4" (examplebucket, 2013-05-24).
@Suite struct SigV4Tests {
    static let suiteCredentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let s3Credentials = AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let suiteHeaders = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]

    func suiteAuthorization(method: String, path: String, query: [(String, String)] = []) -> String {
        let request = SigV4Request(method: method, encodedPath: path, query: query, headers: Self.suiteHeaders,
                                   payloadHash: SigV4.emptyPayloadHash)
        return SigV4.authorization(request, credentials: Self.suiteCredentials, region: "us-east-1", service: "service",
                                   dateTime: "20150830T123600Z")
    }

    func s3Signature(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
                     payloadHash: String) -> (canonical: String, authorization: String) {
        let request = SigV4Request(method: method, encodedPath: SigV4.encodePath(path), query: query,
                                   headers: headers, payloadHash: payloadHash)
        let auth = SigV4.authorization(request, credentials: Self.s3Credentials, region: "us-east-1", service: "s3",
                                       dateTime: "20130524T000000Z")
        return (SigV4.canonicalRequest(request).text, auth)
    }

    @Test func signingKeyMatchesTheDocumentedDerivation() {
        let key = SigV4.signingKey(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", date: "20120215",
                                   region: "us-east-1", service: "iam")
        #expect(Digest.hex(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test func getVanilla() {
        let request = SigV4Request(method: "GET", encodedPath: "/", query: [], headers: Self.suiteHeaders,
                                   payloadHash: SigV4.emptyPayloadHash)
        let canonical = SigV4.canonicalRequest(request).text
        #expect(canonical == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + SigV4.emptyPayloadHash)
        let sts = SigV4.stringToSign(dateTime: "20150830T123600Z", scope: "20150830/us-east-1/service/aws4_request", canonicalRequest: canonical)
        #expect(sts == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        #expect(suiteAuthorization(method: "GET", path: "/") ==
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func getVanillaQueryOrderKeyCaseSortsParameters() {
        let auth = suiteAuthorization(method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")])
        #expect(auth.hasSuffix("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
    }

    @Test func postVanilla() {
        #expect(suiteAuthorization(method: "POST", path: "/").hasSuffix("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"))
    }

    @Test func getUTF8EncodesThePathBytes() {
        #expect(SigV4.encodePath("/\u{1234}") == "/%E1%88%B4")
        #expect(suiteAuthorization(method: "GET", path: SigV4.encodePath("/\u{1234}")).hasSuffix("Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"))
    }

    @Test func s3GetObjectWithRange() {
        let (canonical, auth) = s3Signature(
            method: "GET", path: "/test.txt",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                      ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")],
            payloadHash: SigV4.emptyPayloadHash)
        #expect(canonical == "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:\(SigV4.emptyPayloadHash)\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\(SigV4.emptyPayloadHash)")
        #expect(auth == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func s3PutObjectSignsThePayloadHash() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = Digest.hex(Digest.sha256(body))
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let (canonical, auth) = s3Signature(
            method: "PUT", path: "/test$file.text",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                      ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                      ("x-amz-content-sha256", hash)],
            payloadHash: hash)
        #expect(canonical.hasPrefix("PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"))
        #expect(auth.hasSuffix("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test func s3GetBucketLifecycleSignsAnEmptyQueryValue() {
        let (canonical, auth) = s3Signature(
            method: "GET", path: "/", query: [("lifecycle", "")],
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
                      ("x-amz-content-sha256", SigV4.emptyPayloadHash)],
            payloadHash: SigV4.emptyPayloadHash)
        #expect(canonical.hasPrefix("GET\n/\nlifecycle=\nhost:"))
        #expect(auth.hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
        #expect(SigV4.urlQuery([("lifecycle", "")]) == "lifecycle")
    }

    @Test func s3ListObjects() {
        let (canonical, auth) = s3Signature(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")],
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
                      ("x-amz-content-sha256", SigV4.emptyPayloadHash)],
            payloadHash: SigV4.emptyPayloadHash)
        #expect(canonical.hasPrefix("GET\n/\nmax-keys=2&prefix=J\n"))
        #expect(auth.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func signAddsDateHashAndSessionTokenAndSignsThem() {
        let creds = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "TOKEN123")
        var request = SigV4Request(method: "PUT", encodedPath: "/b/k", query: [], headers: [("host", "h")],
                                   payloadHash: SigV4.unsignedPayload)
        SigV4.sign(&request, credentials: creds, region: "eu-west-1", epochSeconds: 1_369_353_600)
        let names = request.headers.map { $0.0.lowercased() }
        #expect(names.contains("x-amz-security-token"))
        #expect(request.headers.first { $0.0 == "x-amz-date" }?.1 == "20130524T000000Z")
        #expect(request.headers.first { $0.0 == "x-amz-content-sha256" }?.1 == "UNSIGNED-PAYLOAD")
        let auth = request.headers.first { $0.0 == "Authorization" }?.1 ?? ""
        #expect(auth.contains("Credential=AKIDEXAMPLE/20130524/eu-west-1/s3/aws4_request"))
        #expect(auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        // The signature depends on the token: a different token signs differently.
        var other = SigV4Request(method: "PUT", encodedPath: "/b/k", query: [], headers: [("host", "h")],
                                 payloadHash: SigV4.unsignedPayload)
        SigV4.sign(&other, credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "OTHER"),
                   region: "eu-west-1", epochSeconds: 1_369_353_600)
        #expect(other.headers.last?.1 != auth)
    }

    @Test func headerValuesAreTrimmedAndRepeatsJoined() {
        let (canonical, signed) = SigV4.canonicalHeaders([("My-Header1", "  a   b   c  "), ("my-header1", "d"), ("Host", "x")])
        #expect(canonical == "host:x\nmy-header1:a b c,d\n")
        #expect(signed == "host;my-header1")
    }

    @Test func credentialsDescriptionRedactsTheSecrets() {
        let creds = AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN")
        for text in [creds.description, creds.debugDescription, String(describing: creds), "\(creds)"] {
            #expect(!text.contains("wJalrXUtnFEMI"))
            #expect(!text.contains("FwoGZXIv"))
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
        }
    }

    @Test func digestsMatchKnownValues() {
        #expect(Digest.hex(Digest.sha256([])) == SigV4.emptyPayloadHash)
        #expect(Digest.hex(Digest.md5(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Digest.base64(Digest.md5([])) == "1B2M2Y8AsgTpgAmY7PhCfg==")
        #expect(Digest.base64(Array("ab".utf8)) == "YWI=")
        #expect(Digest.base64(Array("a".utf8)) == "YQ==")
    }

    @Test func timestampFormatsUTC() {
        #expect(SigV4.timestamp(epochSeconds: 1_440_938_160) == ("20150830T123600Z", "20150830"))
    }
}
