import Foundation

import Glibc
import SOAllocRules

/// An input file that can be read again, at the offset of a record, for the
/// duplicate-STUBID findings: the file itself when it is a regular file, or a
/// temporary copy made as it is read when it is not (a pipe, `<(…)`).
final class InputSource {
    let path: String
    /// The copy's descriptor, or -1 for a regular file.
    private var copy: Int32 = -1
    private var copyError: Int32 = 0

    init(_ path: String) throws {
        self.path = path
        var status = stat()
        guard stat(path, &status) != 0 || (status.st_mode & S_IFMT) != S_IFREG else { return }
        var template = Array((NSTemporaryDirectory() + "/soalloc-input-XXXXXX").utf8CString)
        copy = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard copy >= 0 else {
            throw Failure.output("\(path): cannot make a temporary copy to read again: \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    deinit {
        if copy >= 0 { close(copy) }
    }

    /// Appends a chunk just read to the copy, if there is one.
    func keep(_ chunk: UnsafeRawBufferPointer) {
        guard copy >= 0, copyError == 0, var start = chunk.baseAddress else { return }
        var left = chunk.count
        while left > 0 {
            let written = write(copy, start, left)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                copyError = errno
                return
            }
            start += written
            left -= written
        }
    }

    /// Fails if the copy could not be written.
    func finish() throws {
        if copyError != 0 {
            throw Failure.output("\(path): cannot make a temporary copy to read again: \(String(cString: strerror(copyError)))")
        }
    }

    /// A new descriptor of the file, or of its copy, to read from.
    func reopen() throws -> Int32 {
        guard copy >= 0 else { return try openForReading(path) }
        // A duplicate descriptor shares the copy's offset, which the writes
        // left at its end: each reading starts again from the beginning.
        let descriptor = dup(copy)
        guard descriptor >= 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw Failure.noInput("\(path): cannot read again: \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// Fails with "no input" unless every file can be opened and is not a directory.
    static func checkReadable(_ inputs: [String]) throws {
        for input in inputs {
            let descriptor = try openForReading(input)
            defer { close(descriptor) }
            var status = stat()
            if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
                throw Failure.noInput("\(input): cannot read: it is a directory")
            }
        }
    }
}
