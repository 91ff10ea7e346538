import Testing

@testable import SOAllocCore
@testable import SOAllocRules

// The reasons for a difference from HEFCE's value (differences.csv's CAUSE,
// OUR_CLAUSE and HEFCE_NEEDS): our facts are a TestRecord's, derived by the
// standard derivation; HEFCE's are a copy with some derived fields set by hand,
// as `Comparison` sets them from the file's columns.

/// A derived field's value as `Comparison` reads HEFCE's text for it from the file.
private func fileValue(_ slot: Slot, _ text: String) -> Int64 {
    var text = text
    return text.withUTF8 { Comparison.normalised($0, as: slot) }
}

/// Our facts for `record`: its inputs loaded, and every field derived by the standard derivation.
private func ours(_ record: TestRecord) -> Facts {
    var facts = record.facts
    Derivation.standard.derive(&facts)
    return facts
}

/// The reason the Reconciler gives for `field` when HEFCE's values are ours
/// with `hefce` in place.
private func reason(
    _ field: Slot, _ record: TestRecord = TestRecord(), hefce: [Slot: String]
) -> DifferenceReason {
    let facts = ours(record)
    var theirs = facts
    for (slot, text) in hefce { theirs[slot] = fileValue(slot, text) }
    precondition(theirs[field] != facts[field], "\(field.name) must differ")
    let index = Derivation.rules.firstIndex { $0.field == field }!
    return Reconciler().reason(rule: index, ours: facts, theirs: theirs) { record.values[$0] ?? "" }
}

/// A sandwich-year student: not DSA-eligible by ruling R8, so UGDSA, DISPOP and DISALLOC are all 0 here.
private let sandwich = TestRecord([.hefmode: "SWOUT"])

/// DSA's mode and intensity condition, as the document writes it.
private let dsaModeAndIntensity =
    "HEFMODE = FTS or (HEFMODE = PT and ((LEARNSTARTDATE < 1 September 2012 and HEFESFTE ≥ 50) "
    + "or (LEARNSTARTDATE ≥ 1 September 2012 and HEFESFTE ≥ 25)))"

@Suite("Reconciler: why HEFCE's value differs from ours")
struct ReconcilerTests {
    @Test("a chain: each field's cause is its own upstream field that differs, the first is ROOT")
    func chain() {
        let hefce: [Slot: String] = [.ugdsa: "1", .dispop: "1", .disalloc: "1"]

        let ugdsa = reason(.ugdsa, sandwich, hefce: hefce)
        #expect(ugdsa.cause == [])
        #expect(ugdsa.causeText == "ROOT")
        #expect(ugdsa.ourClause == "UGDSA = 0: Otherwise")
        #expect(
            ugdsa.hefceNeeds.text == "UGDSA = 1: Undergraduate eligible for DSA; \(dsaModeAndIntensity) failed: "
                + "HEFMODE is SWOUT, LEARNSTARTDATE is 15/09/2014, HEFESFTE is 100")
        #expect(ugdsa.hefceNeeds.pattern == "\(dsaModeAndIntensity) failed")

