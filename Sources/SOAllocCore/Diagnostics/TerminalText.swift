import SOAllocRules

/// Text for a terminal: every byte that could act on it, written as an escape.
///
/// Input is data, never code: a value copied from a file into a message, the
/// summary or an explanation must not retitle, recolour or clear the user's
/// terminal. This is the one function every such text passes through.
///
/// - C0 controls (including NUL, TAB, CR and LF) and DEL become `\xNN`.
/// - C1 controls (U+0080 to U+009F, two bytes in UTF-8) become `\u{NN}`.
/// - Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069)
///   become `\u{NNNN}`: they can make a line read differently from its bytes.
/// - Bytes that are not UTF-8 become `\xNN`, one per byte.
///
/// A backslash is left as it is, so escaping twice changes nothing.
public enum TerminalText {
    /// `bytes` as text safe to print.
    public static func escape(_ bytes: some Collection<UInt8>) -> String {
        var output = ""
        output.reserveCapacity(bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        // The bytes not yet decoded, to write out one by one when they are not UTF-8.
        var pending = Array(bytes)[...]
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                pending = pending.dropFirst(encoded.count)
                let scalar = Unicode.UTF8.decode(encoded)
                append(scalar, to: &output)
            case .error(let length):
                for byte in pending.prefix(length) { output += hex(byte) }
                pending = pending.dropFirst(length)
            case .emptyInput:
                return output
            }
        }
    }

    /// `text` as text safe to print.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = ""
        for scalar in text.unicodeScalars { append(scalar, to: &output) }
        return output
    }

    /// Several lines, each escaped, joined with LF: for the multi-line texts
    /// soalloc prints (the summary, explanations).
    public static func lines(_ lines: [String]) -> String {
        lines.map(escape).joined(separator: "\n")
    }

    @inline(__always)
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value)
    }

    private static func append(_ scalar: Unicode.Scalar, to output: inout String) {
        guard needsEscape(scalar) else {
            output.unicodeScalars.append(scalar)
            return
        }
        if scalar.value < 0x80 {
            output += hex(UInt8(scalar.value))
        } else {
            output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }
}
