// Improving retention: paragraphs 19–35 of the technical document.

extension Condition {
    /// `SOENTQUAL = OTH3_TAR, OTH3_NOTAR, OTH3_POSSTAR`: other Level 3 qualifications.
    static let otherLevel3 = Condition.oneOf(.soentqual, "OTH3_TAR", "OTH3_NOTAR", "OTH3_POSSTAR")

    /// Level 3 qualifications expected to attract tariff (EQPOP's exclusions).
    static let tariffLevel3 = Condition.oneOf(.soentqual, "OTH3_TAR", "OTH3_POSSTAR")

    /// EQPOP's population conditions (paragraph 31). Ruling R8: DOMICILE XF or
    /// XK only; HEFMODE FTS or SWOUT.
    static let retentionPopulation: [Condition] = [
        .oneOf(.hefcomp, "4"),
        .oneOf(.hefexcl, "0"),
        .oneOf(.domicile, "XF", "XK"),
        .oneOf(.heftype, "HOMEF"),
        .oneOf(.heflevel, "UG"),
        .oneOf(.hefmode, "FTS", "SWOUT"),
    ]

    /// EQPOP's first exclusion: aged 30 or over on 31 August 2014 with Level 3
    /// qualifications expected to generate tariff points.
    static let matureTariffExclusion = Condition.all([.atLeast(.solinkage, Parameter.tariffExclusionAge.value), .tariffLevel3])

    /// EQPOP's second exclusion: under 30 with such qualifications, but no link
    /// made. SOLINK's own table (paragraph 23) gives 1 for a link and 0
    /// "Otherwise", so any SOLINK but 1 means no link.
    static let unlinkedTariffExclusion = Condition.all([
        .below(.solinkage, Parameter.tariffExclusionAge.value), .tariffLevel3, .notSet(.solink),
    ])

    static let firstDegree = Condition.oneOf(.uglevel, "FIRST")
    static let otherUndergraduate = Condition.oneOf(.uglevel, "OUG")
}

extension Rule {
    /// SOLINKAGE (column AH, paragraph 24): full years between DATEOFBIRTH and
    /// 31 August 2014 (ruling R5); zero when the date of birth is missing
    /// (ruling R5, as paragraph 14) or after that day.
    static let solinkage = Rule(
        .solinkage, "Student's age in years on \(Parameter.linkageAgeDate.text)", paragraph: "24", rulings: ["R4", "R5"],
        .value("0", "DATEOFBIRTH is missing", when: .missing(.dateofbirth)),
        .value(
            "0", "DATEOFBIRTH is after \(Parameter.linkageAgeDate.text)", when: .after(.dateofbirth, .linkageAgeDate)),
        .computed(
            .ageOn(from: .dateofbirth, date: Parameter.linkageAgeDate.value), "full years",
            "Full years between DATEOFBIRTH and \(Parameter.linkageAgeDate.text)", when: .otherwise)
    )

    /// SOTARIFF (hidden, paragraph 25): UCAS tariff points from linked data,
    /// capped at 9998. The learner's qualifications in the quals file when
    /// they are there (`--quals`); else the file's SOTARIFF column; else empty
    /// (ruling R10: not known).
    static let sotariff = Rule(
        .sotariff, "UCAS tariff points from linked data", paragraph: "25", rulings: ["R10"],
        .computed(
            .capped(.linkedSOTARIFF, at: Parameter.tariffCap.value), "the quals file's points, at most \(Parameter.tariffCap.text)",
            "Tariff points of the learner's qualifications on entry (--quals)",
            when: .known(.linkedSOTARIFF, "the learner has qualifications in the quals file")),
        .computed(
            .capped(.fileSOTARIFF, at: Parameter.tariffCap.value), "the file's SOTARIFF, at most \(Parameter.tariffCap.text)",
            "Tariff points given in the file", when: .known(.fileSOTARIFF, "the file gives SOTARIFF as a whole number")),
        .empty("Not known (no linked data)", when: .otherwise)
    )

