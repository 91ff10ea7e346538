import Foundation
import Testing

// End-to-end tests of `soalloc anonymise` (issue 9): the anonymised file and
// side files are read back by an independent reader (Python's csv module),
// and the normal run on them must give what it gives on the originals.

/// The columns of a positional file, in the order of the technical document.
private let positionalColumns = [
    "UKPRN", "LEARNREFNUMBER", "AIMSEQNUMBER", "NUMHUS", "STUBID", "HEFEXCL", "LEARNSTARTDATE", "LEARNPLANENDDATE",
    "DATEOFBIRTH", "DOMICILE", "POSTCODEPRIOR", "LEARNFAMCODE_DLA", "LEARNAIMREF", "MSTUFEE", "DISPOP", "DISALLOC",
    "UGDSA", "PGDSA", "WAPOP", "WAQUIN", "EXCLPC", "HIGHQUAL", "SOENTRANT", "SOENTRYAGE", "HEFESFTE", "HEFLEVEL",
    "HEFMODE", "HEFTYPE", "HEFCOMP", "HEFQAIM", "ULN", "QUALENT3", "SOLINK", "SOLINKAGE", "EQPOP", "EQGRP", "UGLEVEL",
]

/// A fixed key, so that the pseudonyms and dates these tests see are the same on every run.
private let fixedKey = "5b0e6a1f3c9d2e7b8a4f6c1d0e9b3a7c2f5e8d1b4a6c9e0f3d7b2a5c8e1f4d6b"

private let linkedQuals = "TestData/linked/SO14_F10000001.quals.csv"
private let linkedPostcodes = "TestData/linked/SO14_F10000001.postcodes.csv"

/// The outputs of a run that hold no record: they must be the same, byte for byte.
private let aggregateOutputs = ["cells.csv", "summary.csv", "retention.csv", "widening_access.csv", "disability.csv"]

/// Runs `soalloc anonymise` in the repository.
private func anonymise(_ arguments: [String]) throws -> Outcome {
    try soalloc(["anonymise"] + arguments, in: repository)
}

/// What `soalloc anonymise` prints when every outcome is kept.
private func preservedSummary(_ records: Int, written: [String], createdKey: String? = nil) -> String {
    (createdKey.map { "created key file \($0): keep it secret, and keep it\n" } ?? "")
        + "outcomes preserved: \(records) of \(records) records\nwritten\n" + written.map { "  \($0)\n" }.joined()
}

/// Writes a key file holding `key` and returns its path.
private func keyFile(in scratch: Scratch, _ key: String = fixedKey, name: String = "anonymise.key") throws -> String {
    let path = scratch.url.appendingPathComponent(name).path
    try Data((key + "\n").utf8).write(to: URL(fileURLWithPath: path))
    return path
}

/// The names in a directory, hidden ones included, sorted.
private func listing(_ url: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
}

/// Runs soalloc normally on `input` into `out` (no workbook or report: they hold nothing more to compare).
private func run(_ input: String, out: URL, _ options: [String] = []) throws {
    let outcome = try soalloc([input, "--out", out.path, "--no-xlsx", "--no-html"] + options, in: repository)
    #expect(outcome.status == 0, "\(input): \(outcome.standardError)")
}

/// What the Python checks found: counts of what was checked, and problems by kind.
private struct Findings: Decodable {
    var facts: [String: Int]
    var problems: [String: [String]]

    subscript(_ fact: String) -> Int { facts[fact] ?? 0 }
}

/// Runs the Python checks with `configuration`.
private func pythonChecks(_ configuration: [String: Any]) throws -> Findings {
    let json = try JSONSerialization.data(withJSONObject: configuration.merging(["positional": positionalColumns]) { $1 })
    let output = try python(["-", String(decoding: json, as: UTF8.self)], input: checks)
    return try JSONDecoder().decode(Findings.self, from: Data(output.utf8))
}

/// Checks an anonymised individualised file, and its side files, against the originals.
private func checkAnonymised(
    _ original: String, _ anonymised: String, postcodes: Bool = false, sides: [(kind: String, original: String, anonymised: String)] = []
) throws -> Findings {
    try pythonChecks([
        "mode": "file", "original": repository.appendingPathComponent(original).path, "anonymised": anonymised,
        "postcodes": postcodes,
        "sides": sides.map {
            ["kind": $0.kind, "original": repository.appendingPathComponent($0.original).path, "anonymised": $0.anonymised]
        },
    ])
}

/// Compares the outputs of the normal run on an original file and on its
/// anonymised copy; `renamed` pairs the names of the anonymised side files,
/// which findings quote, with the originals'.
private func compareRuns(
    _ original: URL, _ anonymised: URL, renamed: [(anonymised: String, original: String)] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    for name in aggregateOutputs {
        let (a, b) = (try Data(contentsOf: original.appendingPathComponent(name)),
                      try Data(contentsOf: anonymised.appendingPathComponent(name)))
        #expect(a == b, "\(name) differs", sourceLocation: sourceLocation)
    }
    let findings = try pythonChecks([
        "mode": "outputs", "original": original.path, "anonymised": anonymised.path,
        "renamed": renamed.map { [$0.anonymised, $0.original] },
    ])
    #expect(findings.problems.isEmpty, "\(findings.problems)", sourceLocation: sourceLocation)
    #expect(findings["derived.csv rows"] > 0, sourceLocation: sourceLocation)
}

