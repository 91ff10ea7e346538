import Foundation
import Testing

/// `soalloc compare` end to end: the hand-made pairs of `TestData/compare/`,
/// the identity of `cells-delta.csv` on every pair, and a held-out pair
/// checked against an independent computation in Python (the oracle of
/// `scripts/generate-sample`, the csv module and Decimal).
@Suite("Compare")
struct CompareTests {
    private func compare(_ arguments: [String], in scratch: Scratch, status: Int32 = 0) throws -> (URL, Outcome) {
        let out = scratch.url.appendingPathComponent("compare")
        let outcome = try soalloc(["compare"] + arguments + ["--out", out.path], in: repository)
        #expect(outcome.status == status, "\(outcome.standardError)")
        return (out, outcome)
    }

    private func rows(_ out: URL, _ name: String) throws -> [[String: String]] {
        let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    private func identity(_ out: URL) throws -> String {
        try python(["-", "identity", out.path], input: compareChecker)
    }

    @Test("a changed DOB moves a student from young to mature (WAPOP 1 → 2); a fixed HEFCOMP brings one into DISPOP")
    func handMade() throws {
        let scratch = Scratch()
        let (out, outcome) = try compare(["TestData/compare/old.ind", "TestData/compare/new.ind"], in: scratch)
        let changes = try rows(out, "changes.csv")
        let wapop = changes.first { $0["LEARNREFNUMBER"] == "UG0000015" && $0["FIELD"] == "WAPOP" }
        #expect(wapop?["OLD_VALUE"] == "1" && wapop?["NEW_VALUE"] == "2")
        #expect(wapop?["INPUTS_CHANGED"] == "DATEOFBIRTH 02/12/1993→02/12/1980")
        #expect(wapop?["ROW_OLD"] == "19" && wapop?["ROW_NEW"] == "18")
        let dispop = changes.first { $0["LEARNREFNUMBER"] == "TE0000002" && $0["FIELD"] == "DISPOP" }
        #expect(dispop?["OLD_VALUE"] == "0" && dispop?["NEW_VALUE"] == "1")
        #expect(dispop?["INPUTS_CHANGED"] == "HEFCOMP 3→4")
        let movements = try rows(out, "movements.csv")
        #expect(
            movements.contains {
                $0["LEARNREFNUMBER"] == "UG0000015" && $0["OLD_CELL"] == "WAPOP1_Q4" && $0["NEW_CELL"] == "WAPOP2_Q5"
            })
        #expect(movements.contains { $0["LEARNREFNUMBER"] == "TE0000002" && $0["OLD_CELL"] == "" && $0["NEW_CELL"] == "DISPOP" })
        let added = try rows(out, "added.csv")
        let removed = try rows(out, "removed.csv")
        #expect(added.map { $0["LEARNREFNUMBER"] } == ["ADDED0001"])
        #expect(added.first?["NOTE"] == "only in NEW")
        #expect(removed.map { $0["LEARNREFNUMBER"]! + "/" + $0["AIMSEQNUMBER"]! } == ["40000004/4"])
        let cells = try rows(out, "cells-delta.csv")
        #expect(cells.count == 37)
        #expect(cells.first { $0["CELL"] == "DISPOP" }?["DELTA_HEADCOUNT"] == "1")
        #expect(outcome.standardOutput.contains("changed  2"))
        #expect(outcome.standardOutput.contains("added    1"))
        #expect(outcome.standardOutput.contains("removed  1"))
        #expect(outcome.standardOutput.contains("WIDENING_ACCESS WAPOP1_Q4 → WAPOP2_Q5"))
        #expect(try identity(out).hasPrefix("OK"))
    }

