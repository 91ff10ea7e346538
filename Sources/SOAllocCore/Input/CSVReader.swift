import CLibCSV
import Foundation
import Glibc
import SOAllocRules

/// Opens the file at `path` for reading; fails with `Failure.noInput`,
/// naming the file and the reason.
func openForReading(_ path: String) throws -> Int32 {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw Failure.noInput("\(path): cannot open: \(String(cString: strerror(errno)))")
    }
    return descriptor
}

/// One CSV record as borrowed bytes.
///
/// The bytes belong to the reader and are valid only inside the closure that
/// receives the record: copy what must outlive it. Fields are already trimmed
/// of spaces, tabs, CR and LF at both ends (ruling R3).
public struct RawRecord {
    /// The physical line (1-based) on which the record starts.
    public let line: Int
    /// How many fields the record has.
    public let count: Int
    let bytes: UnsafePointer<UInt8>
    let bounds: UnsafePointer<Int>
    /// Where in the file the record's first line starts (its byte offset).
    public var offset = 0

    /// The bytes of field `index` (0-based).
    @inline(__always)
    public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = bounds[2 &* index]
        let end = bounds[2 &* index &+ 1]
        return UnsafeBufferPointer(start: bytes + start, count: end &- start)
    }

    /// True when every field is empty: such records are skipped (ruling R3).
    public var isBlank: Bool {
        for index in 0..<count where bounds[2 &* index] != bounds[2 &* index &+ 1] { return false }
        return true
    }

    /// Field `index` as text, for messages and tests (never on the hot path).
    public func text(_ index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }
}

/// A batch of records being assembled by libcsv's callbacks.
///
/// libcsv hands each field to a C callback together with a raw pointer to this
/// struct; there is no class and no reference counting per field. The field's
/// bytes are copied, trimmed, into one growing buffer; `bounds` holds each
/// field's start and end offsets in it. Records follow each other: `records`
/// holds each one's first field, field count and line. A batch is handed over
/// whole, to be read on this thread or another.
struct RecordAssembly {
    struct Entry {
        var firstField: Int32
        var fieldCount: Int32
        var line: Int
        var offset: Int
    }

    var bytes: UnsafeMutablePointer<UInt8>
    var byteCapacity: Int
    var byteCount = 0
    var bounds: UnsafeMutablePointer<Int>
    var fieldCapacity: Int
    var fieldCount = 0
    var rowEnded = false
    var records: UnsafeMutablePointer<Entry>
    /// What a `prepare` step made of each record (on the reading thread).
    var facts: UnsafeMutablePointer<Facts>
    var recordCapacity: Int
    var recordCount = 0
    /// Where the record being read starts.
    var recordStartField = 0
    var recordStartByte = 0

    init() {
        byteCapacity = 1 << 12
        bytes = .allocate(capacity: byteCapacity)
        fieldCapacity = 64
        bounds = .allocate(capacity: 2 * fieldCapacity)
        recordCapacity = 64
        records = .allocate(capacity: recordCapacity)
        facts = .allocate(capacity: recordCapacity)
        facts.initialize(repeating: Facts(), count: recordCapacity)
    }

    func deallocate() {
        bytes.deallocate()
        bounds.deallocate()
        records.deallocate()
        facts.deallocate()
    }

    /// Empties the batch.
    mutating func clear() {
        byteCount = 0
        fieldCount = 0
        rowEnded = false
        recordCount = 0
        recordStartField = 0
        recordStartByte = 0
    }

    /// The fields read so far of the record being read.
    var pendingFields: Int { fieldCount - recordStartField }

    /// Ends the record being read. A record whose fields are all empty is
    /// dropped (ruling R3).
    mutating func commitRecord(line: Int, offset: Int) {
        rowEnded = false
        var blank = true
        for field in recordStartField..<fieldCount where bounds[2 &* field] != bounds[2 &* field &+ 1] {
            blank = false
            break
        }
        if blank {
            fieldCount = recordStartField
            byteCount = recordStartByte
            return
        }
        if recordCount == recordCapacity { growRecords() }
        records[recordCount] = Entry(
            firstField: Int32(truncatingIfNeeded: recordStartField),
            fieldCount: Int32(truncatingIfNeeded: fieldCount - recordStartField), line: line, offset: offset)
        recordCount &+= 1
        recordStartField = fieldCount
        recordStartByte = byteCount
    }

    /// Record `index` of the batch, as borrowed bytes.
    @inline(__always)
    func record(_ index: Int) -> RawRecord {
        let entry = records[index]
        return RawRecord(
            line: entry.line, count: Int(entry.fieldCount), bytes: UnsafePointer(bytes),
            bounds: UnsafePointer(bounds + 2 &* Int(entry.firstField)), offset: entry.offset)
    }

