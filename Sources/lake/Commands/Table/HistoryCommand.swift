import ArgumentParser
import DeltaLog
import Lake

/// `lake history TABLE`: the commits of a table, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the commit history of a Delta table, newest first."
    )

    @Argument(help: "The table location: a directory path or file:// URI.")
    var table: String

    @Option(help: "Show at most this many commits.")
    var limit: Int?

    @Flag(help: "Print a JSON array of commitInfo objects with their version.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let (entries, _) = try await History(table: try DeltaTable(location: table), limit: limit).execute()
            if json {
                let items: [JSONText] = entries.map { e in
                    var pairs: [(String, JSONText)] = [("version", .int(e.version)), ("timestamp", .int(e.timestamp))]
                    if let i = e.commitInfo {
                        if let op = i.operation { pairs.append(("operation", .string(op))) }
                        if let p = i.operationParameters { pairs.append(("operationParameters", TableSupport.json(.object(p)))) }
                        if let m = i.operationMetrics { pairs.append(("operationMetrics", TableSupport.json(.object(m)))) }
                        if let r = i.readVersion { pairs.append(("readVersion", .int(r))) }
                        if let b = i.isBlindAppend { pairs.append(("isBlindAppend", .bool(b))) }
                        if let l = i.isolationLevel { pairs.append(("isolationLevel", .string(l))) }
                        if let e = i.engineInfo { pairs.append(("engineInfo", .string(e))) }
                        for k in i.otherFields.keys.sorted() { pairs.append((k, TableSupport.json(i.otherFields[k] ?? .null))) }
                    }
                    return .object(pairs)
                }
                StandardOutput.line(JSONText.array(items).pretty)
            } else {
                for e in entries {
                    let op = e.commitInfo?.operation ?? "-"
                    let params = e.commitInfo?.operationParameters.map { TableSupport.json(.object($0)) }.map { String(decoding: $0.rendered, as: UTF8.self) } ?? ""
                    StandardOutput.line("\(e.version)\t\(e.timestamp)\t\(op)\t\(params)")
                }
            }
        }
    }
}