/// The files of the anonymise tests, and how many records each has.
private let anonymiseSamples: [(file: String, records: Int)] = [
    ("TestData/SO14_F10000001.ind", 3000), ("TestData/SO14_F10000002.ind", 600), ("TestData/SO14_F10000003.ind", 1500),
    ("TestData/rules/SOENTRYAGE.ind", 10), ("TestData/rules/SOLINKAGE.ind", 6), ("TestData/rules/WAPOP.ind", 13),
    ("TestData/rules/EQGRP.ind", 23),
]

@Suite("End to end: soalloc anonymise")
struct AnonymiseCommandTests {
    @Test("the anonymised file derives the same, keeps every other field, and leaves no identifier",
          arguments: anonymiseSamples.map(\.file))
    func sample(file: String) throws {
        let records = try #require(anonymiseSamples.first(where: { $0.file == file })).records
        let scratch = Scratch()
        let key = try keyFile(in: scratch)
        let folder = scratch.url.appendingPathComponent("anonymised")
        let output = folder.appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path
        let outcome = try anonymise([file, "--out", output, "--key-file", key])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError == "")
        // Exactly this: in particular no "dates of birth unchanged" line, so every date of birth moved.
        #expect(outcome.standardOutput == preservedSummary(records, written: [output]))
        #expect(try listing(folder) == [URL(fileURLWithPath: file).lastPathComponent])

        let findings = try checkAnonymised(file, output)
        #expect(findings.problems.isEmpty, "\(findings.problems)")
        #expect(findings["records"] == records)
        #expect(findings["anonymised records"] == records)
        // SO14_F10000003 has a column of the college's own, COLLEGE_NOTE, which must not be copied.
        #expect(findings["columns left out"] == (file.hasSuffix("SO14_F10000003.ind") ? 1 : 0))
        #expect(findings["births"] > 0)
        // Every valid date of birth differs from its own record's original, as
        // the printed summary promises (it has no "dates of birth unchanged"
        // line). The original dates are not searched for in the whole file:
        // another learner's new date can be someone's original date.
        #expect(findings["births unchanged"] == 0)
        #expect(findings["secrets"] > 0)
        if records >= 600 {
            // The linkage checks have learners with several records to link,
            // and some of them have the same date of birth in each.
            #expect(findings["LEARNREFNUMBER values in several records"] > 50)
            #expect(findings["learner births"] < findings["births"])
            #expect(findings["births not a date"] > 0)
            #expect(findings["births empty"] > 0)
        }

