// Improving provision for disabled students: paragraphs 8–11 of the technical document.

extension Condition {
    /// The DSA domiciles: England, Northern Ireland, Scotland, Wales, UK not
    /// otherwise specified (ruling R8).
    static let ukDomicile = Condition.oneOf(.domicile, "XF", "XG", "XH", "XI", "XK")

    /// The mode and intensity test shared by UGDSA and PGDSA: full-time, or
    /// part-time at 50% FTE or more (started before 1 September 2012) or 25%
    /// or more (started on or after it). Ruling R8: FTS or PT only, not SWOUT.
    /// Ruling R7: a missing start date fails both date tests. Ruling R6: FTE is
    /// a percentage.
    static let dsaModeAndIntensity = Condition.any([
        .oneOf(.hefmode, "FTS"),
        .all([
            .oneOf(.hefmode, "PT"),
            .any([
                .all([.before(.learnstartdate, .dsaIntensityChange), .atLeast(.hefesfte, Parameter.dsaIntensityBefore.value)]),
                .all([.onOrAfter(.learnstartdate, .dsaIntensityChange), .atLeast(.hefesfte, Parameter.dsaIntensityFrom.value)]),
            ]),
        ]),
    ])
}

extension Rule {
    /// UGDSA (column Q, paragraph 8): Disabled Students' Allowance eligibility
    /// for undergraduates, including Postgraduate Initial Teacher Training.
    static let ugdsa = Rule(
        .ugdsa, "Undergraduate DSA eligibility", paragraph: "8", rulings: ["R6", "R7", "R8"],
        .value(
            "1", "Undergraduate eligible for DSA",
            when: .all([
                .ukDomicile,
                .any([.oneOf(.heflevel, "UG"), .oneOf(.hefqaim, "PGCE")]),
                .noneOf(.mstufee, "31"),
                .dsaModeAndIntensity,
            ])),
        .value("0", "Otherwise", when: .otherwise)
    )

    /// PGDSA (column R, paragraph 9): DSA eligibility for postgraduates,
    /// excluding Postgraduate Initial Teacher Training. Research council and
    /// NHS funded students (MSTUFEE 11–19, 31) are not eligible.
    static let pgdsa = Rule(
        .pgdsa, "Postgraduate DSA eligibility", paragraph: "9", rulings: ["R6", "R7", "R8"],
        .value(
            "1", "Postgraduate eligible for DSA",
            when: .all([
                .ukDomicile,
                .oneOf(.heflevel, "PGT", "PGT_UGF"),
                .noneOf(.hefqaim, "PGCE"),
                .noneOf(.mstufee, "11", "12", "13", "14", "15", "16", "17", "18", "19", "31"),
                .dsaModeAndIntensity,
            ])),
        .value("0", "Otherwise", when: .otherwise)
    )

    /// DISPOP (column O, paragraph 10): the denominator of the disability
    /// allocation proportion — fundable home students who completed the year
    /// and are eligible for DSA.
    static let dispop = Rule(
        .dispop, "Inclusion in denominator of disability allocation proportion", paragraph: "10",
        .value(
            "1", "Included in the denominator of the disability allocation proportion",
            when: .all([
                .oneOf(.hefcomp, "4"),
                .oneOf(.hefexcl, "0"),
                .oneOf(.heftype, "HOMEF"),
                .any([.oneOf(.ugdsa, "1"), .oneOf(.pgdsa, "1")]),
            ])),
        .value("0", "Otherwise", when: .otherwise)
    )

    /// DISALLOC (column P, paragraph 11): the numerator of the disability
    /// allocation proportion — students in DISPOP who receive DSA.
    static let disalloc = Rule(
        .disalloc, "Inclusion in numerator of disability allocation proportion", paragraph: "11",
        .value(
            "1", "Included in the numerator of the disability allocation proportion",
            when: .all([.oneOf(.dispop, "1"), .oneOf(.learnfamcodeDLA, "1")])),
        .value("0", "Otherwise", when: .otherwise)
    )
}
