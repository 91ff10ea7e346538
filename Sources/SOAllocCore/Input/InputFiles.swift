import Glibc
import SOAllocRules

/// The input files of a run, checked before any output is begun.
enum InputFiles {
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
