import Foundation
import ObjectStore
import Testing
@testable import DeltaLog

/// Paths and oracles for the delta-golden corpus (`../shared/corpus/delta-golden` beside the checkout).
enum Golden {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/DeltaLogTests/X.swift → checkout's parent
        return url.path + "/shared/corpus/delta-golden"
    }()

    /// The project venv's Python, when present (tests needing it skip otherwise).
    static let python: String? = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let p = url.path + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: p) ? p : nil
    }()

    /// Runs a program and returns its standard output.
    static func run(_ exe: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes one of the oracle scripts to a temporary file and returns its path.
    static func script(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "lake-snap-\(ProcessInfo.processInfo.processIdentifier)-" + name
        try Data(oracleSource.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Tables whose log is invalid on purpose: loading them must throw a DeltaError.
    static let invalid: Set<String> = [
        "deltalog-state-reconstruction-without-protocol", "deltalog-state-reconstruction-without-metadata",
        "deltalog-state-reconstruction-from-checkpoint-missing-protocol",
        "deltalog-state-reconstruction-from-checkpoint-missing-metadata", "deltalog-invalid-protocol-version",
        "no-delta-log-folder", "versions-not-contiguous",
        // No metaData action in the whole log.
        "data-reader-absolute-paths-escaped-chars",
    ]

    /// Oracle: for a table dir, prints {path: [deleted rows]} of active files with DVs (pyroaring);
    /// with `--all ROOT` prints, per table, deltalake's version and file count, or an independent replay
    /// of the JSON/Parquet log (pyarrow) where deltalake cannot read the table.
    static let oracleSource = #"""
import json, os, re, sys, struct
import pyarrow.parquet as pq

Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
def z85(s):
    out = b""
    for i in range(0, len(s), 5):
        v = 0
        for c in s[i:i+5]: v = v * 85 + Z85.index(c)
        out += struct.pack(">I", v)
    return out

def dv_id(dv):
    if not dv: return None
    return dv["storageType"] + dv["pathOrInlineDv"] + ("@%d" % dv["offset"] if dv.get("offset") is not None else "")

def replay(t):
    log = os.path.join(t, "_delta_log")
    names = os.listdir(log)
    commits = {int(n[:20]): n for n in names if re.fullmatch(r"\d{20}\.json", n)}
    cps = {}
    for n in names:
        m = re.fullmatch(r"(\d{20})\.checkpoint(\..+)?\.(parquet|json)", n)
        if m: cps.setdefault(int(m.group(1)), []).append(n)
    latest = max(list(commits) + list(cps))
    cpv = max(cps) if cps else None
    files = {}
    def apply(rows):
        for r in rows:
            if r.get("add"): a = r["add"]; files[(a["path"], dv_id(a.get("deletionVector")))] = a
            if r.get("remove"): a = r["remove"]; files.pop((a["path"], dv_id(a.get("deletionVector"))), None)
    if cpv is not None:
        for n in sorted(cps[cpv]):
            p = os.path.join(log, n)
            rows = [json.loads(l) for l in open(p) if l.strip()] if n.endswith(".json") else pq.read_table(p).to_pylist()
            for r in list(rows):
                if r.get("sidecar"): rows += pq.read_table(os.path.join(log, "_sidecars", r["sidecar"]["path"])).to_pylist()
            apply(rows)
    for v in range(cpv + 1 if cpv is not None else 0, latest + 1):
        apply([json.loads(l) for l in open(os.path.join(log, commits[v])) if l.strip()])
    return latest, files

def dv_rows(t, dv):
    from pyroaring import BitMap
    if dv["storageType"] == "i":
        data = z85(dv["pathOrInlineDv"])[:dv["sizeInBytes"]]
    else:
        p = dv["pathOrInlineDv"]
        if dv["storageType"] == "u":
            prefix, u = p[:-20], z85(p[-20:]).hex()
            name = "deletion_vector_%s-%s-%s-%s-%s.bin" % (u[:8], u[8:12], u[12:16], u[16:20], u[20:])
            path = os.path.join(t, prefix, name)
        else:
            path = p.replace("file://", "").replace("file:", "")
        raw = open(path, "rb").read()
        off = dv.get("offset") or 1
        size = struct.unpack(">I", raw[off:off+4])[0]
        data = raw[off+4:off+4+size]
    n = struct.unpack("<q", data[4:12])[0]
    pos, rows = 12, []
    for _ in range(n):
        key = struct.unpack("<I", data[pos:pos+4])[0]; pos += 4
        bm = BitMap.deserialize(data[pos:])
        pos += len(bm.serialize())
        rows += [(key << 32) | x for x in bm]
    return rows

if sys.argv[1] == "--all":
    out = {}
    for d, dirs, _ in os.walk(sys.argv[2]):
        if "_delta_log" not in dirs: continue
        name = os.path.relpath(d, sys.argv[2])
        try:
            import deltalake
            dt = deltalake.DeltaTable(d)
            n = dt.get_add_actions(flatten=False).num_rows
            out[name] = {"version": dt.version(), "files": n, "oracle": "deltalake"}
        except Exception as e:
            try:
                v, files = replay(d)
                out[name] = {"version": v, "files": len(files), "oracle": "replay"}
            except Exception as e2:
                out[name] = {"error": str(e2)}
    print(json.dumps(out))
else:
    t = sys.argv[1]
    _, files = replay(t)
    print(json.dumps({a["path"]: dv_rows(t, a["deletionVector"]) for a in files.values() if a.get("deletionVector")}))
"""#
}

@Suite struct GoldenTableTests {
    @Test func everyGoldenTableLoadsLikeTheOracleOrFailsClearly() async throws {
        guard let python = Golden.python, FileManager.default.fileExists(atPath: Golden.root) else { return }
        let script = try Golden.script("oracle.py")
        defer { try? FileManager.default.removeItem(atPath: script) }
        let out = try Golden.run(python, [script, "--all", Golden.root])
        let oracle = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: [String: Any]])
        #expect(oracle.count > 90)
        var loaded = 0
        for (name, expected) in oracle.sorted(by: { $0.key < $1.key }) {
            let store = LocalStore(root: Golden.root + "/" + name)
            if Golden.invalid.contains(name) {
                await #expect(throws: DeltaError.self, "\(name) must fail") { try await Snapshot.load(store: store) }
                continue
            }
            guard let version = expected["version"] as? Int, let files = expected["files"] as? Int else { continue }
            do {
                let snap = try await Snapshot.load(store: store, location: name)
                #expect(snap.version == Int64(version), "\(name) version")
                #expect(snap.files.count == files, "\(name) files (oracle \(expected["oracle"] ?? ""))")
                loaded += 1
            } catch {
                Issue.record("\(name) failed to load: \(error)")
            }
        }
        #expect(loaded > 80)
    }

    @Test func noDeltaLogIsNotATable() async {
        let store = LocalStore(root: Golden.root + "/no-delta-log-folder")
        await #expect(throws: DeltaError.notATable(location: "t")) { try await Snapshot.load(store: store, location: "t") }
    }

    @Test func timeTravelByVersionAndTimestamp() async throws {
        guard FileManager.default.fileExists(atPath: Golden.root) else { return }
        let store = LocalStore(root: Golden.root + "/time-travel-start-start20-start40")
        let latest = try await Snapshot.load(store: store)
        let history = try await latest.history()
        #expect(history.first?.version == latest.version)
        #expect(history.count == Int(latest.version) + 1)
        for entry in history {
            let s = try await Snapshot.load(store: store, asOfTimestamp: entry.timestamp)
            #expect(s.version == entry.version)
        }
        let v0 = try await Snapshot.load(store: store, version: 0)
        #expect(v0.version == 0)
        await #expect(throws: DeltaError.self) { try await Snapshot.load(store: store, version: latest.version + 1) }
        if let first = history.last {
            await #expect(throws: DeltaError.self) { try await Snapshot.load(store: store, asOfTimestamp: first.timestamp - 1) }
        }
        #expect(try await latest.history(limit: 2).map(\.version) == [latest.version, latest.version - 1])
    }

    @Test func columnMappingNamesPhysicalColumns() async throws {
        guard FileManager.default.fileExists(atPath: Golden.root) else { return }
        let snap = try await Snapshot.load(store: LocalStore(root: Golden.root + "/table-with-columnmapping-mode-name"))
        let cm = snap.columnMapping
        #expect(cm.mode == .name)
        let physical = try cm.physicalSchema()
        #expect(physical.fields.count == snap.schema.fields.count)
        #expect(physical.fields.allSatisfy { $0.name.hasPrefix("col-") })
        let idSnap = try await Snapshot.load(store: LocalStore(root: Golden.root + "/table-with-columnmapping-mode-id"))
        #expect(idSnap.columnMapping.mode == .id)
        #expect(try idSnap.columnMapping.physicalSchema().fields.allSatisfy { $0.metadata[ColumnMapping.parquetFieldIdKey] != nil })
    }
}
