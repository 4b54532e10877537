/// Work items run as child tasks, at most `limit` at once (the table context's threads for CPU-bound work),
/// results in item order: the one bounded fan-out of compaction, Z-order reads and writes.
enum BoundedParallel {
    /// `body` over `items`; the first error cancels the rest and is thrown (as a `LakeError`).
    static func map<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> R) async throws(LakeError) -> [R] {
        do {
            return try await withThrowingTaskGroup(of: (Int, R).self) { group in
                var results = [R?](repeating: nil, count: items.count)
                var next = 0
                func launch() {
                    let i = next, item = items[i]
                    next += 1
                    group.addTask { (i, try await body(item)) }
                }
                while next < min(max(1, limit), items.count) { launch() }
                while let (i, r) = try await group.next() {
                    results[i] = r
                    if next < items.count { launch() }
                }
                return results.compactMap { $0 }
            }
        } catch let error as LakeError {
            throw error
        } catch {
            throw LakeError(error)
        }
    }
}
