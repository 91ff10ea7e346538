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
        #expect(elements == "html 9 4\n")
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

    @Test("the charts have a bar per quintile and per risk group, each as tall as its value allows")
    func charts() throws {
        let charts = page.components(separatedBy: "<svg").dropFirst()
        #expect(charts.count == 4)
        var bars = 0
        for chart in charts {
            // Each bar's height, and the value written above it.
            let found = chart.matches(of: #/height="(\d+)"/><text [^>]*>([0-9.,]+)</text>/#).map {
                (height: Int($0.output.1)!, value: Decimal(string: $0.output.2.replacingOccurrences(of: ",", with: ""))!)
            }
            bars += found.count
            let largest = try #require(found.map(\.value).max())
            #expect(found.first { $0.value == largest }?.height == 100)
            for a in found {
                for b in found where a.value < b.value { #expect(a.height <= b.height, "\(a) against \(b)") }
                if a.value == 0 { #expect(a.height == 0) }
            }
        }
        #expect(bars == 3 * 6 + 17)
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
