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
        #expect(
            page.contains(
                #"<td class="text">Widening access</td><td class="code">WIDENING_ACCESS</td><td class="text">FTE</td>"#
                    + "<td>272.60</td><td>£987.65</td><td>£269,231</td>"))
        // The weighted volume is shown to two places, and exactly in the note beside it.
        #expect(page.contains("summary.csv holds them exactly (widening access 272.5975, improving retention 417.748)"))
    }

    @Test("elements and cells are named in words, with their codes beside them")
    func words() {
        for title in ["Disabled students", "Widening access", "Improving retention"] {
            #expect(page.contains("<h2>\(title)</h2>"), "\(title)")
        }
        #expect(page.contains(#"<td class="text">Young, first degree, low risk</td><td class="code">Y_F_L</td>"#))
        #expect(
            page.contains(#"<td class="text">Mature, other undergraduate, unknown</td><td class="code">M_O_U</td>"#))
        #expect(page.contains(#"<td class="text">In receipt of DSA</td><td class="code">DISALLOC</td>"#))
        #expect(page.contains(#"<th class="group" colspan="4">Young full-time</th>"#))
        #expect(page.contains(#"<td class="text">Quintile unknown</td>"#))
        #expect(page.contains("young full-time WAPOP1_Q1…WAPOP1_UNKNOWN"))
        #expect(page.contains("<title>Young full-time, quintile 1: 44</title>"))
    }

    @Test("the widening access table shows each cell's weight and weighted volume, adding up to the money's")
    func wideningAccessWeights() {
        // WAPOP1_Q1: weight 2 × FTE 36.23; WAPOP2_Q1: 1.75 × 26.63 = 46.6025; WAPOP3_Q2: 0.6 × 16.05.
        #expect(page.contains("<td>44</td><td>36.23</td><td>2.00</td><td>72.46</td>"))
        #expect(page.contains("<td>31</td><td>26.63</td><td>1.75</td><td>46.60</td>"))
        #expect(page.contains("<td>33</td><td>16.05</td><td>0.60</td><td>9.63</td>"))
        #expect(page.contains("Weighted volume on FTE: 182.59 + 69.10 + 20.91 = 272.60."))
    }

    @Test("every figure has thousands separators and the places of its kind")
    func figureFormats() throws {
        // The cells of figures, after the run's facts.
        let tables = try #require(page.range(of: "<h2>Allocations</h2>"))
        let figures = page[tables.lowerBound...].matches(of: #/<td>([^<]*)</td>/#).map { String($0.output.1) }
        #expect(figures.count > 150)
        let kinds = #/(£?-?|-£)\d{1,3}(,\d{3})*(\.\d{2}|\.\d{4})?|not set|not computed|/#
        for figure in figures {
            #expect(figure.wholeMatch(of: kinds) != nil, "\(figure)")
        }
        #expect(page.contains("<td>1,448</td><td>1,060.01</td><td>0.00</td><td>0.00</td>"))
        #expect(page.contains("<td>0.0767</td><td>0.0768</td>"))
        #expect(page.contains("<td>£1,234.56</td>"))
    }

    @Test(
        "the charts have a bar per cell, each as long as its value on an axis of round ticks; the quintiles share one")
    func charts() throws {
        let charts = page.components(separatedBy: "<svg").dropFirst().map { $0.components(separatedBy: "</svg>")[0] }
        #expect(charts.count == 4)
        var bars = 0
        var scales: [(top: Decimal, perUnit: Decimal)] = []
        for chart in charts {
            let ticks = chart.matches(of: #/<text class="tick"[^>]*>([0-9.,]+)</text>/#).map {
                Decimal(string: $0.output.1.replacingOccurrences(of: ",", with: ""))!
            }
            #expect(ticks.count >= 2 && ticks.first == 0, "an axis with ticks")
            let top = try #require(ticks.last)
            // Each bar's length (its last attribute) and the value written by it.
            let found = chart.matches(
                of:
                    #/<rect class="bar" [^>]*"([0-9.]+)"><title>[^<]*</title></rect><text class="value"[^>]*>([0-9.,]+)</text>/#
            ).map {
                (
                    length: Decimal(string: String($0.output.1))!,
                    value: Decimal(string: $0.output.2.replacingOccurrences(of: ",", with: ""))!
                )
            }
            bars += found.count
            let largest = try #require(found.map(\.value).max())
            #expect(largest <= top && top < 2 * largest, "the axis reaches just past the largest bar")
            // The plot's length is the largest bar's length scaled to the top tick.
            let longest = try #require(found.first { $0.value == largest })
            let perUnit = longest.length / largest
            for bar in found {
                #expect(abs(bar.length - bar.value * perUnit) <= Decimal(string: "0.1")!, "\(bar)")
            }
            scales.append((top, perUnit))
        }
        #expect(bars == 3 * 6 + 17)
        #expect(
            scales[1].top == scales[0].top && scales[2].top == scales[0].top, "one scale for the three quintile charts")
        #expect(abs(scales[1].perUnit - scales[0].perUnit) < Decimal(string: "0.01")!)
        #expect(abs(scales[2].perUnit - scales[0].perUnit) < Decimal(string: "0.01")!)
        // Labels are at least 7.5 points, printed.
        #expect(
            page.contains(
                "svg text { font-family: \"Liberation Sans\", Arial, \"DejaVu Sans\", sans-serif; font-size: 10px;"))
    }

    @Test("the page stands alone: no scripts, no links, nothing fetched; it prints on A4")
    func selfContained() {
        for reference in ["http", "<script", "src=", "href=", "url(", "@import", "<link"] {
            #expect(!page.contains(reference), "\(reference)")
        }
        #expect(page.contains("@page { size: A4;"))
    }

    @Test("every printed page names the provider and numbers itself")
    func margins() {
        #expect(page.contains(#"@top-left { content: "UKPRN 10000001";"#))
        #expect(page.contains(#"@bottom-right { content: "Page " counter(page) " of " counter(pages);"#))
    }

    @Test("the ten fields and checks with the most differences and findings are listed, and the others named")
    func topLists() throws {
        // FIELD is differences.csv's sixth column, after identifiers without commas; CHECK follows SEVERITY.
        let differences = try counts(of: "differences.csv") {
            String($0.split(separator: ",", omittingEmptySubsequences: false)[5])
        }
        let findings = try counts(of: "credibility.csv") {
            String($0.firstMatch(of: #/,(?:error|warning),([A-Z0-9_]+),/#)!.output.1)
        }
        #expect(differences.count > 10)
        let lines = page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let fieldsHeader = try #require(
            lines.firstIndex(of: #"<tr><th class="text">Field</th><th>Differences</th></tr>"#))
        #expect(
            lines[fieldsHeader - 1]
                == "<caption>The ten fields with the most differences, of \(differences.count)</caption>")
        for (index, field) in differences.prefix(10).enumerated() {
            #expect(
                lines[fieldsHeader + 1 + index]
                    == #"<tr><td class="text">\#(field.key)</td><td>\#(field.count)</td></tr>"#)
        }
        let others = differences.dropFirst(10).map { "\($0.key) \($0.count)" }.joined(separator: ", ")
        #expect(
            page.contains(
                "The other \(["", "one", "two", "three", "four", "five", "six"][differences.count - 10]): \(others)."))

        #expect(page.contains("<caption>All ten checks with findings</caption>"))
        #expect(findings.count == 10)
        for finding in findings {
            #expect(page.contains(#"<tr><td class="text">\#(finding.key)</td><td class="text">"#), "\(finding.key)")
        }
        #expect(page.contains(#"<tr><td class="text">REQUIRED_EMPTY</td><td class="text">error</td><td>158</td></tr>"#))
        #expect(page.contains("The 20 most common differences, by what explains them, of 48 patterns"))
    }

    /// The rows of an output CSV file counted by `key`, most first, then by name.
    private func counts(of file: String, key: (Substring) -> String) throws -> [(key: String, count: Int)] {
        let text = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)
        let values = text.split(separator: "\n").dropFirst().map(key)
        return Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +).map { (key: $0.key, count: $0.value) }
            .sorted { $0.count > $1.count || ($0.count == $1.count && $0.key < $1.key) }
    }
}