    @inline(__always)
    static func isTrimmed(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    mutating func append(_ data: UnsafeRawPointer?, _ length: Int) {
        var start = 0
        var end = length
        if let data {
            let source = data.assumingMemoryBound(to: UInt8.self)
            while start < end && Self.isTrimmed(source[start]) { start &+= 1 }
            while end > start && Self.isTrimmed(source[end &- 1]) { end &-= 1 }
            let size = end &- start
            if byteCount &+ size > byteCapacity { growBytes(to: byteCount &+ size) }
            (bytes + byteCount).update(from: source + start, count: size)
        } else {
            end = 0
        }
        if fieldCount == fieldCapacity { growFields() }
        bounds[2 &* fieldCount] = byteCount
        byteCount &+= end &- start
        bounds[2 &* fieldCount &+ 1] = byteCount
        fieldCount &+= 1
    }

    private mutating func growBytes(to needed: Int) {
        var capacity = byteCapacity
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = capacity
    }

    private mutating func growFields() {
        let capacity = fieldCapacity * 2
        let grown = UnsafeMutablePointer<Int>.allocate(capacity: 2 * capacity)
        grown.update(from: bounds, count: 2 * fieldCount)
        bounds.deallocate()
        bounds = grown
        fieldCapacity = capacity
    }

    private mutating func growRecords() {
        let capacity = recordCapacity * 2
        let grown = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
        grown.update(from: records, count: recordCount)
        records.deallocate()
        records = grown
        let grownFacts = UnsafeMutablePointer<Facts>.allocate(capacity: capacity)
        grownFacts.initialize(repeating: Facts(), count: capacity)
        facts.deallocate()
        facts = grownFacts
        recordCapacity = capacity
    }
}

private let fieldEnded: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    data, length, context in
    context.unsafelyUnwrapped.assumingMemoryBound(to: RecordAssembly.self).pointee.append(data, length)
}

/// White space around a field of a tab-separated file: spaces alone.
private let spaceOnly: @convention(c) (UInt8) -> Int32 = { $0 == 0x20 ? 1 : 0 }

private let rowEnded: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
    context.unsafelyUnwrapped.assumingMemoryBound(to: RecordAssembly.self).pointee.rowEnded = true
}

/// Where a CSV syntax error happened, before the file's layout gives the field a name.
public struct CSVSyntaxError: Error, Equatable, Sendable {
    /// The line on which the bad record starts.
    public var line: Int
    /// The 1-based position of the field being read; 0 for the whole file
    /// (one that is not CSV text at all).
    public var field: Int
    public var message: String

    /// An error about the whole file (one soalloc does not read, or cannot decompress).
    static func whole(_ message: String) -> CSVSyntaxError { CSVSyntaxError(line: 0, field: 0, message: message) }

    /// Where the error is, in a file whose records so far are `records` (nil
    /// before its layout is known) and whose fields are named `names`.
    public func location(file: String, record: Int?, names: [String]) -> Location {
        guard field > 0 else { return Location(file: file, line: line > 0 ? line : nil) }
        return Location(
            file: file, line: line, record: record, field: field,
            fieldName: field <= names.count ? names[field - 1] : nil)
    }
}

/// Reads CSV records from a file in fixed-size chunks with libcsv in strict mode.
///
/// Strict mode (`CSV_STRICT | CSV_STRICT_FINI`) makes a stray quote, or a quote
/// left open at the end of the file, an error instead of silently swallowing
/// the rest of the file. A UTF-8 byte order mark is removed. Input is fed to
/// libcsv one physical line at a time, so that each record knows the line it
/// starts on and each call completes at most one record.
///
/// The text comes through `InputText`: gzip is inflated, UTF-16 and
/// Windows-1252 are transcoded to UTF-8 as they are read (record offsets are
/// then positions in the decoded text, the same on every reading), and a
/// file that is not text (an archive, a PDF) is refused from its first
/// bytes. An Excel workbook's first worksheet is read instead of text
/// (`readWorkbook`). A header row's semicolons or tabs are found from it
/// (`Delimiter.ofHeader`). A field longer than its `limits` allow (1 MiB),
/// or a record of too many fields (4,096) or bytes (16 MiB), is an error as
/// soon as it is seen.
public struct CSVReader: @unchecked Sendable {
    public static let chunkSize = 1 << 20

    private let origin: ByteSource.Origin
    private let observe: ((UnsafeRawBufferPointer) -> Void)?
    let limits: Limits
    private let reading: InputReading
    /// What the input turned out to be, once it is read.
    private let found = FoundForm()

