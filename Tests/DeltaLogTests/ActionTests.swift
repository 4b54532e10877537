import Testing
@testable import DeltaLog

@Suite struct ActionTests {
    @Test func z85RoundTripsTheSpecVector() throws {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
        #expect(Z85.decode("Hello") != nil)
        #expect(Z85.decode("Hell") == nil)      // not a multiple of 5
        #expect(Z85.decode("Hell~") == nil)     // outside the alphabet
        #expect(Z85.encode([1, 2, 3]) == nil)
    }

    @Test func relativeDeletionVectorPathFromZ85UUID() throws {
        // PROTOCOL.md example 1: prefix "ab", UUID d2c639aa-8816-431a-aaf6-d3fe2512ff61.
        let dv = DeletionVectorDescriptor(storageType: .uuidRelative, pathOrInlineDv: "ab^-aqEH.-t@S}K{vb[*k^", offset: 4, sizeInBytes: 40, cardinality: 6)
        #expect(try dv.location() == .relative("ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin"))
        #expect(dv.uniqueId == "uab^-aqEH.-t@S}K{vb[*k^@4")
        let noPrefix = DeletionVectorDescriptor(storageType: .uuidRelative, pathOrInlineDv: "^-aqEH.-t@S}K{vb[*k^", sizeInBytes: 40, cardinality: 6)
        #expect(try noPrefix.location() == .relative("deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin"))
        #expect(noPrefix.uniqueId == "u^-aqEH.-t@S}K{vb[*k^")
        let built = try DeletionVectorDescriptor.relative(
            uuid: [0xd2, 0xc6, 0x39, 0xaa, 0x88, 0x16, 0x43, 0x1a, 0xaa, 0xf6, 0xd3, 0xfe, 0x25, 0x12, 0xff, 0x61],
            prefix: "ab", offset: 4, sizeInBytes: 40, cardinality: 6)
        #expect(built == dv)
    }

    @Test func absoluteAndInlineDeletionVectors() throws {
        let abs = DeletionVectorDescriptor(storageType: .absolutePath, pathOrInlineDv: "s3://mytable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin", offset: 4, sizeInBytes: 40, cardinality: 6)
        #expect(try abs.location() == .absolute("s3://mytable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin"))
        let inline = DeletionVectorDescriptor(storageType: .inline, pathOrInlineDv: "HelloWorld", sizeInBytes: 6, cardinality: 2)
        #expect(try inline.location() == .inline([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59]))
        #expect(inline.uniqueId == "iHelloWorld")
        let bad = DeletionVectorDescriptor(storageType: .uuidRelative, pathOrInlineDv: "short", sizeInBytes: 1, cardinality: 1)
        #expect(throws: DeltaError.self) { try bad.location() }
    }

    @Test func addRemovalKeepsExtendedMetadata() {
        let add = AddFile(path: "a=1/f.parquet", partitionValues: ["a": "1"], size: 10, modificationTime: 5, stats: "{}")
        let r = add.removal(deletionTimestamp: 99)
        #expect(r.path == add.path && r.size == 10 && r.extendedFileMetadata == true && r.deletionTimestamp == 99)
        #expect(r.logicalKey == add.logicalKey)
    }

    @Test func sidecarPathsLiveUnderSidecarsDirectory() {
        #expect(Sidecar(path: "016ae953.parquet", sizeInBytes: 1, modificationTime: 1).relativePath == "_delta_log/_sidecars/016ae953.parquet")
    }
}
