/// Byte classes from the HTTP grammar, as lookup tables so the hot parsing loops stay branch-light.
enum ByteClass {
    // Computed rather than stored: a stored `static let` is lazily initialised and costs a
    // `swift_once` check on every access in the hot loops.
    @inline(__always) static var cr: UInt8 { 0x0D }
    @inline(__always) static var lf: UInt8 { 0x0A }
    @inline(__always) static var sp: UInt8 { 0x20 }
    @inline(__always) static var htab: UInt8 { 0x09 }
    @inline(__always) static var colon: UInt8 { 0x3A }

    /// `tchar` (RFC 9110 §5.6.2): the only bytes allowed in a method or a field name.
    static let tchar: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] = true }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] = true }
        for c in "!#$%&'*+-.^_`|~".utf8 { t[Int(c)] = true }
        return t
    }()

    /// Bytes allowed inside a field value (RFC 9110 §5.5): HTAB, SP, VCHAR, obs-text. Any other
    /// control byte (NUL, bare CR, DEL, ...) is refused rather than passed to the application.
    static let fieldValue: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        t[0x09] = true
        for b in 0x20...0x7E { t[b] = true }
        for b in 0x80...0xFF { t[b] = true }
        return t
    }()

    /// Bytes allowed in a request-target: visible ASCII only, so no whitespace can hide inside it.
    @inline(__always)
    static func isTargetByte(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F }

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == htab }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// Lower-cased ASCII copy, for comparing list tokens such as transfer-coding names.
    static func lowercased(_ s: Substring) -> String {
        String(decoding: s.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Splits a comma-separated field value into trimmed, non-empty elements (RFC 9110 §5.6.1).
    static func listElements(_ value: String) -> [Substring] {
        value.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty }
    }
}

extension Substring {
    /// Trims SP and HTAB (OWS, RFC 9110 §5.6.3) from both ends.
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