        try run(file, out: scratch.url.appendingPathComponent("original-run"))
        try run(output, out: scratch.url.appendingPathComponent("anonymised-run"))
        try compareRuns(
            scratch.url.appendingPathComponent("original-run"), scratch.url.appendingPathComponent("anonymised-run"))
    }

    @Test("the quals file and postcode lookup are pseudonymised with the same key and give the same allocations")
    func linked() throws {
        let scratch = Scratch()
        let key = try keyFile(in: scratch)
        let folder = scratch.url.appendingPathComponent("x")
        let output = folder.appendingPathComponent("A.ind").path
        let quals = folder.appendingPathComponent("A.quals.csv").path
        let postcodes = folder.appendingPathComponent("A.postcodes.csv").path
        let outcome = try anonymise([
            "TestData/SO14_F10000001.ind", "--out", output, "--key-file", key, "--quals", linkedQuals,
            "--postcodes", linkedPostcodes,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput == preservedSummary(3000, written: [output, quals, postcodes]))
        #expect(try listing(folder) == ["A.ind", "A.postcodes.csv", "A.quals.csv"])

        let findings = try checkAnonymised(
            "TestData/SO14_F10000001.ind", output, postcodes: true,
            sides: [("quals", linkedQuals, quals), ("postcodes", linkedPostcodes, postcodes)])
        #expect(findings.problems.isEmpty, "\(findings.problems)")
        #expect(findings["quals rows of learners in the file"] > 1000)
        #expect(findings["records with a postcode in the lookup"] > 1000)
        #expect(findings["lookup postcodes"] > 1000)

        let originalRun = scratch.url.appendingPathComponent("original-run")
        let anonymisedRun = scratch.url.appendingPathComponent("anonymised-run")
        try run("TestData/SO14_F10000001.ind", out: originalRun, ["--quals", linkedQuals, "--postcodes", linkedPostcodes])
        try run(output, out: anonymisedRun, ["--quals", quals, "--postcodes", postcodes])
        try compareRuns(
            originalRun, anonymisedRun,
            renamed: [("A.quals.csv", "SO14_F10000001.quals.csv"), ("A.postcodes.csv", "SO14_F10000001.postcodes.csv")])

        // The side files matter: without them the original gives other cells.
        let unlinkedRun = scratch.url.appendingPathComponent("unlinked-run")
        try run("TestData/SO14_F10000001.ind", out: unlinkedRun)
        #expect(
            try Data(contentsOf: unlinkedRun.appendingPathComponent("cells.csv"))
                != Data(contentsOf: originalRun.appendingPathComponent("cells.csv")))
    }

    @Test("identifier and postcode pseudonyms are HMAC-SHA256 under the key file's key (the construction of Pseudonyms.swift)")
    func hmac() throws {
        let scratch = Scratch()
        let key = try keyFile(in: scratch)
        let output = scratch.url.appendingPathComponent("A.ind").path
        let outcome = try anonymise([
            "TestData/SO14_F10000002.ind", "--out", output, "--key-file", key, "--postcodes", linkedPostcodes,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let findings = try pythonChecks([
            "mode": "hmac", "key": fixedKey, "original": repository.appendingPathComponent("TestData/SO14_F10000002.ind").path,
            "anonymised": output,
        ])
        #expect(findings.problems.isEmpty, "\(findings.problems)")
        #expect(findings["LEARNREFNUMBER checked"] == 600)
        #expect(findings["NUMHUS checked"] == 600)
        #expect(findings["STUBID checked"] == 600)
        #expect(findings["POSTCODEPRIOR checked"] > 500)
    }

    @Test("the same key file gives the same files; new keys, and no key file, give other pseudonyms")
    func keys() throws {
        let scratch = Scratch()
        let input = "TestData/SO14_F10000002.ind"
        let sideOptions = ["--quals", linkedQuals, "--postcodes", linkedPostcodes]
        /// Anonymises into folder `name`; returns what was printed and the three files' paths.
        func anonymised(_ name: String, key: String?) throws -> (printed: String, files: [String]) {
            let folder = scratch.url.appendingPathComponent(name)
            let files = ["A.ind", "A.quals.csv", "A.postcodes.csv"].map { folder.appendingPathComponent($0).path }
            let outcome = try anonymise(
                [input, "--out", files[0]] + (key.map { ["--key-file", $0] } ?? []) + sideOptions)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(try listing(folder) == ["A.ind", "A.postcodes.csv", "A.quals.csv"])
            return (outcome.standardOutput, files)
        }
        let firstKey = scratch.url.appendingPathComponent("keys/first.key").path
        let secondKey = scratch.url.appendingPathComponent("keys/second.key").path
        try FileManager.default.createDirectory(
            at: scratch.url.appendingPathComponent("keys"), withIntermediateDirectories: false)

        // A key file that does not exist is created: 64 hex digits and a line end, for its owner only.
        let first = try anonymised("first", key: firstKey)
        #expect(first.printed == preservedSummary(600, written: first.files, createdKey: firstKey))
        let keyText = try String(contentsOfFile: firstKey, encoding: .utf8)
        #expect(keyText.wholeMatch(of: /[0-9a-f]{64}\n/) != nil, "\(keyText)")
        let attributes = try FileManager.default.attributesOfItem(atPath: firstKey)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // The same key again: the same bytes in every file, and the key file as it was.
        let again = try anonymised("again", key: firstKey)
        #expect(again.printed == preservedSummary(600, written: again.files))
        for (a, b) in zip(first.files, again.files) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)), "\(b)")
        }
        #expect(try String(contentsOfFile: firstKey, encoding: .utf8) == keyText)

        // Another key file, and two runs without one (which keep no key anywhere).
        let second = try anonymised("second", key: secondKey)
        #expect(second.printed == preservedSummary(600, written: second.files, createdKey: secondKey))
        #expect(try String(contentsOfFile: secondKey, encoding: .utf8) != keyText)
        let random1 = try anonymised("random1", key: nil)
        let random2 = try anonymised("random2", key: nil)
        #expect(random1.printed == preservedSummary(600, written: random1.files))
        #expect(try listing(scratch.url) == ["again", "first", "keys", "random1", "random2", "second"])
        #expect(try listing(scratch.url.appendingPathComponent("keys")) == ["first.key", "second.key"])

        for (a, b) in [(first, second), (first, random1), (random1, random2)] {
            let findings = try pythonChecks(["mode": "distinct", "first": a.files, "second": b.files])
            #expect(findings.problems.isEmpty, "\(findings.problems)")
            for column in ["LEARNREFNUMBER", "ULN", "NUMHUS", "STUBID", "quals LEARNREFNUMBER", "lookup POSTCODE"] {
                #expect(findings["\(column) compared"] > 100, "\(column)")
            }
        }
    }

    @Test("an output that would replace an input is a usage error (exit 64), and nothing changes")
    func outputIsInput() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("A.ind")
        let original = try Data(contentsOf: repository.appendingPathComponent("TestData/rules/EQGRP.ind"))
        try original.write(to: input)
        let quals = scratch.url.appendingPathComponent("A.quals.csv")
        let qualsData = try Data(contentsOf: repository.appendingPathComponent(linkedQuals))
        try qualsData.write(to: quals)
        let key = try keyFile(in: scratch)
        try FileManager.default.createDirectory(
            at: scratch.url.appendingPathComponent("sub"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(
            at: scratch.url.appendingPathComponent("link.ind"), withDestinationURL: input)
        let before = try listing(scratch.url)

        for arguments in [
            [input.path, "--out", input.path],
            [input.path, "--out", scratch.url.appendingPathComponent("sub/../A.ind").path],
            [input.path, "--out", scratch.url.appendingPathComponent("link.ind").path],
            [scratch.url.appendingPathComponent("link.ind").path, "--out", input.path],
            // A.ind's quals output would be A.quals.csv, the quals input.
            ["TestData/rules/EQGRP.ind", "--out", input.path, "--quals", quals.path],
            // The output would replace the key file, or the key file to be created.
            ["TestData/rules/EQGRP.ind", "--out", key, "--key-file", key],
            ["TestData/rules/EQGRP.ind", "--out", scratch.url.appendingPathComponent("new.ind").path, "--key-file",
             scratch.url.appendingPathComponent("sub/../new.ind").path],
            ["TestData/rules/EQGRP.ind", "--out", scratch.url.appendingPathComponent("B.ind").path, "--quals", linkedQuals,
             "--key-file", scratch.url.appendingPathComponent("B.quals.csv").path],
        ] {
            let outcome = try anonymise(arguments)
            #expect(outcome.status == 64, "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.contains("an output would replace an input"), "\(outcome.standardError)")
            #expect(outcome.standardOutput == "")
            #expect(try Data(contentsOf: input) == original)
            #expect(try Data(contentsOf: quals) == qualsData)
            #expect(try String(contentsOfFile: key, encoding: .utf8) == fixedKey + "\n")
            #expect(try listing(scratch.url) == before)
            #expect(try listing(scratch.url.appendingPathComponent("sub")) == [])
        }
    }

    @Test("a key file that is not 64 hex digits is a data error (exit 65), and nothing is written")
    func badKeyFile() throws {
        let scratch = Scratch()
        for (name, text) in [("short.key", String(fixedKey.dropLast())), ("words.key", "my secret key"), ("empty.key", "")] {
            let key = scratch.url.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: key))
            let out = scratch.url.appendingPathComponent("out")
            let outcome = try anonymise([
                "TestData/rules/EQGRP.ind", "--out", out.appendingPathComponent("A.ind").path, "--key-file", key,
                "--quals", linkedQuals,
            ])
            #expect(outcome.status == 65, "\(name): \(outcome.standardError)")
            #expect(outcome.standardError == "\(key): the key file must hold 64 hexadecimal digits (256 bits)\n")
            #expect(outcome.standardOutput == "")
            #expect(try String(contentsOfFile: key, encoding: .utf8) == text)
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(try !listing(scratch.url).contains { $0.hasPrefix(".") })
        }
    }

    @Test("missing files (exit 66), a malformed file (exit 65) and a missing --out (exit 64) leave nothing behind")
    func otherFailures() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("A.ind").path
        let newKey = scratch.url.appendingPathComponent("new.key").path
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (["TestData/missing.ind", "--out", out, "--key-file", newKey], 66, "TestData/missing.ind"),
            (["TestData/rules/EQGRP.ind", "--out", out, "--quals", "TestData/missing.csv"], 66, "TestData/missing.csv"),
            (["TestData/rules/EQGRP.ind", "--out", out, "--postcodes", "TestData/missing.csv"], 66, "TestData/missing.csv"),
            // A new key file is written only with the outputs.
            (["TestData/bad/ragged-long.ind", "--out", out, "--key-file", newKey], 65,
             "TestData/bad/ragged-long.ind: line 4: "),
            (["TestData/rules/EQGRP.ind", "--out", out, "--quals", "TestData/bad/quals-ragged.csv"], 65,
             "TestData/bad/quals-ragged.csv: line"),
            (["TestData/rules/EQGRP.ind"], 64, "--out"),
        ]
        for (arguments, status, message) in cases {
            let outcome = try anonymise(arguments)
            #expect(outcome.status == status, "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
            #expect(try listing(scratch.url) == [], "\(arguments)")
        }
    }

    @Test("dates of birth at the ends of the calendar, one date written two ways, and STUBIDs equal as numbers")
    func edges() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("edges.ind")
        // Five learners from the first sample's first valid record, with the edge cases in DATEOFBIRTH and STUBID.
        _ = try python(
            ["-", repository.appendingPathComponent("TestData/SO14_F10000001.ind").path, input.path],
            input: """
                import csv, sys
                rows = list(csv.reader(open(sys.argv[1], newline="")))
                header = rows[0]
                base = next(row for row in rows[1:] if len(row) == len(header) and row[header.index("DATEOFBIRTH")].count("/") == 2)
                cases = [("EDGE1", "31/12/9999", "1"), ("EDGE2", "9999-12-31", "2"), ("EDGE3", "01/01/0001", "3"),
                         ("TWOWAYS", "26/02/1991", "4"), ("TWOWAYS", "1991-02-26", "5"),
                         ("ZERO", "01/05/1990", "0900001"), ("NOZERO", "01/05/1990", "900001")]
                writer = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\\n")
                writer.writerow(header)
                for learner, birth, stubid in cases:
                    row = list(base)
                    row[header.index("LEARNREFNUMBER")] = learner
                    row[header.index("DATEOFBIRTH")] = birth
                    row[header.index("STUBID")] = stubid
                    writer.writerow(row)
                """)
        // Random keys: the moved dates must stay within the years 1 to 9999 whatever the key.
        for run in 0..<6 {
            let outcome = try anonymise([input.path, "--out", scratch.url.appendingPathComponent("random\(run).ind").path])
            #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
            #expect(outcome.standardOutput.hasPrefix("outcomes preserved: 7 of 7 records\n"))
        }

        let out = scratch.url.appendingPathComponent("A.ind")
        let outcome = try anonymise([input.path, "--out", out.path, "--key-file", try keyFile(in: scratch)])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let rows = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = rows[0]
        let records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        #expect(records.count == 7)
        // The same date of birth, written two ways, moves to the same date, each in its own format.
        let (slashes, dashes) = (records[3]["DATEOFBIRTH"]!, records[4]["DATEOFBIRTH"]!)
        #expect(slashes.count == 10 && slashes.contains("/"), "\(slashes)")
        #expect(dashes.count == 10 && dashes.contains("-"), "\(dashes)")
        let parts = slashes.split(separator: "/")
        #expect("\(parts[2])-\(parts[1])-\(parts[0])" == dashes)
        #expect(slashes != "26/02/1991")
        // STUBIDs that the duplicate check reads as one number keep one pseudonym.
        #expect(records[5]["STUBID"] == records[6]["STUBID"])
        #expect(records[5]["STUBID"] != records[0]["STUBID"])

        let (original, anonymised) = (scratch.url.appendingPathComponent("run-original"), scratch.url.appendingPathComponent("run-anonymised"))
        try run(input.path, out: original)
        try run(out.path, out: anonymised)
        for folder in [original, anonymised] {
            let credibility = try String(contentsOf: folder.appendingPathComponent("credibility.csv"), encoding: .utf8)
            #expect(credibility.components(separatedBy: "STUBID_DUPLICATE").count - 1 == 1, "\(folder.lastPathComponent)")
        }
    }

    @Test("columns of a side file that soalloc does not read are left out")
    func sideFileColumns() throws {
        let scratch = Scratch()
        let lines = try String(contentsOf: repository.appendingPathComponent(linkedQuals), encoding: .utf8)
            .split(separator: "\n")
        let quals = scratch.url.appendingPathComponent("quals.csv")
        let text = (["NAME," + lines[0]] + lines.dropFirst().map { "Jane Doe," + $0 }).joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: quals)
        let out = scratch.url.appendingPathComponent("A.ind")
        let outcome = try anonymise(["TestData/SO14_F10000001.ind", "--out", out.path, "--quals", quals.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let written = try String(contentsOf: scratch.url.appendingPathComponent("A.quals.csv"), encoding: .utf8)
        #expect(written.split(separator: "\n").first.map(String.init) == String(lines[0]))
        #expect(!written.contains("Jane Doe"))
        // Not `contains("NAME")`: a random pseudonym may hold those letters.
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).count
        #expect(written.split(separator: "\n").allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == header })
    }

    @Test("the Python checks find a file that was not anonymised, and a changed field")
    func checksCanFail() throws {
        let scratch = Scratch()
        let file = "TestData/rules/SOENTRYAGE.ind"
        let copy = scratch.url.appendingPathComponent("copy.ind")
        let text = try String(contentsOf: repository.appendingPathComponent(file), encoding: .utf8)
        try Data(text.replacingOccurrences(of: ",FTS,", with: ",PT,").utf8).write(to: copy)
        let findings = try checkAnonymised(file, copy.path)
        for kind in ["identifier", "leak", "birth", "kept"] {
            #expect(findings.problems[kind] != nil, "\(kind): \(findings.problems)")
        }
        // Two different files' outputs stand for an original and a changed anonymisation.
        let (entryAge, linkageAge) = (scratch.url.appendingPathComponent("a"), scratch.url.appendingPathComponent("b"))
        for (sample, out) in [("SOENTRYAGE", entryAge), ("SOLINKAGE", linkageAge)] {
            let input = repository.appendingPathComponent("TestData/rules/\(sample).ind").path
            #expect(try soalloc([input, "--out", out.path, "--no-xlsx", "--no-html"]).status == 0)
        }
        let runs = try pythonChecks(["mode": "outputs", "original": entryAge.path, "anonymised": linkageAge.path])
        #expect(runs.problems["derived.csv"] != nil, "\(runs.problems)")
    }
}

