import Foundation
import Testing

@Suite("End to end: HEFCE's side, the patterns of differences, and what the summary says of them")
struct HEFCESideTests {
    @Test("the patterns' counts add up to the differences, and the summary prints the top five", arguments: sampleFiles)
    func patterns(sample: String) throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([sample, "--out", out.path, "--no-xlsx", "--no-html"], in: repository)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let facts = try python(
            [
                "-", out.appendingPathComponent("differences.csv").path,
                out.appendingPathComponent("difference-patterns.csv").path,
            ],
            input: """
                import csv, sys
                differences = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
                patterns = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")))
                counts = [int(p["COUNT"]) for p in patterns]
                assert counts == sorted(counts, reverse=True), "most first"
                rows = {(d["ROW"], d["FIELD"]): d for d in differences}
                for p in patterns:
                    first = rows[(p["FIRST_ROW"], p["FIELD"])]
                    assert (first["FILE_VALUE"], first["DERIVED_VALUE"], first["CAUSE"]) == (
                        p["FILE_VALUE"], p["DERIVED_VALUE"], p["CAUSE"]), p
                print(sum(counts), len(differences))
                for p in patterns[:5]:
                    print(p["COUNT"], p["FIELD"])
                """)
        let lines = facts.split(separator: "\n").map(String.init)
        let totals = lines[0].split(separator: " ")
        #expect(totals[0] == totals[1], "\(sample): the counts add up to the differences")
        let printed = outcome.standardOutput.split(separator: "\n").drop { !$0.hasPrefix("most common differences") }
            .dropFirst().prefix { $0.hasPrefix("  ") }
        #expect(printed.count == lines.count - 1, "\(sample)")
        for (line, pattern) in zip(printed, lines.dropFirst()) {
            let words = pattern.split(separator: " ")
            #expect(line.split(separator: " ").prefix(2).map(String.init) == words.map(String.init), "\(sample)")
        }
    }

    @Test("an element whose columns the file lacks has no HEFCE side, said so, never zeros")
    func missingColumns() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("SO14_F10000001.ind")
        _ = try python(
            ["-", repository.appendingPathComponent("TestData/SO14_F10000001.ind").path, input.path],
            input: """
                import csv, sys
                rows = list(csv.reader(open(sys.argv[1], newline="")))
                keep = [i for i, name in enumerate(rows[0]) if name not in ("WAQUIN", "EQGRP")]
                with open(sys.argv[2], "w", newline="") as f:
                    csv.writer(f, lineterminator="\\n").writerows([[row[i] for i in keep] if row else [] for row in rows])
                """)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([input.path, "--out", out.path, "--no-xlsx", "--no-html"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("  WIDENING_ACCESS  no HEFCE side: the file has no WAQUIN column\n"))
        #expect(outcome.standardOutput.contains("  RETENTION        no HEFCE side: the file has no EQGRP column\n"))
        #expect(outcome.standardOutput.contains("  DISABILITY       weighted volume: HEFCE's own columns 115, ours 111 (headcount)\n"))
        let reconciliation = try String(contentsOf: out.appendingPathComponent("reconciliation.csv"), encoding: .utf8)
        for line in reconciliation.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: ",", omittingEmptySubsequences: false)
            let hasSide = columns[0] == "DISABILITY"
            for index in [2, 3, 6, 7] { #expect(columns[index].isEmpty == !hasSide, "\(line)") }
            #expect(!columns[4].isEmpty && !columns[5].isEmpty, "\(line): our side is always there")
        }
        let movements = try String(contentsOf: out.appendingPathComponent("movements.csv"), encoding: .utf8)
        let elements = Set(movements.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[5] })
        #expect(elements == ["DISABILITY"])
    }
}
