import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("The derivation stages")
struct DerivationTests {
    @Test("one stage per derived field, in the column order of derived.csv (ruling R14)")
    func order() {
        #expect(Derivation.rules.map(\.field.name) == [
            "UGDSA", "PGDSA", "DISPOP", "DISALLOC", "SOENTRANT", "SOENTRYAGE", "HIGHQUAL", "WAPOP", "WAQUIN",
            "SOLINKAGE", "SOTARIFF", "SOGRADECOMB", "SOENTQUAL", "EQPOP", "UGLEVEL", "EQGRP",
        ])
        #expect(Slot.allCases.count == Facts.slotCount)
        #expect(Slot.derived.count == Facts.ruleCount)
    }

    @Test("each stage reads the inputs and earlier stages only", arguments: Derivation.rules)
    func dependencies(rule: Rule) {
        for slot in rule.reads {
            #expect(!slot.isDerived || slot.rawValue < rule.field.rawValue, "\(rule.field.name) reads \(slot.name)")
        }
    }

    @Test("each stage cites its paragraph and ends with an Otherwise row", arguments: Derivation.rules)
    func declarations(rule: Rule) {
        #expect(!rule.paragraph.isEmpty)
        #expect(rule.clauses.last?.condition.isOtherwise == true)
    }

    @Test("conditions read in the document's notation")
    func conditionText() {
        #expect(Condition.dsaModeAndIntensity.text
            == "HEFMODE = FTS or (HEFMODE = PT and ((LEARNSTARTDATE < 1 September 2012 and HEFESFTE ≥ 50) or "
            + "(LEARNSTARTDATE ≥ 1 September 2012 and HEFESFTE ≥ 25)))")
        #expect(Condition.unlinkedTariffExclusion.text == "SOLINKAGE < 30 and SOENTQUAL = OTH3_TAR, OTH3_POSSTAR and SOLINK = 0 (not 1)")
        #expect(Condition.unless(.matureTariffExclusion).text
            == "not (SOLINKAGE ≥ 30 and SOENTQUAL = OTH3_TAR, OTH3_POSSTAR)")
    }
}

extension Rule: CustomTestStringConvertible {
    public var testDescription: String { field.name }
}
