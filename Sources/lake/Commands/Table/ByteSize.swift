/// Byte sizes given on the command line: a plain byte count (`1048576`) or a number with a unit, decimal
/// (`KB`, `MB`, `GB`, `TB`: powers of 1000) or binary (`KiB`, `MiB`, `GiB`, `TiB`: powers of 1024), case
/// insensitive, optionally with `B` alone and a space (`64MB`, `1GiB`, `512 kib`, `100B`).
enum ByteSize {
    /// The units and their multipliers, longest suffix first so `MiB` is not read as `B`.
    private static let units: [(suffix: String, bytes: Int)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
        ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
        ("b", 1),
    ]

    /// The bytes `text` names, or nil when it is not a size (or overflows).
    static func parse(_ text: String) -> Int? {
        let lower = text.trimmingSpaces().lowercased()
        var multiplier = 1
        var number = Substring(lower)
        for unit in units where lower.hasSuffix(unit.suffix) {
            multiplier = unit.bytes
            number = lower.dropLast(unit.suffix.count)
            break
        }
        let digits = String(number).trimmingSpaces()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n >= 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}
