import Foundation
import Testing

/// The README is the front door and `docs/` holds the rest: every page the
/// README promises exists, and every relative link resolves.
@Suite("The documentation's pages and links")
struct DocumentationTests {
    /// The pages of `docs/` that the README links to and that must exist.
    static let requiredPages = [
        "input.md", "outputs.md", "method.md", "rules.md", "linked-data.md", "explain.md", "anonymise.md",
        "many-providers.md", "performance.md", "testing.md", "architecture.md", "decisions.md",
    ]

    /// README.md and every page of docs/, as paths relative to the repository.
    static func pages() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("docs").path)
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }

    static func text(_ page: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(page), encoding: .utf8)
    }

    @Test("every page the README promises exists in docs/")
    func requiredPagesExist() {
        for page in Self.requiredPages {
            #expect(
                FileManager.default.fileExists(atPath: repository.appendingPathComponent("docs/\(page)").path),
                "docs/\(page) is missing")
        }
    }

    @Test("the README is at most 250 lines")
    func readmeIsShort() throws {
        let lines = try Self.text("README.md").split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(lines <= 250, "README.md has \(lines) lines")
    }

    @Test("every relative link in README.md and docs/ points at an existing file and heading")
    func linksResolve() throws {
        var checked = 0
        for page in try Self.pages() {
            let directory = (page as NSString).deletingLastPathComponent
            for target in Self.links(in: try Self.text(page)) {
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let file = parts[0].isEmpty ? page : (directory as NSString).appendingPathComponent(parts[0])
                let path = repository.appendingPathComponent(file).standardizedFileURL.path
                checked += 1
                guard FileManager.default.fileExists(atPath: path) else {
                    Issue.record("\(page): the link \(target) points at \(file), which does not exist")
                    continue
                }
                if parts.count == 2, file.hasSuffix(".md") {
                    let anchors = Self.anchors(in: try String(contentsOfFile: path, encoding: .utf8))
                    #expect(anchors.contains(parts[1]), "\(page): the link \(target): \(file) has no heading #\(parts[1])")
                }
            }
        }
        #expect(checked > 20)
    }

    @Test("the documentation cites the specification by its title, never by a path outside the project")
    func noPathsOutsideTheProject() throws {
        let outside = "shared" + "/"  // split, so that a search of the repository for the path does not find this test
        for page in try Self.pages() {
            let text = try Self.text(page)
            #expect(!text.contains(outside), "\(page) names a path outside the project")
        }
    }

    @Test("the link checker finds links and anchors as GitHub makes them")
    func checkerWorks() {
        #expect(Self.links(in: "see [a](docs/a.md#b) and [c](c.md)\n```\n[d](e.md)\n```\n") == ["docs/a.md#b", "c.md"])
        #expect(Self.anchors(in: "# Data errors\n## `--quals FILE`: qualifications on entry\n").contains("data-errors"))
        #expect(Self.anchors(in: "## `--quals FILE`: qualifications on entry\n") == ["--quals-file-qualifications-on-entry"])
    }

    /// The targets of the Markdown links `[text](target)` outside fenced code.
    static func links(in text: String) -> [String] {
        var targets: [String] = []
        var fenced = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { fenced.toggle() }
            if fenced { continue }
            var rest = Substring(line)
            while let start = rest.range(of: "](") {
                let after = rest[start.upperBound...]
                guard let end = after.firstIndex(of: ")") else { break }
                targets.append(String(after[..<end]))
                rest = after[after.index(after: end)...]
            }
        }
        return targets
    }

    /// The anchors GitHub gives a page's headings: lower case, punctuation
    /// other than `-` and `_` dropped, spaces made `-`.
    static func anchors(in text: String) -> Set<String> {
        var anchors: Set<String> = []
        var fenced = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { fenced.toggle() }
            guard !fenced, line.hasPrefix("#") else { continue }
            let heading = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
            let kept = heading.unicodeScalars.filter {
                CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" || $0 == " "
            }
            anchors.insert(String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-"))
        }
        return anchors
    }
}
