import SOAllocRules

/// An allocation element: one of the targeted allocations.
///
/// Every element is declared once, in `Element.all`: its names, its
/// population, its groups and cells and which record goes in which cell, the
/// layout of its finance table, and what the default method says of it. The
/// cells, the method file, the finance tables, the summary, the workbook, the
/// report, `providers.csv` and `exclusions.csv` all read this table, and no
/// other source names an element.
public struct Element: Sendable, Hashable {
    /// Position in `Element.all`.
    public let index: Int
    /// The name in `cells.csv`, `summary.csv` and `providers.csv`.
    public let name: String
    /// The heading in the report.
    public let title: String
    /// The name of its sheet in the workbook.
    public let sheetName: String
    /// The derived field that puts a record in or out of the element's
    /// population (its reason is a column of `exclusions.csv`).
    public let population: Slot
    /// The groups of the population, each with its cells, in `cells.csv` order.
    public let groups: [Group]
    /// How the element's finance table lays its cells out.
    public let layout: FinanceLayout
    /// What the default method says of the element.
    let defaults: Defaults

    /// The key of the element in the method file.
    public var methodKey: String { name.lowercased() }

    /// The finance table's file: `widening_access.csv`.
    public var fileName: String { methodKey + ".csv" }

    /// The cells of the element, in `cells.csv` order.
    public var cells: [Cell] { Array(Cell.all[Cell.ranges[index]]) }

    /// The cells a method weighs: all of them, but for a proportion, whose
    /// first group is only its denominator, the cells of the others.
    public var weighable: [Cell] {
        if case .proportion = layout { return groups.dropFirst().flatMap(\.cells) }
        return cells
    }

    public static func == (left: Element, right: Element) -> Bool { left.index == right.index }
    public func hash(into hasher: inout Hasher) { hasher.combine(index) }

    /// A group of an element's population: the records whose `field` has
    /// `value`, placed in one of its cells by `placement`.
    public struct Group: Sendable {
        /// Its line in the printed summary.
        public let label: String
        /// Its column in `providers.csv`.
        public let column: String
        /// Its row in the finance table.
        public let title: String
        let field: Slot
        let value: Int64
        /// The cells' names, with `prefix` and an underscore before each label.
        let prefix: String?
        /// The labels of its cells: the finance table's columns.
        public let labels: [String]
        let placement: Placement
    }

    /// How a member of a group finds its cell.
    enum Placement: Sendable {
        /// The group has one cell.
        case only
        /// By a number: 1 is the first cell, and so on; anything else is the last cell.
        case number(Slot)
        /// By a code: the cell of the label the code names; anything else is the last cell.
        case code(Slot)
    }

    /// How an element's finance table lays out its cells.
    public enum FinanceLayout: Sendable {
        /// The second group's headcount and FTE as a proportion of the first's.
        case proportion
        /// One row per group and measure, one column per label, and a total.
        /// The report charts each group's headcount by label under `chart`.
        case grid(chart: String)
        /// One row per cell with its weight and weighted volume, and a total.
        /// The report charts every cell's FTE under `chart`.
        case weighted(chart: String)
    }

    /// The default method's entry for the element.
    struct Defaults: Sendable {
        let basis: Basis
        let source: String
        let rateSource: String
        /// The cells the default method weighs (each 1); nil for all of them.
        let weighted: [String]?
    }
}

extension Element {
    /// Improving provision for disabled students (paragraphs 8–11).
    public static let disability = Element(
        index: 0, name: "DISABILITY", title: "Disabled students", sheetName: "Disability", population: .dispop,
        groups: [
            Group(
                label: "disability denominator (DISPOP = 1)", column: "DISPOP", title: "DISPOP", field: .dispop, value: 1,
                prefix: nil, labels: ["DISPOP"], placement: .only),
            Group(
                label: "disability numerator (DISALLOC = 1)", column: "DISALLOC", title: "DISALLOC", field: .disalloc,
                value: 1, prefix: nil, labels: ["DISALLOC"], placement: .only),
        ],
        layout: .proportion,
        defaults: Defaults(
            basis: .headcount, source: "Students in receipt of DSA (DISALLOC = 1)",
            rateSource: "the 2016-17 sector total for disabled students was £40m", weighted: ["DISALLOC"]))

