import Foundation
import Glibc
import SOAllocRules

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
/// Files are written into a hidden working directory beside the final one,
/// `.soalloc-new-<pid>-<name>`; `commit()` renames it into place. A directory
/// that already exists is replaced only by a successful run, and only when
/// everything in it is a file soalloc writes under some option, or a folder
/// holding only such files (so a mistyped `--out` never deletes a user's
/// files, not even an empty folder). The current directory, the home
/// directory, `/`, any folder holding one of them or an input, and a mount
/// point are never replaced. `discard()`, called on any failure, removes the
/// working directory; so does SIGINT, SIGTERM or SIGHUP, whose handler is
/// installed before the working directory is created.
public final class OutputDirectory: OutputPlace, @unchecked Sendable {
    /// Where the outputs will be.
    public let finalPath: String
    /// Where they are written meanwhile.
    public let workingPath: String
    /// The names of the files a run writes; in a directory of folders, the
    /// names of the files each folder holds.
    public let names: [String]
    private var committed = false

    /// Every name of a file soalloc writes into an output directory or one of
    /// its folders, under any option.
    static let ownedNames = Set(RunOptions.everyOutputName + MultiRun.sectorNames + Compare.names)

    /// Prepares to write the files `names` into the directory `path`, and, in
    /// a directory of folders, into the folders `folders`; `inputs` are the
    /// files the run reads, whose folders are never replaced.
    public init(_ path: String, names: [String], folders: [String] = [], inputs: [String] = []) throws {
        self.names = names
        guard !path.isEmpty else { throw Failure.usage("--out is empty: give the folder for the outputs") }
        let fileManager = FileManager.default
        let url = URL(fileURLWithPath: path).standardizedFileURL
        finalPath = url.path
        let parent = url.deletingLastPathComponent().path
        try OutputSafety.checkNotProtected(path, resolved: OutputSafety.resolved(finalPath), inputs: inputs)
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
            try OutputSafety.checkNotMountPoint(path, finalPath: finalPath)
            let foreign = OutputSafety.foreignEntries(finalPath, owned: Self.ownedNames)
            guard foreign.isEmpty else {
                throw Failure.cannotCreate(
                    "\(path): will not replace a directory holding files soalloc did not write (\(foreign.prefix(3).joined(separator: ", "))); choose another --out"
                )
            }
        }