    /// What the reading thread found, for the thread that reads the records.
    private final class FoundForm: @unchecked Sendable {
        var form = InputForm()
    }

    /// The most a field and a record may hold.
    public struct Limits: Sendable {
        /// Bytes in one field.
        public var field: Int
        /// Fields in one record.
        public var fields: Int
        /// Bytes in one record.
        public var record: Int

        /// For the files a user gives: thousands of times what an individualised file needs.
        public static let input = Limits(field: 1 << 20, fields: 4096, record: 16 << 20)
        /// For soalloc's own outputs, read back for the workbook: a message may quote a whole field.
        public static let output = Limits(field: 4 << 20, fields: 4096, record: 64 << 20)
    }

    /// Reads from an open file descriptor, which the caller keeps and closes.
    /// `observe` sees every chunk of raw bytes as it is read (to hash the
    /// file); `reading` forces an encoding or a delimiter.
    public init(
        descriptor: Int32, observe: ((UnsafeRawBufferPointer) -> Void)? = nil, limits: Limits = .input,
        reading: InputReading = .found
    ) {
        origin = .descriptor(descriptor)
        self.observe = observe
        self.limits = limits
        self.reading = reading
    }

    /// Reads CSV held in memory (the compiled-in code lists).
    public init(bytes: [UInt8]) {
        origin = .bytes(bytes)
        observe = nil
        limits = .input
        reading = .found
    }

    /// What the input turned out to be: known once its first chunk is read.
    public var form: InputForm { found.form }

    /// A batch is handed over when it has this many records, or this many bytes.
    static let batchRecords = 2048
    static let batchBytes = 1 << 20

    /// The longest field of an input, in bytes: 1 MiB, thousands of times the
    /// longest value an individualised file holds. A longer one is a data error.
    public static let maxFieldBytes = Limits.input.field
    /// The most fields a record of an input may have (an individualised file has about 50).
    public static let maxFields = Limits.input.fields
    /// The longest record of an input, in bytes.
    public static let maxRecordBytes = Limits.input.record

    /// `1 MiB (1,048,576 bytes)`.
    static func limitText(_ bytes: Int) -> String {
        "\(bytes >> 20) MiB (\(Decimal(bytes).grouped()) bytes)"
    }

    /// Calls `body` with each record in file order. Records whose fields are all
    /// empty are skipped (ruling R3). Throws `CSVSyntaxError` for malformed CSV,
    /// `ReadError` when the file cannot be read, and rethrows what `body` throws.
    ///
    /// With `concurrently`, the file is read and parsed on a second thread,
    /// a batch of records ahead, while `body` runs on this one: the same
    /// records, in the same order, with the same errors.
    public func forEachRecord(concurrently: Bool = false, _ body: (RawRecord) throws -> Void) throws {
        try forEachRecord(concurrently: concurrently, prepare: nil) { record, _ in try body(record) }
    }

    /// As `forEachRecord(concurrently:_:)`, with a `prepare` step that runs on
    /// the reading thread, record by record and in order, before `body` sees
    /// each record with the `Facts` its step made (or nil without a step).
    /// `prepare` must not touch what `body` uses.
    func forEachRecord(
        concurrently: Bool, prepare: ((RawRecord, inout Facts) -> Void)?,
        _ body: (RawRecord, UnsafePointer<Facts>?) throws -> Void
    ) throws {
        let step = PrepareStep(prepare)
        let prepared = step.run
        func consume(_ batch: RecordAssembly) throws {
            for index in 0..<batch.recordCount {
                try body(batch.record(index), prepare == nil ? nil : UnsafePointer(batch.facts + index))
            }
        }
        guard concurrently else {
            var assembly = RecordAssembly()
            defer { assembly.deallocate() }
            try parse(into: &assembly) { batch in
                prepared(&batch)
                try consume(batch)
                batch.clear()
            }
            return
        }

        let channel = BatchChannel(batches: 3)
        let reader = Thread { [self, step] in
            guard var assembly = channel.takeFree() else {
                channel.send(.end)
                return
            }
            do {
                try parse(into: &assembly) { batch in
                    step.run(&batch)
                    channel.send(.batch(batch))
                    guard let next = channel.takeFree() else {
                        batch = RecordAssembly()  // the sent batch is the consumer's now
                        throw BatchChannel.Cancelled()
                    }
                    batch = next
                }
                channel.send(.batch(assembly))
                channel.send(.end)
            } catch is BatchChannel.Cancelled {
                channel.giveBack(assembly)
                channel.send(.end)
            } catch {
                channel.send(.batch(assembly))
                channel.send(.failure(error))
            }
        }
        reader.stackSize = 1 << 20
        reader.start()
        defer { channel.finish() }
        while true {
            switch channel.receive() {
            case .batch(let batch):
                defer { channel.giveBack(batch) }
                try consume(batch)
            case .end:
                return
            case .failure(let error):
                throw error
            }
        }
    }

