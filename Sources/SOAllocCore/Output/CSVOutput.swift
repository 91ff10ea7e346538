import Crypto
import Dispatch
import Glibc
import SOAllocRules

/// A CSV file written through large buffers: fields are appended to memory
/// and reach the disk a megabyte at a time.
///
/// Fields are quoted only when they contain a comma, a double quote, CR or LF
/// (RFC 4180), with inner quotes doubled. Lines end with LF. The bytes are
/// counted and hashed as they are written, for `run.json`. A full buffer is
/// hashed and written on a background queue while the other buffer fills,
/// one write at a time and in order; a write error is thrown by the next
/// call that writes.
public final class CSVOutput: @unchecked Sendable {
    public static let bufferSize = 1 << 18

    /// The queue every output's buffers are written on, in order.
    private static let writer = DispatchQueue(label: "soalloc.output")

    public let path: String
    private let descriptor: Int32
    private var buffer: UnsafeMutablePointer<UInt8>
    /// The buffer being written in the background, or free.
    private var spare: UnsafeMutablePointer<UInt8>
    private var used = 0
    private var atLineStart = true
    private var hasher = SHA256()
    /// Signalled when no background write of this output is in progress.
    private let idle = DispatchSemaphore(value: 1)
    /// The error of a background write, read once it has finished.
    private var writeError: Failure?
    /// The number of bytes written so far.
    public private(set) var size = 0

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure.output("\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.descriptor = descriptor
        buffer = .allocate(capacity: Self.bufferSize)
        spare = .allocate(capacity: Self.bufferSize)
    }

    deinit {
        idle.wait()  // a background write may still use `spare`
        idle.signal()  // a semaphore must be back at its first value when it goes
        buffer.deallocate()
        spare.deallocate()
        if descriptor >= 0 { close(descriptor) }
    }

    /// Writes a header or a row of a table soalloc makes (cells, money,
    /// providers). Such a row mixes numbers soalloc wrote with names that may
    /// come from the user (a provider's file name, a message quoting a value):
    /// a field that is a plain number (`-12`, `-0.50`) is written as it is;
    /// any other that would start a formula gets a leading `'`, as `textField`.
    public func row(_ fields: [String]) throws {
        for field in fields {
            var bytes = field
            let neutralise = try bytes.withUTF8 { bytes in
                guard let first = bytes.first, Self.startsFormula(first), !Self.isPlainNumber(bytes) else {
                    try self.field(bytes)
                    return false
                }
                return true
            }
            if neutralise { try self.field("'" + field) }
        }
        try endRow()
    }

