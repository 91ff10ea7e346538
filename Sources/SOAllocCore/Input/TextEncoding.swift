import SOAllocRules

/// What the first bytes of an input say about it, before it is read as CSV.
///
/// An individualised file is CSV text. A file saved from Excel as a workbook,
/// compressed, or downloaded as a web page is not: it is refused at once, with
/// a message that names what it looks like, never with its bytes. A UTF-16
/// file is read, decoded to UTF-8 as it is read (`UTF16Decoder`).
enum InputSignature {
    /// Why a file whose first bytes are `start` is not CSV text, or nil when it may be.
    static func refusal(_ start: UnsafeBufferPointer<UInt8>) -> String? {
        func begins(_ signature: [UInt8]) -> Bool {
            start.count >= signature.count && zip(start, signature).allSatisfy { $0 == $1 }
        }
        let save = "; open it in Excel and save it as CSV (comma delimited)"
        if begins([0x50, 0x4B, 0x03, 0x04]) || begins([0x50, 0x4B, 0x05, 0x06]) {
            return "the file is a zip archive, such as an Excel .xlsx workbook, not CSV text" + save
        }
        if begins([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return "the file is an Excel 97-2003 .xls workbook (or another OLE2 document), not CSV text" + save
        }
        if begins([0x1F, 0x8B]) { return "the file is gzip-compressed, not CSV text; decompress it first (gunzip)" }
        if begins(Array("BZh".utf8)) && start.count > 3 && (0x31...0x39).contains(start[3]) {
            return "the file is bzip2-compressed, not CSV text; decompress it first (bunzip2)"
        }
        if begins([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            return "the file is xz-compressed, not CSV text; decompress it first (unxz)"
        }
        if begins([0x28, 0xB5, 0x2F, 0xFD]) {
            return "the file is zstd-compressed, not CSV text; decompress it first (unzstd)"
        }
        if begins(Array("%PDF".utf8)) { return "the file is a PDF document, not CSV text" }
        if begins([0x89, 0x50, 0x4E, 0x47]) { return "the file is a PNG image, not CSV text" }
        if begins([0xFF, 0xD8, 0xFF]) { return "the file is a JPEG image, not CSV text" }
        if begins([0xFF, 0xFE, 0x00, 0x00]) || begins([0x00, 0x00, 0xFE, 0xFF]) {
            return "the file is UTF-32 text, which soalloc does not read; save it as UTF-8 CSV"
        }
        // A web page or an XML spreadsheet, after any UTF-8 byte order mark and white space.
        var text = start.prefix(256)[...]
        if begins([0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        let lowered = String(decoding: text.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }, as: UTF8.self)
            .lowercased()
        if lowered.hasPrefix("<!doctype html") || lowered.hasPrefix("<html") || lowered.hasPrefix("<head")
            || lowered.hasPrefix("<body")
        {
            return "the file is an HTML web page, not CSV text; download the individualised file itself"
        }
        if lowered.hasPrefix("<?xml") {
            return "the file is XML (perhaps an Excel 2003 XML spreadsheet), not CSV text" + save
        }
        return nil
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
        func put(_ scalar: UInt32) {
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
