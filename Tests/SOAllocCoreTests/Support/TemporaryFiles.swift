import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// The repository, from this file's path.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A directory removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "soalloc-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to a file in the directory and returns its path.
    @discardableResult
    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let file = "\(path)/\(name)"
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    @discardableResult
    func file(_ name: String, _ text: String) -> String { file(name, Array(text.utf8)) }
}

/// A record as the reader delivered it: its line and its fields as text.
struct ReadRecord: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]
    var description: String { "\(line): \(fields)" }
}

/// Reads a file holding `bytes` with `CSVReader`, calling `body` with each record.
func forEachRecord(
    inFileHolding bytes: [UInt8], concurrently: Bool = false, _ body: (RawRecord) throws -> Void
) throws {
    let directory = TemporaryDirectory()
    let path = directory.file("input.csv", bytes)
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    try CSVReader(descriptor: descriptor).forEachRecord(concurrently: concurrently, body)
}

/// Reads `bytes` with `CSVReader` and returns the records, or the syntax error.
func readCSV(_ bytes: [UInt8], concurrently: Bool = false) throws -> [ReadRecord] {
    var records: [ReadRecord] = []
    try forEachRecord(inFileHolding: bytes, concurrently: concurrently) { record in
        records.append(ReadRecord(line: record.line, fields: (0..<record.count).map { record.text($0) }))
    }
    return records
}

func readCSV(_ text: String) throws -> [ReadRecord] { try readCSV(Array(text.utf8)) }

/// Checks that `body` fails with a data error (exit 65) naming `file` and `line`.
func expectDataError(
    in file: String, line: Int, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected a data error on line \(line) of \(file)", sourceLocation: sourceLocation)
    } catch let failure as Failure {
        guard case .data(let error) = failure else {
            Issue.record("expected a data error, got \(failure)", sourceLocation: sourceLocation)
            return
        }
        #expect(failure.isData, sourceLocation: sourceLocation)
        #expect(error.location.file == file, sourceLocation: sourceLocation)
        #expect(error.location.line == line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("\(file): line \(line): "), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a data error, got \(error)", sourceLocation: sourceLocation)
    }
}

extension Failure {
    /// A usage error: the command line, or a method file, is wrong.
    var isUsage: Bool { if case .usage = self { true } else { false } }
    /// A data error: an input is not what soalloc reads.
    var isData: Bool { if case .data = self { true } else { false } }
    /// An input that is missing or cannot be read.
    var isNoInput: Bool { if case .noInput = self { true } else { false } }
}