    @Test("one file under two methods: no record changes, only money")
    func twoMethods() throws {
        let scratch = Scratch()
        let (out, outcome) = try compare(
            [
                "TestData/SO14_F10000001.ind", "TestData/SO14_F10000001.ind", "--method-old",
                "TestData/methods/example.yaml", "--method-new", "TestData/methods/example.yaml", "--rate",
                "retention=200",
            ], in: scratch)
        _ = outcome
        for name in ["changes.csv", "added.csv", "removed.csv", "movements.csv"] {
            #expect(try rows(out, name).isEmpty, "\(name)")
        }
        #expect(try rows(out, "cells-delta.csv").allSatisfy { $0["DELTA_HEADCOUNT"] == "0" && $0["DELTA_FTE"] == "0.00" })

        // The default method (no rates) against the example's: money appears on one side only.
        let other = Scratch()
        let (out2, outcome2) = try compare(
            [
                "TestData/SO14_F10000001.ind", "TestData/SO14_F10000001.ind", "--method-new",
                "TestData/methods/example.yaml", "--strict",
            ], in: other, status: 1)
        let money = try rows(out2, "summary-delta.csv")
        #expect(money.map { $0["ELEMENT"]! } == ["DISABILITY", "WIDENING_ACCESS", "RETENTION", "TOTAL"])
        #expect(money.allSatisfy { $0["DELTA_ALLOCATION"] == "" && !$0["NOTE"]!.isEmpty && $0["OLD_ALLOCATION"] == "" })
        #expect(money.first { $0["ELEMENT"] == "TOTAL" }?["NEW_ALLOCATION"] == "457838")
        #expect(try rows(out2, "changes.csv").isEmpty)
        #expect(outcome2.standardOutput.contains("Something changed."))
    }

    @Test("two rates: the money delta per element is NEW − OLD")
    func rates() throws {
        let scratch = Scratch()
        let runs = scratch.url.appendingPathComponent("runs")
        for (name, rate) in [("low", "100"), ("high", "150")] {
            let run = try soalloc(
                [
                    "TestData/SO14_F10000001.ind", "--method", "TestData/methods/example.yaml", "--rate",
                    "retention=\(rate)", "--out", runs.appendingPathComponent(name).path, "--no-xlsx", "--no-html",
                ], in: repository)
            #expect(run.status == 0, "\(run.standardError)")
        }
        let (out, _) = try compare(
            [runs.appendingPathComponent("low").path, runs.appendingPathComponent("high").path, "--strict"], in: scratch,
            status: 1)
        let money = try rows(out, "summary-delta.csv")
        let retention = try #require(money.first { $0["ELEMENT"] == "RETENTION" })
        let old = try #require(Int(retention["OLD_ALLOCATION"]!))
        let new = try #require(Int(retention["NEW_ALLOCATION"]!))
        #expect(retention["DELTA_ALLOCATION"] == String(new - old))
        #expect(money.first { $0["ELEMENT"] == "DISABILITY" }?["DELTA_ALLOCATION"] == "0")
        #expect(try rows(out, "changes.csv").isEmpty)
    }

    @Test("duplicate keys: STUBID settles a pair, and a pair it cannot settle is reported, never guessed")
    func duplicateKeys() throws {
        let scratch = Scratch()
        let (out, outcome) = try compare(
            ["TestData/compare/dup-old.ind", "TestData/compare/dup-new.ind", "--strict"], in: scratch, status: 1)
        let changes = try rows(out, "changes.csv")
        #expect(Set(changes.map { $0["STUBID"]! }) == ["1000035"])
        #expect(changes.allSatisfy { $0["ROW_OLD"] == "2" && $0["ROW_NEW"] == "2" })
        for name in ["added.csv", "removed.csv"] {
            let ambiguous = try rows(out, name)
            #expect(ambiguous.map { $0["ROW"]! } == ["3", "4"], "\(name)")
            #expect(ambiguous.allSatisfy { $0["NOTE"]!.hasPrefix("ambiguous") }, "\(name)")
        }
        #expect(outcome.standardOutput.contains("ambiguous 4"))
        #expect(try identity(out).hasPrefix("OK"))
    }

