import Columnar
import DataFrame
import DeltaLog
import Testing
@testable import Lake

@Suite struct ConstraintTests {
    /// A table (id, region, x) with CHECK x > 0.
    func checked(_ name: String = #function) async throws -> DeltaTable {
        let t = try tempTable(name)
        var o = Write.Options()
        o.properties = ["delta.constraints.positive": "x > 0"]
        _ = try await Write(table: t, data: try dmlRows([1, 2], regions: ["a", "b"], values: [1, 2]), options: o).execute()
        return t
    }

    @Test func anAppendBreakingACheckConstraintFailsNamingItAndARow() async throws {
        let t = try await checked()
        defer { dmlCleanup(t) }
        let rows = try dmlRows([3, 4], regions: ["a", "a"], values: [5, -7])
        do {
            _ = try await Write(table: t, data: rows).execute()
            Issue.record("the append must fail")
        } catch {
            #expect(error.kind == .constraintViolation && error.exitCode == 1)
            #expect(error.message.contains("positive") && error.message.contains("x > 0"))
            #expect(error.message.contains("\"id\": 4") && error.message.contains("\"x\": -7"))
        }
        #expect(try await t.snapshot().version == 0)
        // NULL is not TRUE: it violates as well.
        await #expect(throws: LakeError.self) { _ = try await Write(table: t, data: try dmlRows([5], regions: ["a"], values: [nil])).execute() }
        #expect(try await dmlContents(t).map(\.0) == [1, 2])
    }

    @Test func aMergeInsertingAViolatingRowCommitsNothing() async throws {
        let t = try await checked()
        defer { dmlCleanup(t) }
        let source = try dmlRows([2, 9], regions: ["b", "z"], values: [20, 0])
        do {
            _ = try await Merge(table: t, source: .frame(source), on: "target.id = source.id").execute()
            Issue.record("the merge must fail")
        } catch {
            #expect(error.kind == .constraintViolation && error.message.contains("positive"))
        }
        #expect(try await t.snapshot().version == 0)
        #expect(try await dmlContents(t).map(\.2) == [1, 2])
    }

    @Test func columnInvariantsAreEnforcedToo() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        let schema = Schema([
            Field("id", .int64, nullable: false),
            Field("x", .int64, metadata: ["delta.invariants": #"{"expression":{"expression":"x < 100"}}"#]),
        ])
        _ = try await CreateTable(table: t, options: .init(schema: schema)).execute()
        let ok = try DataFrame([(name: "id", column: try Column(.int64, [.int(1)])), (name: "x", column: try Column(.int64, [.int(5)]))])
        _ = try await Write(table: t, data: ok).execute()
        let bad = try DataFrame([(name: "id", column: try Column(.int64, [.int(2)])), (name: "x", column: try Column(.int64, [.int(500)]))])
        do {
            _ = try await Write(table: t, data: bad).execute()
            Issue.record("the invariant must hold")
        } catch {
            #expect(error.kind == .constraintViolation && error.message.contains("invariant on x"))
        }
        #expect(try await t.snapshot().version == 1)
    }

    @Test func aConstraintLakeCannotEvaluateRefusesWritesByName() async throws {
        let t = try tempTable()
        defer { dmlCleanup(t) }
        var o = Write.Options()
        o.properties = ["delta.constraints.odd": "no_such_function(x) > 0"]
        let rows = try dmlRows([1], regions: ["a"], values: [1])
        do {
            _ = try await Write(table: t, data: rows, options: o).execute()
            Issue.record("lake must not write rows it cannot check")
        } catch {
            #expect(error.kind == .unsupported && error.message.contains("odd"))
        }
    }

    @Test func addingAConstraintValidatesTheExistingRowsFirst() async throws {
        let (t, _) = try await dmlTable(try dmlRows([1, 2, 3], regions: ["a", "b", "c"], values: [1, -2, 3]))
        defer { dmlCleanup(t) }
        do {
            _ = try await AddConstraint(table: t, name: "Positive", expression: "x > 0").execute()
            Issue.record("existing rows violate the constraint")
        } catch {
            #expect(error.kind == .constraintViolation && error.message.contains("\"id\": 2"))
        }
        #expect(try await t.snapshot().version == 0)
        _ = try await Delete(table: t, options: .init(predicate: "x < 0")).execute()
        let (s, m) = try await AddConstraint(table: t, name: "Positive", expression: "x > 0").execute()
        #expect(m.version == 2 && s.properties["delta.constraints.positive"] == "x > 0")
        #expect(TableFeatures.supports(s.protocolAction, feature: "checkConstraints"))
        let (history, _) = try await History(table: t).execute()
        #expect(history.first?.commitInfo?.operation == "ADD CONSTRAINT")
        await #expect(throws: LakeError.self) { _ = try await AddConstraint(table: t, name: "positive", expression: "x > 1").execute() }
        await #expect(throws: LakeError.self) { _ = try await Write(table: t, data: try dmlRows([9], regions: ["a"], values: [0])).execute() }
    }

    @Test func droppingAConstraintLetsTheRowsIn() async throws {
        let t = try await checked()
        defer { dmlCleanup(t) }
        let (s, m) = try await DropConstraint(table: t, name: "POSITIVE").execute()
        #expect(m.dropped && s.properties["delta.constraints.positive"] == nil)
        _ = try await Write(table: t, data: try dmlRows([3], regions: ["a"], values: [-3])).execute()
        do {
            _ = try await DropConstraint(table: t, name: "positive").execute()
            Issue.record("dropping a missing constraint must fail")
        } catch {
            #expect(error.kind == .notFound)
        }
        let (_, m2) = try await DropConstraint(table: t, name: "positive", ifExists: true).execute()
        #expect(!m2.dropped)
    }

    /// An append that lands after the constraint's validation read the table must make the add conflict:
    /// otherwise its rows would sit unchecked under the new constraint.
    @Test func aBlindAppendRacingTheValidationConflicts() async throws {
        let (t, start) = try await dmlTable(try dmlRows([1], regions: ["a"], values: [1]))
        defer { dmlCleanup(t) }
        _ = try await Write(table: t, data: try dmlRows([2], regions: ["a"], values: [-2])).execute()
        do {
            _ = try await AddConstraint(table: t, name: "positive", expression: "x > 0").execute(on: start)
            Issue.record("the add must conflict with the append it did not validate")
        } catch {
            #expect(error.kind == .conflict)
        }
        #expect(try await t.snapshot().properties["delta.constraints.positive"] == nil)
    }
}
