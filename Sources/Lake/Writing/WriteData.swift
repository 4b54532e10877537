import Columnar
import DataFrame
import Synchronization

/// Rows to write, as a stream of batches pulled one at a time, so a big input file is read and written in
/// bounded pieces instead of being loaded whole. Every batch has `schema`'s columns.
public struct WriteData: Sendable {
    /// The columns of every batch.
    public let schema: Schema
    private let pull: @Sendable () throws -> DataFrame?

    /// A stream whose batches come from `next` (nil at the end).
    public init(schema: Schema, next: @escaping @Sendable () throws -> DataFrame?) {
        self.schema = schema
        self.pull = next
    }

    /// One frame, as a stream of one batch.
    public static func frame(_ frame: DataFrame) -> WriteData {
        let once = OnceBox(frame)
        return WriteData(schema: frame.schema) { once.take() }
    }

    /// The next batch, or nil when the stream is done.
    public func next() throws -> DataFrame? { try pull() }
}

/// Hands out its value once.
private final class OnceBox: Sendable {
    private let value: Mutex<DataFrame?>
    init(_ value: DataFrame) { self.value = Mutex(value) }
    func take() -> DataFrame? { value.withLock { v in defer { v = nil }; return v } }
}
