#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The kind of a JSON value, known from its first byte.
public enum JSONKind: Sendable, Equatable {
    case null, bool, number, string, array, object

    /// A short name for error messages ("expected an array, found a string").
    public var name: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A pull reader over the bytes of one JSON document (RFC 8259): the caller asks for the next
/// value, member name or array element and the reader checks the grammar as it goes.
///
/// This is the project's one JSON grammar: `JSON.parse` builds its tree with it, and request
/// decoders walk large numeric arrays with it straight into their buffers, without a tree. Strict
/// as `JSON.parse` documents (no comments, trailing commas, `NaN`/`Infinity`, control characters,
/// duplicate member names, invalid UTF-8, nesting beyond `JSON.maximumDepth`); every error carries
/// the same message and byte offset whichever way the document is read.
public struct JSONReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next unread byte.
    public var offset = 0
    /// Arrays and objects open around the reading position.
    public private(set) var depth = 0

    public init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @usableFromInline func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: offset) }

    @inlinable mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// The kind of the next value, without consuming it.
    @inlinable public mutating func peekKind() throws(JSONParseError) -> JSONKind {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character, expected a value")
        }
    }

    /// Checks that only whitespace follows the document's value.
    public mutating func finish() throws(JSONParseError) {
        skipWhitespace()
        if offset != bytes.count { throw error("unexpected data after the JSON value") }
    }

    // MARK: Containers

    /// Consumes the `{` of an object (the next value must be one).
    public mutating func beginObject() throws(JSONParseError) {
        _ = try peekKind()
        try enter()
    }

    /// Consumes the `[` of an array (the next value must be one).
    public mutating func beginArray() throws(JSONParseError) {
        _ = try peekKind()
        try enter()
    }

    private mutating func enter() throws(JSONParseError) {
        guard depth < JSON.maximumDepth else { throw error("nesting deeper than \(JSON.maximumDepth)") }
        depth += 1
        offset += 1
    }

    /// The next member name of the open object and its `:`, or nil when the object closes.
    /// `names` (one per object, fresh at `beginObject`) refuses a name given twice; `first` is true
    /// for the first call after `beginObject`.
    public mutating func nextMember(first: Bool, names: inout JSONMemberNames) throws(JSONParseError) -> String? {
        skipWhitespace()
        if first {
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { return close() }
        } else {
            guard offset < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[offset] == UInt8(ascii: "}") { return close() }
            guard bytes[offset] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            offset += 1
            skipWhitespace()
        }
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a member name") }
        let nameOffset = offset
        let name = try readStringLiteral()
        try names.insert(name, at: nameOffset, in: bytes)
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected ':'") }
        offset += 1
        return name
    }

    /// Whether the open array has another element (then read it); `first` is true for the first
    /// call after `beginArray`.
    @inlinable public mutating func nextElement(first: Bool) throws(JSONParseError) -> Bool {
        skipWhitespace()
        if first {
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { return close() != nil }
            return true
        }
        guard offset < bytes.count else { throw error("unexpected end of input in an array") }
        if bytes[offset] == UInt8(ascii: "]") { return close() != nil }
        guard bytes[offset] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
        offset += 1
        return true
    }

    @usableFromInline mutating func close() -> String? {
        depth -= 1
        offset += 1
        return nil
    }

    /// Consumes the next value whatever it is, checking its grammar.
    public mutating func skipValue() throws(JSONParseError) {
        switch try peekKind() {
        case .object:
            try beginObject()
            var names = JSONMemberNames()
            var first = true
            while try nextMember(first: first, names: &names) != nil {
                first = false
                try skipValue()
            }
        case .array:
            try beginArray()
            var first = true
            while try nextElement(first: first) {
                first = false
                try skipValue()
            }
        case .string: _ = try readStringLiteral()
        case .number: try skipNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    // MARK: Scalars

    /// Reads `true` or `false`.
    public mutating func readBool() throws(JSONParseError) -> Bool {
        _ = try peekKind()
        if bytes[offset] == UInt8(ascii: "t") {
            try expectLiteral("true")
            return true
        }
        try expectLiteral("false")
        return false
    }

    /// Reads `null`.
    public mutating func readNull() throws(JSONParseError) {
        _ = try peekKind()
        try expectLiteral("null")
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - offset >= count else { throw error("invalid literal") }
        for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] {
            throw error("invalid literal")
        }
        offset += count
    }

    /// Reads a string value.
    public mutating func readString() throws(JSONParseError) -> String {
        _ = try peekKind()
        return try readStringLiteral()
    }

    /// Reads a string literal starting at its opening quote.
    mutating func readStringLiteral() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        // Fast path: no escapes.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseError(message: "invalid UTF-8 in a string", offset: start)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("unescaped control character in a string") }
            offset += 1
        }
        var scalars = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                guard let text = String(validating: scalars, as: UTF8.self) else {
                    throw JSONParseError(message: "invalid UTF-8 in a string", offset: start)
                }
                return text
            case UInt8(ascii: "\\"):
                offset += 1
                guard offset < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try readHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                            bytes[offset + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired surrogate in a \\u escape") }
                        offset += 2
                        let low = try readHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw error("unpaired surrogate in a \\u escape")
                    }
                    scalars.append(contentsOf: String(Unicode.Scalar(code)!).utf8)
                default: throw error("invalid escape")
                }
            default:
                if byte < 0x20 { throw error("unescaped control character in a string") }
                scalars.append(byte)
                offset += 1
            }
        }
        throw JSONParseError(message: "unterminated string", offset: start - 1)
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    /// Reads a number per RFC 8259 §6 (a literal beyond Double's range reads as ±infinity),
    /// correctly rounded to the nearest Double. Exact fast path (Clinger): when the significant
    /// digits form an integer m ≤ 2⁵³ and the decimal exponent e has |e| ≤ 22, both m and 10^|e|
    /// are exact Doubles, so `m × 10^e` or `m / 10^−e` is one correctly rounded IEEE operation —
    /// the value `strtod` gives. Anything else (more digits, larger exponents, subnormals) goes to
    /// `strtod`, which rounds correctly too.
    @inlinable public mutating func readNumber() throws(JSONParseError) -> Double {
        let literal = try scanNumber(converting: true)
        let exponent = literal.exponent
        if literal.exact, literal.mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let value = Double(literal.mantissa)
            let scaled = exponent >= 0 ? value * Self.powerOfTen(exponent) : value / Self.powerOfTen(-exponent)
            return literal.negative ? -scaled : scaled
        }
        return slowParse(from: offset - literal.length, to: offset)
    }

    /// Consumes a number, checking its grammar exactly as `readNumber` does (same errors at the
    /// same offsets) without converting it: `skipValue`, the grammar pass of the request decoders,
    /// has no use for the value.
    @inlinable public mutating func skipNumber() throws(JSONParseError) {
        _ = try scanNumber(converting: false)
    }

    /// A number literal's parts as `scanNumber` reads them: the value is
    /// (negative ? −1 : 1) × mantissa × 10^exponent when `exact`.
    @usableFromInline struct NumberLiteral {
        @usableFromInline var negative = false
        /// The first (at most 19) significant digits as an integer.
        @usableFromInline var mantissa: UInt64 = 0
        @usableFromInline var exponent = 0
        /// False when significant digits were dropped (beyond 19) or the exponent literal is huge.
        @usableFromInline var exact = true
        /// The literal's length in bytes (after any whitespace before it).
        @usableFromInline var length = 0
        @inlinable init() {}
    }

    /// Scans one number literal, checking its grammar; with `converting` false only the grammar
    /// (the accumulation folds away once inlined).
    @inlinable @inline(__always) mutating func scanNumber(converting: Bool) throws(JSONParseError) -> NumberLiteral {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input, expected a value") }
        let start = offset
        var literal = NumberLiteral()
        if bytes[offset] == UInt8(ascii: "-") {
            literal.negative = true
            offset += 1
        }
        var digits = 0
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("invalid number") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) { throw error("leading zeros are not allowed") }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) {
                if converting {
                    if digits < 19 {
                        literal.mantissa = literal.mantissa &* 10 &+ UInt64(bytes[offset] &- 48)
                        digits += 1
                    } else {
                        // A dropped integer digit keeps its place value; only a nonzero one is lost.
                        literal.exponent += 1
                        if bytes[offset] != UInt8(ascii: "0") { literal.exact = false }
                    }
                }
                offset += 1
            }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected digits after '.'") }
            while offset < bytes.count, isDigit(bytes[offset]) {
                if converting {
                    if digits < 19 {
                        literal.mantissa = literal.mantissa &* 10 &+ UInt64(bytes[offset] &- 48)
                        literal.exponent -= 1
                        if literal.mantissa != 0 { digits += 1 }
                    } else if bytes[offset] != UInt8(ascii: "0") {
                        literal.exact = false
                    }
                }
                offset += 1
            }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            var exponentNegative = false
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                exponentNegative = bytes[offset] == UInt8(ascii: "-")
                offset += 1
            }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected digits in the exponent") }
            var exponent = 0
            while offset < bytes.count, isDigit(bytes[offset]) {
                if converting {
                    if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[offset] &- 48) } else { literal.exact = false }
                }
                offset += 1
            }
            literal.exponent += exponentNegative ? -exponent : exponent
        }
        literal.length = offset - start
        return literal
    }

    @usableFromInline func slowParse(from start: Int, to end: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: end - start + 1) { text in
            for index in 0..<(end - start) { text[index] = CChar(bitPattern: bytes[start + index]) }
            text[end - start] = 0
            return strtod(text.baseAddress!, nil)
        }
    }

    /// 10^exponent for 0 ≤ exponent ≤ 22, every one exact in Double (5^22 < 2⁵³).
    @inlinable @inline(__always) static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    @inlinable @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }
}