    /// True for a plain decimal number: an optional sign, digits, and
    /// optionally a point and more digits. A spreadsheet reads it as a number.
    static func isPlainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = bytes.first == 0x2D || bytes.first == 0x2B ? 1 : 0
        var digits = 0
        var point = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x2E && !point && digits > 0 {
                point = true
                digits = 0
            } else if FieldParsing.isDigit(byte) {
                digits += 1
            } else {
                return false
            }
            index += 1
        }
        return digits > 0
    }

    /// Appends one field, quoting it when needed.
    @inline(__always)
    public func field(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        try separate()
        var needsQuotes = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        if !needsQuotes {
            try append(bytes)
            return
        }
        try appendByte(0x22)
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x22 {
            try append(UnsafeBufferPointer(rebasing: bytes[start...index]))
            start = index
        }
        try append(UnsafeBufferPointer(rebasing: bytes[start...]))
        try appendByte(0x22)
    }

    /// Appends a field known to need no quotes (a code's name).
    @inline(__always)
    public func plainField(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        try separate()
        try append(bytes)
    }

    /// Appends a field of text copied from an input (an identifier, a file's
    /// value, a header's name, a message quoting them). This is the one path
    /// for such text, in every CSV soalloc writes:
    ///
    /// - it is written as it is when it is UTF-8 text without NUL; otherwise
    ///   with invalid bytes as U+FFFD and NUL as U+2400, so outputs never carry
    ///   bytes that are not text;
    /// - text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
    ///   gets a leading `'`, so that a spreadsheet shows it as text and never
    ///   runs it as a formula (OWASP, CSV injection). Numbers soalloc writes
    ///   itself go through `field(_: Int64)` or `field(_: String)` and are never changed.
    @inline(__always)
    public func textField(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        if let text = Self.rewritten(bytes) { try field(text) } else { try field(bytes) }
    }

    /// The text `textField` writes for `bytes` when it is not the bytes
    /// themselves: text that is not plain UTF-8 as `FieldParsing.displayText`
    /// shows it, and text that would start a formula with a leading `'`.
    @inline(__always)
    static func rewritten(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var plain = true
        for byte in bytes where byte == 0 || byte >= 0x80 {
            plain = false
            break
        }
        if !plain && FieldParsing.quality(of: bytes) != .plain { return guarded(FieldParsing.displayText(bytes)) }
        if let first = bytes.first, startsFormula(first) { return "'" + String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// Appends a field of text copied from an input, held as a `String`; as
    /// `textField(_: UnsafeBufferPointer<UInt8>)`.
    public func textField(_ text: String) throws {
        var guarded = Self.guarded(text)
        try guarded.withUTF8 { bytes in try field(bytes) }
    }

    /// Text copied from an input as `textField` writes it: with a leading `'`
    /// when it would start a formula.
    static func guarded(_ text: String) -> String {
        if let first = text.utf8.first, startsFormula(first) { "'" + text } else { text }
    }

    /// True for a first byte that makes a spreadsheet read a cell as a formula.
    @inline(__always)
    static func startsFormula(_ byte: UInt8) -> Bool {
        byte == 0x3D || byte == 0x2B || byte == 0x2D || byte == 0x40 || byte == 0x09 || byte == 0x0D
    }

    /// Appends one field holding constant text.
    @inline(__always)
    public func field(_ text: StaticString) throws {
        try field(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends one field holding text.
    public func field(_ text: String) throws {
        var text = text
        try text.withUTF8 { bytes in try field(bytes) }
    }

    /// Appends one field holding an integer, written in decimal.
    @inline(__always)
    public func field(_ number: Int64) throws {
        try separate()
        if used + 20 > Self.bufferSize { try flush() }
        var digits = 1
        var rest = number.magnitude / 10
        while rest != 0 {
            digits += 1
            rest /= 10
        }
        if number < 0 {
            buffer[used] = 0x2D
            used += 1
        }
        var magnitude = number.magnitude
        var position = used + digits
        used = position
        repeat {
            position -= 1
            buffer[position] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
        } while magnitude != 0
    }

    /// Appends an empty field.
    @inline(__always)
    public func emptyField() throws {
        try separate()
    }

    /// Ends the current row.
    @inline(__always)
    public func endRow() throws {
        try appendByte(0x0A)
        atLineStart = true
    }

    /// Writes what is buffered and syncs it to disk; the file closes when
    /// released. Returns the file's size and SHA-256.
    @discardableResult
    public func finish() throws -> OutputFile {
        try flush()
        idle.wait()
        defer { idle.signal() }
        if let writeError { throw writeError }
        defer { hasher = SHA256() }
        if fsync(descriptor) != 0 && errno != EINVAL {
            throw Failure.output("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
        return OutputFile(name: String(path.split(separator: "/").last ?? ""), size: size, sha256: hasher.finalize().hexadecimal)
    }

    /// Writes text as it is, for files that are not CSV.
    public func text(_ text: String) throws {
        var text = text
        try text.withUTF8 { bytes in try append(bytes) }
    }

    @inline(__always)
    private func separate() throws {
        if atLineStart {
            atLineStart = false
        } else {
            try appendByte(0x2C)
        }
    }

    @inline(__always)
    private func appendByte(_ byte: UInt8) throws {
        if used == Self.bufferSize { try flush() }
        buffer[used] = byte
        used += 1
    }

    @inline(__always)
    private func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if used + bytes.count > Self.bufferSize {
            try flush()
            if bytes.count > Self.bufferSize {
                try writeNow(base, bytes.count)
                return
            }
        }
        (buffer + used).update(from: base, count: bytes.count)
        used += bytes.count
    }

    /// Hands the full buffer to the writing queue and carries on in the other.
    private func flush() throws {
        idle.wait()
        if let writeError {
            idle.signal()
            throw writeError
        }
        let full = buffer
        let count = used
        buffer = spare
        spare = full
        used = 0
        // `spare` is the full buffer until `idle` is signalled: no flush can swap it before.
        Self.writer.async { [self] in
            defer { idle.signal() }
            do { try writeAll(spare, count) } catch { writeError = error as? Failure }
        }
    }

    /// Hashes and writes bytes, after any background write: for one too large for a buffer.
    private func writeNow(_ start: UnsafePointer<UInt8>, _ count: Int) throws {
        idle.wait()
        defer { idle.signal() }
        if let writeError { throw writeError }
        try writeAll(start, count)
    }

    private func writeAll(_ start: UnsafePointer<UInt8>, _ count: Int) throws {
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: start, count: count))
        size += count
        var offset = 0
        while offset < count {
            let written = write(descriptor, start + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure.output("\(path): cannot write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}

/// A finished output file, as `run.json` lists it.
public struct OutputFile: Sendable, Equatable, Codable {
    public var name: String
    public var size: Int
    public var sha256: String
}
