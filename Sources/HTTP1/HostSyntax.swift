/// The grammar of a `Host` field value: `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2).
///
/// Why check it: a Host with spaces, commas, slashes or `@` (`a b`, `x, y`, `a/b@c`) is either a
/// list smuggled into one field or an authority with userinfo; intermediaries disagree on what
/// such a value names, so RFC 9112 §3.2 makes it a 400.
enum HostSyntax {
    static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        var i = 0
        if bytes.first == UInt8(ascii: "[") {
            // IP-literal: "[" ( IPv6address / IPvFuture ) "]"; checked for its alphabet only.
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            for b in bytes[1..<close] where !(isUnreserved(b) || isSubDelim(b) || b == UInt8(ascii: ":")) { return false }
            i = close + 1
        } else {
            // reg-name / IPv4address: *( unreserved / pct-encoded / sub-delims ), possibly empty.
            while i < bytes.count, bytes[i] != UInt8(ascii: ":") {
                let b = bytes[i]
                if b == UInt8(ascii: "%") {
                    guard i + 2 < bytes.count, ByteClass.hexValue(bytes[i + 1]) != nil, ByteClass.hexValue(bytes[i + 2]) != nil
                    else { return false }
                    i += 3
                    continue
                }
                guard isUnreserved(b) || isSubDelim(b) else { return false }
                i += 1
            }
        }
        guard i < bytes.count else { return true }
        // ":" port, port = *DIGIT
        guard bytes[i] == UInt8(ascii: ":") else { return false }
        return bytes[(i + 1)...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// ALPHA / DIGIT / "-" / "." / "_" / "~"
    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    /// "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
    private static func isSubDelim(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