/// The member names of one object seen so far, to refuse a name given twice (RFC 8259 §4 leaves
/// their meaning open; silently keeping one of them hides client bugs).
///
/// Small objects compare names one by one. From `linearScanLimit` names on, an open-addressing
/// table takes over (linear, not quadratic, time for a hostile object with many members) that
/// holds only where each name's literal starts in the document — 4 bytes a slot, at most 3/4 full —
/// instead of the names themselves: a body of a million short members costs about 5–11 bytes per
/// member to check, not the 20–40 of a `Set<String>` (the body budget charges for it, docs/SERVICE.md
/// "Memory"). Two literals name the same member when their bytes are equal or, if either holds an
/// escape, when they decode equal.
public struct JSONMemberNames {
    static let linearScanLimit = 16
    private var names: [(name: String, offset: Int)] = []
    /// Offset + 1 of each name's opening quote; 0 marks an empty slot.
    private var slots: [UInt32] = []
    private var count = 0

    public init() {}

    /// Adds the name whose literal starts (at its opening quote) at `offset` of `bytes`, or refuses
    /// it as a duplicate.
    mutating func insert(_ name: String, at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        if slots.isEmpty {
            if names.contains(where: { $0.name == name }) { throw Self.duplicate(name, at: offset) }
            names.append((name, offset))
            // Offsets must fit a slot; a document beyond 4 GiB keeps scanning (never a request body).
            if names.count == Self.linearScanLimit, bytes.count < Int(UInt32.max) {
                slots = [UInt32](repeating: 0, count: 64)
                for entry in names { place(entry.name, at: entry.offset) }
                count = names.count
                names = []
            }
            return
        }
        var index = name.hashValue & (slots.count - 1)
        while slots[index] != 0 {
            if Self.sameName(at: Int(slots[index]) - 1, as: offset, name, in: bytes) { throw Self.duplicate(name, at: offset) }
            index = (index + 1) & (slots.count - 1)
        }
        slots[index] = UInt32(offset + 1)
        count += 1
        if count * 4 > slots.count * 3 { grow(bytes) }
    }

