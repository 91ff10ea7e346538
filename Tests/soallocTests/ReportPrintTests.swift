import Foundation
import Testing

/// The tools that print the report as a browser does and read the PDF back:
/// Debian's `chromium` and `poppler-utils` (`pdfinfo`, `pdftotext`), which
/// `scripts/test` installs when it runs as root. Nil when they are all there;
/// otherwise why the tests that need them are skipped.
let printToolsMissing: String? = {
    let missing = ["chromium", "pdfinfo", "pdftotext"].filter { tool in
        !(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }
    guard !missing.isEmpty else { return nil }
    let message =
        "report printing tests skipped: \(missing.joined(separator: ", ")) not installed"
        + " (scripts/test installs Debian's chromium and poppler-utils when run as root)"
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return message
}()

/// The runs whose report must print whole: each sample provider, and the
/// first with the example method's money.
let printedRuns: [String] =
    sampleFiles.filter { $0.hasPrefix("TestData/SO14_F") } + ["TestData/methods/example.yaml"]

@Suite(
    "End to end: report.html printed by Chromium", .serialized,
    .enabled(if: printToolsMissing == nil, Comment(rawValue: printToolsMissing ?? "")))
struct ReportPrintTests {
    @Test(
        "the report prints on at most two A4 pages, each naming the provider and numbered, no table split",
        arguments: printedRuns)
    func printed(run: String) throws {
        let scratch = Scratch()
        let out: URL
        if run.hasSuffix(".yaml") {
            out = try runExampleMethod(in: scratch)
        } else {
            out = scratch.url.appendingPathComponent("out")
            let outcome = try soalloc([run, "--out", out.path, "--quiet"], in: repository)
            try #require(outcome.status == 0, "\(outcome.standardError)")
        }
        let report = out.appendingPathComponent("report.html")
        let pdf = scratch.url.appendingPathComponent("report.pdf")
        try printPDF(report, to: pdf, profile: scratch.url.appendingPathComponent("chromium"))

        let info = try tool("pdfinfo", [pdf.path])
        let pagesLine = try #require(info.firstMatch(of: #/Pages:\s+(\d+)/#))
        let pages = try #require(Int(pagesLine.output.1))
        let size = try #require(info.firstMatch(of: #/Page size:\s+([0-9.]+) x ([0-9.]+) pts/#))
        #expect(
            abs(Double(size.output.1)! - 595.28) < 1 && abs(Double(size.output.2)! - 841.89) < 1, "A4: \(size.output.0)"
        )
        #expect((1...2).contains(pages), "\(run): \(pages) pages")

        let texts = try (1...pages).map {
            try tool("pdftotext", ["-layout", "-f", "\($0)", "-l", "\($0)", pdf.path, "-"])
        }
        let html = try String(contentsOf: report, encoding: .utf8)
        let provider = try #require(html.firstMatch(of: #/<h1>2016-17 targeted allocations: ([^<]+)</h1>/#)).output.1
        for (index, text) in texts.enumerated() {
            #expect(text.contains(provider), "page \(index + 1) names the provider")
            #expect(text.contains("Page \(index + 1) of \(pages)"), "page \(index + 1) is numbered")
        }

        let pageWords = texts.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
        let tables = Self.tables(html)
        #expect(tables.count >= 8)
        for table in tables {
            let placed = pageWords.indices.contains { page in
                guard let start = Self.find(table.anchor, in: pageWords[page], from: 0) else { return false }
                return Self.find(table.end, in: pageWords[page], from: start + table.anchor.count, inOrder: true) != nil
            }
            #expect(
                placed,
                "\(run): the table \(table.anchor.joined(separator: " ")) is on one page, down to its last row \(table.end)"
            )
        }
    }

    /// Each table of the page: the words that start it (its caption, or its
    /// first row) and the words of its last row's first and last cells.
    static func tables(_ html: String) -> [(anchor: [String], end: [String])] {
        html.matches(of: #/<table[^>]*>(?<body>.*?)</table>/#.dotMatchesNewlines()).compactMap { match in
            let body = String(match.output.body)
            let rows = body.matches(of: #/<tr[^>]*>(.*?)</tr>/#).map { row in
                row.output.1.matches(of: #/<t[dh][^>]*>([^<]*)</t[dh]>/#).map { words(String($0.output.1)) }
                    .filter { !$0.isEmpty }
            }
            guard let first = rows.first, let last = rows.last, let lastFirst = last.first, let lastLast = last.last
            else { return nil }
            let caption = body.firstMatch(of: #/<caption>([^<]*)</caption>/#).map { words(String($0.output.1)) }
            // The first word of each end cell: a cell's later words may wrap below the row's others.
            let end = last.count > 1 ? [lastFirst[0], lastLast[0]] : [lastFirst[0]]
            return (caption ?? first.flatMap { $0 }, end)
        }
    }

    /// The words of a cell's markup, its entities read.
    static func words(_ markup: String) -> [String] {
        markup.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&").split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Where `words` start in `text` at or after `from`: one after another, or
    /// `inOrder`, each somewhere after the one before.
    static func find(_ words: [String], in text: [String], from: Int, inOrder: Bool = false) -> Int? {
        guard !words.isEmpty else { return from }
        if inOrder {
            var position = from
            var start: Int?
            for word in words {
                guard let found = text[min(position, text.count)...].firstIndex(of: word) else { return nil }
                start = start ?? found
                position = found + 1
            }
            return start
        }
        guard text.count >= words.count, from <= text.count - words.count else { return nil }
        return (from...(text.count - words.count)).first { Array(text[$0..<($0 + words.count)]) == words }
    }
}

/// Prints `page` to `pdf` with headless Chromium, as a reader's browser
/// prints it (A4 from the page's own style sheet, no browser header or
/// footer). Its output goes to a file: the helpers it starts may keep a pipe
/// open after it has finished.
func printPDF(_ page: URL, to pdf: URL, profile: URL) throws {
    let log = profile.appendingPathExtension("log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
        "--user-data-dir=\(profile.path)", "--print-to-pdf=\(pdf.path)", page.absoluteString,
    ]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: timer)
    process.waitUntilExit()
    timer.cancel()
    guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: pdf.path) else {
        throw ToolFailed(tool: "chromium", message: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}

