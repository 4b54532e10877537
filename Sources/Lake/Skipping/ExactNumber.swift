/// A JSON number read exactly from its text: `unscaled × 10^-scale` (a negative scale from an exponent), so
/// `1.005` is (1005, 3) and `1E+3` is (1, -3). nil past 38 significant digits or for malformed text.
struct ExactNumber: Sendable, Hashable {
    var unscaled: Int128
    var scale: Int

    init?(_ text: String) {
        var u: Int128 = 0
        var scale = 0
        var digits = 0
        var negative = false
        var seenDigit = false
        var afterDot = false
        var exponent = 0
        var iterator = text.utf8.makeIterator()
        var c = iterator.next()
        if c == UInt8(ascii: "-") { negative = true; c = iterator.next() } else if c == UInt8(ascii: "+") { c = iterator.next() }
        while let b = c {
            if b == UInt8(ascii: ".") {
                if afterDot { return nil }
                afterDot = true
            } else if b &- UInt8(ascii: "0") <= 9 {
                seenDigit = true
                if u != 0 || b != UInt8(ascii: "0") { digits += 1 }
                if digits > 38 { return nil }
                u = u * 10 + Int128(b - UInt8(ascii: "0"))
                if afterDot { scale += 1 }
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                var rest = ""
                while let x = iterator.next() { rest.append(Character(Unicode.Scalar(x))) }
                guard let e = Int(rest), abs(e) < 10_000 else { return nil }
                exponent = e
                c = nil
                break
            } else {
                return nil
            }
            c = iterator.next()
        }
        guard seenDigit else { return nil }
        self.unscaled = negative ? -u : u
        self.scale = scale - exponent
    }

    /// The value at `scale`, rounded down for a lower bound and up for an upper one (`up`); nil on overflow.
    func at(scale target: Int, up: Bool) -> Int128? {
        DecimalBounds.rescale(unscaled, from: scale, to: target, up: up)
    }
}
