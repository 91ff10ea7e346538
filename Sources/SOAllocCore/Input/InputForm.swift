/// The text encodings soalloc reads an individualised file in.
public enum TextEncoding: String, Sendable, Equatable {
    case utf8 = "UTF-8"
    case windows1252 = "Windows-1252"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
}

/// The field delimiters soalloc reads an individualised file with.
public enum Delimiter: String, Sendable, Equatable, CaseIterable {
    case comma
    case semicolon
    case tab

    /// The byte that separates fields.
    var byte: UInt8 {
        switch self {
        case .comma: 0x2C
        case .semicolon: 0x3B
        case .tab: 0x09
        }
    }

    /// The delimiter a command line names: `comma`, `semicolon` or `tab` in
    /// any case, or the character itself (`,`, `;`, a tab or `\t`).
    public init?(named name: String) {
        switch name.lowercased() {
        case "comma", ",": self = .comma
        case "semicolon", ";": self = .semicolon
        case "tab", "\t", "\\t": self = .tab
        default: return nil
        }
    }

    /// The delimiter of a header row that starts `text` (after any blank
    /// lines and byte order mark): the byte after a first field of `UKPRN`,
    /// when it is a semicolon or a tab. Nil otherwise: a file without a
    /// header is read with commas (ruling R1), and so is a header that has
    /// them.
    static func ofHeader(_ text: UnsafeBufferPointer<UInt8>) -> Delimiter? {
        var index = 0
        if text.count >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF { index = 3 }
        func skip(_ bytes: Set<UInt8>) { while index < text.count && bytes.contains(text[index]) { index += 1 } }
        skip([0x20, 0x09, 0x0D, 0x0A])
        let quoted = index < text.count && text[index] == 0x22
        if quoted { index += 1 }
        skip([0x20])
        for letter in "UKPRN".utf8 {
            guard index < text.count, text[index] & 0xDF == letter else { return nil }
            index += 1
        }
        skip([0x20])
        if quoted {
            guard index < text.count, text[index] == 0x22 else { return nil }
            index += 1
            skip([0x20])
        }
        guard index < text.count else { return nil }
        switch text[index] {
        case Delimiter.semicolon.byte: return .semicolon
        case Delimiter.tab.byte: return .tab
        default: return nil
        }
    }
}

/// The encoding a command line may force (`--encoding`).
public enum EncodingChoice: String, Sendable, Equatable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    /// UTF-16 in the byte order its mark or its NUL bytes show; little-endian without either.
    case utf16 = "utf-16"

    /// `utf-8`, `windows-1252` or `utf-16`, in any case, with or without the hyphen (`cp1252` too).
    public init?(named name: String) {
        switch name.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "windows1252", "cp1252": self = .windows1252
        case "utf-16", "utf16": self = .utf16
        default: return nil
        }
    }
}

/// How to read an input: what the command line forces, the rest found from the file.
public struct InputReading: Sendable, Equatable {
    /// The encoding to read the text in; nil to find it.
    public var encoding: EncodingChoice?
    /// The delimiter to read the text with; nil to find it from the header row.
    public var delimiter: Delimiter?

    public init(encoding: EncodingChoice? = nil, delimiter: Delimiter? = nil) {
        self.encoding = encoding
        self.delimiter = delimiter
    }

    /// Everything found from the file.
    public static let found = InputReading()
}

/// What an input turned out to be, and how it was read.
public struct InputForm: Sendable, Equatable {
    /// What holds the records.
    public enum Container: String, Sendable, Equatable {
        /// CSV text.
        case text = "csv"
        /// CSV text compressed with gzip.
        case gzip
        /// The first worksheet of an Excel workbook.
        case xlsx
    }

    public var container: Container = .text
    /// The text's encoding; nil for a workbook.
    public var encoding: TextEncoding? = .utf8
    /// The text's delimiter; nil for a workbook.
    public var delimiter: Delimiter? = .comma
    /// Whether the encoding was guessed from the bytes (rather than forced,
    /// or shown by a byte order mark or UTF-16's NUL bytes).
    public var encodingGuessed = false
    /// Whether the delimiter was found from the header row rather than forced.
    public var delimiterFound = false
    /// For a compressed file: the SHA-256 and size of the text it holds.
    public var textSHA256: String?
    public var textSize: Int?

    public init() {}

    /// The line that tells the user how the file was read, when soalloc
    /// chose something the user may not expect: a Windows-1252 reading, or
    /// a delimiter other than the comma. Nil otherwise.
    public var notice: String? {
        var parts: [String] = []
        if encodingGuessed, let encoding, encoding != .utf8 {
            parts.append("read as \(encoding.rawValue) text, as it is not UTF-8")
        }
        if delimiterFound, let delimiter, delimiter != .comma {
            parts.append("its fields are separated by \(delimiter == .tab ? "tabs" : "semicolons"), as its header row shows")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// The word for where a record starts: a line of text, a row of a sheet.
    var lineWord: String { container == .xlsx ? "row" : "line" }
}
