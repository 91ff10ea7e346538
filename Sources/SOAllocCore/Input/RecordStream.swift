import Foundation
import Glibc
import SOAllocRules

/// The data records of one individualised file, as every command reads them.
///
/// This is the one place that finds a file's layout from its first record,
/// skips its header, numbers its records, and turns whatever goes wrong while
/// reading into a `Failure` that names the file, the line, the record and the
/// field. The run (of one file or many), the many-file UKPRN sniff, `explain`,
/// `anonymise` and the fuzz target all read through it.
struct RecordStream {
    /// The file as the user named it, for messages.
    let file: String
    private let reader: CSVReader

    init(file: String, reader: CSVReader) {
        self.file = file
        self.reader = reader
    }

    /// Opens `file`, reads it with `body` and closes it; `observe` sees every
    /// chunk of the file's bytes as it is read; `reading` forces an encoding
    /// or a delimiter.
    static func reading<Result>(
        _ file: String, observe: ((UnsafeRawBufferPointer) -> Void)? = nil, reading: InputReading = .found,
        _ body: (RecordStream) throws -> Result
    ) throws -> Result {
        let descriptor = try openForReading(file)
        defer { close(descriptor) }
        return try body(RecordStream(file: file, reader: CSVReader(descriptor: descriptor, observe: observe, reading: reading)))
    }

    /// What the file turned out to be, and how it was read: known once its
    /// first record is.
    var form: InputForm { reader.form }

    /// Calls `found` with the file's layout, found from its first record (and
    /// that record, which is the header when the layout has one), then
    /// `record` with each data record and its number in the file, from 1.
    ///
    /// With `prepare`, each data record is first prepared on the reading
    /// thread (with `concurrently`, a second thread that reads a batch
    /// ahead), and `record` gets the `Facts` it made; without, nil.
    ///
    /// Throws `Failure` for a file that cannot be read, malformed CSV, a file
    /// that is not a layout soalloc knows, a record with another number of
    /// fields than the layout's, or a file without records; rethrows what
    /// `found` and `record` throw otherwise.
    func forEach(
        concurrently: Bool = false, prepare: ((RawRecord, Layout, inout Facts) -> Void)? = nil,
        layout found: (Layout, RawRecord) throws -> Void = { _, _ in },
        record body: (RawRecord, Int, UnsafePointer<Facts>?) throws -> Void
    ) throws {
        var layout: Layout?
        var records = 0
        do {
            try reader.forEachRecord(concurrently: concurrently, prepare: prepare.map(readingStep)) { record, facts in
                if layout == nil {
                    layout = try Layout.detect(from: record, file: file)
                    try found(layout!, record)
                    if layout!.hasHeader { return }
                }
                records += 1
                guard record.count == layout!.fieldCount else {
                    throw layout!.fieldCountError(record, number: records, file: file)
                }
                try body(record, records, facts)
            }
        } catch let error as CSVSyntaxError {
            throw Failure.data(
                DataError(
                    error.location(file: file, record: layout == nil ? nil : records + 1, names: layout?.fieldNames ?? []),
                    error.message
                ).placed(in: form))
        } catch let error as DataError {
            throw Failure.data(error.placed(in: form))
        } catch Failure.data(let error) {
            throw Failure.data(error.placed(in: form))
        } catch let error as ReadError {
            throw Failure.noInput("\(file): cannot read: \(error.message)")
        }
        guard layout != nil else {
            throw Failure.data(DataError(Location(file: file, line: 1), "the file is empty").placed(in: form))
        }
        if records == 0 {
            throw Failure.data(
                DataError(Location(file: file, line: 2), "the file has a header row but no records")
                    .placed(in: form))
        }
    }

    /// `prepare` as the reader's step: the reading thread finds the layout
    /// from the first record for itself, and prepares only data records of
    /// the layout's length.
    private func readingStep(_ prepare: @escaping (RawRecord, Layout, inout Facts) -> Void)
        -> (RawRecord, inout Facts) -> Void
    {
        let state = ReadingLayout(file: file)
        return { record, facts in
            // The consumer stops at a record of the wrong length, before its facts.
            guard let layout = state.layout(of: record), record.count == layout.fieldCount else { return }
            prepare(record, layout, &facts)
        }
    }

    /// The layout as the reading thread sees it: found from the first record,
    /// which it skips when it is a header. Touched by that thread alone.
    private final class ReadingLayout: @unchecked Sendable {
        let file: String
        var layout: Layout?

        init(file: String) { self.file = file }

        /// The layout of a data record, or nil for the header or a file of no known layout.
        func layout(of record: RawRecord) -> Layout? {
            if let layout { return layout }
            guard let found = try? Layout.detect(from: record, file: file) else { return nil }
            layout = found
            return found.hasHeader ? nil : found
        }
    }
}

extension DataError {
    /// The error with its place named as the input's form names it: a row of a worksheet, a line of text.
    func placed(in form: InputForm) -> DataError {
        var error = self
        error.location.lineWord = form.lineWord
        return error
    }
}
