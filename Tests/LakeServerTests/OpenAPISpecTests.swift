import Foundation
import LakeServer
import Testing

/// `spec/openapi.yaml` describes exactly the routes the server registers: no route undocumented, none
/// documented that does not exist.
@Suite struct OpenAPISpecTests {
    /// `METHOD /path` of each operation in the spec, read from its `paths:` block (two-space path keys,
    /// four-space method keys).
    func specRoutes() throws -> [String] {
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("spec/openapi.yaml")
        let text = try String(contentsOf: spec, encoding: .utf8)
        var routes: [String] = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let key = String(line.dropFirst(4).dropLast())
                if methods.contains(key) { routes.append("\(key.uppercased()) \(path)") }
            }
        }
        return routes.sorted()
    }

    @Test func theSpecListsExactlyTheServedRoutes() throws {
        let documented = try specRoutes()
        #expect(!documented.isEmpty)
        #expect(documented == LakeServer.routeList)
    }
}