        let dispop = reason(.dispop, sandwich, hefce: hefce)
        #expect(dispop.cause == [.ugdsa])
        #expect(dispop.causeText == "UGDSA")
        #expect(dispop.ourClause == "DISPOP = 0: Otherwise")
        #expect(
            dispop.hefceNeeds.text
                == "DISPOP = 1: Included in the denominator of the disability allocation proportion; "
                + "UGDSA = 1 or PGDSA = 1 failed: UGDSA is 0, PGDSA is 0")

        // DISALLOC reads DISPOP, not UGDSA: its cause is the field it reads.
        let disalloc = reason(.disalloc, sandwich, hefce: hefce)
        #expect(disalloc.cause == [.dispop])
        #expect(disalloc.causeText == "DISPOP")
        #expect(disalloc.ourClause == "DISALLOC = 0: Otherwise")
        #expect(
            disalloc.hefceNeeds.text
                == "DISALLOC = 1: Included in the numerator of the disability allocation proportion; "
                + "DISPOP = 1 failed: DISPOP is 0")
    }

    @Test("a disagreement on the record's own inputs is ROOT, and names the failing input with its value")
    func rawInput() {
        let dispop = reason(.dispop, TestRecord([.hefcomp: "3"]), hefce: [.dispop: "1"])
        #expect(dispop.causeText == "ROOT")
        #expect(dispop.ourClause == "DISPOP = 0: Otherwise")
        #expect(
            dispop.hefceNeeds
                == .clause(
                    label: "DISPOP = 1: Included in the denominator of the disability allocation proportion",
                    obstacles: [
                        ConditionOutcome(
                            kind: .test, text: "HEFCOMP = 4", holds: false,
                            inputs: [.init(name: "HEFCOMP", value: "3")], parts: [])
                    ]))
        #expect(
            dispop.hefceNeeds.text
                == "DISPOP = 1: Included in the denominator of the disability allocation proportion; "
                + "HEFCOMP = 4 failed: HEFCOMP is 3")
        #expect(dispop.hefceNeeds.pattern == "HEFCOMP = 4 failed")

        // The input as the file writes it.
        let soentrant = reason(.soentrant, TestRecord([.learnstartdate: "2013-09-22"]), hefce: [.soentrant: "1"])
        #expect(soentrant.causeText == "ROOT")
        #expect(soentrant.ourClause == "SOENTRANT = 0: Otherwise")
        #expect(
            soentrant.hefceNeeds.text
                == "SOENTRANT = 1: Entrant; LEARNSTARTDATE ≥ 1 August 2014 failed: LEARNSTARTDATE is 2013-09-22")
    }

    @Test("two upstream fields that each explain the difference alone are both the cause, in rule order")
    func eachAlone() {
        // EQGRP's condition reads SOENTQUAL before SOTARIFF; the derivation derives SOTARIFF first.
        let eqgrp = reason(.eqgrp, hefce: [.sotariff: "300", .soentqual: "L3_COMB", .eqgrp: "Y_F_L"])
        #expect(eqgrp.cause == [.sotariff, .soentqual])
        #expect(eqgrp.causeText == "SOTARIFF+SOENTQUAL")
        #expect(eqgrp.ourClause == "EQGRP = Y_F_U: Young, first degree, unknown")
        #expect(
            eqgrp.hefceNeeds.text
                == "EQGRP = Y_F_L: Young, first degree, low risk; SOENTQUAL = L3_COMB, HEPG, HEOUG, HEFD, BACC or "
                + "(SOENTQUAL = OTH3_TAR, OTH3_NOTAR, OTH3_POSSTAR and SOTARIFF ≥ 291) failed: "
                + "SOENTQUAL is OTH3_TAR, SOTARIFF is empty")

        let dispop = reason(.dispop, sandwich, hefce: [.ugdsa: "1", .pgdsa: "1", .dispop: "1"])
        #expect(dispop.causeText == "UGDSA+PGDSA")
    }

    @Test("upstream fields that explain the difference only together are the cause together")
    func jointOnly() {
        // Not an entrant, and 17: WAPOP 0. SOENTRANT 1 alone gives WAPOP 1; SOENTRYAGE 22 alone, 0; both, 2.
        let record = TestRecord([.learnstartdate: "15/09/2013"])
        let wapop = reason(.wapop, record, hefce: [.soentrant: "1", .soentryage: "22", .wapop: "2"])
        #expect(wapop.cause == [.soentrant, .soentryage])
        #expect(wapop.causeText == "SOENTRANT+SOENTRYAGE")
        #expect(wapop.ourClause == "WAPOP = 0: Otherwise")
        #expect(
            wapop.hefceNeeds.text
                == "WAPOP = 2: Included in mature full-time widening access allocation population; "
                + "SOENTRYAGE ≥ 21 failed: SOENTRYAGE is 17; SOENTRANT = 1 failed: SOENTRANT is 0")
        #expect(wapop.hefceNeeds.pattern == "SOENTRYAGE ≥ 21 failed; SOENTRANT = 1 failed")
    }

    @Test("upstream fields that differ but do not explain the difference leave it ROOT")
    func upstreamDoesNotExplain() {
        // HEFCE's DISPOP 1 does not give DISALLOC 1 without DLA.
        let record = TestRecord([.hefcomp: "3", .learnfamcodeDLA: "0"])
        let disalloc = reason(.disalloc, record, hefce: [.dispop: "1", .disalloc: "1"])
        #expect(disalloc.cause == [])
        #expect(disalloc.causeText == "ROOT")
        #expect(
            disalloc.hefceNeeds.text
                == "DISALLOC = 1: Included in the numerator of the disability allocation proportion; "
                + "DISPOP = 1 failed: DISPOP is 0; LEARNFAMCODE_DLA = 1 failed: LEARNFAMCODE_DLA is 0")

        // Two upstream fields differ; neither alone nor both together give a part-time WAPOP to a full-time student.
        let notEntrant = TestRecord([.learnstartdate: "15/09/2013"])
        let wapop = reason(.wapop, notEntrant, hefce: [.soentrant: "1", .soentryage: "22", .wapop: "3"])
        #expect(wapop.causeText == "ROOT")
        #expect(
            wapop.hefceNeeds.text
                == "WAPOP = 3: Included in the part-time widening access allocation population; "
                + "SOENTRANT = 1 failed: SOENTRANT is 0; HEFMODE = PT failed: HEFMODE is FTS")
    }

    @Test("a value no clause of the table gives is not a value of the table")
    func outsideTheTable() {
        let wapop = reason(.wapop, hefce: [.wapop: "7"])
        #expect(wapop.causeText == "ROOT")
        #expect(wapop.ourClause == "WAPOP = 1: Included in young full-time widening access allocation population")
        #expect(wapop.hefceNeeds == .notAValue)
        #expect(wapop.hefceNeeds.text == "not a value of the table")
        #expect(wapop.hefceNeeds.pattern == "not a value of the table")

        // Text that is not a risk group reads as Value.other.
        #expect(fileValue(.eqgrp, "Y_F_X") == Value.other)
        #expect(fileValue(.wapop, "7") == 7)
        let eqgrp = reason(.eqgrp, hefce: [.eqgrp: "Y_F_X"])
        #expect(eqgrp.causeText == "ROOT")
        #expect(eqgrp.ourClause == "EQGRP = Y_F_U: Young, first degree, unknown")
        #expect(eqgrp.hefceNeeds == .notAValue)
        #expect(eqgrp.hefceNeeds.text == "not a value of the table")
    }

    @Test("an age one year off gives the working of ours, with the dates as the file writes them")
    func ageOneYearOff() {
        let record = TestRecord([.dateofbirth: "20/08/1996", .learnstartdate: "01/09/2014"])
        let entry = reason(.soentryage, record, hefce: [.soentryage: "19"])
        #expect(entry.causeText == "ROOT")
        #expect(entry.ourClause == "SOENTRYAGE = full years: Full years between DATEOFBIRTH and LEARNSTARTDATE")
        #expect(
            entry.hefceNeeds.text
                == "full years from DATEOFBIRTH 20/08/1996 to LEARNSTARTDATE 01/09/2014 = 18; the file has 19")
        #expect(entry.hefceNeeds.pattern == "full years from DATEOFBIRTH to LEARNSTARTDATE")

        let linkage = reason(.solinkage, TestRecord([.dateofbirth: "28/02/1994"]), hefce: [.solinkage: "21"])
        #expect(linkage.causeText == "ROOT")
        #expect(linkage.ourClause == "SOLINKAGE = full years: Full years between DATEOFBIRTH and 31 August 2014")
        #expect(linkage.hefceNeeds.text == "full years from DATEOFBIRTH 28/02/1994 to 31/08/2014 = 20; the file has 21")
        #expect(linkage.hefceNeeds.pattern == "full years from DATEOFBIRTH to 31/08/2014")
    }

    @Test("an age whose computing clause does not decide ours lists what blocks it before the working")
    func ageBlocked() {
        // A date of birth after the start: ours is 0 by the clause above the working.
        let record = TestRecord([.dateofbirth: "01/01/2015"])
        let entry = reason(.soentryage, record, hefce: [.soentryage: "1"])
        #expect(entry.ourClause == "SOENTRYAGE = 0: DATEOFBIRTH is after LEARNSTARTDATE")
        #expect(
            entry.hefceNeeds.text
                == "DATEOFBIRTH > LEARNSTARTDATE held: DATEOFBIRTH is 01/01/2015, LEARNSTARTDATE is 15/09/2014; "
                + "full years from DATEOFBIRTH 01/01/2015 to LEARNSTARTDATE 15/09/2014 = -1; the file has 1")
    }

    @Test(
        "an age that cannot be worked out, a date missing or invalid, says so and shows no age",
        arguments: [
            (Slot.soentryage, [Column.dateofbirth: ""], "DATEOFBIRTH is missing held"),
            (Slot.soentryage, [.dateofbirth: "31/02/1996"], "DATEOFBIRTH is missing held"),
            (Slot.soentryage, [.learnstartdate: ""], "LEARNSTARTDATE is missing held"),
            (Slot.solinkage, [.dateofbirth: ""], "DATEOFBIRTH is missing held"),
        ])
    func ageFromAMissingDate(field: Slot, changes: [Column: String], blocked: String) throws {
        let needs = reason(field, TestRecord(changes), hefce: [field: "19"]).hefceNeeds
        #expect(needs.text.hasPrefix(blocked + ": "), "\(needs.text)")
        guard case .computation(_, _, let result, let hefce) = needs else {
            Issue.record("\(needs.text) is not a computation")
            return
        }
        #expect(hefce == "19")
        #expect(result == nil)
        #expect(needs.text.hasSuffix(" cannot be worked out; the file has 19"), "\(needs.text)")
    }

    @Test("a clause blocked by clauses above it that hold lists its failing conditions, then each of those")
    func blockedByClauseAbove() {
        // HEFCE's clause holds, but one above holds first.
        let uglevel = reason(.uglevel, TestRecord([.hefqaim: "HND"]), hefce: [.uglevel: "FIRST"])
        #expect(uglevel.ourClause == "UGLEVEL = OUG: Other undergraduate")
        #expect(
            uglevel.hefceNeeds.text
                == "UGLEVEL = FIRST: Undergraduate aiming for a first degree; HEFLEVEL = UG and "
                + "HEFQAIM = DIPHE, CERTED, FOUDEG, FDBC, DET, DTLLS, HNC, HND, UGOTHER held: "
                + "HEFLEVEL is UG, HEFQAIM is HND")
        #expect(
            uglevel.hefceNeeds.pattern
                == "HEFLEVEL = UG and HEFQAIM = DIPHE, CERTED, FOUDEG, FDBC, DET, DTLLS, HNC, HND, UGOTHER held")

        // An Otherwise row: only the clause above stands in its way.
        let dispop = reason(.dispop, hefce: [.dispop: "0"])
        #expect(dispop.ourClause == "DISPOP = 1: Included in the denominator of the disability allocation proportion")
        #expect(
            dispop.hefceNeeds.text
                == "DISPOP = 0: Otherwise; HEFCOMP = 4 and HEFEXCL = 0 and HEFTYPE = HOMEF and "
                + "(UGDSA = 1 or PGDSA = 1) held: HEFCOMP is 4, HEFEXCL is 0, HEFTYPE is HOMEF, UGDSA is 1, PGDSA is 0")

        // A failing condition first, then every clause above that holds, in order (Y_F_L, then Y_F_U).
        let eqgrp = reason(.eqgrp, TestRecord([.sotariff: "300"]), hefce: [.eqgrp: "M_F_U"])
        #expect(eqgrp.ourClause == "EQGRP = Y_F_L: Young, first degree, low risk")
        #expect(
            eqgrp.hefceNeeds.text
                == "EQGRP = M_F_U: Mature, first degree, unknown; SOENTRYAGE ≥ 21 failed: SOENTRYAGE is 18; "
                + "UGLEVEL = FIRST and SOENTRYAGE < 21 and (SOENTQUAL = L3_COMB, HEPG, HEOUG, HEFD, BACC or "
                + "(SOENTQUAL = OTH3_TAR, OTH3_NOTAR, OTH3_POSSTAR and SOTARIFF ≥ 291)) held: "
                + "UGLEVEL is FIRST, SOENTRYAGE is 18, SOENTQUAL is OTH3_TAR, SOTARIFF is 300; "
                + "UGLEVEL = FIRST and SOENTRYAGE < 21 held: UGLEVEL is FIRST, SOENTRYAGE is 18")
        #expect(
            eqgrp.hefceNeeds.pattern
                == "SOENTRYAGE ≥ 21 failed; UGLEVEL = FIRST and SOENTRYAGE < 21 and "
                + "(SOENTQUAL = L3_COMB, HEPG, HEOUG, HEFD, BACC or "
                + "(SOENTQUAL = OTH3_TAR, OTH3_NOTAR, OTH3_POSSTAR and SOTARIFF ≥ 291)) held; "
                + "UGLEVEL = FIRST and SOENTRYAGE < 21 held")
    }

    @Test("among the clauses that give HEFCE's value, the one with fewest obstacles, then the first")
    func nearestClause() {
        // EQPOP 0 has three clauses: each exclusion has a failing condition and the clause above holding (2);
        // Otherwise has only the clause above (1).
        let eqpop = reason(.eqpop, hefce: [.eqpop: "0"])
        #expect(eqpop.ourClause == "EQPOP = 1: Included in full-time improving retention allocation population")
        #expect(
            eqpop.hefceNeeds.text
                == "EQPOP = 0: Not included in full-time improving retention allocation population: otherwise; "
                + "HEFCOMP = 4 and HEFEXCL = 0 and DOMICILE = XF, XK and HEFTYPE = HOMEF and HEFLEVEL = UG and "
                + "HEFMODE = FTS, SWOUT and not (SOLINKAGE ≥ 30 and SOENTQUAL = OTH3_TAR, OTH3_POSSTAR) and "
                + "not (SOLINKAGE < 30 and SOENTQUAL = OTH3_TAR, OTH3_POSSTAR and SOLINK = 0 (not 1)) held: "
                + "HEFCOMP is 4, HEFEXCL is 0, DOMICILE is XF, HEFTYPE is HOMEF, HEFLEVEL is UG, HEFMODE is FTS, "
                + "SOLINKAGE is 18, SOENTQUAL is OTH3_TAR, SOLINK is 1")

        // SOENTRYAGE 0 has two clauses, each one failing condition away: the first is chosen.
        let entry = reason(.soentryage, hefce: [.soentryage: "0"])
        #expect(
            entry.hefceNeeds.text
                == "SOENTRYAGE = 0: DATEOFBIRTH or LEARNSTARTDATE is missing (paragraph 14); "
                + "DATEOFBIRTH is missing or LEARNSTARTDATE is missing failed: "
                + "DATEOFBIRTH is 10/05/1996, LEARNSTARTDATE is 15/09/2014")

        // So too SOLINKAGE 0: a missing date of birth, or one after 31 August 2014.
        let linkage = reason(.solinkage, hefce: [.solinkage: "0"])
        #expect(
            linkage.hefceNeeds.text
                == "SOLINKAGE = 0: DATEOFBIRTH is missing; DATEOFBIRTH is missing failed: DATEOFBIRTH is 10/05/1996")
    }
}