/// The checks written in Python, on files read by its csv module. The first
/// argument is a JSON object whose `mode` says what to check:
///
/// - `file`: an anonymised individualised file (`anonymised`) against the
///   original (`original`), with its side files (`sides`);
/// - `outputs`: the record outputs of the normal run on an original file and
///   on its anonymised copy (directories `original` and `anonymised`), with
///   the side files' names in `renamed` as [anonymised, original] pairs;
/// - `hmac`: the identifier and postcode pseudonyms against HMAC-SHA256 under `key`;
/// - `distinct`: that two anonymisations (`first`, `second`: the .ind, quals
///   and postcode files) share no pseudonym of the same value.
///
/// It prints `{"facts": {name: count}, "problems": {kind: [text]}}`.
private let checks = #"""
import collections, csv, datetime, hashlib, hmac, json, re, sys

config = json.loads(sys.argv[1])
SPACE = " \t\r\n"  # what soalloc's reader trims from both ends of a field
IDENTIFIERS = ["LEARNREFNUMBER", "NUMHUS", "STUBID"]
REPLACED = set(IDENTIFIERS + ["ULN", "POSTCODEPRIOR", "DATEOFBIRTH"])
problems = collections.defaultdict(list)
facts = collections.Counter()
kept_texts = []  # the original files' header rows and fields of kept columns
left_out = set()  # the names and values of the columns soalloc leaves out


