import Foundation
import Testing

/// The layers of `docs/architecture.md`, checked on the sources.
@Suite("The layers")
struct ArchitectureTests {
    /// The Swift files under `Sources/<target>`, with their text.
    private func sources(_ target: String) throws -> [(name: String, text: String)] {
        let folder = repository.appendingPathComponent("Sources/\(target)")
        let names = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.sorted()
        return try names.map { ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test("SOAllocRules imports nothing, so it can neither open nor write a file")
    func rulesDoNoInputOrOutput() throws {
        let files = try sources("SOAllocRules")
        #expect(!files.isEmpty)
        for file in files {
            let imports = file.text.split(separator: "\n").filter { $0.hasPrefix("import ") || $0.hasPrefix("@testable import ") }
            #expect(imports.isEmpty, "\(file.name): \(imports)")
        }
    }

    @Test("the core does not import the command line, nor name an exit status")
    func coreKnowsNoCommandLine() throws {
        for file in try sources("SOAllocCore") {
            #expect(!file.text.contains("import ArgumentParser"), "\(file.name)")
            #expect(!file.text.contains("exitCode"), "\(file.name)")
        }
    }
}