    @Test("a folder of an earlier run as OLD gives the same outputs as its file")
    func folder() throws {
        let scratch = Scratch()
        let earlier = scratch.url.appendingPathComponent("earlier")
        let run = try soalloc(["TestData/compare/old.ind", "--out", earlier.path, "--no-xlsx"], in: repository)
        #expect(run.status == 0, "\(run.standardError)")
        let (fromFolder, _) = try compare([earlier.path, "TestData/compare/new.ind"], in: scratch)
        let other = Scratch()
        let (fromFile, _) = try compare(["TestData/compare/old.ind", "TestData/compare/new.ind"], in: other)
        for name in ["changes.csv", "added.csv", "removed.csv", "movements.csv", "cells-delta.csv", "summary-delta.csv"] {
            #expect(
                try Data(contentsOf: fromFolder.appendingPathComponent(name))
                    == Data(contentsOf: fromFile.appendingPathComponent(name)), "\(name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fromFile.path).sorted() == [
            "added.csv", "cells-delta.csv", "changes.csv", "movements.csv", "removed.csv", "report.html",
            "summary-delta.csv", "summary.xlsx",
        ])
    }

    @Test("the outputs are the same bytes whatever --jobs is")
    func jobs() throws {
        var outputs: [[Data]] = []
        for jobs in ["1", "2", "4"] {
            let scratch = Scratch()
            let (out, _) = try compare(
                ["TestData/compare/old.ind", "TestData/compare/new.ind", "--jobs", jobs], in: scratch)
            outputs.append(
                try [
                    "changes.csv", "added.csv", "removed.csv", "movements.csv", "cells-delta.csv", "summary-delta.csv",
                    "summary.xlsx", "report.html",
                ]
                    .map { try Data(contentsOf: out.appendingPathComponent($0)) })
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    @Test("bad input: one line, 65 or 66, nothing left behind")
    func badInput() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("compare")
        let missing = try soalloc(["compare", "TestData/compare/nothere.ind", "TestData/compare/new.ind", "--out", out.path], in: repository)
        #expect(missing.status == 66)
        let empty = scratch.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let notRun = try soalloc(["compare", empty.path, "TestData/compare/new.ind", "--out", out.path], in: repository)
        #expect(notRun.status == 66)
        #expect(notRun.standardError.contains("not an output folder"))
        let bad = try soalloc(
            ["compare", "TestData/bad/duplicate-column.ind", "TestData/compare/new.ind", "--out", out.path], in: repository)
        #expect(bad.status == 65, "\(bad.standardError)")
        #expect(bad.standardError.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    /// A generated file, amended by the checker into OLD and NEW: records removed, added and changed.
    private func amendedPair(records: Int, seed: Int, ukprn: String, amendSeed: String, in scratch: Scratch) throws
        -> (old: URL, new: URL)
    {
        let base = scratch.url.appendingPathComponent("base.ind")
        _ = try python([
            generator, "--plain", "--records", String(records), "--seed", String(seed), "--ukprn", ukprn, "--out", base.path,
        ])
        let old = scratch.url.appendingPathComponent("old.ind")
        let new = scratch.url.appendingPathComponent("new.ind")
        _ = try python(["-", "amend", base.path, old.path, new.path, amendSeed], input: compareChecker)
        return (old, new)
    }

    @Test("generated pairs of 100,000 records: cells-delta is the movements, additions and removals")
    func large() throws {
        let scratch = Scratch()
        let (old, new) = try amendedPair(records: 100_000, seed: 1616, ukprn: "10000016", amendSeed: "16", in: scratch)
        let (out, _) = try compare([old.path, new.path], in: scratch)
        let report = try identity(out)
        #expect(report.hasPrefix("OK"), "\(report)")
        #expect(try rows(out, "movements.csv").count > 1000)
    }

    @Test("a held-out pair: counts, every cell delta and every money delta equal an independent computation")
    func heldOut() throws {
        let scratch = Scratch()
        // Seed 2718 is used nowhere else.
        let (old, new) = try amendedPair(records: 5000, seed: 2718, ukprn: "10000027", amendSeed: "2718", in: scratch)
        let (out, _) = try compare(
            [old.path, new.path, "--method", "TestData/methods/example.yaml"], in: scratch)
        // The money of each side from a plain run of each file, read by Python.
        var runs: [String] = []
        for (name, input) in [("run-old", old), ("run-new", new)] {
            let folder = scratch.url.appendingPathComponent(name)
            let run = try soalloc(
                [input.path, "--method", "TestData/methods/example.yaml", "--out", folder.path, "--no-xlsx", "--no-html"],
                in: repository)
            #expect(run.status == 0, "\(run.standardError)")
            runs.append(folder.path)
        }
        let report = try python(["-", "oracle", generator, old.path, new.path, out.path] + runs, input: compareChecker)
        let mismatches = report.split(separator: "\n").filter { $0.hasPrefix("MISMATCH") }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).joined(separator: "\n"))")
        #expect(report.contains("OK"), "\(report)")
    }
}

