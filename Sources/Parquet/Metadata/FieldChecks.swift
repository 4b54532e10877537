/// Unwraps a field the IDL marks `required`, or reports which one is missing.
@inlinable
func requireField<T>(_ value: T?, _ name: String, in structName: String) throws(ParquetError) -> T {
    guard let value else { throw .corrupt("\(structName) is missing required field \(name)") }
    return value
}

/// Rejects a negative size, count or offset: such values come only from corrupt files, and letting
/// them through would turn into a trap or a huge allocation further down.
@inlinable
func requireNonNegative<T: BinaryInteger>(_ value: T, _ name: String, in structName: String) throws(ParquetError) -> T {
    if value < 0 { throw .corrupt("\(structName).\(name) is negative (\(value))") }
    return value
}

/// `requireNonNegative` for optional fields.
@inlinable
func requireNonNegativeIfPresent<T: BinaryInteger>(_ value: T?, _ name: String, in structName: String) throws(ParquetError) -> T? {
    guard let value else { return nil }
    if value < 0 { throw .corrupt("\(structName).\(name) is negative (\(value))") }
    return value
}
