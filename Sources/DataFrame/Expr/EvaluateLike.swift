import Columnar

/// SQL `LIKE` / `ILIKE`: `%` matches any run of characters, `_` exactly one character, and the escape
/// character (default `\`) makes the next one literal. Constant patterns are compiled once; the common
/// shapes (exact, prefix%, %suffix, %infix%) avoid the general matcher.
enum Like {
    enum Token: Equatable {
        case byte(UInt8), one, many
    }

    /// A compiled pattern.
    struct Pattern {
        let tokens: [Token]
        /// Literal bytes when the pattern is `lit`, `lit%`, `%lit` or `%lit%`.
        let literal: [UInt8]?
        let leadingMany: Bool
        let trailingMany: Bool

        init(_ p: UnsafeBufferPointer<UInt8>, escape: UInt8) {
            var tokens = [Token]()
            var i = 0
            while i < p.count {
                let b = p[i]
                if b == escape && i + 1 < p.count {
                    tokens.append(.byte(p[i + 1]))
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "%") {
                    if tokens.last != .many { tokens.append(.many) }
                } else if b == UInt8(ascii: "_") {
                    tokens.append(.one)
                } else {
                    tokens.append(.byte(b))
                }
                i += 1
            }
            self.tokens = tokens
            leadingMany = tokens.first == .many
            trailingMany = tokens.count > 1 && tokens.last == .many
            let inner = tokens.dropFirst(leadingMany ? 1 : 0).dropLast(trailingMany ? 1 : 0)
            var bytes = [UInt8]()
            var simple = true
            for t in inner {
                if case let .byte(b) = t { bytes.append(b) } else { simple = false; break }
            }
            literal = simple ? bytes : nil
        }

        /// Whether `s[range]` matches.
        @inline(__always)
        func matches(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
            if let lit = literal {
                let n = end - start
                if tokens.count == 1 && leadingMany { return true }
                switch (leadingMany, trailingMany) {
                case (false, false): return n == lit.count && Compare.compareBytes(s, start..<end, lit.withUnsafeBufferPointer { $0 }, 0..<lit.count) == 0
                default: break
                }
                return lit.withUnsafeBufferPointer { l in
                    if n < l.count { return false }
                    if !leadingMany { return Compare.compareBytes(s, start..<start + l.count, l, 0..<l.count) == 0 }
                    if !trailingMany { return Compare.compareBytes(s, end - l.count..<end, l, 0..<l.count) == 0 }
                    if l.count == 0 { return true }
                    var i = start
                    while i + l.count <= end {
                        if s[i] == l[0] && Compare.compareBytes(s, i..<i + l.count, l, 0..<l.count) == 0 { return true }
                        i += 1
                    }
                    return false
                }
            }
            return general(s, start, end)
        }

        /// Iterative wildcard matching with one backtrack point (linear in practice).
        private func general(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
            var si = start, pi = 0, starP = -1, starS = start
            while si < end {
                if pi < tokens.count {
                    switch tokens[pi] {
                    case let .byte(b) where s[si] == b:
                        si += 1; pi += 1; continue
                    case .one:
                        si = min(end, si + Strings.scalarLength(s[si])); pi += 1; continue
                    case .many:
                        starP = pi; starS = si; pi += 1; continue
                    default:
                        break
                    }
                }
                guard starP >= 0 else { return false }
                pi = starP + 1
                starS = min(end, starS + Strings.scalarLength(s[starS]))
                si = starS
            }
            while pi < tokens.count && tokens[pi] == .many { pi += 1 }
            return pi == tokens.count
        }
    }

    static func evaluate(_ value: Column, pattern: TypedExpr, patternColumn: () throws(DataFrameError) -> Column, escape: UInt8?,
                         caseInsensitive ci: Bool, negated: Bool, expression e: Expr) throws(DataFrameError) -> Column {
        let esc = escape ?? UInt8(ascii: "\\")
        let input = ci ? Strings.lowered(value) : value
        let (o, d) = try Kernels.bytes(input)
        let n = value.count
        let bits: Bitmap
        var validity = value.validity
        if case let .string(text)? = pattern.literalValue {
            let bytes = Array((ci ? text.lowercased() : text).utf8)
            let compiled = bytes.withUnsafeBufferPointer { Pattern($0, escape: esc) }
            bits = d.withUnsafeBufferPointer { s in o.withUnsafeBufferPointer { off in
                BitmapOps.pack(n) { compiled.matches(s, Int(off[$0]), Int(off[$0 + 1])) != negated }
            } }
        } else if pattern.literalValue == .null {
            return Kernels.nulls(.boolean, count: n)
        } else {
            let pc0 = try patternColumn()
            let pc = ci ? Strings.lowered(pc0) : pc0
            let (po, pd) = try Kernels.bytes(pc)
            validity = BitmapOps.and(validity, pc.validity)
            bits = d.withUnsafeBufferPointer { s in o.withUnsafeBufferPointer { off in
                pd.withUnsafeBufferPointer { p in po.withUnsafeBufferPointer { poff in
                    BitmapOps.pack(n) { i in
                        let compiled = Pattern(UnsafeBufferPointer(rebasing: p[Int(poff[i])..<Int(poff[i + 1])]), escape: esc)
                        return compiled.matches(s, Int(off[i]), Int(off[i + 1])) != negated
                    }
                } }
            } }
        }
        return Kernels.boolean(bits, validity: validity)
    }
}
