import ArgumentParser
import Columnar
import Lake
import Parquet

/// `lake parquet meta FILE`: row groups, column chunks, encodings, codecs, sizes and statistics.
struct ParquetMetaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta",
        abstract: "Print a Parquet file's metadata: row groups, columns, encodings, codecs, sizes, statistics."
    )

    @Argument(help: "The Parquet file.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let reader = try ParquetReader(path: file)
            let meta = reader.metadata
            var groups = [JSONDocument]()
            for (g, group) in meta.rowGroups.enumerated() {
                var columns = [JSONDocument]()
                for chunk in group.columns {
                    guard let cm = chunk.metaData else {
                        columns.append(.object([("path", .string("?")), ("error", .string("no column metadata"))]))
                        continue
                    }
                    let path = cm.pathInSchema.joined(separator: ".")
                    var fields: [(String, JSONDocument)] = [
                        ("path", .string(path)),
                        ("physical_type", .string("\(cm.type)")),
                        ("encodings", .array(cm.encodings.map { .string($0.description) })),
                        ("compression", .string(cm.codec.description)),
                        ("num_values", .int(cm.numValues)),
                        ("compressed_size", .int(cm.totalCompressedSize)),
                        ("uncompressed_size", .int(cm.totalUncompressedSize)),
                    ]
                    if let stats = try? reader.statistics(rowGroup: g, column: path) {
                        let type = Self.leafType(path: cm.pathInSchema, schema: reader.schema)
                        fields.append(("statistics", .object([
                            ("min", Self.render(stats.min, type)),
                            ("max", Self.render(stats.max, type)),
                            ("null_count", stats.nullCount.map { .int(Int64($0)) } ?? .null),
                            ("distinct_count", stats.distinctCount.map { .int(Int64($0)) } ?? .null),
                        ])))
                    }
                    columns.append(.object(fields))
                }
                groups.append(.object([
                    ("num_rows", .int(group.numRows)),
                    ("total_byte_size", .int(group.totalByteSize)),
                    ("columns", .array(columns)),
                ]))
            }
            let doc = JSONDocument.object([
                ("file", .string(file)),
                ("num_rows", .int(meta.numRows)),
                ("num_row_groups", .int(Int64(meta.rowGroups.count))),
                ("created_by", meta.createdBy.map { .string($0) } ?? .null),
                ("version", .int(Int64(meta.version))),
                ("key_value_metadata", .object((meta.keyValueMetadata ?? []).map { ($0.key, $0.value.map { .string($0) } ?? .null) })),
                ("row_groups", .array(groups)),
            ])
            if json {
                StandardOutput.line(doc.pretty)
            } else {
                StandardOutput.line(Self.text(doc))
            }
        }
    }

    /// The Columnar type of a leaf column, following struct fields by name; nil for leaves inside lists and maps.
    static func leafType(path: [String], schema: Schema) -> DataType? {
        var fields = schema.fields
        var type: DataType?
        for name in path {
            guard let f = fields.first(where: { $0.name == name }) else { return nil }
            type = f.type
            if case let .structure(children) = f.type { fields = children } else { fields = [] }
        }
        return type
    }

    /// A statistics value rendered with lake's value conventions when its type is known.
    static func render(_ value: Scalar?, _ type: DataType?) -> JSONDocument {
        guard let value else { return .null }
        if let type, !type.isNested, let column = try? Column(type, [value]) {
            var out = [UInt8]()
            ValueText.append(column, row: 0, style: .json, to: &out)
            return .raw(out)
        }
        switch value {
        case let .int(i): return .int(i)
        case let .uint(u): return .string(String(u))
        case let .double(d): return .number(d)
        case let .float(f): return .number(Double(f))
        case let .string(s): return .string(s)
        case let .boolean(b): return .bool(b)
        default: return .string("\(value)")
        }
    }

    /// An indented plain-text rendering of the JSON document for people.
    static func text(_ doc: JSONDocument, indent: String = "") -> String {
        switch doc {
        case let .object(pairs):
            return pairs.map { key, value in
                switch value {
                case .object, .array: return "\(indent)\(key):\n" + text(value, indent: indent + "  ")
                default: return "\(indent)\(key): \(text(value))"
                }
            }.joined(separator: "\n")
        case let .array(items):
            if items.allSatisfy({ if case .string = $0 { true } else { false } }) {
                return indent + items.map { text($0) }.joined(separator: ", ")
            }
            return items.enumerated().map { "\(indent)- [\($0.offset)]\n" + text($0.element, indent: indent + "  ") }.joined(separator: "\n")
        case let .string(s): return s
        default: return String(decoding: doc.rendered, as: UTF8.self)
        }
    }
}
