import ArgumentParser
import Columnar
import DataFrame
import Parquet

/// `lake frame INPUT ...`: run a DataFrame pipeline (join, filter, window, aggregate, project, dedupe, sort,
/// limit) over a Parquet, CSV or NDJSON file and print or write the result.
struct FrameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frame",
        abstract: "Run a DataFrame pipeline over a Parquet, CSV or NDJSON file and print the result.",
        discussion: """
            The steps always run in this order, each one only when its option is given:
              1. --join      hash join with a second file (--on, --how, --join-condition, --suffix)
              2. --where     keep the rows where a SQL predicate is true (null counts as false)
              3. --window    add window-function columns (repeatable)
              4. --group-by / --agg   group and aggregate (--agg alone: one row of global aggregates)
              5. --select    project expressions (`*` keeps every column)
              6. --unique / --distinct   drop duplicate rows (--keep first|last|any)
              7. --sort      order the rows (stable)
              8. --limit     keep the first N rows
            Later steps see the columns produced by earlier ones: --select after --agg names the aggregate \
            aliases, --sort after --select names the selected columns.

            Expressions are Spark SQL: a + b, x IS NULL, s LIKE 'a%', x IN (1, 2), CASE WHEN ... END, \
            coalesce(a, b), CAST(x AS double), DATE '2024-01-01', ...

            Examples:
              lake frame orders.parquet --where "amount > 500 AND status <> 'cancelled'" --limit 5
              lake frame orders.parquet --group-by customer_id --agg "count(*) AS n, sum(amount) AS total, n_unique(product_id) AS products" --sort "total desc" --limit 10
              lake frame orders.parquet --join customers.parquet --on customer_id --how left --format ndjson
              lake frame orders.parquet --window "running=sum(amount) over (partition by customer_id order by created_at)"
            """
    )

    @Argument(help: "The input file: .parquet, .csv, .ndjson or .jsonl.")
    var input: String

    @Option(help: ArgumentHelp("The file to join with (same formats as the input); needs --on.", valueName: "file"))
    var join: String?

    @Option(help: ArgumentHelp(
        "Join keys: comma-separated column names present on both sides (k1,k2), or left=right pairs (id=customer_id).",
        valueName: "keys"))
    var on: String?

    @Option(help: "Join type: inner, left, right, full, semi or anti.")
    var how: JoinTypeOption = .inner

    @Option(help: ArgumentHelp("An extra join predicate checked on each key-matching pair of rows.", valueName: "expr"))
    var joinCondition: String?

    @Option(help: "Suffix appended to a right-side column name the left side already has.")
    var suffix: String = "_right"

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep the rows where this SQL predicate is true.", valueName: "expr"))
    var predicate: String?

    @Option(help: ArgumentHelp(
        "A window column: \"name=fn(args) over (partition by a order by b [rows between n preceding and current row])\"; "
            + "fn is one of \(WindowSpec.functions). Repeatable; several may also be comma-separated.",
        valueName: "spec"))
    var window: [String] = []

    @Option(help: ArgumentHelp("Comma-separated grouping columns or expressions (`expr AS name` allowed).", valueName: "keys"))
    var groupBy: String?

    @Option(help: ArgumentHelp(
        "Comma-separated aggregates: count(*), count(x), count(DISTINCT x), sum, avg/mean, min, max, stddev, variance, "
            + "first, last, n_unique; each optionally `AS name`.",
        valueName: "aggs"))
    var agg: String?

    @Option(help: ArgumentHelp("Comma-separated output expressions, each optionally `AS name`; `*` is every column.", valueName: "exprs"))
    var select: String?

    @Option(help: ArgumentHelp("Drop rows that repeat these comma-separated columns (`*` for all columns).", valueName: "cols"))
    var unique: String?

    @Flag(help: "Drop rows that repeat every column (the same as --unique '*').")
    var distinct = false

    @Option(help: "Which row of a set of duplicates --unique keeps: first, last or any.")
    var keep: KeepOption?

    @Option(help: ArgumentHelp("Comma-separated sort keys, each `expr [asc|desc] [nulls first|last]`.", valueName: "keys"))
    var sort: String?

    @Option(help: "Keep at most this many rows (after sorting).")
    var limit: Int?

    @Option(help: "Output format on stdout: ndjson, csv or table.")
    var format: RowFormat = .table

    @Option(help: ArgumentHelp("Write the result to this file instead of printing it: .parquet (snappy), .csv, or .ndjson/.jsonl.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Column names and types of a CSV or NDJSON input, e.g. \"id long, name string\" (default: inferred).", valueName: "schema"))
    var schema: String?

    @Option(help: "CSV field delimiter of the input: one character, or 'tab'.")
    var delimiter: String = ","

    /// Join types accepted on the command line.
    enum JoinTypeOption: String, ExpressibleByArgument, CaseIterable {
        case inner, left, right, full, semi, anti
        /// The DataFrame join type.
        var joinType: JoinType {
            switch self {
            case .inner: .inner
            case .left: .left
            case .right: .right
            case .full: .full
            case .semi: .semi
            case .anti: .anti
            }
        }
    }

    /// `--keep` values.
    enum KeepOption: String, ExpressibleByArgument, CaseIterable {
        case first, last, any
        /// The DataFrame choice.
        var keep: UniqueKeep {
            switch self {
            case .first: .first
            case .last: .last
            case .any: .any
            }
        }
    }

    private var delimiterByte: UInt8? {
        if delimiter.lowercased() == "tab" || delimiter == "\\t" { return 0x09 }
        let bytes = Array(delimiter.utf8)
        return bytes.count == 1 ? bytes[0] : nil
    }

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be zero or more") }
        if join != nil && on == nil { throw ValidationError("--join needs --on with the key columns") }
        if join == nil && (on != nil || joinCondition != nil) { throw ValidationError("--on and --join-condition need --join FILE") }
        if groupBy != nil && agg == nil { throw ValidationError("--group-by needs --agg with the aggregates") }
        if keep != nil && unique == nil && !distinct { throw ValidationError("--keep needs --unique or --distinct") }
        if unique != nil && distinct { throw ValidationError("give --unique or --distinct, not both") }
        if delimiterByte == nil { throw ValidationError("--delimiter must be a single ASCII character or 'tab'") }
        if schema != nil && FrameInput.kind(input) == .parquet {
            throw ValidationError("--schema applies to .csv, .ndjson and .jsonl inputs only")
        }
    }

    func run() async throws {
        try await runReportingErrors {
            let given = try schema.map { try SchemaString.parse($0) }
            let frame = try FrameInput.read(input, schema: given, delimiter: delimiterByte ?? UInt8(ascii: ","))
            let result = try pipeline(frame)
            if let output {
                try write(result, to: output)
            } else {
                emit(result)
            }
        }
    }

    /// The steps in their documented order.
    func pipeline(_ start: DataFrame) throws -> DataFrame {
        var frame = start
        if let join, let on {
            let other = try FrameInput.read(join)
            var keys = [(left: String, right: String)]()
            for item in FrameText.splitTopLevel(on) {
                let pair = item.split(separator: "=", maxSplits: 1).map { FrameText.unquote(String($0)) }
                guard let l = pair.first, !l.isEmpty, let r = pair.last, !r.isEmpty else {
                    throw FrameSpecError(message: "--on `\(on)`: expected column names or left=right pairs")
                }
                keys.append((left: l, right: r))
            }
            guard !keys.isEmpty else { throw FrameSpecError(message: "--on needs at least one key column") }
            let condition = try joinCondition.map { try Expr.parse($0) }
            frame = try frame.join(other, on: keys, how: how.joinType, condition: condition, suffix: suffix)
        }
        if let predicate {
            frame = try frame.filter(try Expr.parse(predicate))
        }
        for item in window.flatMap(FrameText.splitTopLevel) {
            frame = try WindowSpec.parse(item).apply(to: frame)
        }
        if let agg {
            var aggs = [Agg]()
            for item in FrameText.splitTopLevel(agg) { aggs.append(try Agg.parse(item)) }
            guard !aggs.isEmpty else { throw FrameSpecError(message: "--agg needs at least one aggregate") }
            if let groupBy {
                var keys = [NamedExpr]()
                for item in FrameText.splitTopLevel(groupBy) { keys.append(try NamedExpr.parse(item)) }
                guard !keys.isEmpty else { throw FrameSpecError(message: "--group-by needs at least one key") }
                frame = try frame.groupBy(exprs: keys).agg(aggs)
            } else {
                frame = try frame.agg(aggs)
            }
        }
        if let select {
            var exprs = [NamedExpr]()
            for item in FrameText.splitTopLevel(select) {
                if item == "*" {
                    exprs.append(contentsOf: frame.columnNames.map { NamedExpr(.col($0)) })
                } else {
                    exprs.append(try NamedExpr.parse(item))
                }
            }
            guard !exprs.isEmpty else { throw FrameSpecError(message: "--select needs at least one expression") }
            frame = try frame.select(exprs)
        }
        if distinct || unique != nil {
            let names = (unique ?? "*").trimmingSpaces() == "*" ? nil : FrameText.splitTopLevel(unique ?? "").map(FrameText.unquote)
            frame = try frame.unique(subset: names, keep: (keep ?? .any).keep)
        }
        if let sort {
            var keys = [SortKey]()
            for item in FrameText.splitTopLevel(sort) { keys.append(try SortKey.parse(item)) }
            frame = try frame.sort(by: keys)
        }
        if let limit {
            frame = frame.limit(limit)
        }
        return frame
    }

    /// Prints `frame` on stdout in `--format`.
    private func emit(_ frame: DataFrame) {
        let batch = frame.batch
        switch format {
        case .ndjson:
            var out = [UInt8]()
            BatchText.ndjson(batch, to: &out)
            StandardOutput.write(out)
        case .csv:
            var out = [UInt8]()
            BatchText.csv(batch, header: true, to: &out)
            StandardOutput.write(out)
        case .table:
            StandardOutput.line(BatchText.table(batch, maxRows: limit ?? 50))
        }
    }

    /// Writes `frame` to `path` in the format its extension names (Parquet by default).
    private func write(_ frame: DataFrame, to path: String) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") {
            try FileOutput.replace(path, with: CSVWriter.write(frame))
        } else if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") {
            try FileOutput.replace(path, with: NDJSONWriter.write(frame))
        } else {
            let batch = frame.batch
            let bytes = try ParquetWriter.write([batch], schema: batch.schema, options: ParquetWriterOptions())
            try FileOutput.replace(path, with: bytes)
        }
    }
}