def problem(kind, text):
    if len(problems[kind]) < 10:
        problems[kind].append(text)


def rows(path):
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        return [row for row in csv.reader(f) if row]  # a blank line holds no record


def individualised(path):
    """The column names, the header row ([] when positional) and the records."""
    all_rows = rows(path)
    if all_rows and all_rows[0][0].strip(SPACE).upper() != "UKPRN":
        return config["positional"], [], all_rows
    return [name.strip(SPACE).upper() for name in all_rows[0]], all_rows[0], all_rows[1:]


def pairs(header, original, anonymised, column):
    """The (trimmed original, anonymised) values of a column, record by record."""
    if column not in header:
        return []
    index = header.index(column)
    return [(old[index].strip(SPACE), new[index]) for old, new in zip(original, anonymised)]


def normalised_postcode(text):
    return "".join(c.upper() if "a" <= c <= "z" else c for c in text if c not in " \t")


def check_kept(name, header, original, anonymised, replaced):
    """Fields of the columns not replaced are the input's own. soalloc writes
    them as its reader hands them over, without the spaces, tabs and line
    ends around them, so they are compared trimmed; how many were trimmed is
    counted ("kept fields trimmed")."""
    if len(original) != len(anonymised):
        problem("layout", f"{name}: {len(original)} records, anonymised {len(anonymised)}")
    for number, (old, new) in enumerate(zip(original, anonymised), 1):
        if len(old) != len(new):
            problem("layout", f"{name}: record {number} has {len(old)} fields, anonymised {len(new)}")
            continue
        for index, (a, b) in enumerate(zip(old, new)):
            if index < len(header) and header[index] in replaced:
                continue
            facts["kept fields"] += 1
            kept_texts.append(a.strip(SPACE))
            if a.strip(SPACE) != b:
                column = header[index] if index < len(header) else f"field {index + 1}"
                problem("kept", f"{name}: record {number} {column}: {a!r} became {b!r}")
            elif a != b:
                facts["kept fields trimmed"] += 1


