import CZlib
import Crypto
import Glibc

/// The bytes of an input as they are stored: a file descriptor, or memory.
final class ByteSource: @unchecked Sendable {
    enum Origin {
        case descriptor(Int32)
        case bytes([UInt8])
    }

    let origin: Origin
    /// Where the next read starts; nil to read from the descriptor's own
    /// position (a pipe can be read no other way).
    private var position: Int?

    init(_ origin: Origin) {
        self.origin = origin
        if case .bytes = origin { position = 0 }
    }

    private init(_ origin: Origin, position: Int) {
        self.origin = origin
        self.position = position
    }

    /// Reads up to `count` bytes into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        switch origin {
        case .descriptor(let descriptor):
            while true {
                let got = position.map { pread(descriptor, buffer, count, off_t($0)) } ?? Glibc.read(descriptor, buffer, count)
                if got >= 0 {
                    position? += got
                    return got
                }
                if errno != EINTR { throw ReadError(errno: errno) }
            }
        case .bytes(let bytes):
            let offset = position!
            let got = min(count, bytes.count - offset)
            guard got > 0 else { return 0 }
            bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: got) }
            position = offset + got
            return got
        }
    }

    /// Fills `buffer` with up to `count` bytes (a pipe may return less than
    /// asked); fewer only at the end.
    func fill(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        var filled = 0
        while filled < count {
            let got = try read(into: buffer + filled, count: count - filled)
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    /// The same bytes again from the start, read independently of this
    /// reading; nil when they cannot be read twice (a pipe).
    func fromStart() -> ByteSource? {
        switch origin {
        case .bytes: return ByteSource(origin, position: 0)
        case .descriptor(let descriptor):
            var status = stat()
            guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
            return ByteSource(origin, position: 0)
        }
    }
}

/// Inflates gzip-compressed bytes with zlib, a buffer at a time. Members
/// that follow each other are read as one text, as gzip does; bytes after
/// the last member that do not start another are ignored, as gzip does.
final class GzipInflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let input: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let refill: (UnsafeMutablePointer<UInt8>, Int) throws -> Int
    /// A member has ended and the next, if any, has not begun.
    private var memberEnded = false
    private var done = false

    /// Inflates `first` (the bytes already read), then what `refill` reads.
    init(first: UnsafeBufferPointer<UInt8>, capacity: Int, refill: @escaping (UnsafeMutablePointer<UInt8>, Int) throws -> Int)
    {
        self.capacity = max(capacity, first.count)
        self.refill = refill
        input = .allocate(capacity: self.capacity)
        input.update(from: first.baseAddress!, count: first.count)
        stream.initialize(to: z_stream())
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(first.count)
        // 16 + 15: a gzip wrapper around a window of up to 32 KiB.
        inflateInit2_(stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    /// Inflates into `output`, up to `count` bytes; 0 at the end of the text.
    func inflate(into output: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        stream.pointee.next_out = output
        stream.pointee.avail_out = UInt32(count)
        while stream.pointee.avail_out > 0 && !done {
            if stream.pointee.avail_in == 0 {
                let got = try refill(input, capacity)
                if got == 0 {
                    guard memberEnded else { throw CSVSyntaxError.whole("the gzip-compressed file is cut short: it ends before its text does") }
                    done = true
                    break
                }
                stream.pointee.next_in = input
                stream.pointee.avail_in = UInt32(got)
            }
            if memberEnded {
                guard stream.pointee.next_in[0] == 0x1F else {
                    done = true
                    break
                }
                inflateReset(stream)
                memberEnded = false
            }
            switch CZlib.inflate(stream, Z_NO_FLUSH) {
            case Z_OK, Z_BUF_ERROR: continue
            case Z_STREAM_END: memberEnded = true
            case Z_MEM_ERROR: throw ReadError(errno: ENOMEM)
            default:
                throw CSVSyntaxError.whole("the gzip-compressed file is damaged: it cannot be decompressed")
            }
        }
        return count - Int(stream.pointee.avail_out)
    }
}

/// The text of an input, as UTF-8, a chunk at a time: the streaming layer in
/// front of the CSV parser.
///
/// The first bytes decide what the input is (`InputSignature`): a workbook
/// is left to `WorkbookSheet`, gzip is inflated, anything else that is not
/// text is refused. The text's encoding is then decided for the whole file
/// (docs/decisions.md, "Files that went through Excel"):
/// - forced by `--encoding`;
/// - a byte order mark: UTF-8 or UTF-16 in its byte order;
/// - UTF-16 without a mark, from the NUL bytes of its first kilobyte;
/// - otherwise UTF-8 until a byte above 0x7F is seen. Nothing before it can
///   differ between UTF-8 and Windows-1252, so the decision is taken there,
///   over the whole file's bytes (`EncodingTally`): read again from the start
///   when the file can be, over the chunk at hand when it cannot (a pipe).
/// A UTF-16 or Windows-1252 text is transcoded to UTF-8 as it is read; UTF-8
/// (the hot path) is handed on as read, looked at only until its first byte
/// above 0x7F.
struct InputText {
    enum Start {
        case text
        case workbook
    }

    private enum Decoder {
        case none
        case utf16(UTF16Decoder)
        case windows1252(Windows1252Decoder)
    }

    let source: ByteSource
    private let reading: InputReading
    private let observe: ((UnsafeRawBufferPointer) -> Void)?
    private let capacity: Int
    /// The chunk as read.
    private let raw: UnsafeMutablePointer<UInt8>
    private var inflater: GzipInflater?
    /// The inflated text of a gzip-compressed input.
    private var inflated: UnsafeMutablePointer<UInt8>?
    private var textHasher: SHA256?
    private var decoder = Decoder.none
    /// UTF-8 so far, with no byte above 0x7F seen yet.
    private var undecided = false
    /// The first chunk of text, read by `start`, not yet handed on.
    private var pending: Int?
    private var ended = false
    /// What the input is, as far as it is known.
    var form = InputForm()

    init(source: ByteSource, reading: InputReading, observe: ((UnsafeRawBufferPointer) -> Void)?, capacity: Int) {
        self.source = source
        self.reading = reading
        self.observe = observe
        self.capacity = capacity
        raw = .allocate(capacity: capacity)
    }

    func deallocate() {
        raw.deallocate()
        inflated?.deallocate()
        switch decoder {
        case .none: break
        case .utf16(let decoder): decoder.deallocate()
        case .windows1252(let decoder): decoder.deallocate()
        }
    }

    /// Reads raw bytes, showing them to `observe`.
    private static func readRaw(
        _ source: ByteSource, _ observe: ((UnsafeRawBufferPointer) -> Void)?, into buffer: UnsafeMutablePointer<UInt8>,
        count: Int
    ) throws -> Int {
        let got = try source.fill(buffer, count: count)
        if got > 0 { observe?(UnsafeRawBufferPointer(start: buffer, count: got)) }
        return got
    }

    /// Reads the first chunk: says whether the input is text (then read with
    /// `next`) or a workbook. Throws `CSVSyntaxError` for a file soalloc does not read.
    mutating func start() throws -> Start {
        let filled = try Self.readRaw(source, observe, into: raw, count: capacity)
        var first = UnsafeBufferPointer(start: raw, count: filled)
        switch InputSignature.kind(first) {
        case .refused(let what): throw CSVSyntaxError.whole(what)
        case .zip: return .workbook
        case .text: break
        case .gzip:
            form.container = .gzip
            textHasher = SHA256()
            form.textSize = 0
            let (source, observe) = (source, observe)
            inflater = GzipInflater(first: first, capacity: capacity) { buffer, count in
                try Self.readRaw(source, observe, into: buffer, count: count)
            }
            inflated = .allocate(capacity: capacity)
            let count = try readText()
            first = UnsafeBufferPointer(start: inflated, count: count)
            switch InputSignature.kind(first) {
            case .refused(let what): throw CSVSyntaxError.whole("gzip-compressed, holding \(what)")
            case .zip, .gzip:
                throw CSVSyntaxError.whole(
                    "gzip-compressed, holding an archive (perhaps an .xlsx workbook): decompress it (gunzip) and give soalloc what it holds")
            case .text: break
            }
        }
        pending = first.count
        decideEncoding(first)
        return .text
    }

    /// The encoding of the text whose first chunk is `first`, where it is
    /// forced or shown by a mark or by UTF-16's NUL bytes; otherwise UTF-8
    /// until a byte above 0x7F says more.
    private mutating func decideEncoding(_ first: UnsafeBufferPointer<UInt8>) {
        let utf16 = InputSignature.utf16(first)
        switch reading.encoding {
        case .utf8?: form.encoding = .utf8
        case .windows1252?: useWindows1252(guessed: false)
        case .utf16?: useUTF16(bigEndian: utf16?.bigEndian ?? false, mark: utf16?.markLength ?? 0)
        case nil:
            if let utf16 {
                useUTF16(bigEndian: utf16.bigEndian, mark: utf16.markLength)
            } else if first.count >= 3 && first[0] == 0xEF && first[1] == 0xBB && first[2] == 0xBF {
                form.encoding = .utf8
            } else {
                form.encoding = .utf8
                undecided = true
            }
        }
    }

    private mutating func useUTF16(bigEndian: Bool, mark: Int) {
        form.encoding = bigEndian ? .utf16BE : .utf16LE
        decoder = .utf16(UTF16Decoder(bigEndian: bigEndian))
        skip = mark
    }

    /// Bytes of a byte order mark still to skip.
    private var skip = 0

    private mutating func useWindows1252(guessed: Bool) {
        form.encoding = .windows1252
        form.encodingGuessed = guessed
        decoder = .windows1252(Windows1252Decoder())
    }

    /// The text's next bytes, before decoding, into the chunk it is read in.
    private mutating func readText() throws -> Int {
        guard let inflater, let inflated else { return try Self.readRaw(source, observe, into: raw, count: capacity) }
        // A short inflation is the end of the text: `inflate` fills the chunk otherwise.
        let filled = try inflater.inflate(into: inflated, count: capacity)
        textHasher!.update(bufferPointer: UnsafeRawBufferPointer(start: inflated, count: filled))
        form.textSize! += filled
        if filled == 0 { form.textSHA256 = textHasher!.finalize().hexadecimal }
        return filled
    }

    /// The next chunk of the text as UTF-8, or nil at its end.
    mutating func next() throws -> UnsafeBufferPointer<UInt8>? {
        guard !ended else { return nil }
        let count: Int
        if let first = pending {
            pending = nil
            count = first
        } else {
            count = try readText()
        }
        let chunk = UnsafePointer(inflated ?? raw)
        if count == 0 {
            ended = true
            if case .utf16(var utf16) = decoder {
                let used = utf16.decode(chunk, count: 0, final: true)
                decoder = .utf16(utf16)
                return UnsafeBufferPointer(start: utf16.output, count: used)
            }
            return nil
        }
        if undecided, let found = EncodingTally.firstNonASCII(chunk, count: count) {
            undecided = false
            var tally: EncodingTally
            if let whole = try wholeText() {
                tally = whole
            } else {
                // A pipe: what this chunk holds decides.
                tally = EncodingTally()
                _ = tally.add(chunk + found, count: count - found, final: true)
            }
            if tally.encoding == .windows1252 { useWindows1252(guessed: true) }
        }
        let start = chunk + skip
        let length = count - skip
        skip = 0
        switch decoder {
        case .none:
            return UnsafeBufferPointer(start: start, count: length)
        case .utf16(var utf16):
            let used = utf16.decode(start, count: length)
            decoder = .utf16(utf16)
            return UnsafeBufferPointer(start: utf16.output, count: used)
        case .windows1252(var windows1252):
            let used = windows1252.decode(start, count: length)
            decoder = .windows1252(windows1252)
            return UnsafeBufferPointer(start: windows1252.output, count: used)
        }
    }

    /// The UTF-8 characters and stray bytes of the whole text, read again
    /// from the start; nil when it cannot be read twice.
    private func wholeText() throws -> EncodingTally? {
        guard let again = source.fromStart() else { return nil }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 4)
        defer { buffer.deallocate() }
        let compressed: GzipInflater?
        if inflater != nil {
            let filled = try again.fill(buffer, count: capacity)
            compressed = GzipInflater(first: UnsafeBufferPointer(start: buffer, count: filled), capacity: capacity) {
                try again.fill($0, count: $1)
            }
        } else {
            compressed = nil
        }
        var tally = EncodingTally()
        var carried = 0
        while true {
            let got =
                try compressed?.inflate(into: buffer + carried, count: capacity)
                ?? again.fill(buffer + carried, count: capacity)
            let kept = tally.add(buffer, count: carried + got, final: got == 0)
            if got == 0 { return tally }
            for index in 0..<kept { buffer[index] = buffer[carried + got - kept + index] }
            carried = kept
        }
    }

    /// Reads the rest of the input's bytes, for `observe` alone (a workbook's digest).
    func drain() throws {
        while try Self.readRaw(source, observe, into: raw, count: capacity) > 0 {}
    }
}
