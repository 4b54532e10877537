/// One counter of an operation's metrics, under the name Delta gives it in `commitInfo.operationMetrics`.
///
/// Declare metrics as `@DeltaMetric public var numFiles = 0`: `OperationMetrics.operationMetrics` finds every
/// such property by reflection and renders it as Delta does (string values), so no operation writes that map by
/// hand and a new counter cannot be forgotten in the log.
@propertyWrapper
public struct DeltaMetric<Value: Sendable & Hashable & CustomStringConvertible>: Sendable, Hashable {
    /// The counter's value.
    public var wrappedValue: Value

    /// A counter starting at `wrappedValue`.
    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }
}

/// Type-erased access to a `DeltaMetric` for rendering.
protocol RenderableMetric {
    var renderedValue: String { get }
}

extension DeltaMetric: RenderableMetric {
    var renderedValue: String { wrappedValue.description }
}

/// The metrics an operation returns; the `@DeltaMetric` properties also go into its commit's
/// `operationMetrics`. Other properties (the version committed, whether the operation was skipped) are for
/// the caller only.
public protocol OperationMetrics: Sendable {}

extension OperationMetrics {
    /// Delta's `operationMetrics` map: every `@DeltaMetric` property by its name, values as strings.
    public var operationMetrics: [String: String] {
        var out: [String: String] = [:]
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let metric = child.value as? RenderableMetric else { continue }
            // A property wrapper's storage is named `_name`.
            out[label.hasPrefix("_") ? String(label.dropFirst()) : label] = metric.renderedValue
        }
        return out
    }
}

extension Duration {
    /// Whole milliseconds, for the `...TimeMs` metrics Delta records.
    var milliseconds: Int64 {
        let (seconds, attos) = components
        return seconds &* 1000 &+ attos / 1_000_000_000_000_000
    }
}