    /// SOGRADECOMB (hidden, paragraphs 26–29): the student's best three
    /// A-level grades as a group. From the learner's qualifications in the
    /// quals file when they are there; else the file's SOGRADECOMB column;
    /// else OTHER (ruling R11: no A-level grades known).
    static let sogradecomb = Rule(
        .sogradecomb, "A-level grade combination", paragraph: "26-29", rulings: ["R11"],
        .computed(
            .copy(.linkedSOGRADECOMB), "from the quals file", "Best three A-level grades of the learner (--quals)",
            when: .known(.linkedSOGRADECOMB, "the learner has qualifications in the quals file")),
        .computed(
            .copy(.fileSOGRADECOMB), "the file's SOGRADECOMB", "Grade combination given in the file",
            when: .oneOf(.fileSOGRADECOMB, "ACC_BBC+", "BCC_CCC", "OTHER")),
        .value("OTHER", "No A-level grades known", when: .otherwise)
    )

    /// SOENTQUAL (hidden, paragraph 30): the group of the student's highest
    /// qualification on entry; the first row that holds wins ("and not
    /// above"). `QUALENT3*` is the first character (ruling R8). Linked-data
    /// indicators are false when not known (ruling R11); an empty or unlisted
    /// QUALENT3 that no row catches is UNKNOWN (ruling R13).
    static let soentqual = Rule(
        .soentqual, "Grouping of the student's highest qualification on entry", paragraph: "30",
        rulings: ["R8", "R11", "R13"],
        .value(
            "HEPG", "HE: Postgraduate",
            when: .oneOf(.qualent3, "DUK", "DZZ", "D80", "MUK", "M41", "M44", "M71", "M80", "M90", "MZZ", "H71")),
        .value("HEFD", "HE: First degree", when: .oneOf(.qualent3, "M2X", "HUK", "HZZ", "H11", "JUK")),
        .value(
            "HEOUG", "HE: Other undergraduate",
            when: .oneOf(.qualent3, "H80", "J10", "J20", "J30", "J48", "J80", "C20", "C30", "C44", "C80", "C90")),
        .value("FOU", "Foundation course", when: .oneOf(.qualent3, "J49")),
        .value(
            "L3_COMB", "Level 3 qualification with combinations of A-levels",
            when: .noneOf(.sogradecomb, "OTHER")),
        .value(
            "BACC", "Baccalaureate",
            when: .any([
                .oneOf(.qualent3, "P62", "P63"),
                .indicated(.linkedIB, "linked data indicates an International Baccalaureate (IB) that attracts tariff"),
            ])),
        .value("BTEC", "BTEC", when: .indicated(.linkedBTEC, "linked data indicates a Level 3 BTEC")),
        .value(
            "ACCESS", "Access course",
            when: .any([
                .oneOf(.qualent3, "X00", "X01"),
                .indicated(.linkedAccess, "linked data indicates an Access to HE Diploma"),
            ])),
        .value(
            "OTH3_TAR", "Other Level 3 qualifications (generally expected to be included in the tariff)",
            when: .any([
                .oneOf(.solink, "1"),
                .oneOf(.qualent3, "P47", "P50", "P54", "P64", "P65", "P68", "P69", "P91", "P93", "P94"),
            ])),
        .value(
            "OTH3_POSSTAR", "Other Level 3 qualifications (may or may not be included in the tariff)",
            when: .oneOf(.qualent3, "P41", "P42", "P46", "P80")),
        .value(
            "OTH3_NOTAR", "Other Level 3 qualifications (not generally expected to be included in the tariff)",
            when: .oneOf(.qualent3, "P51", "P53", "P70", "P92")),
        .value("NONE", "No formal qualifications", when: .oneOf(.qualent3, "X02", "X03", "X05")),
        .value("OTHER", "Other qualifications", when: .oneOf(.qualent3Initial, "Q", "R")),
        .value("UNKNOWN", "Unknown entry qualifications", when: .otherwise)
    )

