import Testing
@testable import ObjectStore

@Suite struct S3XMLTests {
    @Test func listPageParsesKeysSizesTimesAndToken() throws {
        let doc = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>t/</Prefix>
            <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
            <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            <Contents><Key>t/a+b%2Bc/%C3%A9.json</Key><LastModified>2026-12-02T00:40:17.250Z</LastModified><ETag>&quot;x&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>
            <Contents><Key>t/z</Key><LastModified>1970-01-01T00:00:01.000Z</LastModified><Size>0</Size></Contents>
            </ListBucketResult>
            """
        let page = try S3ListPage(Array(doc.utf8))
        #expect(page.entries.map(\.key) == ["t/a b+c/é.json", "t/z"])
        #expect(page.entries.map(\.size) == [42, 0])
        #expect(page.entries[0].lastModified == 1_796_172_017_250)
        #expect(page.entries[1].lastModified == 1000)
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func entitiesCDATAAndSelfClosingTags() throws {
        let xml = try S3XML(Array("<a><b>x &amp; &lt;y&gt; &#65;&#x42;</b><c/><d><![CDATA[<raw>]]></d><!-- note --></a>".utf8))
        #expect(xml.text("b") == "x & <y> AB")
        #expect(xml.text("c") == "")
        #expect(xml.text("d") == "<raw>")
    }

    @Test func errorRecordsOfDeleteObjects() throws {
        let xml = try S3XML(Array("<DeleteResult><Error><Key>k1</Key><Code>AccessDenied</Code><Message>no</Message></Error><Error><Key>k2</Key><Code>NoSuchKey</Code></Error></DeleteResult>".utf8))
        #expect(xml.records("Error") == [["Key": "k1", "Code": "AccessDenied", "Message": "no"], ["Key": "k2", "Code": "NoSuchKey"]])
    }

    @Test func malformedDocumentsThrow() {
        for bad in ["<a><b></a>", "<a>", "<a>&bogus;</a>", "<!DOCTYPE x [<!ENTITY e 'boom'>]><a>&e;</a>", "<a x='>", "<a>&#xFFFFFFFF;</a>"] {
            #expect(throws: S3XMLError.self) { try S3XML(Array(bad.utf8)) }
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: S3XMLError.self) { try S3XML(Array(deep.utf8)) }
    }

    @Test func escapeRoundTrips() throws {
        let key = "a&b<c>\"d'e"
        let xml = try S3XML(Array("<Key>\(S3XML.escape(key))</Key>".utf8))
        #expect(xml.text("Key") == key)
    }

    @Test func httpDatesParse() {
        #expect(HTTPDate.parseMillis("Thu, 01 Jan 1970 00:00:10 GMT") == 10_000)
        #expect(HTTPDate.parseMillis("Wed, 02 Dec 2026 00:40:17 GMT") == 1_796_172_017_000)
        #expect(HTTPDate.parseMillis("garbage") == nil)
        #expect(HTTPDate.parseISO8601Millis("2026-13-02T00:40:17Z") == nil)
    }
}

@Suite struct S3LocationTests {
    @Test func s3URIsParseAndRoundTrip() throws {
        #expect(try StoreLocation.parse("s3://bucket/a/b/") == .s3(bucket: "bucket", prefix: "a/b"))
        #expect(try StoreLocation.parse("s3://bucket") == .s3(bucket: "bucket", prefix: ""))
        #expect(try StoreLocation.parse("s3a://bucket//x") == .s3(bucket: "bucket", prefix: "x"))
        #expect(try StoreLocation.parse("s3://bucket/my%20table") == .s3(bucket: "bucket", prefix: "my table"))
        for location in ["s3://bucket/my table/x=1", "s3://b", "s3://b.c-d/ü/%25"] {
            let parsed = try StoreLocation.parse(location)
            #expect(try StoreLocation.parse(parsed.uri) == parsed)
        }
        #expect(StoreLocation.s3(bucket: "b", prefix: "my table").uri == "s3://b/my%20table")
    }

    @Test func badS3URIsAreRefused() {
        for bad in ["s3://", "s3:///prefix", "s3://b/a/../c", "s3://b/%zz", "s3://b/x?y", "s3://bad bucket/x"] {
            #expect(throws: ObjectStoreError.self) { try StoreLocation.parse(bad) }
        }
    }
}