private let generator = repository.appendingPathComponent("scripts/generate-sample").path

/// The checks in Python. `identity OUT`: every cell's delta in
/// cells-delta.csv is the sum of movements.csv, added.csv and removed.csv.
/// `amend BASE OLD NEW SEED`: OLD is BASE without repeated keys, NEW a copy
/// with records removed, added and amended. `oracle GENERATOR OLD NEW OUT
/// RUN_OLD RUN_NEW`: the counts and cell deltas from the generator's oracle,
/// the money deltas from the two runs' summary.csv.
private let compareChecker = #"""
import csv, sys, random
from decimal import Decimal
from collections import Counter, defaultdict

def read(path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))

def identity(out):
    delta = {}
    for r in read(out + '/cells-delta.csv'):
        delta[r['CELL']] = [int(r['DELTA_HEADCOUNT']), Decimal(r['DELTA_FTE'])]
        assert int(r['NEW_HEADCOUNT']) - int(r['OLD_HEADCOUNT']) == int(r['DELTA_HEADCOUNT'])
        assert Decimal(r['NEW_FTE']) - Decimal(r['OLD_FTE']) == Decimal(r['DELTA_FTE'])
    total = {c: [0, Decimal(0)] for c in delta}
    moves = read(out + '/movements.csv')
    for m in moves:
        if m['OLD_CELL']:
            total[m['OLD_CELL']][0] -= 1; total[m['OLD_CELL']][1] -= Decimal(m['OLD_FTE'])
        if m['NEW_CELL']:
            total[m['NEW_CELL']][0] += 1; total[m['NEW_CELL']][1] += Decimal(m['NEW_FTE'])
        if m['OLD_CELL'] == m['NEW_CELL']:  # the FTE changed in the same cell
            total[m['OLD_CELL']][0] += 0
    for name, sign in (('added.csv', 1), ('removed.csv', -1)):
        for r in read(out + '/' + name):
            for c in r['CELLS'].split():
                total[c][0] += sign; total[c][1] += sign * Decimal(r['FTE'])
    bad = [c for c in delta if delta[c] != total[c]]
    if bad:
        for c in bad: print('MISMATCH', c, delta[c], total[c])
        sys.exit(1)
    print('OK movements=%d' % len(moves))

def keyed(rows):
    return (rows[0], rows[1])

