import Testing
@testable import DeltaLog

/// CONFLICTS.md rules and consequences, checked on hand-built action lists (no disk).
@Suite struct ConflictTests {
    // MARK: - Builders

    static func add(_ path: String, _ pv: [String: String?] = [:], dataChange: Bool = true) -> Action {
        .add(AddFile(path: path, partitionValues: pv, size: 100, modificationTime: 1, dataChange: dataChange))
    }

    static func remove(_ path: String, dataChange: Bool = true) -> Action {
        .remove(RemoveFile(path: path, deletionTimestamp: 2, dataChange: dataChange))
    }

    static func info(_ op: String, blind: Bool? = nil) -> Action {
        .commitInfo(CommitInfo(timestamp: 1, operation: op, isBlindAppend: blind))
    }

    static func winner(_ version: Int64, _ actions: [Action]) -> WinningCommit {
        WinningCommit(version: version, actions: actions)
    }

    static func winner(_ actions: [Action]) -> WinningCommit {
        winner(6, actions)
    }

    /// The conflict kind `check` throws, or nil when the transaction may rebase.
    static func outcome(_ txn: TransactionSummary, _ w: WinningCommit) -> DeltaError.ConflictKind? {
        do {
            try ConflictChecker.check(txn, against: w)
            return nil
        } catch {
            guard case let .conflict(kind, version, operation) = error else { return nil }
            #expect(version == w.version)
            #expect(operation == w.operation)
            return kind
        }
    }

    let blindAppend = TransactionSummary(readVersion: 5)
    let whole = TransactionSummary(readVersion: 5, readPredicates: [.wholeTable])

    // MARK: - Rule 1 and 2

    @Test func rule1ProtocolChangeFails() {
        let w = Self.winner([Self.info("SET TBLPROPERTIES"), .protocol(ProtocolAction(minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [], writerFeatures: []))])
        #expect(Self.outcome(blindAppend, w) == .protocolChanged)
    }

    @Test func rule2MetadataChangeFails() {
        let w = Self.winner([Self.info("ADD COLUMNS"), .metadata(Metadata(id: "t", schemaString: "{}"))])
        #expect(Self.outcome(blindAppend, w) == .metadataChanged)
    }