    private mutating func place(_ name: String, at offset: Int) {
        var index = name.hashValue & (slots.count - 1)
        while slots[index] != 0 { index = (index + 1) & (slots.count - 1) }
        slots[index] = UInt32(offset + 1)
    }

    private mutating func grow(_ bytes: UnsafeBufferPointer<UInt8>) {
        let old = slots
        slots = [UInt32](repeating: 0, count: old.count * 2)
        for slot in old where slot != 0 {
            let offset = Int(slot) - 1
            place(Self.name(at: offset, in: bytes), at: offset)
        }
    }

    /// Whether the literal at `earlier` names `name`, the literal at `offset`.
    private static func sameName(at earlier: Int, as offset: Int, _ name: String, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var a = earlier + 1
        var b = offset + 1
        var escaped = false
        while true {
            let x = bytes[a]
            let y = bytes[b]
            if x == UInt8(ascii: "\\") || y == UInt8(ascii: "\\") {
                escaped = true
                break
            }
            if x != y { break }
            if x == UInt8(ascii: "\"") { return true }
            a += 1
            b += 1
        }
        // Unequal bytes: the names differ unless an escape spells a byte another way.
        if !escaped {
            // Scan on for an escape in either literal's remainder.
            escaped = hasEscape(from: a, in: bytes) || hasEscape(from: b, in: bytes)
            if !escaped { return false }
        }
        return Self.name(at: earlier, in: bytes) == name
    }

    private static func hasEscape(from start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = start
        while bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") { return true }
            index += 1
        }
        return false
    }

    /// The decoded name whose literal (already read once, so well-formed) starts at `offset`.
    private static func name(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        var reader = JSONReader(bytes: bytes)
        reader.offset = offset
        return (try? reader.readStringLiteral()) ?? ""
    }

    static func duplicate(_ name: String, at offset: Int) -> JSONParseError {
        let shown = name.count > 64 ? String(name.prefix(64)) + "…" : name
        return JSONParseError(message: "duplicate member name '\(shown)'", offset: offset)
    }
}