    /// Widening access for students from disadvantaged backgrounds (paragraphs 12–18).
    public static let wideningAccess = Element(
        index: 1, name: "WIDENING_ACCESS", title: "Widening access", sheetName: "WideningAccess", population: .wapop,
        groups: [
            ("young full-time WA (WAPOP = 1)", "Young full-time (WAPOP 1)"),
            ("mature full-time WA (WAPOP = 2)", "Mature full-time (WAPOP 2)"),
            ("part-time WA (WAPOP = 3)", "Part-time (WAPOP 3)"),
        ].enumerated().map { offset, names in
            Group(
                label: names.0, column: "WAPOP\(offset + 1)", title: names.1, field: .wapop, value: Int64(offset + 1),
                prefix: "WAPOP\(offset + 1)", labels: ["Q1", "Q2", "Q3", "Q4", "Q5", "UNKNOWN"],
                placement: .number(.waquin))
        },
        layout: .grid(chart: "Headcount by quintile"),
        defaults: Defaults(
            basis: .headcount, source: "Entrants in the widening access populations, by quintile",
            rateSource: "the 2016-17 sector total for widening access was £54m", weighted: nil))

    /// Improving retention (paragraphs 19–35): the risk groups in the
    /// allocation tables' order, first degree and other undergraduate before
    /// age, then NONE for a record of the population without a group.
    public static let retention = Element(
        index: 2, name: "RETENTION", title: "Improving retention", sheetName: "Retention", population: .eqpop,
        groups: [
            Group(
                label: "retention population (EQPOP = 1)", column: "EQPOP", title: "EQPOP", field: .eqpop, value: 1,
                prefix: nil,
                labels: [
                    "Y_F_L", "Y_F_M", "Y_F_H", "Y_F_U", "Y_O_L", "Y_O_M", "Y_O_H", "Y_O_U",
                    "M_F_L", "M_F_M", "M_F_H", "M_F_U", "M_O_L", "M_O_M", "M_O_H", "M_O_U", "NONE",
                ],
                placement: .code(.eqgrp))
        ],
        layout: .weighted(chart: "FTE by risk group"),
        defaults: Defaults(
            basis: .fte, source: "Full-time retention population (EQPOP = 1), by risk group",
            rateSource: "the 2016-17 sector total for improving retention was about £279m", weighted: nil))

    /// Every element, in the order of every output.
    public static let all: [Element] = [disability, wideningAccess, retention]
}

/// A cell of the allocation tables: the place HEFCE puts a student.
public struct Cell: Sendable, Hashable {
    public let element: Element
    public let name: String
    /// Position in `Cell.all`.
    public let index: Int

    /// Every cell, element by element and group by group: the order of `cells.csv`.
    public static let all: [Cell] = Element.all.flatMap { element in
        element.groups.flatMap { group in group.labels.map { (element, group.cellName($0)) } }
    }.enumerated().map { Cell(element: $0.element.0, name: $0.element.1, index: $0.offset) }

    /// Each element's cells' positions in `Cell.all`.
    static let ranges: [Range<Int>] = Element.all.map { element in
        let indices = all.filter { $0.element == element }.map(\.index)
        return indices.first!..<(indices.last! + 1)
    }

    public static func named(_ name: String) -> Cell? { all.first { $0.name == name } }

    public static func == (left: Cell, right: Cell) -> Bool { left.index == right.index }
    public func hash(into hasher: inout Hasher) { hasher.combine(index) }
}

extension Element.Group {
    /// The name of the group's cell of `label`: `WAPOP1_Q1`, or the label alone.
    func cellName(_ label: String) -> String { prefix.map { "\($0)_\(label)" } ?? label }

    /// The group's cells, in order.
    public var cells: [Cell] { labels.map { Cell.named(cellName($0))! } }
}

/// The groups compiled for counting: plain values, read for every record.
struct CellPlacement: Sendable {
    let field: Slot
    let value: Int64
    /// The group's first cell in `Cell.all`, and how many it has.
    let first: Int
    let count: Int
    /// The slot that chooses the cell, if any, and whether it is a code.
    let by: Slot?
    /// For a code: the offset of each code's cell, by the code's value.
    let codeOffsets: [Int]

    static let all: [CellPlacement] = Element.all.flatMap { $0.groups.map(CellPlacement.init) }