    @Test func rulesApplyInOrderSoTheFirstFailingRuleIsNamed() {
        // The winner changed the protocol and removed a file we read: rule 1 comes first.
        var txn = whole
        txn.readFiles = ["a"]
        let w = Self.winner([.protocol(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2)), Self.remove("a")])
        #expect(Self.outcome(txn, w) == .protocolChanged)
        let w2 = Self.winner([.metadata(Metadata(id: "t", schemaString: "{}")), .protocol(ProtocolAction(minReaderVersion: 1, minWriterVersion: 2))])
        #expect(Self.outcome(txn, w2) == .protocolChanged)
    }

    // MARK: - Rule 3

    @Test func rule3SameDomainWrittenByBothFails() {
        let txn = TransactionSummary(readVersion: 5, writtenDomains: ["delta.clustering"])
        let w = Self.winner([Self.info("CLUSTER BY"), .domainMetadata(DomainMetadata(domain: "delta.clustering", configuration: "{}"))])
        #expect(Self.outcome(txn, w) == .concurrentDomainMetadata(domain: "delta.clustering"))
    }

    @Test func rule3DomainReadByUsWrittenByWinnerFails() {
        let txn = TransactionSummary(readVersion: 5, readDomains: ["app.watermark"])
        let w = Self.winner([.domainMetadata(DomainMetadata(domain: "app.watermark", configuration: "", removed: true))])
        #expect(Self.outcome(txn, w) == .concurrentDomainMetadata(domain: "app.watermark"))
    }

    @Test func rule3DifferentDomainsDoNotConflict() {
        let txn = TransactionSummary(readVersion: 5, readDomains: ["a"], writtenDomains: ["b"])
        let w = Self.winner([.domainMetadata(DomainMetadata(domain: "c", configuration: "{}"))])
        #expect(Self.outcome(txn, w) == nil)
    }

    // MARK: - Rule 4

    @Test func rule4WinnerTxnForAnAppIdWeReadFails() {
        let txn = TransactionSummary(readVersion: 5, readAppIds: ["pipeline-1"])
        let w = Self.winner([Self.info("WRITE", blind: true), .txn(SetTransaction(appId: "pipeline-1", version: 8)), Self.add("x")])
        #expect(Self.outcome(txn, w) == .concurrentTransaction(appId: "pipeline-1"))
    }

    @Test func rule4OtherAppIdsDoNotConflict() {
        let txn = TransactionSummary(readVersion: 5, readAppIds: ["pipeline-1"])
        let w = Self.winner([Self.info("WRITE", blind: true), .txn(SetTransaction(appId: "pipeline-2", version: 8)), Self.add("x")])
        #expect(Self.outcome(txn, w) == nil)
    }

    // MARK: - Rule 5

    @Test func rule5NonBlindWinnerAddingToAReadPartitionFails() {
        let txn = TransactionSummary(readVersion: 5, readPredicates: [.equals(column: "p", value: "1")])
        let w = Self.winner([Self.info("MERGE", blind: false), Self.add("p=1/f", ["p": "1"])])
        #expect(Self.outcome(txn, w) == .concurrentAppend(path: "p=1/f"))
    }

    @Test func rule5AddsOutsideTheReadPartitionsDoNotConflict() {
        let txn = TransactionSummary(readVersion: 5, readPredicates: [.isIn(column: "p", values: ["1", nil])])
        let w = Self.winner([Self.info("MERGE", blind: false), Self.add("p=2/f", ["p": "2"])])
        #expect(Self.outcome(txn, w) == nil)
        let wNull = Self.winner([Self.info("MERGE", blind: false), Self.add("p=__HIVE_DEFAULT_PARTITION__/f", ["p": nil])])
        #expect(Self.outcome(txn, wNull) == .concurrentAppend(path: "p=__HIVE_DEFAULT_PARTITION__/f"))
    }

    @Test func rule5WholeTableReadMatchesEveryAdd() {
        let w = Self.winner([Self.info("UPDATE", blind: false), Self.add("p=9/f", ["p": "9"])])
        #expect(Self.outcome(whole, w) == .concurrentAppend(path: "p=9/f"))
    }

    @Test func rule5WinningBlindAppendIsIgnoredAtWriteSerializable() {
        let w = Self.winner([Self.info("WRITE", blind: true), Self.add("f")])
        #expect(Self.outcome(whole, w) == nil)
    }

    /// A transaction that changes metadata (say, adds a CHECK constraint after validating the rows it read)
    /// must see a winning blind append even at WriteSerializable, as Delta's checker has it.
    @Test func rule5WinningBlindAppendConflictsWithAMetadataChange() {
        var txn = whole
        txn.changesMetadata = true
        let w = Self.winner([Self.info("WRITE", blind: true), Self.add("f")])
        #expect(Self.outcome(txn, w) == .concurrentAppend(path: "f"))
    }

    @Test func rule5WinningBlindAppendConflictsAtSerializable() {
        var txn = whole
        txn.isolation = .serializable
        let w = Self.winner([Self.info("WRITE", blind: true), Self.add("f")])
        #expect(Self.outcome(txn, w) == .concurrentAppend(path: "f"))
    }

    @Test func rule5WinnerWithoutCommitInfoIsNotAssumedBlind() {
        let w = Self.winner([Self.add("f")])
        #expect(Self.outcome(whole, w) == .concurrentAppend(path: "f"))
    }

    @Test func rule5AddsWithoutDataChangeNeverConflict() {
        var txn = whole
        txn.isolation = .serializable
        let w = Self.winner([Self.info("OPTIMIZE", blind: false), Self.add("compacted", dataChange: false)])
        #expect(Self.outcome(txn, w) == nil)
    }

    @Test func rule5IsSkippedAtSnapshotIsolation() {
        let txn = TransactionSummary(readVersion: 5, readPredicates: [.wholeTable], isolation: .snapshotIsolation)
        let w = Self.winner([Self.info("MERGE", blind: false), Self.add("f")])
        #expect(Self.outcome(txn, w) == nil)
    }

    @Test func rule5UnknownColumnsMatchConservatively() {
        // A predicate on a data column cannot be decided from partition values: assume the file matches.
        let txn = TransactionSummary(readVersion: 5, readPredicates: [.equals(column: "id", value: "7")])
        let w = Self.winner([Self.info("MERGE", blind: false), Self.add("f", ["p": "1"])])
        #expect(Self.outcome(txn, w) == .concurrentAppend(path: "f"))
    }

    @Test func readPredicatesEvaluateAndOrAndCaseInsensitiveColumns() {
        let pred = ReadPredicate.and([.equals(column: "Year", value: "2024"), .or([.equals(column: "m", value: "1"), .isIn(column: "m", values: ["2", "3"])])])
        #expect(pred.matches(["year": "2024", "m": "3"]))
        #expect(!pred.matches(["year": "2024", "m": "4"]))
        #expect(!pred.matches(["year": "2023", "m": "1"]))
        #expect(!pred.isWholeTable)
        #expect(ReadPredicate.or([.equals(column: "a", value: "1"), .wholeTable]).isWholeTable)
        #expect(ReadPredicate.and([]).matches(["p": "1"]))
        #expect(!ReadPredicate.or([]).matches(["p": "1"]))
        #expect(ReadPredicate.equals(column: "p", value: nil).matches(["p": nil]))
        #expect(!ReadPredicate.equals(column: "p", value: nil).matches(["p": "x"]))
        #expect(pred.description == "(Year = '2024' AND (m = '1' OR m IN ('2', '3')))")
    }

    // MARK: - Rule 6

    @Test func rule6WinnerRemovedAFileWeReadFails() {
        let txn = TransactionSummary(readVersion: 5, readPredicates: [.equals(column: "p", value: "1")], readFiles: ["p=1/a"])
        let w = Self.winner([Self.info("DELETE"), Self.remove("p=1/a")])
        #expect(Self.outcome(txn, w) == .concurrentDeleteRead(path: "p=1/a"))
    }

    @Test func rule6AnyRemovalFailsAWholeTableRead() {
        let w = Self.winner([Self.info("DELETE"), Self.remove("elsewhere")])
        #expect(Self.outcome(whole, w) == .concurrentDeleteRead(path: "elsewhere"))
    }

    @Test func rule6RemovalsOfUnreadFilesDoNotConflict() {
        let txn = TransactionSummary(readVersion: 5, readPredicates: [.equals(column: "p", value: "1")], readFiles: ["p=1/a"])
        let w = Self.winner([Self.info("DELETE"), Self.remove("p=2/b")])
        #expect(Self.outcome(txn, w) == nil)
    }

    @Test func rule6CountsRemovalsWithoutDataChange() {
        let txn = TransactionSummary(readVersion: 5, readFiles: ["a"])
        let w = Self.winner([Self.info("OPTIMIZE"), Self.remove("a", dataChange: false), Self.add("big", dataChange: false)])
        #expect(Self.outcome(txn, w) == .concurrentDeleteRead(path: "a"))
    }

    // MARK: - Rule 7 and 8

    @Test func rule7BothRemovingTheSameFileFails() {
        let txn = TransactionSummary(readVersion: 5, removedPaths: ["a"])
        let w = Self.winner([Self.info("DELETE"), Self.remove("a")])
        #expect(Self.outcome(txn, w) == .concurrentDeleteDelete(path: "a"))
    }

    @Test func rule8CommitInfoOnlyAndUnrelatedWinnersRebase() {
        #expect(Self.outcome(whole, Self.winner([Self.info("VACUUM START")])) == nil)
        let txn = TransactionSummary(readVersion: 5, removedPaths: ["a"])
        #expect(Self.outcome(txn, Self.winner([Self.info("DELETE"), Self.remove("b"), Self.add("c")])) == nil)
    }

    @Test func checkingSeveralWinnersNamesTheFirstConflictingVersion() {
        let txn = TransactionSummary(readVersion: 5, readFiles: ["a"])
        let winners = [
            Self.winner(8, [Self.info("DELETE"), Self.remove("a")]),
            Self.winner(6, [Self.info("WRITE", blind: true), Self.add("x")]),
            Self.winner(7, [Self.info("DELETE"), Self.remove("a")]),
        ]
        #expect(throws: DeltaError.conflict(.concurrentDeleteRead(path: "a"), winningVersion: 7, operation: "DELETE")) {
            try ConflictChecker.check(txn, against: winners)
        }
    }

    // MARK: - Consequences worth testing

    @Test func manyBlindAppendersNeverConflictWithEachOther() {
        for v in Int64(6)...30 {
            let w = Self.winner(v, [Self.info("WRITE", blind: true), Self.add("part-\(v)")])
            #expect(Self.outcome(blindAppend, w) == nil)
        }
    }

    @Test func appendDuringOptimizeBothSucceed() {
        // Optimize: partition-limited read, removes and adds with dataChange = false -> snapshot isolation.
        let optimize = TransactionSummary(
            readVersion: 5, readPredicates: [.equals(column: "p", value: "1")], readFiles: ["p=1/a", "p=1/b"],
            removedPaths: ["p=1/a", "p=1/b"], isolation: .snapshotIsolation)
        let append = Self.winner([Self.info("WRITE", blind: true), Self.add("p=1/new", ["p": "1"])])
        #expect(Self.outcome(optimize, append) == nil)
        // And the appender losing to the optimize: it read nothing, so removals do not touch it.
        let optimized = Self.winner([
            Self.info("OPTIMIZE", blind: false), Self.remove("p=1/a", dataChange: false), Self.remove("p=1/b", dataChange: false),
            Self.add("p=1/big", ["p": "1"], dataChange: false),
        ])
        #expect(Self.outcome(blindAppend, optimized) == nil)
    }

    @Test func twoOptimizesOfTheSameFilesFailWithConcurrentDeleteDelete() {
        let optimize = TransactionSummary(
            readVersion: 5, readPredicates: [.wholeTable], readFiles: ["a", "b"], removedPaths: ["a", "b"], isolation: .snapshotIsolation)
        let other = Self.winner([Self.info("OPTIMIZE", blind: false), Self.remove("a", dataChange: false), Self.remove("b", dataChange: false), Self.add("ab", dataChange: false)])
        #expect(Self.outcome(optimize, other) == .concurrentDeleteDelete(path: "a"))
    }

    @Test func mergeWhoseFilesWereCompactedFailsWithConcurrentDeleteRead() {
        let merge = TransactionSummary(
            readVersion: 5, readPredicates: [.equals(column: "p", value: "1")], readFiles: ["p=1/a"], removedPaths: [])
        let optimized = Self.winner([Self.info("OPTIMIZE", blind: false), Self.remove("p=1/a", dataChange: false), Self.add("p=1/big", ["p": "1"], dataChange: false)])
        #expect(Self.outcome(merge, optimized) == .concurrentDeleteRead(path: "p=1/a"))
    }

    @Test func mergeIntoOnePartitionAndAppendToAnotherBothSucceed() {
        let merge = TransactionSummary(
            readVersion: 5, readPredicates: [.equals(column: "p", value: "p")], readFiles: ["p=p/a"], removedPaths: ["p=p/a"])
        for blind in [true, false] {
            let append = Self.winner([Self.info("WRITE", blind: blind), Self.add("p=q/new", ["p": "q"])])
            #expect(Self.outcome(merge, append) == nil)
        }
        // The same append into the merged partition, from a non-blind writer, is a concurrent append.
        let intoP = Self.winner([Self.info("MERGE", blind: false), Self.add("p=p/new", ["p": "p"])])
        #expect(Self.outcome(merge, intoP) == .concurrentAppend(path: "p=p/new"))
    }

    @Test func twoRetriesOfTheSameIdempotentAppendConflictOnTheAppId() {
        let retry = TransactionSummary(readVersion: 5, readAppIds: ["etl"])
        let first = Self.winner([Self.info("WRITE", blind: true), .txn(SetTransaction(appId: "etl", version: 3)), Self.add("f")])
        #expect(Self.outcome(retry, first) == .concurrentTransaction(appId: "etl"))
    }

    @Test func conflictErrorsNameTheWinnerAndSayWhatToDo() {
        let e = DeltaError.conflict(.concurrentDeleteDelete(path: "a"), winningVersion: 7, operation: "OPTIMIZE")
        #expect(e.description.contains("version 7"))
        #expect(e.description.contains("OPTIMIZE"))
        #expect(e.description.contains("retry"))
    }
}
