import Foundation

/// Somewhere a run's files are written: an output directory, or a folder in one.
public protocol OutputPlace {
    /// The path the file `name` is written to.
    func path(of name: String) -> String
}

/// A folder inside an output directory's working directory (one provider's
/// outputs, or the sector's), written while the directory is not committed.
public struct OutputFolder: OutputPlace, Sendable {
    public let path: String
    public let names: [String]

    public func path(of name: String) -> String {
        precondition(names.contains(name), "\(name) is not one of this folder's outputs")
        return "\(path)/\(name)"
    }
}

/// An output directory that appears only when the run succeeds.
///
/// Files are written into a hidden temporary directory beside the final one;
/// `commit()` renames it into place. A directory that already exists is
/// replaced only by a successful run, and only when everything in it is a
/// file soalloc writes (so a mistyped `--out` never deletes a user's files).
/// `discard()`, called on any failure, removes the temporary directory.
public final class OutputDirectory: OutputPlace, @unchecked Sendable {
    /// Where the outputs will be.
    public let finalPath: String
    /// Where they are written meanwhile.
    public let workingPath: String
    /// The names of the files a run writes; in a directory of folders, the
    /// names of the files each folder holds.
    public let names: [String]
    private var committed = false

    /// Prepares to write the files `names` into the directory `path`.
    public init(_ path: String, names: [String]) throws {
        self.names = names
        let fileManager = FileManager.default
        let url = URL(fileURLWithPath: path).standardizedFileURL
        finalPath = url.path
        let parent = url.deletingLastPathComponent().path
        do {
            try fileManager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw Failure.cannotCreate("\(path): cannot create the output directory's parent \(parent)")
        }

        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: finalPath, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw Failure.cannotCreate("\(path): exists and is not a directory")
            }
            let entries = (try? fileManager.contentsOfDirectory(atPath: finalPath)) ?? []
            // Ours: the files a run writes, or folders (one per provider, and
            // the sector's) holding nothing else.
            let existing = url.path
            let foreign = entries.filter { entry in
                if names.contains(entry) { return false }
                var isFolder: ObjCBool = false
                guard fileManager.fileExists(atPath: "\(existing)/\(entry)", isDirectory: &isFolder), isFolder.boolValue
                else { return true }
                let inside = (try? fileManager.contentsOfDirectory(atPath: "\(existing)/\(entry)")) ?? ["?"]
                return !inside.allSatisfy { names.contains($0) }
            }.sorted()
            guard foreign.isEmpty else {
                throw Failure.cannotCreate(
                    "\(path): will not replace a directory holding files soalloc did not write (\(foreign.prefix(3).joined(separator: ", "))); choose another --out"
                )
            }
        }

        workingPath = "\(parent)/.\(url.lastPathComponent).soalloc-\(getpid())"
        try? fileManager.removeItem(atPath: workingPath)
        do {
            try fileManager.createDirectory(atPath: workingPath, withIntermediateDirectories: false)
        } catch {
            throw Failure.cannotCreate("\(path): cannot create a directory in \(parent): \(error.localizedDescription)")
        }
    }

    deinit {
        if !committed { discard() }
    }

    /// Removes the working directory if the process is interrupted (SIGINT,
    /// SIGTERM) before `commit()`: the handler unlinks each output, in the
    /// directory and in each of `folders`, removes the folders and the
    /// directory, then lets the signal end the process as usual.
    public func removeOnInterrupt(folders: [String] = []) {
        let places = folders.map { "\(workingPath)/\($0)" }
        Interruption.arm(
            files: ([workingPath] + places).flatMap { place in names.map { "\(place)/\($0)" } },
            directories: places + [workingPath])
    }

    /// A folder of outputs in the working directory, created now.
    public func folder(_ name: String, names: [String]) throws -> OutputFolder {
        let path = "\(workingPath)/\(name)"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw Failure.output("\(finalPath)/\(name): cannot create: \(error.localizedDescription)")
        }
        return OutputFolder(path: path, names: names)
    }

    /// The working path of an output file.
    public func path(of name: String) -> String {
        precondition(names.contains(name), "\(name) is not one of this run's outputs")
        return "\(workingPath)/\(name)"
    }

    /// Moves the finished outputs into place, replacing an earlier run's.
    public func commit() throws {
        let fileManager = FileManager.default
        let previous = "\(workingPath).previous"
        let hadPrevious = fileManager.fileExists(atPath: finalPath)
        if hadPrevious {
            guard rename(finalPath, previous) == 0 else {
                throw Failure.output("\(finalPath): cannot replace: \(String(cString: strerror(errno)))")
            }
        }
        guard rename(workingPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            if hadPrevious { _ = rename(previous, finalPath) }
            throw Failure.output("\(finalPath): cannot move the outputs into place: \(reason)")
        }
        committed = true
        Interruption.disarm()
        if hadPrevious { try? fileManager.removeItem(atPath: previous) }
    }

    /// Removes the working directory and everything in it.
    public func discard() {
        Interruption.disarm()
        try? FileManager.default.removeItem(atPath: workingPath)
    }
}

