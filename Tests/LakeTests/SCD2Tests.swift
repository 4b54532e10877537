import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

@Suite struct SCD2Tests {
    static let jan1: Int64 = 1_704_067_200_000_000
    static let day: Int64 = 86_400_000_000

    func source(_ ids: [Int64], cities: [String?], at: [Int64]? = nil) throws -> DataFrame {
        var columns: [(name: String, column: Column)] = [
            (name: "id", column: try Column(.int64, ids.map { .int($0) })),
            (name: "city", column: try Column(.string, cities.map { $0.map { .string($0) } ?? .null })),
        ]
        if let at { columns.append((name: "changed_at", column: try Column(.timestamp(.microsecond, utc: true), at.map { .int($0) }))) }
        return try DataFrame(columns)
    }

    /// (id, city, is_current, valid_from, valid_to) of every row, sorted.
    func history(_ t: DeltaTable) async throws -> [String] {
        let (_, rows, _) = try await Scan(table: t).execute()
        return (0..<rows.rowCount).map { i in
            ["id", "city", "is_current", "valid_from", "valid_to"].map { name in
                guard let c = try? rows.column(name) else { return "?" }
                return c.isNull(i) ? "null" : ValueText.string(c, row: i)
            }.joined(separator: "|")
        }.sorted()
    }

    @Test func changedKeysGetANewVersionAndUnchangedOnesStay() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let (_, m0) = try await SCD2(table: t, source: .frame(try source([1, 2], cities: ["X", nil])), options: .init(keys: ["id"], effective: .at(Self.jan1))).execute()
        #expect(m0.numInsertedNewKeys == 2 && m0.version == 0)
        // 1 changes, 2 stays null (null to null is no change), 3 is new.
        let (s, m) = try await SCD2(table: t, source: .frame(try source([1, 2, 3], cities: ["Y", nil, "Z"])), options: .init(keys: ["id"], effective: .at(Self.jan1 + Self.day))).execute()
        #expect(m.numNewVersions == 1 && m.numClosedRows == 1 && m.numInsertedNewKeys == 1 && m.numUnchangedKeys == 1)
        #expect(s.version == 1)
        #expect(try await history(t) == [
            "1|X|false|2024-01-01T00:00:00.000000Z|2024-01-02T00:00:00.000000Z",
            "1|Y|true|2024-01-02T00:00:00.000000Z|null",
            "2|null|true|2024-01-01T00:00:00.000000Z|null",
            "3|Z|true|2024-01-02T00:00:00.000000Z|null",
        ])
        // The same source again changes nothing and commits nothing.
        let (again, m2) = try await SCD2(table: t, source: .frame(try source([1, 2, 3], cities: ["Y", nil, "Z"])), options: .init(keys: ["id"], effective: .at(Self.jan1 + 2 * Self.day))).execute()
        #expect(!m2.committed && again.version == 1 && m2.numUnchangedKeys == 3)
    }

    @Test func aDuplicateKeyFailsNamingItAndCommitsNothing() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        _ = try await SCD2(table: t, source: .frame(try source([1], cities: ["X"])), options: .init(keys: ["id"], effective: .at(Self.jan1))).execute()
        let dup = try source([4, 4], cities: ["A", "B"])
        do {
            _ = try await SCD2(table: t, source: .frame(dup), options: .init(keys: ["id"], effective: .at(Self.jan1 + Self.day))).execute()
            Issue.record("a key given twice must fail")
        } catch {
            #expect(error.message.contains("id = 4"))
        }
        #expect(try await t.snapshot().version == 0)
    }

    @Test func aLateArrivalFailsNamingTheKey() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let o = SCD2.Options(keys: ["id"], effective: .column("changed_at"))
        _ = try await SCD2(table: t, source: .frame(try source([1], cities: ["X"], at: [Self.jan1 + 5 * Self.day])), options: o).execute()
        let late = try source([1], cities: ["Y"], at: [Self.jan1 + Self.day])
        do {
            _ = try await SCD2(table: t, source: .frame(late), options: o).execute()
            Issue.record("a change effective before the current version must fail")
        } catch {
            #expect(error.message.contains("id = 1") && error.message.contains("before"))
        }
        #expect(try await t.snapshot().version == 0)
        // In order, per-row effective times set the interval.
        _ = try await SCD2(table: t, source: .frame(try source([1], cities: ["Y"], at: [Self.jan1 + 9 * Self.day])), options: o).execute()
        #expect(try await history(t).first == "1|X|false|2024-01-06T00:00:00.000000Z|2024-01-10T00:00:00.000000Z")
    }

    @Test func closeMissingClosesKeysTheSourceLacks() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        _ = try await SCD2(table: t, source: .frame(try source([1, 2], cities: ["X", "Y"])), options: .init(keys: ["id"], effective: .at(Self.jan1))).execute()
        var o = SCD2.Options(keys: ["id"], effective: .at(Self.jan1 + Self.day))
        o.closeMissing = true
        let (_, m) = try await SCD2(table: t, source: .frame(try source([2], cities: ["Y"])), options: o).execute()
        #expect(m.numClosedMissingKeys == 1 && m.numClosedRows == 1 && m.numUnchangedKeys == 1)
        #expect(try await history(t) == [
            "1|X|false|2024-01-01T00:00:00.000000Z|2024-01-02T00:00:00.000000Z",
            "2|Y|true|2024-01-01T00:00:00.000000Z|null",
        ])
    }
}
