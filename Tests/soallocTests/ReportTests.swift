import Foundation
import Testing

@Suite("End to end: report.html")
struct ReportTests {
    let scratch = Scratch()
    let out: URL
    let page: String

    init() throws {
        out = try runExampleMethod(in: scratch)
        page = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
    }

    @Test("the page is well-formed: Python's XML parser reads it whole")
    func wellFormed() throws {
        let elements = try python(
            ["-", out.appendingPathComponent("report.html").path],
            input: """
                import sys, xml.dom.minidom
                document = xml.dom.minidom.parse(sys.argv[1])
                print(document.documentElement.tagName, len(document.getElementsByTagName("table")), len(document.getElementsByTagName("svg")))
                """)
        #expect(elements == "html 7 4\n")
    }

    @Test("the page shows the provider, the run's time and input from run.json, and the money of summary.csv")
    func figures() throws {
        let run = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
                as? [String: Any])
        let timestamp = try #require(run["timestamp"] as? String)
        let input = try #require((run["inputs"] as? [[String: Any]])?.first?["sha256"] as? String)
        #expect(page.contains("UKPRN 10000001"))
        #expect(page.contains("<td>Run</td><td>\(timestamp)</td>"))
        #expect(page.contains(input))
        for allocation in ["£137,036", "£269,231", "£51,571", "£457,838"] {
            #expect(page.contains("<td>\(allocation)</td>"), "\(allocation)")
        }
        #expect(page.contains("<td>WIDENING_ACCESS</td><td>fte</td><td>272.5975</td><td>£987.65</td>"))
    }

    @Test("the charts have a bar per quintile and per risk group, the tallest the largest")
    func charts() {
        let bars = page.components(separatedBy: "<rect class=\"bar\"").count - 1
        #expect(bars == 3 * 6 + 17)
        // Young full-time Q2 (70) is the tallest of its chart; Y_O_U (122.57 FTE) of retention's.
        #expect(page.contains(#"height="100"/><text x="85" y="25" text-anchor="middle">70</text>"#))
        #expect(page.contains(#"height="100"/><text x="361" y="25" text-anchor="middle">122.57</text>"#))
    }

    @Test("the page stands alone: no scripts, no links, nothing fetched; it prints on A4")
    func selfContained() {
        for reference in ["http", "<script", "src=", "href=", "url(", "@import", "<link"] {
            #expect(!page.contains(reference), "\(reference)")
        }
        #expect(page.contains("@page { size: A4;"))
    }

    @Test("differences and findings are listed by field and check, most first")
    func topLists() throws {
        let differences = try String(contentsOf: out.appendingPathComponent("differences.csv"), encoding: .utf8)
        let fields = differences.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[5] }
        let counts = Dictionary(fields.map { ($0, 1) }, uniquingKeysWith: +)
        let top = try #require(counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })
        #expect(page.contains("<tr><th>Field</th><th>Differences</th></tr>\n    <tr><td>\(top.key)</td><td>\(top.value)</td></tr>"))
        #expect(page.contains("<tr><td>REQUIRED_EMPTY</td><td>error</td><td>158</td></tr>"))
    }
}