    /// EQPOP (column AI, paragraph 31): the full-time improving retention
    /// population, less two exclusions of students with Level 3 qualifications
    /// that should have tariff points. Column AI, not the paragraph's AL (ruling R1).
    static let eqpop = Rule(
        .eqpop, "Full-time improving retention allocation population", paragraph: "31", rulings: ["R1", "R8"],
        .value(
            "1", "Included in full-time improving retention allocation population",
            when: .all(
                Condition.retentionPopulation + [
                    .unless(.matureTariffExclusion),
                    .unless(.unlinkedTariffExclusion),
                ])),
        .value(
            "0",
            "Not included: \(Parameter.tariffExclusionAge.text) years old on or before \(Parameter.linkageAgeDate.text) "
                + "and have Level 3 qualifications "
                + "that we would expect to generate tariff points",
            when: .all(Condition.retentionPopulation + [.matureTariffExclusion])),
        .value(
            "0",
            "Not included: less than \(Parameter.tariffExclusionAge.text) years old on \(Parameter.linkageAgeDate.text) "
                + "and have Level 3 qualifications "
                + "but we have not been able to make a link",
            when: .all(Condition.retentionPopulation + [.unlinkedTariffExclusion])),
        .value("0", "Not included in full-time improving retention allocation population: otherwise", when: .otherwise)
    )

    /// UGLEVEL (column AK, paragraph 32): undergraduates aiming for a first
    /// degree, and other undergraduates.
    static let uglevel = Rule(
        .uglevel, "Undergraduates aiming for a first degree", paragraph: "32",
        .value(
            "OUG", "Other undergraduate",
            when: .all([
                .oneOf(.heflevel, "UG"),
                .oneOf(.hefqaim, "DIPHE", "CERTED", "FOUDEG", "FDBC", "DET", "DTLLS", "HNC", "HND", "UGOTHER"),
            ])),
        .value(
            "FIRST", "Undergraduate aiming for a first degree",
            when: .all([.oneOf(.heflevel, "UG"), .noneOf(.hefqaim, "OTHER")])),
        .value("OTHER", "Not an undergraduate", when: .otherwise)
    )

