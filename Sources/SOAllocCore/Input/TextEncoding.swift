import SOAllocRules

/// What the first bytes of an input say about it, before it is read as CSV.
///
/// An individualised file is CSV text, perhaps compressed with gzip, or an
/// Excel workbook. Anything else (an Excel 97-2003 workbook, another archive,
/// a PDF, a web page, an image) is refused at once, with a message that
/// names what it looks like, never with its bytes.
enum InputSignature {
    /// What the first bytes show.
    enum Kind: Equatable {
        /// Text, or something soalloc reads as text.
        case text
        /// A zip archive: perhaps an .xlsx workbook (`WorkbookSheet` looks inside).
        case zip
        /// gzip-compressed: read as the text it holds.
        case gzip
        /// A file soalloc does not read, with what to say about it.
        case refused(String)
    }

    /// The advice for a workbook soalloc cannot read.
    static let saveAs = "save it as CSV UTF-8 or .xlsx"

    /// What a file whose first bytes are `start` is.
    static func kind(_ start: UnsafeBufferPointer<UInt8>) -> Kind {
        func begins(_ signature: [UInt8]) -> Bool {
            start.count >= signature.count && zip(start, signature).allSatisfy { $0 == $1 }
        }
        if begins([0x50, 0x4B, 0x03, 0x04]) || begins([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if begins([0x1F, 0x8B]) { return .gzip }
        if begins([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return .refused("an Excel 97-2003 workbook: \(saveAs)")
        }
        func compressed(_ name: String, _ tool: String) -> Kind {
            .refused("\(name)-compressed, which soalloc does not read: decompress it (\(tool)), or compress it with gzip")
        }
        if begins(Array("BZh".utf8)) && start.count > 3 && (0x31...0x39).contains(start[3]) { return compressed("bzip2", "bunzip2") }
        if begins([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return compressed("xz", "unxz") }
        if begins([0x28, 0xB5, 0x2F, 0xFD]) { return compressed("zstd", "unzstd") }
        if begins([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .refused("a 7-Zip archive, not CSV text") }
        if begins(Array("Rar!".utf8)) { return .refused("a RAR archive, not CSV text") }
        if begins(Array("%PDF".utf8)) { return .refused("a PDF document, not CSV text") }
        if begins(Array("{\\rtf".utf8)) { return .refused("an RTF document, not CSV text") }
        if begins([0x89, 0x50, 0x4E, 0x47]) { return .refused("a PNG image, not CSV text") }
        if begins([0xFF, 0xD8, 0xFF]) { return .refused("a JPEG image, not CSV text") }
        if begins(Array("GIF87a".utf8)) || begins(Array("GIF89a".utf8)) { return .refused("a GIF image, not CSV text") }
        if begins([0xFF, 0xFE, 0x00, 0x00]) || begins([0x00, 0x00, 0xFE, 0xFF]) {
            return .refused("UTF-32 text, which soalloc does not read: save it as CSV UTF-8")
        }
        // A web page or an XML spreadsheet, after any UTF-8 byte order mark and white space.
        var text = start.prefix(256)[...]
        if begins([0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        let lowered = String(decoding: text.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }, as: UTF8.self)
            .lowercased()
        if lowered.hasPrefix("<!doctype html") || lowered.hasPrefix("<html") || lowered.hasPrefix("<head")
            || lowered.hasPrefix("<body")
        {
            return .refused("an HTML web page, not CSV text: download the individualised file itself")
        }
        if lowered.hasPrefix("<?xml") {
            return .refused("XML (perhaps an Excel 2003 XML spreadsheet), not CSV text: \(saveAs)")
        }
        return .text
    }

    /// The byte order of a UTF-16 file, from its byte order mark or, without
    /// one, from the NUL bytes that ASCII text has in every other place; and
    /// how many bytes of mark to skip. Nil for any other file.
    static func utf16(_ start: UnsafeBufferPointer<UInt8>) -> (bigEndian: Bool, markLength: Int)? {
        if start.count >= 2 && start[0] == 0xFF && start[1] == 0xFE { return (false, 2) }
        if start.count >= 2 && start[0] == 0xFE && start[1] == 0xFF { return (true, 2) }
        // Without a mark: most code units of a CSV are ASCII, so one byte of
        // each pair is NUL and the other is not.
        let pairs = min(start.count / 2, 512)
        guard pairs >= 2 else { return nil }
        var evenNUL = 0
        var oddNUL = 0
        for pair in 0..<pairs {
            if start[2 * pair] == 0 { evenNUL += 1 }
            if start[2 * pair + 1] == 0 { oddNUL += 1 }
        }
        if oddNUL * 4 >= pairs * 3 && evenNUL * 8 <= pairs { return (false, 0) }
        if evenNUL * 4 >= pairs * 3 && oddNUL * 8 <= pairs { return (true, 0) }
        return nil
    }
}

/// Decodes UTF-16 to UTF-8 chunk by chunk: a code unit or a surrogate pair
/// split between two chunks is completed by the next. A lone surrogate, or an
/// odd byte at the end of the file, becomes U+FFFD.
struct UTF16Decoder {
    let bigEndian: Bool
    /// Bytes of the previous chunk not yet decoded (at most three).
    private var carry: [UInt8] = []
    private(set) var output: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init(bigEndian: Bool) {
        self.bigEndian = bigEndian
        capacity = 0
        output = .allocate(capacity: 1)
    }

    func deallocate() { output.deallocate() }

    /// Decodes `count` bytes after what was carried over; returns how many
    /// bytes of UTF-8 are in `output`. At the end of the input, `final`
    /// decodes what is left.
    mutating func decode(_ input: UnsafePointer<UInt8>, count: Int, final: Bool = false) -> Int {
        let total = carry.count + count
        // Two bytes of UTF-16 give at most three of UTF-8; a pair of four gives four.
        let needed = total / 2 * 3 + 6
        if needed > capacity {
            output.deallocate()
            capacity = needed
            output = .allocate(capacity: capacity)
        }
        let bytes = carry
        carry = []
        var used = 0
        func byte(_ index: Int) -> UInt8 { index < bytes.count ? bytes[index] : input[index - bytes.count] }
        func unit(_ index: Int) -> UInt32 {
            bigEndian
                ? UInt32(byte(index)) << 8 | UInt32(byte(index + 1))
                : UInt32(byte(index + 1)) << 8 | UInt32(byte(index))
        }
        func put(_ scalar: UInt32) { UTF8Output.put(scalar, into: output, at: &used) }
        var index = 0
        while index + 1 < total {
            let first = unit(index)
            if first < 0xD800 || first > 0xDFFF {
                put(first)
                index += 2
            } else if first <= 0xDBFF {
                guard index + 3 < total else { break }  // the pair's second half is in the next chunk
                let second = unit(index + 2)
                if (0xDC00...0xDFFF).contains(second) {
                    put(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                    index += 4
                } else {
                    put(0xFFFD)
                    index += 2
                }
            } else {
                put(0xFFFD)
                index += 2
            }
        }
        if final {
            if index + 1 < total { put(0xFFFD); index += 2 }  // a high surrogate at the very end
            if index < total { put(0xFFFD) }  // an odd byte
        } else {
            carry = (index..<total).map(byte)
        }
        return used
    }
}

/// Counts, over some text, the well-formed UTF-8 characters of more than one
/// byte and the bytes above 0x7F that are in none: what decides whether a
/// file that is not all UTF-8 is Windows-1252 (docs/decisions.md, "Files
/// that went through Excel").
struct EncodingTally {
    /// Well-formed UTF-8 sequences of two to four bytes.
    private(set) var characters = 0
    /// Bytes above 0x7F that are not part of a well-formed sequence.
    private(set) var strays = 0
    /// Whether a stray is one of the five bytes Windows-1252 leaves undefined.
    private(set) var undefinedIn1252 = false

    /// The encoding the counts show: Windows-1252 when strays outnumber
    /// UTF-8 characters and every stray is defined in Windows-1252; UTF-8
    /// otherwise (a few stray bytes in UTF-8 text stay findings).
    var encoding: TextEncoding { strays > characters && !undefinedIn1252 ? .windows1252 : .utf8 }

    /// The index of the first byte above 0x7F in `count` bytes, or nil.
    static func firstNonASCII(_ bytes: UnsafePointer<UInt8>, count: Int) -> Int? {
        var index = 0
        let raw = UnsafeRawPointer(bytes)
        while index &+ 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            index &+= 8
        }
        while index < count {
            if bytes[index] >= 0x80 { return index }
            index &+= 1
        }
        return nil
    }

    /// Counts `count` bytes. Returns how many bytes at the end begin a
    /// sequence that may be completed by what follows: they are not counted,
    /// and must be given again in front of the next bytes. With `final`,
    /// everything is counted and 0 is returned.
    mutating func add(_ bytes: UnsafePointer<UInt8>, count: Int, final: Bool) -> Int {
        var index = 0
        while let found = Self.firstNonASCII(bytes + index, count: count - index) {
            index += found
            let lead = bytes[index]
            // The length of the sequence and the range of its second byte (Unicode, table 3-7).
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF4: length = 4; second = 0x80...0x8F
            case 0xF1...0xF3: length = 4
            default: length = 0
            }
            var wellFormed = length > 0
            var available = 1
            while wellFormed && available < length && index + available < count {
                let byte = bytes[index + available]
                wellFormed = available == 1 ? second.contains(byte) : (0x80...0xBF).contains(byte)
                available += 1
            }
            if wellFormed && available < length {
                if !final { return count - index }  // cut by the end of these bytes
                wellFormed = false
            }
            if wellFormed {
                characters += 1
                index += length
            } else {
                strays += 1
                if [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains(lead) { undefinedIn1252 = true }
                index += 1
            }
        }
        return 0
    }
}

/// Decodes Windows-1252 to UTF-8, a chunk at a time (every byte is one
/// character). The five bytes it leaves undefined become the C1 controls of
/// the same number, as the WHATWG Encoding Standard maps them.
struct Windows1252Decoder {
    /// The characters of 0x80–0x9F; 0xA0–0xFF are those of Latin-1.
    private static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]
    private(set) var output: UnsafeMutablePointer<UInt8>
    private var capacity = 0

    init() { output = .allocate(capacity: 1) }

    func deallocate() { output.deallocate() }

    /// Decodes `count` bytes; returns how many bytes of UTF-8 are in `output`.
    mutating func decode(_ input: UnsafePointer<UInt8>, count: Int) -> Int {
        if count * 3 > capacity {
            output.deallocate()
            capacity = count * 3
            output = .allocate(capacity: max(capacity, 1))
        }
        var used = 0
        for index in 0..<count {
            let byte = input[index]
            if byte < 0x80 {
                output[used] = byte
                used &+= 1
                continue
            }
            UTF8Output.put(byte < 0xA0 ? Self.high[Int(byte) - 0x80] : UInt32(byte), into: output, at: &used)
        }
        return used
    }
}

/// Writes Unicode scalars as UTF-8, for the decoders.
enum UTF8Output {
    /// Writes `scalar` at `output[used]` (one to four bytes) and moves `used` past it.
    @inline(__always)
    static func put(_ scalar: UInt32, into output: UnsafeMutablePointer<UInt8>, at used: inout Int) {
        if scalar < 0x80 {
            output[used] = UInt8(scalar)
            used += 1
        } else if scalar < 0x800 {
            output[used] = UInt8(0xC0 | scalar >> 6)
            output[used + 1] = UInt8(0x80 | scalar & 0x3F)
            used += 2
        } else if scalar < 0x10000 {
            output[used] = UInt8(0xE0 | scalar >> 12)
            output[used + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[used + 2] = UInt8(0x80 | scalar & 0x3F)
            used += 3
        } else {
            output[used] = UInt8(0xF0 | scalar >> 18)
            output[used + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[used + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[used + 3] = UInt8(0x80 | scalar & 0x3F)
            used += 4
        }
    }
}
