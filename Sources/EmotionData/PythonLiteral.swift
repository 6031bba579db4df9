/// The subset of Python literal syntax that NumPy writes in a `.npy` header: a dict of string
/// keys to strings, booleans, None, integers, tuples and lists.
///
/// A real (small) parser rather than pattern matching, so that key order, spacing, trailing commas
/// and either quote style all read correctly, and anything else is rejected with a reason.
indirect enum PythonLiteral: Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case none
    case sequence([PythonLiteral])
    case dictionary([(key: String, value: PythonLiteral)])

    static func == (lhs: PythonLiteral, rhs: PythonLiteral) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.none, .none): return true
        case (.sequence(let a), .sequence(let b)): return a == b
        case (.dictionary(let a), .dictionary(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    subscript(key: String) -> PythonLiteral? {
        guard case .dictionary(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Parses one literal filling all of `text` (surrounding whitespace allowed).
    /// Throws a plain description of the problem; the caller adds file and variable.
    static func parse(_ text: String) throws(PythonLiteralError) -> PythonLiteral {
        var parser = PythonLiteralParser(characters: Array(text.unicodeScalars))
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.characters.count else { throw parser.error("unexpected text after the value") }
        return value
    }
}

/// What is wrong with a header literal, and where (character offset).
struct PythonLiteralError: Error {
    var message: String
}

struct PythonLiteralParser {
    let characters: [Unicode.Scalar]
    var index = 0

    func error(_ message: String) -> PythonLiteralError {
        PythonLiteralError(message: "\(message) at character \(index)")
    }

    var current: Unicode.Scalar? { index < characters.count ? characters[index] : nil }

    mutating func skipWhitespace() {
        while let character = current, character == " " || character == "\t" || character == "\n" || character == "\r" {
            index += 1
        }
    }

    mutating func parseValue(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        guard depth < 16 else { throw error("nesting too deep") }
        skipWhitespace()
        guard let character = current else { throw error("unexpected end of header") }
        switch character {
        case "{": return try parseDictionary(depth: depth)
        case "(": return try parseSequence(closing: ")", depth: depth)
        case "[": return try parseSequence(closing: "]", depth: depth)
        case "'", "\"": return .string(try parseString())
        case "-", "0"..."9": return .integer(try parseInteger())
        default:
            for (word, value) in [("True", PythonLiteral.boolean(true)), ("False", .boolean(false)), ("None", .none)]
            where characters[index...].starts(with: word.unicodeScalars) {
                index += word.unicodeScalars.count
                return value
            }
            throw error("unexpected character '\(character)'")
        }
    }

    mutating func parseDictionary(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        index += 1
        var members: [(key: String, value: PythonLiteral)] = []
        while true {
            skipWhitespace()
            if current == "}" {
                index += 1
                return .dictionary(members)
            }
            guard current == "'" || current == "\"" else { throw error("dictionary key is not a string") }
            let key = try parseString()
            skipWhitespace()
            guard current == ":" else { throw error("expected ':' after key '\(key)'") }
            index += 1
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            if current == "," {
                index += 1
            } else if current != "}" {
                throw error("expected ',' or '}' in dictionary")
            }
        }
    }

    mutating func parseSequence(closing: Unicode.Scalar, depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        index += 1
        var elements: [PythonLiteral] = []
        while true {
            skipWhitespace()
            if current == closing {
                index += 1
                return .sequence(elements)
            }
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == "," {
                index += 1
            } else if current != closing {
                throw error("expected ',' or '\(closing)' in sequence")
            }
        }
    }

    /// A quoted string without escapes (NumPy never writes any in a header).
    mutating func parseString() throws(PythonLiteralError) -> String {
        guard let quote = current else { throw error("expected a string") }
        index += 1
        var scalars = String.UnicodeScalarView()
        while let character = current, character != quote {
            guard character != "\\" else { throw error("escapes in header strings are not supported") }
            scalars.append(character)
            index += 1
        }
        guard current == quote else { throw error("unterminated string") }
        index += 1
        return String(scalars)
    }

    /// A decimal integer, optionally negative, with an optional Python 2 `L` suffix.
    mutating func parseInteger() throws(PythonLiteralError) -> Int {
        var negative = false
        if current == "-" {
            negative = true
            index += 1
        }
        var value = 0
        var digits = 0
        while let character = current, ("0"..."9").contains(character) {
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(Int(character.value - 48))
            guard !overflowA, !overflowB else { throw error("integer too large") }
            value = sum
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw error("expected digits") }
        if current == "L" { index += 1 }
        return negative ? -value : value
    }
}
