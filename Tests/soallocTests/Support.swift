import Foundation
import Testing

/// The repository, found from this file's path.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The soalloc binary under test: `SOALLOC_BINARY`, or the debug build that
/// `scripts/test` makes before running the tests.
let binary: URL = {
    if let path = ProcessInfo.processInfo.environment["SOALLOC_BINARY"] { return URL(fileURLWithPath: path) }
    return repository.appendingPathComponent(".build/debug/soalloc")
}()

/// What one run of the binary printed and how it exited.
struct Outcome {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs the soalloc binary with `arguments` in `directory`.
func soalloc(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Outcome {
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw BinaryMissing(path: binary.path)
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let (outputData, errorData) = readBoth(output, error)
    process.waitUntilExit()
    return Outcome(
        status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData, as: UTF8.self))
}

/// Reads a child's standard output and standard error to their ends, both at
/// once (a child that fills one pipe while the other is read would otherwise
/// wait for ever), retrying reads a signal interrupts.
func readBoth(_ output: Pipe, _ error: Pipe) -> (Data, Data) {
    var data = [Data(), Data()]
    var descriptors = [
        pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0),
        pollfd(fd: error.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0),
    ]
    var open = 2
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while open > 0 {
        guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { break }
        for index in 0..<2 where descriptors[index].fd >= 0 && descriptors[index].revents != 0 {
            let count = read(descriptors[index].fd, &buffer, buffer.count)
            if count > 0 {
                data[index].append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR && errno != EAGAIN {
                descriptors[index].fd = -1
                open -= 1
            }
        }
    }
    return (data[0], data[1])
}

struct BinaryMissing: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path) is not built: run scripts/test, or swift build first" }
}

/// A directory removed when the value is released.
final class Scratch {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("soalloc-e2e-" + UUID().uuidString)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Compares `actual` with the golden file at `expected`, byte for byte.
///
/// A missing golden file is a failure. With `SOALLOC_RECORD=1` the actual
/// bytes are written to the golden file, and the test still fails, so that
/// recording is always an explicit act that is reviewed before committing.
func expectGolden(_ actual: Data, at expected: URL, sourceLocation: SourceLocation = #_sourceLocation) {
    let recording = ProcessInfo.processInfo.environment["SOALLOC_RECORD"] == "1"
    let relative = expected.path.replacingOccurrences(of: repository.path + "/", with: "")
    if recording {
        try? FileManager.default.createDirectory(
            at: expected.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! actual.write(to: expected)
        Issue.record("recorded \(relative): review it, then run the tests again", sourceLocation: sourceLocation)
        return
    }
    guard let golden = FileManager.default.contents(atPath: expected.path) else {
        Issue.record(
            "golden file \(relative) is missing (record it with SOALLOC_RECORD=1 and review it)",
            sourceLocation: sourceLocation)
        return
    }
    if golden != actual {
        let actualLines = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let goldenLines = String(decoding: golden, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(actualLines, goldenLines).enumerated().first { $0.element.0 != $0.element.1 }
        let detail = first.map { "line \($0.offset + 1): expected '\($0.element.1)', got '\($0.element.0)'" }
            ?? "expected \(goldenLines.count) lines, got \(actualLines.count)"
        Issue.record("\(relative) differs: \(detail)", sourceLocation: sourceLocation)
    }
}

/// Runs `/usr/bin/python3` with `arguments`, for checks by independent readers
/// (Debian's python3-openpyxl, Python's XML parser); fails when it exits non-zero.
func python(_ arguments: [String], input: String? = nil) throws -> String {
    try tool("/usr/bin/python3", arguments, input: input)
}

/// Runs a tool, by path or from PATH, with `input` (or nothing) on its
/// standard input, and returns its standard output; fails when it exits non-zero.
func tool(_ name: String, _ arguments: [String], input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: name.hasPrefix("/") ? name : "/usr/bin/env")
    process.arguments = name.hasPrefix("/") ? arguments : [name] + arguments
    let output = Pipe()
    let error = Pipe()
    let standardInput = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = standardInput
    try process.run()
    standardInput.fileHandleForWriting.write(Data((input ?? "").utf8))
    try standardInput.fileHandleForWriting.close()
    let (outputData, errorData) = readBoth(output, error)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolFailed(
            tool: ([name] + arguments).joined(separator: " "), message: String(decoding: errorData, as: UTF8.self))
    }
    return String(decoding: outputData, as: UTF8.self)
}

struct ToolFailed: Error, CustomStringConvertible {
    var tool: String
    var message: String
    var description: String { "\(tool) failed: \(message)" }
}

/// The workbook at `url` as text, by `scripts/xlsx-dump` (openpyxl).
func xlsxDump(_ url: URL) throws -> String {
    try python([repository.appendingPathComponent("scripts/xlsx-dump").path, url.path])
}

/// Runs the first sample with the example method's rates into `out` in
/// `scratch`, expecting success; returns the output directory.
func runExampleMethod(in scratch: Scratch) throws -> URL {
    let out = scratch.url.appendingPathComponent("out")
    let outcome = try soalloc(
        ["TestData/SO14_F10000001.ind", "--out", out.path, "--method", "TestData/methods/example.yaml"], in: repository)
    #expect(outcome.status == 0, "\(outcome.standardError)")
    return out
}

/// Runs a shell command, returning whether it succeeded.
@discardableResult
func shell(_ command: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try? process.run()
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// Whether this machine lets the tests mount a small tmpfs (root with the right capability).
let canMount: Bool = {
    let scratch = Scratch()
    let point = scratch.url.appendingPathComponent("m").path
    guard mountTmpfs(at: point, options: "size=64k") else { return false }
    shell("umount '\(point)'")
    return true
}()

/// Makes the folder `point` and mounts a tmpfs on it with `options`
/// (`size=64k`, `ro,size=64k`); returns whether it worked.
func mountTmpfs(at point: String, options: String) -> Bool {
    shell("mkdir -p '\(point)' && mount -t tmpfs -o \(options) tmpfs '\(point)'")
}

/// Writes a copy of TestData/rules/DISPOP.ind with some columns of every
/// record set to `values` (Python literals) at `path`.
func hostileCopy(_ values: [String: String], to path: URL) throws {
    let assignments = values.map { "    row[header.index(\"\($0.key)\")] = \($0.value)" }.sorted().joined(separator: "\n")
    _ = try python(
        ["-", repository.appendingPathComponent("TestData/rules/DISPOP.ind").path, path.path],
        input: """
            import csv, sys
            rows = list(csv.reader(open(sys.argv[1], newline="")))
            header = rows[0]
            for row in rows[1:]:
            \(assignments)
            csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\\n").writerows(rows)
            """)
}