    /// EQGRP (column AJ, paragraphs 33–35): the entry-qualification risk
    /// group. The first row that holds wins, in the tables' order (ruling
    /// R12); Y_F_L's two bracketed clauses are read as OR (ruling R12); every
    /// condition on an empty SOTARIFF is false (ruling R10); empty when
    /// UGLEVEL = OTHER (ruling R12).
    static let eqgrp = Rule(
        .eqgrp, "Entry qualification risk group", paragraph: "33-35", rulings: ["R10", "R12"],
        .value(
            "Y_F_L", "Young, first degree, low risk",
            when: .all([
                .firstDegree, .young,
                .any([
                    .oneOf(.soentqual, "L3_COMB", "HEPG", "HEOUG", "HEFD", "BACC"),
                    .all([.otherLevel3, .atLeast(.sotariff, Parameter.youngFirstDegreeLowRisk.value)]),
                ]),
            ])),
        .value(
            "Y_F_M", "Young, first degree, medium risk",
            when: .all([
                .firstDegree, .young,
                .any([
                    .all([
                        .otherLevel3,
                        .any([
                            .between(
                                .sotariff, Parameter.youngFirstDegreeHighRisk.value + 1,
                                Parameter.youngFirstDegreeLowRisk.value - 1),
                            .equals(.sotariff, 0),
                        ]),
                    ]),
                    .oneOf(.soentqual, "FOU"),
                ]),
            ])),
        .value(
            "Y_F_H", "Young, first degree, high risk",
            when: .all([
                .firstDegree, .young,
                .any([
                    .all([.otherLevel3, .between(.sotariff, 1, Parameter.youngFirstDegreeHighRisk.value)]),
                    .oneOf(.soentqual, "ACCESS", "BTEC", "OTHER", "NONE"),
                ]),
            ])),
        .value("Y_F_U", "Young, first degree, unknown", when: .all([.firstDegree, .young])),
        .value(
            "M_F_L", "Mature, first degree, low risk",
            when: .all([
                .firstDegree, .mature,
                .any([
                    .all([.oneOf(.soentqual, "L3_COMB"), .oneOf(.sogradecomb, "ACC_BBC+")]),
                    .all([.otherLevel3, .atLeast(.sotariff, Parameter.matureFirstDegreeLowRisk.value)]),
                    .oneOf(.soentqual, "HEPG", "HEOUG", "HEFD"),
                ]),
            ])),
        .value(
            "M_F_M", "Mature, first degree, medium risk",
            when: .all([
                .firstDegree, .mature,
                .any([
                    .all([.oneOf(.soentqual, "L3_COMB"), .oneOf(.sogradecomb, "BCC_CCC")]),
                    .all([.otherLevel3, .atMost(.sotariff, Parameter.matureFirstDegreeLowRisk.value - 1)]),
                    .oneOf(.soentqual, "BACC", "ACCESS", "FOU"),
                ]),
            ])),
        .value(
            "M_F_H", "Mature, first degree, high risk",
            when: .all([.firstDegree, .mature, .oneOf(.soentqual, "BTEC", "OTHER", "NONE")])),
        .value("M_F_U", "Mature, first degree, unknown", when: .all([.firstDegree, .mature])),
        .value(
            "Y_O_L", "Young, other undergraduate, low risk",
            when: .all([
                .otherUndergraduate, .young,
                .any([
                    .oneOf(.soentqual, "L3_COMB", "HEPG", "HEOUG", "HEFD"),
                    .all([.otherLevel3, .atLeast(.sotariff, Parameter.youngOtherLowRisk.value)]),
                ]),
            ])),
        .value(
            "Y_O_M", "Young, other undergraduate, medium risk",
            when: .all([
                .otherUndergraduate, .young,
                .any([
                    .all([
                        .otherLevel3,
                        .between(.sotariff, Parameter.youngOtherHighRisk.value + 1, Parameter.youngOtherLowRisk.value - 1),
                    ]),
                    .oneOf(.soentqual, "BACC", "FOU", "ACCESS"),
                ]),
            ])),
        .value(
            "Y_O_H", "Young, other undergraduate, high risk",
            when: .all([
                .otherUndergraduate, .young,
                .any([
                    .all([.otherLevel3, .atMost(.sotariff, Parameter.youngOtherHighRisk.value)]),
                    .oneOf(.soentqual, "BTEC", "OTHER", "NONE"),
                ]),
            ])),
        .value("Y_O_U", "Young, other undergraduate, unknown", when: .all([.otherUndergraduate, .young])),
        .value(
            "M_O_L", "Mature, other undergraduate, low risk",
            when: .all([
                .otherUndergraduate, .mature,
                .any([
                    .oneOf(.soentqual, "L3_COMB", "HEPG", "HEOUG", "HEFD", "ACCESS"),
                    .all([.otherLevel3, .atLeast(.sotariff, Parameter.matureOtherLowRisk.value)]),
                ]),
            ])),
        .value(
            "M_O_M", "Mature, other undergraduate, medium risk",
            when: .all([
                .otherUndergraduate, .mature,
                .any([
                    .all([.otherLevel3, .between(.sotariff, 1, Parameter.matureOtherLowRisk.value - 1)]),
                    .oneOf(.soentqual, "FOU"),
                ]),
            ])),
        .value(
            "M_O_H", "Mature, other undergraduate, high risk",
            when: .all([
                .otherUndergraduate, .mature,
                .any([
                    .oneOf(.soentqual, "BACC", "BTEC", "OTHER", "NONE"),
                    .all([.otherLevel3, .equals(.sotariff, 0)]),
                ]),
            ])),
        .value("M_O_U", "Mature, other undergraduate, unknown", when: .all([.otherUndergraduate, .mature])),
        .empty("Not an undergraduate (UGLEVEL = OTHER)", when: .otherwise)
    )
}