    init(_ group: Element.Group) {
        field = group.field
        value = group.value
        first = group.cells[0].index
        count = group.labels.count
        switch group.placement {
        case .only:
            by = nil
            codeOffsets = []
        case .number(let slot):
            by = slot
            codeOffsets = []
        case .code(let slot):
            guard case .code(let vocabulary) = slot.domain else { preconditionFailure("\(slot.name) is not a code") }
            by = slot
            codeOffsets = vocabulary.names.map { name in group.labels.firstIndex(of: name) ?? group.labels.count - 1 }
        }
    }

    /// The cell of a record of the group.
    @inline(__always)
    func cell(_ facts: borrowing Facts) -> Int {
        guard let by else { return first }
        let value = facts[by]
        if codeOffsets.isEmpty {
            return first + (value >= 1 && value < Int64(count) ? Int(value) - 1 : count - 1)
        }
        return first + (Value.isKnown(value) && value < Int64(codeOffsets.count) ? codeOffsets[Int(value)] : count - 1)
    }
}

/// Where a record sits in an element, for setting HEFCE's side beside ours:
/// the groups of one field exclude each other (WAPOP is 1, 2 or 3), so a
/// record has at most one cell among them. An element has a place per
/// field its groups test: disability two (DISPOP, DISALLOC), the others one.
struct CellPlace: Sendable {
    let element: Element
    let field: Slot
    let groups: [CellPlacement]
    /// The fields that decide the record's cell here: the groups' field, then what places a member.
    let reads: [Slot]

    static let all: [CellPlace] = Element.all.flatMap { element in
        var fields: [Slot] = []
        for group in element.groups where !fields.contains(group.field) { fields.append(group.field) }
        return fields.map { field in
            let groups = element.groups.filter { $0.field == field }.map(CellPlacement.init)
            var reads = [field]
            for group in groups { if let by = group.by, !reads.contains(by) { reads.append(by) } }
            return CellPlace(element: element, field: field, groups: groups, reads: reads)
        }
    }

    /// The record's cell (its index in `Cell.all`) in this place, or nil when it is in none of its groups.
    @inline(__always)
    func cell(_ facts: borrowing Facts) -> Int? {
        for group in groups where facts[group.field] == group.value { return group.cell(facts) }
        return nil
    }
}

extension Element {
    /// The fields that put a record in the element's cells: its groups' fields and what places them.
    public var reads: [Slot] {
        var slots: [Slot] = []
        for place in CellPlace.all where place.element == self {
            for slot in place.reads where !slots.contains(slot) { slots.append(slot) }
        }
        return slots
    }
}

extension Element.Group {
    /// The group in words, for the report: its title without the code in
    /// brackets ("Young full-time"), or, for a group of one cell, what its
    /// students are.
    public var words: String {
        switch field {
        case .dispop: return "Eligible for DSA"
        case .disalloc: return "In receipt of DSA"
        default:
            guard let open = title.range(of: " (", options: .backwards), title.hasSuffix(")") else { return title }
            return String(title[..<open.lowerBound])
        }
    }

    /// A label of the group in words: "quintile 1", "quintile unknown"; for
    /// a code, the description of the rule's row that gives it
    /// ("Young, first degree, low risk"), the last cell taking the rule's
    /// empty value.
    public func words(of label: String) -> String {
        switch placement {
        case .only: return words
        case .number:
            return labels.last == label ? "quintile unknown" : "quintile " + label.drop { !$0.isNumber }
        case .code(let slot):
            let clauses = Derivation.rules.first { $0.field == slot }?.clauses ?? []
            let clause =
                clauses.first { $0.valueText == label }
                ?? (labels.last == label ? clauses.first { $0.valueText.isEmpty } : nil)
            return clause?.description ?? label
        }
    }
}

extension Cell {
    /// The cell in words, for the report: "Young full-time, quintile 1",
    /// "Young, first degree, low risk", "In receipt of DSA".
    public var words: String {
        let group = element.groups.first { $0.cells.contains(self) }!
        let label = group.labels.first { group.cellName($0) == name }!
        switch group.placement {
        case .only, .code: return group.words(of: label)
        case .number: return group.words + ", " + group.words(of: label)
        }
    }
}
