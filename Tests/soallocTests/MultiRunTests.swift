import Foundation
import Testing

private let samples = ["TestData/SO14_F10000001.ind", "TestData/SO14_F10000002.ind", "TestData/SO14_F10000003.ind"]

/// Every file under `folder`, relative, with its text (run.json's time and the folder masked).
private func tree(_ folder: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: folder.path)!
    while let path = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
        guard !isDirectory.boolValue else { continue }
        files[path] = try normalisedOutput(folder.appendingPathComponent(path), out: folder)
    }
    return files
}

@Suite("End to end: many providers at once")
struct MultiRunTests {
    @Test("each provider's outputs, the sector's, and the same bytes whatever --jobs is")
    func jobs() throws {
        let scratch = Scratch()
        var trees: [[String: Data]] = []
        // 6 jobs for 3 providers: each provider is also read on a second thread.
        for jobs in [1, 2, 4, 6] {
            let out = scratch.url.appendingPathComponent("jobs\(jobs)")
            let outcome = try soalloc(samples + ["--out", out.path, "--jobs", String(jobs)], in: repository)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            trees.append(try tree(out))
        }
        #expect(trees[0] == trees[1])
        #expect(trees[0] == trees[2])
        #expect(trees[0] == trees[3])
        let names = trees[0].keys.sorted()
        #expect(names.filter { $0.hasPrefix("sector/") } == [
            "sector/cells.csv", "sector/providers.csv", "sector/run.json", "sector/summary.csv",
        ])
        #expect(names.filter { $0.hasPrefix("10000002/") }.count == outputNames.count)

        // Each provider's outputs are what a run of its file alone writes.
        let alone = scratch.url.appendingPathComponent("alone")
        _ = try soalloc([samples[1], "--out", alone.path], in: repository)
        for name in outputNames where name != "run.json" {
            #expect(trees[0]["10000002/\(name)"] == (try tree(alone))[name], "\(name)")
        }
    }

    @Test("every column of the sector's cells and money is the sum of the providers' figures as their files write them")
    func sums() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(
            samples + ["--out", out.path, "--method", "TestData/methods/example.yaml"], in: repository)
        #expect(outcome.status == 0)
        func rows(_ path: String) throws -> [[String]] {
            try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
        func number(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
        let folders = ["10000001", "10000002", "10000003"]

        // cells.csv: ELEMENT, CELL, HEADCOUNT, FTE.
        let sector = try rows("sector/cells.csv")
        let providers = try folders.map { try rows("\($0)/cells.csv") }
        #expect(sector[0] == ["ELEMENT", "CELL", "HEADCOUNT", "FTE"])
        #expect(sector.count == providers[0].count)
        var shared = 0
        for (index, row) in sector.enumerated().dropFirst() {
            #expect(providers.allSatisfy { $0[index][0] == row[0] && $0[index][1] == row[1] }, "\(row[1])")
            #expect(Int(row[2]) == providers.reduce(0) { $0 + Int($1[index][2])! }, "\(row[1]) HEADCOUNT")
            #expect(number(row[3]) == providers.reduce(Decimal(0)) { $0 + number($1[index][3]) }, "\(row[1]) FTE")
            #expect(row[3].split(separator: ".").last?.count == 2, "\(row[1]) FTE has two places")
            if providers.filter({ number($0[index][3]) != 0 }).count >= 2 { shared += 1 }
        }
        // The sums mean something: cells with FTE from more than one provider.
        #expect(shared >= 5)

        // summary.csv: ELEMENT, BASIS, WEIGHTED_VOLUME, RATE, ALLOCATION, NOTE; then TOTAL.
        let summaries = try folders.map { try rows("\($0)/summary.csv") }
        let sectorSummary = try rows("sector/summary.csv")
        #expect(sectorSummary[0] == ["ELEMENT", "BASIS", "WEIGHTED_VOLUME", "RATE", "ALLOCATION", "NOTE"])
        #expect(sectorSummary.count == 5)
        for index in 1...3 {
            let row = sectorSummary[index]
            #expect(summaries.allSatisfy { $0[index][0] == row[0] && $0[index][1] == row[1] && $0[index][3] == row[3] })
            #expect(number(row[2]) == summaries.reduce(Decimal(0)) { $0 + number($1[index][2]) }, "\(row[0]) WEIGHTED_VOLUME")
            #expect(number(row[4]) == summaries.reduce(Decimal(0)) { $0 + number($1[index][4]) }, "\(row[0]) ALLOCATION")
            #expect(summaries.filter { number($0[index][2]) != 0 }.count >= 2, "\(row[0]): volumes from several providers")
        }
        #expect(sectorSummary[4][0] == "TOTAL")
        #expect(number(sectorSummary[4][4]) == summaries.reduce(Decimal(0)) { $0 + number($1[4][4]) })
        #expect(number(sectorSummary[4][4]) == (1...3).reduce(Decimal(0)) { $0 + number(sectorSummary[$1][4]) })

        let listed = try rows("sector/providers.csv")
        #expect(listed.count == 4)
        #expect(listed[1][0] == "10000001" && listed[1][2] == "ok" && listed[1][3] == "3000")
    }

    @Test("the sector folder matches its golden files")
    func sectorGolden() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(
            samples + ["--out", out.path, "--method", "TestData/methods/example.yaml"], in: repository)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let sector = out.appendingPathComponent("sector")
        let expected = repository.appendingPathComponent("TestData/expected/sector")
        let written = try FileManager.default.contentsOfDirectory(atPath: sector.path).sorted()
        #expect(written == ["cells.csv", "providers.csv", "run.json", "summary.csv"])
        for name in written {
            expectGolden(try normalisedOutput(sector.appendingPathComponent(name), out: out), at: expected.appendingPathComponent(name))
        }
    }

    @Test("a bad file fails only its own provider: exit 65, a line on stderr, a row in providers.csv")
    func badFile() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(
            [samples[1], "TestData/bad/empty.ind", samples[2], "--out", out.path], in: repository)
        #expect(outcome.status == 65)
        #expect(outcome.standardError == "TestData/bad/empty.ind: line 1: the file is empty\n")
        let entries = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(entries == ["10000002", "10000003", "sector"])
        let providers = try String(contentsOf: out.appendingPathComponent("sector/providers.csv"), encoding: .utf8)
        #expect(providers.contains("\nempty,empty.ind,failed,"))
    }

    @Test("two files for one UKPRN are a usage error, unless --merge reads them as one provider")
    func merge() throws {
        let scratch = Scratch()
        let twice = try soalloc(
            [samples[1], samples[1], "--out", scratch.url.appendingPathComponent("a").path], in: repository)
        #expect(twice.status == 64)
        #expect(twice.standardError.hasSuffix("give --merge to read them as one provider\n"))

        let out = scratch.url.appendingPathComponent("b")
        let merged = try soalloc([samples[1], samples[1], "--merge", "--out", out.path], in: repository)
        #expect(merged.status == 0)
        let derived = try String(contentsOf: out.appendingPathComponent("10000002/derived.csv"), encoding: .utf8)
        #expect(derived.split(separator: "\n").count == 1 + 1200)
        let credibility = try String(contentsOf: out.appendingPathComponent("10000002/credibility.csv"), encoding: .utf8)
        #expect(credibility.contains("STUBID_DUPLICATE"))
    }

    @Test("a file whose records name more than one UKPRN takes its file's name")
    func mixedUKPRN() throws {
        let scratch = Scratch()
        var text = try String(contentsOf: repository.appendingPathComponent("TestData/rules/DISPOP.ind"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\n10000009,NO_DSA", with: "\n10000010,NO_DSA")
        let input = scratch.url.appendingPathComponent("MIXED.ind")
        try Data(text.utf8).write(to: input)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([input.path, samples[1], "--out", out.path])
        #expect(outcome.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["10000002", "MIXED", "sector"])
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("MIXED/run.json")))
        #expect((run as? [String: Any]).flatMap { $0["options"] as? [String: String] }?["out"] == out.path)
    }

    @Test("a UKPRN that is not 8 digits gives the file's name: unique, never the sector's, never hidden")
    func folderNames() throws {
        let scratch = Scratch()
        let text = try String(contentsOf: repository.appendingPathComponent("TestData/rules/DISPOP.ind"), encoding: .utf8)
        func write(_ name: String, _ text: String) throws -> String {
            let url = scratch.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        func ukprn(_ value: String) -> String { text.replacingOccurrences(of: "\n10000009,", with: "\n\(value),") }
        let inputs = [
            try write("a/X.ind", ukprn("ABC")), try write("b/X.ind", ukprn("ABC")), try write("sector.ind", ukprn("..")),
            try write("sector2.ind", ukprn("sector")), try write(".hidden.ind", ukprn("1234")),
        ]
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(inputs + ["--out", out.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
                == ["X", "X-2", "file.hidden", "sector", "sector-2", "sector2"])
        let providers = try String(contentsOf: out.appendingPathComponent("sector/providers.csv"), encoding: .utf8)
        #expect(providers.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] } == [
            "X", "X-2", "sector-2", "sector2", "file.hidden",
        ])
    }
}