        OutputSafety.removeLeftovers(in: parent)
        workingPath = "\(parent)/\(OutputSafety.workingPrefix)\(getpid())-\(url.lastPathComponent)"
        try? fileManager.removeItem(atPath: workingPath)
        // The handler first, then the directory: a signal in between must not leave it behind.
        let places = folders.map { "\(workingPath)/\($0)" }
        Interruption.arm(
            files: ([workingPath] + places).flatMap { place in names.map { "\(place)/\($0)" } },
            directories: places + [workingPath], restoring: (previousPath, finalPath))
        do {
            try fileManager.createDirectory(atPath: workingPath, withIntermediateDirectories: false)
        } catch {
            Interruption.disarm()
            throw Failure.cannotCreate("\(path): cannot create a directory in \(parent): \(error.localizedDescription)")
        }
    }

    deinit {
        if !committed { discard() }
    }

    /// Where an earlier run's outputs are kept while the new ones move into place.
    private var previousPath: String {
        let url = URL(fileURLWithPath: finalPath)
        return "\(url.deletingLastPathComponent().path)/\(OutputSafety.previousPrefix)\(getpid())-\(url.lastPathComponent)"
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

    /// Moves the finished outputs into place, replacing an earlier run's. A
    /// signal between the two renames puts the earlier outputs back.
    public func commit() throws {
        let fileManager = FileManager.default
        let previous = previousPath
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

    /// `error`, its message naming the final path of an output rather than
    /// the hidden working directory's, which is gone once the run fails.
    public func naming(_ error: any Error) -> any Error {
        OutputSafety.renaming(error) { $0.replacingOccurrences(of: workingPath, with: finalPath) }
    }
}

/// Output files, all in one directory, that appear only when the job succeeds.
///
/// They are written into a hidden working directory beside them,
/// `.soalloc-new-<pid>-files-<random>`; `commit()` renames each into place,
/// replacing a file of the same name. `discard()`, called on any failure or
/// interruption, removes the working directory.
final class OutputFiles: @unchecked Sendable {
    /// The files' final paths.
    let paths: [String]
    private let workingPath: String
    private var committed = false

    init(_ paths: [String]) throws {
        self.paths = paths
        guard !paths[0].isEmpty else { throw Failure.usage("--out is empty: give the file to write") }
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
        OutputSafety.removeLeftovers(in: parent)
        workingPath = "\(parent)/\(OutputSafety.workingPrefix)\(getpid())-files-\(UInt32.random(in: 0...UInt32.max))"
        // The handler first, then the directory: a signal in between must not leave it behind.
        Interruption.arm(files: paths.indices.map { "\(workingPath)/\($0)" }, directories: [workingPath])
        do {
            try fileManager.createDirectory(atPath: workingPath, withIntermediateDirectories: false)
        } catch {
            Interruption.disarm()
            throw Failure.cannotCreate("\(paths[0]): cannot create a directory in \(parent): \(error.localizedDescription)")
        }
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

    /// `error`, its message naming an output's final path rather than its working one.
    func naming(_ error: any Error) -> any Error {
        OutputSafety.renaming(error) { text in
            paths.indices.reversed().reduce(text) {
                $0.replacingOccurrences(of: "\(workingPath)/\($1)", with: paths[$1])
            }
        }
    }
}

/// The checks that keep a run from replacing what is not its own, and the
/// clearing of working folders that killed runs left behind.
enum OutputSafety {
    /// The start of a working folder's name; the process id and a `-` follow.
    static let workingPrefix = ".soalloc-new-"
    /// The start of the name an earlier run's outputs have while the new ones move into place.
    static let previousPrefix = ".soalloc-old-"

    /// `error` with `rename` applied to its message, when it is a failure to create or write an output.
    static func renaming(_ error: any Error, _ rename: (String) -> String) -> any Error {
        switch error as? Failure {
        case .output(let text): Failure.output(rename(text))
        case .cannotCreate(let text): Failure.cannotCreate(rename(text))
        default: error
        }
    }

    /// `path` with symlinks, `.` and `..` resolved as far as it exists.
    static func resolved(_ path: String) -> String {
        func real(_ path: String) -> String? {
            guard let result = realpath(path, nil) else { return nil }
            defer { free(result) }
            return String(cString: result)
        }
        if let whole = real(path) { return whole }
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var rest: [String] = []
        while url.path != "/" {
            rest.append(url.lastPathComponent)
            url = url.deletingLastPathComponent()
            if let found = real(url.path) {
                return rest.reversed().reduce(found) { $0 == "/" ? "/\($1)" : "\($0)/\($1)" }
            }
        }
        return url.appendingPathComponent(rest.reversed().joined(separator: "/")).path
    }

    /// Fails (`Failure.cannotCreate`) when the folder at `resolved` is `/`, the current or home
    /// directory, or holds one of them or an input.
    static func checkNotProtected(_ path: String, resolved final: String, inputs: [String]) throws {
        var places: [(path: String, what: String)] = [("/", "the root directory")]
        if let cwd = FileManager.default.currentDirectoryPath.nilIfEmpty { places.append((resolved(cwd), "the current directory")) }
        if let home = ProcessInfo.processInfo.environment["HOME"]?.nilIfEmpty { places.append((resolved(home), "your home directory")) }
        for input in inputs { places.append((resolved(input), "the input \(input)")) }
        let advice = "soalloc replaces its output folder whole; give a folder for the outputs alone, such as soalloc-out"
        for place in places {
            if place.path == final {
                throw Failure.cannotCreate("\(path): is \(place.what), and \(advice)")
            }
            if place.path.hasPrefix(final == "/" ? "/" : final + "/") {
                throw Failure.cannotCreate("\(path): holds \(place.what), and \(advice)")
            }
        }
    }

    /// Fails (`Failure.cannotCreate`) when the directory `finalPath` is a mount point: renaming
    /// the outputs into place cannot replace it.
    static func checkNotMountPoint(_ path: String, finalPath: String) throws {
        var folder = stat()
        var parent = stat()
        let parentPath = URL(fileURLWithPath: finalPath).deletingLastPathComponent().path
        guard stat(finalPath, &folder) == 0, stat(parentPath, &parent) == 0 else { return }
        if folder.st_dev != parent.st_dev || (folder.st_dev == parent.st_dev && folder.st_ino == parent.st_ino) {
            let inside = (path.hasSuffix("/") ? String(path.dropLast()) : path) + "/soalloc-out"
            throw Failure.cannotCreate(
                "\(path): is a mount point, which soalloc cannot replace (it moves a finished output folder into place whole); give a folder inside it, such as \(inside)"
            )
        }
    }

    /// The entries of `folder` that are not soalloc's: anything but a file
    /// named in `owned`, or a folder holding only such files (an empty folder
    /// is the user's).
    static func foreignEntries(_ folder: String, owned: Set<String>) -> [String] {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: folder) else { return ["(it cannot be listed)"] }
        return entries.filter { entry in
            let path = "\(folder)/\(entry)"
            if owned.contains(entry) { return kind(path) != S_IFREG }
            guard kind(path) == S_IFDIR, let inside = try? fileManager.contentsOfDirectory(atPath: path), !inside.isEmpty
            else { return true }
            return !inside.allSatisfy { owned.contains($0) && kind("\(path)/\($0)") == S_IFREG }
        }.map { kind("\(folder)/\($0)") == S_IFDIR ? "\($0)/" : $0 }.sorted()
    }

    /// The type bits of what is at `path`, not following a symlink; 0 when there is nothing.
    private static func kind(_ path: String) -> mode_t {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
    }

    /// Removes from `parent` the working folders of soalloc runs that were
    /// killed (SIGKILL, a power cut): folders named by `workingPrefix` or
    /// `previousPrefix`, then a process id that no longer runs, owned by this
    /// user and holding only files and folders of files. An earlier run's
    /// outputs whose replacement never arrived are put back instead. Says what
    /// it did in one line on standard error.
    static func removeLeftovers(in parent: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        var removed: [String] = []
        var restored: [String] = []
        for entry in entries.sorted() {
            guard let prefix = [workingPrefix, previousPrefix].first(where: { entry.hasPrefix($0) }) else { continue }
            let rest = entry.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), !rest[..<dash].isEmpty,
                rest[..<dash].allSatisfy({ ("0"..."9").contains($0) }), let process = Int32(rest[..<dash]), process > 0,
                process != getpid(), rest.index(after: dash) < rest.endIndex
            else { continue }
            guard kill(process, 0) != 0 && errno == ESRCH else { continue }
            let path = "\(parent)/\(entry)"
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid(),
                holdsOnlyFiles(path, depth: 2)
            else { continue }
            if prefix == previousPrefix {
                let name = String(rest[rest.index(after: dash)...])
                if kind("\(parent)/\(name)") == 0 && rename(path, "\(parent)/\(name)") == 0 {
                    restored.append(name)
                    continue
                }
            }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(entry) }
        }
        guard !removed.isEmpty || !restored.isEmpty else { return }
        var parts: [String] = []
        if !removed.isEmpty {
            parts.append(
                "removed \(removed.count == 1 ? "a working folder" : "\(removed.count) working folders") that killed soalloc runs left behind (\(removed.joined(separator: ", ")))"
            )
        }
        if !restored.isEmpty {
            parts.append("put back the earlier outputs that a killed run was replacing (\(restored.joined(separator: ", ")))")
        }
        let line = "soalloc: \(parent): " + parts.joined(separator: "; ")
        FileHandle.standardError.write(Data((TerminalText.escape(line) + "\n").utf8))
    }

    /// Whether `path` holds only regular files, and folders of them down to `depth` levels.
    private static func holdsOnlyFiles(_ path: String, depth: Int) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return false }
        return entries.allSatisfy { entry in
            switch kind("\(path)/\(entry)") {
            case S_IFREG: true
            case S_IFDIR: depth > 1 && holdsOnlyFiles("\(path)/\(entry)", depth: depth - 1)
            default: false
            }
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// What to delete when a signal interrupts a run. The paths are C strings
/// allocated before the handler is installed, so the handler itself only
/// reads pointers and calls `unlink`, `rmdir` and `rename`, which are safe in
/// a signal handler.
enum Interruption {
    /// The plan: files to unlink, nil, directories to remove, nil, then the
    /// path to rename back and where to (or nil, nil). Replaced by one store,
    /// so a handler sees either the old plan or the new one.
    nonisolated(unsafe) private static var plan: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    /// SIGHUP is what a dropped SSH session sends: it is handled like SIGTERM.
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// The signals that were ignored when soalloc started (SIG_IGN is 1).
    nonisolated(unsafe) private static var ignored: Set<Int32> = []
    nonisolated(unsafe) private static var recorded = false

    /// On SIGINT, SIGTERM or SIGHUP: unlink `files`, remove `directories` in
    /// order, rename `restoring.from` to `restoring.to` if it exists, then end
    /// the process by the signal.
    static func arm(files: [String], directories: [String], restoring: (from: String, to: String)? = nil) {
        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(
            capacity: files.count + directories.count + 4)
        var index = 0
        for path in files + [nil] + directories + [nil] + [restoring?.from, restoring?.to] as [String?] {
            buffer[index] = path.map { strdup($0) }
            index += 1
        }
        // An earlier plan is not freed: a handler on another thread may be reading it.
        plan = buffer
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals {
            sigaddset(&action.sa_mask, signal)
            sigaddset(&set, signal)
        }
        if !recorded {
            // A signal ignored when soalloc starts stays ignored: nohup ignores HUP, and a
            // shell ignores INT for a job in the background.
            for signal in signals {
                var current = sigaction()
                sigaction(signal, nil, &current)
                if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 1 { ignored.insert(signal) }
            }
            recorded = true
        }
        for signal in signals where !ignored.contains(signal) { sigaction(signal, &action, nil) }
        // A parent may have blocked these signals for its children; a run must still stop cleanly.
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    static func disarm() {
        guard let buffer = plan else { return }
        for signal in signals where !ignored.contains(signal) { _ = Glibc.signal(signal, SIG_DFL) }
        plan = nil
        var index = 0
        for _ in 0..<2 {
            while let path = buffer[index] {
                free(path)
                index += 1
            }
            index += 1
        }
        free(buffer[index])
        free(buffer[index + 1])
        buffer.deallocate()
    }

    private static let handler: @convention(c) (Int32) -> Void = { signal in
        if let buffer = Interruption.plan {
            var index = 0
            while let path = buffer[index] {
                unlink(path)
                index += 1
            }
            index += 1
            while let path = buffer[index] {
                rmdir(path)
                index += 1
            }
            index += 1
            if let from = buffer[index], let to = buffer[index + 1] { rename(from, to) }
        }
        _ = Glibc.signal(signal, SIG_DFL)
        raise(signal)
    }
}