def check_links(name, column, column_pairs):
    """One pseudonym for each original value, and no two values sharing one; returns the mapping."""
    forward = collections.defaultdict(set)
    backward = collections.defaultdict(set)
    for old, new in column_pairs:
        if old:
            forward[old].add(new)
            backward[new].add(old)
    for old, news in forward.items():
        if len(news) > 1:
            problem("link", f"{name} {column} {old!r} has several pseudonyms {sorted(news)}")
    for new, olds in backward.items():
        if len(olds) > 1:
            problem("link", f"{name} {column}: {sorted(olds)} share the pseudonym {new!r}")
    counts = collections.Counter(old for old, _ in column_pairs if old)
    facts[f"{column} values"] += len(counts)
    facts[f"{column} values in several records"] += sum(1 for n in counts.values() if n > 1)
    return {old: min(news) for old, news in forward.items()}


def identifier_ok(old, new):
    return re.fullmatch("[0-9A-Z]{%d}" % min(max(len(old.encode()), 12), 32), new) is not None


def parse_date(text):
    """A date as soalloc reads one (dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd), or None."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def check_file():
    header, header_row, original = individualised(config["original"])
    _, anonymised_header_row, anonymised = individualised(config["anonymised"])
    # Columns soalloc does not read (a college's own, such as COLLEGE_NOTE) are left out.
    known = set(config["positional"]) | {"SOTARIFF", "SOGRADECOMB", "SOENTQUAL"}
    if header_row:
        kept = [index for index, name in enumerate(header) if name in known]
        facts["columns left out"] = len(header) - len(kept)
        for index, name in enumerate(header_row):
            if index not in kept:
                left_out.add(name)
                left_out.update(row[index].strip(SPACE) for row in original if index < len(row))
        header_row = [header_row[index] for index in kept]
        header = [header[index] for index in kept]
        original = [[row[index] for index in kept] for row in original]
    if header_row != anonymised_header_row:
        problem("layout", f"header {header_row} became {anonymised_header_row}")
    kept_texts.extend(header_row)
    facts["records"] = len(original)
    facts["anonymised records"] = len(anonymised)
    check_kept("ind", header, original, anonymised, REPLACED)

    # Identifiers: the right shape, empty kept empty, and linked.
    learners = {}
    for column in IDENTIFIERS + ["ULN"]:
        column_pairs = pairs(header, original, anonymised, column)
        for old, new in column_pairs:
            if not old:
                if new != "":
                    problem("identifier", f"empty {column} became {new!r}")
            elif column == "ULN":
                if not re.fullmatch("[1-9][0-9]{9}", new):
                    problem("identifier", f"ULN {old!r} became {new!r}")
            elif not identifier_ok(old, new):
                problem("identifier", f"{column} {old!r} became {new!r}")
        mapping = check_links("ind", column, column_pairs)
        if column == "LEARNREFNUMBER":
            learners = mapping

    # Postcodes: emptied, or ZZ pseudonyms linked by the postcode as the lookup compares it.
    postcode_pseudonyms = {}
    record_postcodes = set()
    for old, new in pairs(header, original, anonymised, "POSTCODEPRIOR"):
        key = normalised_postcode(old)
        if not config["postcodes"]:
            if new != "":
                problem("postcode", f"POSTCODEPRIOR {old!r} became {new!r}, not empty")
        elif not key:
            if new != "":
                problem("postcode", f"empty POSTCODEPRIOR became {new!r}")
        elif not re.fullmatch("ZZ[0-9A-Z]{14}", new):
            problem("postcode", f"POSTCODEPRIOR {old!r} became {new!r}")
        else:
            record_postcodes.add(key)
            if postcode_pseudonyms.setdefault(key, new) != new:
                problem("link", f"postcode {key!r} has the pseudonyms {postcode_pseudonyms[key]!r} and {new!r}")

    # Dates of birth: another real date in the same format; the same for
    # every record of a learner with the same date of birth.
    if "DATEOFBIRTH" in header:
        index = header.index("DATEOFBIRTH")
        learner_index = header.index("LEARNREFNUMBER")
        new_births = collections.defaultdict(set)
        for number, (old_row, new_row) in enumerate(zip(original, anonymised), 1):
            old, new = old_row[index].strip(SPACE), new_row[index]
            old_date = parse_date(old)
            if not old:
                facts["births empty"] += 1
                if new != "":
                    problem("birth", f"record {number}: empty DATEOFBIRTH became {new!r}")
            elif old_date is None:
                facts["births not a date"] += 1
                if new != "00/00/0000":
                    problem("birth", f"record {number}: DATEOFBIRTH {old!r} is not a date but became {new!r}")
            else:
                facts["births"] += 1
                new_date = parse_date(new)
                shape = r"\d{4}-\d{2}-\d{2}" if "-" in old else r"\d{2}/\d{2}/\d{4}"
                if new_date is None or not re.fullmatch(shape, new):
                    problem("birth", f"record {number}: DATEOFBIRTH {old!r} became {new!r}")
                    continue
                # Each record's date is compared with its own original only:
                # another learner's new date may well be someone's original
                # date of birth (a few thousand learners share a few thousand
                # days), so an original date found elsewhere is no leak.
                if new_date == old_date:
                    facts["births unchanged"] += 1
                elif abs((new_date - old_date).days) > 366:
                    facts["births moved more than a year"] += 1
                new_births[(old_row[learner_index].strip(SPACE), old)].add(new_date)
        for (learner, old), news in new_births.items():
            if len(news) > 1:
                problem("link", f"learner {learner!r} born {old!r} has new dates of birth {sorted(map(str, news))}")
        facts["learner births"] = len(new_births)

    # The side files: their one replaced column linked to the file's pseudonyms.
    searched = [(header, anonymised, REPLACED)]
    secrets = set()
    for column in IDENTIFIERS + ["ULN", "POSTCODEPRIOR"]:
        for old, _ in pairs(header, original, anonymised, column):
            secrets.add(old)
            if column == "POSTCODEPRIOR":
                secrets.add(normalised_postcode(old))
    for side in config["sides"]:
        side_original = rows(side["original"])
        side_anonymised = rows(side["anonymised"])
        side_header = [name.strip(SPACE).upper() for name in side_original[0]]
        if side_original[0] != side_anonymised[0]:
            problem("layout", f"{side['kind']}: header {side_original[0]} became {side_anonymised[0]}")
        kept_texts.extend(side_original[0])
        column = "LEARNREFNUMBER" if side["kind"] == "quals" else "POSTCODE"
        check_kept(side["kind"], side_header, side_original[1:], side_anonymised[1:], {column})
        searched.append((side_header, side_anonymised[1:], {column}))
        side_pairs = pairs(side_header, side_original[1:], side_anonymised[1:], column)
        facts[side["kind"] + " rows"] = len(side_pairs)
        for old, new in side_pairs:
            secrets.add(old)
            if column == "LEARNREFNUMBER":
                if not identifier_ok(old, new):
                    problem("identifier", f"quals LEARNREFNUMBER {old!r} became {new!r}")
                elif old in learners:
                    facts["quals rows of learners in the file"] += 1
                    if learners[old] != new:
                        problem("link", f"quals: learner {old!r} is {new!r}, but {learners[old]!r} in the file")
            else:
                key = normalised_postcode(old)
                secrets.add(key)
                if not re.fullmatch("ZZ[0-9A-Z]{14}", new):
                    problem("postcode", f"lookup POSTCODE {old!r} became {new!r}")
                elif postcode_pseudonyms.setdefault(key, new) != new:
                    problem("link", f"postcode {key!r} is {new!r} in the lookup, {postcode_pseudonyms[key]!r} in the file")
                else:
                    facts["lookup postcodes"] += 1
                    if key in record_postcodes:
                        facts["records with a postcode in the lookup"] += 1

    # No original value of a replaced column is left anywhere in the files.
    # None holds a comma, quote or line end, so each occurrence in a file's
    # text lies within one field; the fields of kept columns are the input's
    # own (checked above), so it is enough to search the replaced fields.
    # A value found there is a leak when it is the whole field, or when it is
    # long (9 characters or more): a short one turns up inside random
    # pseudonyms by chance (a 7-digit STUBID inside one of 3,000 10-digit ULN
    # pseudonyms about 3.6 times in SO14_F10000001).
    secrets.discard("")
    facts["secrets"] = len(secrets)
    if any(c in value for value in secrets for c in ',"\r\n'):
        problem("leak", "a value holds a comma, quote or line end: search the whole text instead")
    lengths = sorted({len(value) for value in secrets})
    for side_header, data, replaced in searched:
        indexes = [i for i, name in enumerate(side_header) if name in replaced]
        for row in data:
            for i in indexes:
                field = row[i] if i < len(row) else ""
                facts["fields searched"] += 1
                for length in lengths:
                    if length > len(field):
                        break
                    for start in range(len(field) - length + 1):
                        piece = field[start:start + length]
                        if piece not in secrets:
                            continue
                        if piece == field or length >= 9:
                            problem("leak", f"{side_header[i]} {field!r} holds the original value {piece!r}")
                        else:
                            facts["short values inside pseudonyms by chance"] += 1

    # The long values are also searched for in the whole text of every file:
    # each must occur no more often than in the headers and kept fields of
    # the original files.
    long_secrets = {value for value in secrets if len(value) >= 9}
    found = collections.Counter()
    for path in [config["anonymised"]] + [side["anonymised"] for side in config["sides"]]:
        with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        for length in sorted({len(value) for value in long_secrets}):
            for start in range(len(text) - length + 1):
                if text[start:start + length] in long_secrets:
                    found[text[start:start + length]] += 1
    # Nothing of a column left out is in the file: neither its name nor a value.
    left_out.discard("")
    with open(config["anonymised"], newline="", encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    for value in left_out:
        if value in text:
            problem("leak", f"{value!r}, of a column that is left out, is in the file")
    for value, count in found.items():
        kept = sum(field.count(value) for field in kept_texts)
        facts["long values in kept fields"] += kept
        if count > kept:
            problem("leak", f"{value!r} is in the text {count} times, in kept fields {kept} times")


def check_outputs():
    """Record outputs: the same apart from the identifiers (and, for
    findings on the replaced fields, the value and message)."""
    identifiers = {"LEARNREFNUMBER", "STUBID"}
    for name in ["derived.csv", "differences.csv", "exclusions.csv", "credibility.csv"]:
        original = rows(f"{config['original']}/{name}")
        anonymised = rows(f"{config['anonymised']}/{name}")
        if original[0] != anonymised[0] or len(original) != len(anonymised):
            problem(name, f"{len(original)} rows of {original[0]}, anonymised {len(anonymised)} of {anonymised[0]}")
            continue
        header = original[0]
        facts[f"{name} rows"] = len(original) - 1
        for number, (old, new) in enumerate(zip(original[1:], anonymised[1:]), 1):
            for anonymised_name, original_name in config.get("renamed", []):
                new = [value.replace(anonymised_name, original_name) for value in new]
            for index, column in enumerate(header):
                if column in identifiers:
                    if old[index] and old[index] == new[index]:
                        problem(name, f"row {number} {column} {old[index]!r} is not replaced")
                    continue
                if column in ("VALUE", "MESSAGE") and old[header.index("FIELD")] in REPLACED:
                    continue
                if column == "HEFCE_NEEDS" and "DATEOFBIRTH" in old[index]:
                    continue  # it quotes the date of birth, which is replaced
                if old[index] != new[index]:
                    problem(name, f"row {number} {column}: {old[index]!r}, anonymised {new[index]!r}")


def hmac_text(key, field, value, count):
    digest = hmac.new(key, field.encode() + b"\0" + value.encode(), hashlib.sha256).digest()
    return "".join("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[b % 36] for b in digest[:count])


def check_hmac():
    key = bytes.fromhex(config["key"])
    header, _, original = individualised(config["original"])
    _, _, anonymised = individualised(config["anonymised"])
    for column in IDENTIFIERS:
        for old, new in pairs(header, original, anonymised, column):
            if old:
                facts[f"{column} checked"] += 1
                expected = hmac_text(key, column, old, min(max(len(old.encode()), 12), 32))
                if new != expected:
                    problem("hmac", f"{column} {old!r} became {new!r}, not {expected!r}")
    for old, new in pairs(header, original, anonymised, "POSTCODEPRIOR"):
        if normalised_postcode(old):
            facts["POSTCODEPRIOR checked"] += 1
            expected = "ZZ" + hmac_text(key, "POSTCODE", normalised_postcode(old), 14)
            if new != expected:
                problem("hmac", f"POSTCODEPRIOR {old!r} became {new!r}, not {expected!r}")


def check_distinct():
    """Two anonymisations of the same files share no pseudonym of a value."""
    first, second = config["first"], config["second"]
    header, _, original = individualised(first[0])
    _, _, other = individualised(second[0])
    columns = [(column, header.index(column), [r[header.index(column)] for r in original],
                [r[header.index(column)] for r in other]) for column in IDENTIFIERS + ["ULN"]]
    for index, (kind, column) in [(1, ("quals", "LEARNREFNUMBER")), (2, ("lookup", "POSTCODE"))]:
        a, b = rows(first[index]), rows(second[index])
        position = a[0].index(column)
        columns.append((f"{kind} {column}", position, [r[position] for r in a[1:]], [r[position] for r in b[1:]]))
    for column, _, a, b in columns:
        if len(a) != len(b):
            problem("distinct", f"{column}: {len(a)} values, then {len(b)}")
        for x, y in zip(a, b):
            if x or y:
                facts[f"{column} compared"] += 1
                if x == y:
                    problem("distinct", f"{column} {x!r} is the same under both keys")
    # Dates of birth are chosen under the key too: most differ.
    index = header.index("DATEOFBIRTH")
    moved = sum(1 for x, y in zip(original, other) if x[index] != y[index])
    if moved < len(original) // 2:
        problem("distinct", f"only {moved} of {len(original)} dates of birth differ between the keys")


{"file": check_file, "outputs": check_outputs, "hmac": check_hmac, "distinct": check_distinct}[config["mode"]]()
print(json.dumps({"facts": facts, "problems": problems}, sort_keys=True))
"""#