def amend(base, old, new, seed):
    rng = random.Random(int(seed))
    with open(base, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    header, data = rows[0], [r for r in rows[1:] if any(x.strip() for x in r)]
    ix = {n: i for i, n in enumerate(header)}
    def key(r): return tuple(r[ix[c]].strip().upper() for c in ('UKPRN', 'LEARNREFNUMBER', 'AIMSEQNUMBER'))
    count = Counter(key(r) for r in data)
    data = [r for r in data if count[key(r)] == 1]
    amended = []
    for n, r in enumerate(data):
        roll = rng.random()
        if roll < 0.03:
            continue  # removed
        r = list(r)
        if roll < 0.08:
            r[ix['DATEOFBIRTH']] = '01/01/%d' % rng.choice([1970, 1985, 1995, 1996, 1997])
        elif roll < 0.12:
            r[ix['HEFCOMP']] = rng.choice(['1', '2', '3', '4'])
        elif roll < 0.15:
            r[ix['HEFESFTE']] = rng.choice(['25', '50', '75', '100', '33.3333'])
        amended.append(r)
        if roll > 0.97:
            extra = list(r)
            extra[ix['LEARNREFNUMBER']] = 'NEW%07d' % n
            amended.append(extra)  # added
    for path, records in ((old, data), (new, amended)):
        with open(path, 'w', newline='', encoding='utf-8') as f:
            w = csv.writer(f, lineterminator='\n'); w.writerow(header); w.writerows(records)

def oracle(generator, old, new, out, run_old, run_new):
    import importlib.machinery, importlib.util
    loader = importlib.machinery.SourceFileLoader('generate_sample', generator)
    spec = importlib.util.spec_from_loader('generate_sample', loader)
    g = importlib.util.module_from_spec(spec); loader.exec_module(g)
    def records(path):
        result = {}
        for r in read(path):
            v = g.derive(r)
            v['WAQUIN'] = g.derive_waquin(v['WAPOP'], v['HIGHQUAL'], r.get('WAQUIN'))
            fte = g.parse_fte(r.get('HEFESFTE'))
            if not (0 <= fte <= 100): fte = Decimal(0)
            cells = []
            if v['DISPOP'] == 1: cells.append('DISPOP')
            if v['DISALLOC'] == 1: cells.append('DISALLOC')
            if v['WAPOP'] in (1, 2, 3):
                q = v['WAQUIN']
                cells.append('WAPOP%d_%s' % (v['WAPOP'], 'Q%d' % q if q in (1, 2, 3, 4, 5) else 'UNKNOWN'))
            if v['EQPOP'] == 1:
                cells.append(v['EQGRP'] if v['EQGRP'] else 'NONE')
            k = tuple(r[c].strip() for c in ('UKPRN', 'LEARNREFNUMBER', 'AIMSEQNUMBER'))
            result[k] = (tuple(g.out(v[f]) for f in g.DERIVED_ORDER), cells, fte / 100)
        return result
    a, b = records(old), records(new)
    expected = {
        'added': len(set(b) - set(a)), 'removed': len(set(a) - set(b)),
        'changed': sum(1 for k in set(a) & set(b) if a[k][0] != b[k][0]),
    }
    got_changes = read(out + '/changes.csv')
    got = {
        'added': len(read(out + '/added.csv')), 'removed': len(read(out + '/removed.csv')),
        'changed': len({(c['ROW_OLD'], c['ROW_NEW']) for c in got_changes}),
    }
    problems = []
    for k in expected:
        if expected[k] != got[k]: problems.append('MISMATCH %s expected %d got %d' % (k, expected[k], got[k]))
    cells = defaultdict(lambda: [0, Decimal(0)])
    for side, sign in ((a, -1), (b, 1)):
        for derived, cs, fte in side.values():
            for c in cs:
                cells[c][0] += sign; cells[c][1] += sign * fte
    for r in read(out + '/cells-delta.csv'):
        want = cells[r['CELL']]
        if want[0] != int(r['DELTA_HEADCOUNT']) or want[1] != Decimal(r['DELTA_FTE']):
            problems.append('MISMATCH cell %s expected %s got %s %s' % (r['CELL'], want, r['DELTA_HEADCOUNT'], r['DELTA_FTE']))
    before = {r['ELEMENT']: r for r in read(run_old + '/summary.csv')}
    after = {r['ELEMENT']: r for r in read(run_new + '/summary.csv')}
    for r in read(out + '/summary-delta.csv'):
        e = r['ELEMENT']
        want = Decimal(after[e]['ALLOCATION']) - Decimal(before[e]['ALLOCATION'])
        if r['DELTA_ALLOCATION'] == '' or Decimal(r['DELTA_ALLOCATION']) != want:
            problems.append('MISMATCH money %s expected %s got %s' % (e, want, r['DELTA_ALLOCATION']))
    for p in problems: print(p)
    print('OK' if not problems else 'FAILED', expected)

mode = sys.argv[1]
if mode == 'identity': identity(sys.argv[2])
elif mode == 'amend': amend(*sys.argv[2:6])
elif mode == 'oracle': oracle(*sys.argv[2:8])
"""#