/// Output files, all in one directory, that appear only when the job succeeds.
///
/// They are written into a hidden working directory beside them; `commit()`
/// renames each into place, replacing a file of the same name. `discard()`,
/// called on any failure or interruption, removes the working directory.
final class OutputFiles: @unchecked Sendable {
    /// The files' final paths.
    let paths: [String]
    private let workingPath: String
    private var committed = false

    init(_ paths: [String]) throws {
        self.paths = paths
        let fileManager = FileManager.default
        let parent = URL(fileURLWithPath: paths[0]).standardizedFileURL.deletingLastPathComponent().path
        for path in paths {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue {
                throw Failure.cannotCreate("\(path): is a directory")
            }
        }
        do {
            try fileManager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw Failure.cannotCreate("\(paths[0]): cannot create the directory \(parent)")
        }
        workingPath = "\(parent)/.soalloc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try fileManager.createDirectory(atPath: workingPath, withIntermediateDirectories: false)
        } catch {
            throw Failure.cannotCreate("\(paths[0]): cannot create a directory in \(parent): \(error.localizedDescription)")
        }
        Interruption.arm(files: paths.map(path(of:)), directories: [workingPath])
    }

    deinit {
        if !committed { discard() }
    }

    /// Where the file whose final path is `path` is written meanwhile.
    func path(of path: String) -> String {
        precondition(paths.contains(path), "\(path) is not one of the outputs")
        return "\(workingPath)/\(paths.firstIndex(of: path)!)"
    }

    /// Moves every file into place; if one cannot be moved, removes those
    /// already moved, so that none of them is left.
    func commit() throws {
        for (index, path) in paths.enumerated() {
            guard rename(self.path(of: path), path) == 0 else {
                let reason = String(cString: strerror(errno))
                for moved in paths[..<index] { unlink(moved) }
                throw Failure.output("\(path): cannot move into place: \(reason)")
            }
        }
        committed = true
        Interruption.disarm()
        rmdir(workingPath)
    }

    /// Removes the working directory and everything in it.
    func discard() {
        Interruption.disarm()
        try? FileManager.default.removeItem(atPath: workingPath)
    }
}

/// What to delete when a signal interrupts a run. The paths are C strings
/// allocated before the handler is installed, so the handler itself only
/// reads pointers and calls `unlink` and `rmdir`, which are safe in a signal
/// handler.
enum Interruption {
    nonisolated(unsafe) private static var paths: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    nonisolated(unsafe) private static var count = 0
    nonisolated(unsafe) private static var fileCount = 0
    private static let signals: [Int32] = [SIGINT, SIGTERM]

    /// On SIGINT or SIGTERM: unlink `files`, then remove `directories` in order.
    static func arm(files: [String], directories: [String]) {
        disarm()
        let all = files + directories
        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: all.count)
        for (index, path) in all.enumerated() { buffer[index] = strdup(path) }
        paths = buffer
        count = all.count
        fileCount = files.count
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals {
            _ = Glibc.signal(signal, handler)
            sigaddset(&set, signal)
        }
        // A parent may have blocked these signals for its children; a run must still stop cleanly.
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    static func disarm() {
        guard let buffer = paths else { return }
        for signal in signals { _ = Glibc.signal(signal, SIG_DFL) }
        paths = nil
        for index in 0..<count { free(buffer[index]) }
        buffer.deallocate()
        count = 0
    }

    private static let handler: @convention(c) (Int32) -> Void = { signal in
        if let buffer = Interruption.paths {
            for index in 0..<Interruption.count {
                guard let path = buffer[index] else { continue }
                if index < Interruption.fileCount { unlink(path) } else { rmdir(path) }
            }
        }
        _ = Glibc.signal(signal, SIG_DFL)
        raise(signal)
    }
}