    /// Parses the input into `assembly`, calling `deliver` when it holds a
    /// full batch (and once at the end, or before a syntax error is thrown,
    /// with the records before it). `deliver` must leave an empty batch in
    /// `assembly`, or give the last one back through its `inout` argument.
    private func parse(
        into assembly: inout RecordAssembly, deliver: (inout RecordAssembly) throws -> Void
    ) throws {
        var parser = csv_parser()
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI)) == 0 else { throw ReadError(errno: ENOMEM) }
        defer { csv_free(&parser) }
        csv_set_blk_size(&parser, 1 << 16)


        var line = 1
        var recordLine = 1
        var recordOffset = 0
        var chunkOffset = 0
        var afterCR = false

        func syntaxError(_ message: String, field: Int? = nil) throws -> CSVSyntaxError {
            let field = field ?? assembly.pendingFields + 1
            assembly.fieldCount = assembly.recordStartField
            assembly.byteCount = assembly.recordStartByte
            try deliver(&assembly)
            return CSVSyntaxError(line: recordLine, field: field, message: message)
        }

        let tooLong = "the field is longer than \(Self.limitText(limits.field)), the most soalloc reads in one field"
        var input = InputText(source: ByteSource(origin), reading: reading, observe: observe, capacity: Self.chunkSize)
        defer { input.deallocate() }
        if try input.start() == .workbook {
            var form = InputForm()
            form.container = .xlsx
            form.encoding = nil
            form.delimiter = nil
            found.form = form
            if case .descriptor(let descriptor) = input.source.origin, lseek(descriptor, 0, SEEK_CUR) < 0 {
                throw CSVSyntaxError.whole(
                    "an Excel workbook read from a pipe: give it as a file, which soalloc can read in any order")
            }
            // The workbook is read in any order; its bytes are seen in order only when a digest is wanted.
            if observe != nil { try input.drain() }
            try readWorkbook(input.source, into: &assembly, deliver: deliver)
            return
        }
        var first = true
        while true {
            guard let text = try input.next() else { break }
            guard let base = text.baseAddress, !text.isEmpty else { continue }
            let start = UnsafeMutablePointer(mutating: base)
            var cursor = start
            if first {
                first = false
                if text.count >= 3 && start[0] == 0xEF && start[1] == 0xBB && start[2] == 0xBF { cursor += 3 }
                // Ruling R1: a file without a header row is read with commas, unless forced.
                let delimiter = reading.delimiter ?? Delimiter.ofHeader(text) ?? .comma
                input.form.delimiter = delimiter
                input.form.delimiterFound = reading.delimiter == nil && delimiter != .comma
                if delimiter != .comma {
                    csv_set_delim(&parser, delimiter.byte)
                    // A tab separates fields; only spaces are white space around them.
                    if delimiter == .tab { csv_set_space_func(&parser, spaceOnly) }
                }
            }
            found.form = input.form
            let count = text.count
            defer { chunkOffset += count }
            let end = start + count

            // One physical line at a time.
            while cursor < end {
                let remaining = end - cursor
                let newline = memchr(cursor, 0x0A, remaining)?.assumingMemoryBound(to: UInt8.self)
                var segmentEnd = newline.map { $0 + 1 } ?? end
                // A CR that is not the first half of a CRLF also ends a line.
                var endsWithBareCR = false
                if let cr = memchr(cursor, 0x0D, segmentEnd - cursor)?.assumingMemoryBound(to: UInt8.self),
                    cr + 1 != newline
                {
                    segmentEnd = cr + 1
                    endsWithBareCR = true
                }
                let length = segmentEnd - cursor

                if parser.pstate == 0 {  // ROW_NOT_BEGUN: a record may start here
                    recordLine = line
                    recordOffset = chunkOffset + (cursor - start)
                }
                let fieldBefore = Int(parser.entry_pos)
                let used = withUnsafeMutablePointer(to: &assembly) { context in
                    csv_parse(&parser, cursor, length, fieldEnded, rowEnded, context)
                }
                if used < length {
                    if csv_error(&parser) == CSV_EPARSE {
                        throw try syntaxError(
                            parser.quoted != 0
                                ? "unexpected character after a closing quote (a quote inside a quoted field must be doubled)"
                                : "a double quote inside an unquoted field (quote the whole field and double the quote)")
                    }
                    throw try syntaxError("out of memory while reading a field")
                }

                // Stop at a field, or a record, beyond `limits` while it is being read,
                // so that memory stays flat whatever the input. A field this line
                // ended is at most `fieldBefore + length` long: only then are the
                // record's fields looked at.
                let field = Int(parser.entry_pos)
                if field > limits.field { throw try syntaxError(tooLong) }
                if fieldBefore &+ length > limits.field {
                    for index in assembly.recordStartField..<assembly.fieldCount
                    where assembly.bounds[2 &* index &+ 1] &- assembly.bounds[2 &* index] > limits.field {
                        throw try syntaxError(tooLong, field: index - assembly.recordStartField + 1)
                    }
                }
                if assembly.fieldCount &- assembly.recordStartField >= limits.fields {
                    throw try syntaxError(
                        "the record has more than \(limits.fields) fields, the most soalloc reads in one record",
                        field: limits.fields + 1)
                }
                if assembly.byteCount &- assembly.recordStartByte &+ field > limits.record {
                    throw try syntaxError(
                        "the record is longer than \(Self.limitText(limits.record)), the most soalloc reads in one record")
                }

                if endsWithBareCR {
                    line += 1
                    afterCR = true
                } else if newline != nil && segmentEnd - 1 == newline {
                    if !(afterCR && length == 1) { line += 1 }
                    afterCR = false
                } else {
                    afterCR = false
                }
                if assembly.rowEnded {
                    assembly.commitRecord(line: recordLine, offset: recordOffset)
                    if assembly.recordCount >= Self.batchRecords || assembly.byteCount >= Self.batchBytes {
                        try deliver(&assembly)
                    }
                }
                cursor = segmentEnd
            }
        }
        found.form = input.form

        let finished = withUnsafeMutablePointer(to: &assembly) { context in
            csv_fini(&parser, fieldEnded, rowEnded, context)
        }
        if finished != 0 { throw try syntaxError("a quoted field is not closed before the end of the file") }
        if assembly.rowEnded { assembly.commitRecord(line: recordLine, offset: recordOffset) }
        try deliver(&assembly)
    }
}

