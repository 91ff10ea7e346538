// Widening access for students from disadvantaged backgrounds: paragraphs 12–18.

extension Condition {
    /// The conditions every widening access population shares (paragraph 17).
    static let wideningAccessBase: [Condition] = [
        .oneOf(.exclpc, "N"),
        .ukDomicile,
        .oneOf(.heftype, "HOMEF"),
        .oneOf(.hefcomp, "4"),
        .oneOf(.hefexcl, "0"),
    ]

    /// An undergraduate entrant: WAPOP's conditions after the age test.
    static let undergraduateEntrant: [Condition] = [.oneOf(.soentrant, "1"), .oneOf(.heflevel, "UG")]

    /// Young (under 21) and mature, by SOENTRYAGE; WAPOP and EQGRP share them.
    static let young = Condition.below(.soentryage, Parameter.matureEntryAge.value)
    static let mature = Condition.atLeast(.soentryage, Parameter.matureEntryAge.value)
}

extension Rule {
    /// SOENTRANT (column W, paragraph 12): students in the first year of their
    /// programme of study. Ruling R7: on or after 1 August 2014; a missing or
    /// invalid start date is not an entrant.
    static let soentrant = Rule(
        .soentrant, "Students in their first year of programme of study", paragraph: "12", rulings: ["R7"],
        .value("1", "Entrant", when: .onOrAfter(.learnstartdate, .entrantsFrom)),
        .value("0", "Otherwise", when: .otherwise)
    )

    /// SOENTRYAGE (column X, paragraphs 13–14): full years between
    /// DATEOFBIRTH and LEARNSTARTDATE (ruling R5), zero when either is missing
    /// (paragraph 14, ruling R4). An age is never negative: a date of birth
    /// after the start date also gives zero, and is reported.
    static let soentryage = Rule(
        .soentryage, "Student's age on commencement of programme of study", paragraph: "13-14",
        rulings: ["R4", "R5"],
        .value(
            "0", "DATEOFBIRTH or LEARNSTARTDATE is missing (paragraph 14)",
            when: .any([.missing(.dateofbirth), .missing(.learnstartdate)])),
        .value(
            "0", "DATEOFBIRTH is after LEARNSTARTDATE", when: .after(.dateofbirth, .learnstartdate),
            check: .birthAfterStart),
        .computed(
            .age(from: .dateofbirth, to: .learnstartdate), "full years",
            "Full years between DATEOFBIRTH and LEARNSTARTDATE", when: .otherwise)
    )

    /// HIGHQUAL (column V, paragraph 15): 1 when the student has not already
    /// obtained their qualification aim or a higher one. `QUALENT3*` is the
    /// first character of QUALENT3 (ruling R8); C90 and X04, X06 are the
    /// table's exceptions.
    static let highqual = Rule(
        .highqual, "Not previously obtained the qualification aim or a higher one", paragraph: "15",
        rulings: ["R8"],
        .value(
            "1", "Student has not previously obtained their qualification aim or a higher qualification aim",
            when: .any([
                .all([.oneOf(.qualent3Initial, "J"), .oneOf(.hefqaim, "FIRST")]),
                .all([
                    .oneOf(.qualent3Initial, "C"), .noneOf(.qualent3, "C90"),
                    .oneOf(.hefqaim, "FIRST", "DIPHE", "CERTED", "FOUDEG", "FDBC", "DET", "DTLLS", "HND"),
                ]),
                .all([
                    .oneOf(.qualent3, "C90"),
                    .oneOf(.hefqaim, "FIRST", "DIPHE", "CERTED", "FOUDEG", "FDBC", "DET", "DTLLS", "HNC", "HND"),
                ]),
                .all([.oneOf(.qualent3Initial, "P", "Q", "R", "X"), .noneOf(.qualent3, "X04", "X06")]),
            ])),
        .value("0", "Otherwise", when: .otherwise)
    )

    /// WAPOP (column S, paragraph 17): the widening access population —
    /// young full-time, mature full-time or part-time entrants. Ruling R8: the
    /// UK domiciles XF, XG, XH, XI, XK.
    static let wapop = Rule(
        .wapop, "Inclusion in a widening access population", paragraph: "17", rulings: ["R8"],
        .value(
            "1", "Included in young full-time widening access allocation population",
            when: .all(
                Condition.wideningAccessBase + [.young] + Condition.undergraduateEntrant + [.oneOf(.hefmode, "FTS")])),
        .value(
            "2", "Included in mature full-time widening access allocation population",
            when: .all(
                Condition.wideningAccessBase + [.mature] + Condition.undergraduateEntrant + [.oneOf(.hefmode, "FTS")])),
        .value(
            "3", "Included in the part-time widening access allocation population",
            when: .all(Condition.wideningAccessBase + Condition.undergraduateEntrant + [.oneOf(.hefmode, "PT")])),
        .value("0", "Otherwise", when: .otherwise)
    )

    /// WAQUIN (column T, paragraph 18): the participation (POLAR3, WAPOP 1) or
    /// educational attainment (WAPOP 2, 3) quintile of the student's home.
    /// Ruling R9: empty outside the populations; 5 for mature and part-time
    /// students with HIGHQUAL = 0; otherwise the quintile of the student's
    /// postcode from the lookup file when one is given (`--postcodes`), else
    /// the quintile already in the file, else empty (unknown, and reported).
    static let waquin = Rule(
        .waquin, "Participation or educational attainment quintile", paragraph: "18", rulings: ["R9"],
        .empty("Not in a widening access population", when: .oneOf(.wapop, "0")),
        .value(
            "5", "Mature or part-time with a qualification at or above the aim, or unknown (HIGHQUAL = 0)",
            when: .all([.oneOf(.wapop, "2", "3"), .oneOf(.highqual, "0")])),
        .computed(
            .copy(.postcodePOLAR3), "the POLAR3 quintile", "Young participation quintile of the postcode, from the lookup",
            when: .all([.oneOf(.wapop, "1"), .known(.postcodePOLAR3, "the lookup has a POLAR3 quintile for POSTCODEPRIOR")])),
        .computed(
            .copy(.postcodeAttainment), "the attainment quintile",
            "Educational attainment quintile of the postcode, from the lookup",
            when: .all([
                .oneOf(.wapop, "2", "3"),
                .known(.postcodeAttainment, "the lookup has an attainment quintile for POSTCODEPRIOR"),
            ])),
        .empty(
            "No quintile for the postcode in the lookup", when: .oneOf(.postcodeLookup, "1"),
            check: .postcodeQuintileUnknown),
        .computed(
            .copy(.fileWAQUIN), "the file's WAQUIN", "Quintile of the student's postcode, from the file",
            when: .between(.fileWAQUIN, 1, 5)),
        .empty("No quintile known", when: .otherwise, check: .waquinUnavailable)
    )
}