/// A `prepare` step, handed to the reading thread, which alone calls it.
final class PrepareStep: @unchecked Sendable {
    private let prepare: ((RawRecord, inout Facts) -> Void)?

    init(_ prepare: ((RawRecord, inout Facts) -> Void)?) { self.prepare = prepare }

    func run(_ batch: inout RecordAssembly) {
        guard let prepare else { return }
        for index in 0..<batch.recordCount { prepare(batch.record(index), &batch.facts[index]) }
    }
}

/// Hands batches of records from the reading thread to the thread that uses
/// them, and the emptied batches back: a few batches circulate, so memory
/// stays flat however long the file.
final class BatchChannel: @unchecked Sendable {
    enum Item {
        case batch(RecordAssembly)
        case end
        case failure(any Error)
    }

    struct Cancelled: Error {}

    private let condition = NSCondition()
    private var items: [Item] = []
    /// The batches not in use; every batch is here once both threads are done.
    private var free: [RecordAssembly]
    private var cancelled = false
    private var readerDone = false

    init(batches: Int) {
        free = (0..<batches).map { _ in RecordAssembly() }
    }

    deinit {
        for batch in free { batch.deallocate() }
        for item in items { if case .batch(let batch) = item { batch.deallocate() } }
    }

    /// An empty batch for the reader; nil once the consumer has stopped.
    func takeFree() -> RecordAssembly? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !cancelled { condition.wait() }
        if cancelled { return nil }
        var batch = free.removeLast()
        batch.clear()
        return batch
    }

    func send(_ item: Item) {
        condition.lock()
        if case .batch = item {} else { readerDone = true }
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    func receive() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        return items.removeFirst()
    }

    /// Returns a batch to the pool; the same storage is used again.
    func giveBack(_ batch: RecordAssembly) {
        condition.lock()
        free.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the reader, if it still runs, and waits for it.
    func finish() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !readerDone {
            // Drain what the reader sends, so that it can reach its end.
            if let item = items.first {
                items.removeFirst()
                if case .batch(let batch) = item { free.append(batch) }
                if case .batch = item {} else { readerDone = true }
            } else {
                condition.wait()
            }
        }
        for item in items { if case .batch(let batch) = item { free.append(batch) } }
        items.removeAll()
        condition.unlock()
    }
}

/// The input file could not be read.
public struct ReadError: Error, Sendable {
    public var errno: Int32
    public var message: String { String(cString: strerror(errno)) }
}
