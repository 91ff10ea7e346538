import Foundation
import Glibc
import SOAllocRules

/// Which records `soalloc explain` explains.
public enum RecordSelection: Sendable, Equatable {
    /// The data record with this 1-based number.
    case row(Int)
    /// Every record of a learner, or of one of their aims.
    case learner(String, aim: String?)
}

/// One explained record.
public struct RecordExplanation: Sendable, Equatable {
    public var row: Int
    public var line: Int
    /// UKPRN, LEARNREFNUMBER, AIMSEQNUMBER, STUBID as in the file.
    public var identifiers: [String]
    public var fields: [FieldExplanation]
}

/// `soalloc explain`: finds records and explains every derived field of each.
public enum ExplainRun {
    public struct Options: Sendable {
        public var input: String
        public var selection: RecordSelection
        public var method: String?
        public var quals: String?
        public var postcodes: String?
        /// The derived fields to show; all when empty.
        public var fields: [Slot]

        public init(input: String, selection: RecordSelection, method: String? = nil, quals: String? = nil,
            postcodes: String? = nil, fields: [Slot] = [])
        {
            self.input = input
            self.selection = selection
            self.method = method
            self.quals = quals
            self.postcodes = postcodes
            self.fields = fields
        }
    }

    /// The derived field named `name`, in any case, or a usage error naming them all.
    public static func field(named name: String) throws -> Slot {
        let wanted = name.trimmingSpaces().uppercased()
        guard let slot = Slot.derived.first(where: { $0.name == wanted }) else {
            throw Failure.usage(
                "--field \(name): not a derived field; the derived fields are "
                    + Slot.derived.map(\.name).joined(separator: ", "))
        }
        return slot
    }

    /// Reads the file and explains the selected records. Throws `Failure` for
    /// the errors a run would report, and a usage error when nothing matches.
    public static func explain(_ options: Options) throws -> [RecordExplanation] {
        let method = try Method.load(options.method)
        let sideFiles = try SideFiles(quals: options.quals, postcodes: options.postcodes, method: method)
        var state: (layout: Layout, deriver: RecordDeriver, explainer: Explainer, comparison: Comparison)?
        let reconciler = Reconciler()
        var records = 0
        var found: [RecordExplanation] = []
        try RecordStream.reading(options.input) { stream in
            try stream.forEach(
                layout: { layout, _ in
                    state = (
                        layout, RecordDeriver(layout: layout, sideFiles: sideFiles), Explainer(), Comparison(layout: layout)
                    )
                },
                record: { record, row, _ in
                    records = row
                    guard matches(record, row: row, options.selection, state!.layout) else { return }
                    var facts = Facts()
                    state!.deriver.load(record, into: &facts)
                    var fields = state!.explainer.explain(record, state!.layout, &facts)
                    // The explanation derived `facts`; HEFCE's values and the reasons they differ are set beside ours.
                    let layout = state!.layout
                    var theirs = Facts()
                    let differing = state!.comparison.compare(record, facts, into: &theirs)
                    for index in fields.indices {
                        guard let position = fields[index].field.column.flatMap(layout.position(of:)) else { continue }
                        fields[index].hefce = TerminalText.escape(record[position])
                        guard differing & (1 << UInt32(index)) != 0 else { continue }
                        fields[index].reason = reconciler.reason(rule: index, ours: facts, theirs: theirs) { column in
                            layout.position(of: column).map { TerminalText.escape(record[$0]) }
                        }
                    }
                    if !options.fields.isEmpty { fields = fields.filter { options.fields.contains($0.field) } }
                    found.append(
                        RecordExplanation(
                            row: row, line: record.line,
                            identifiers: Column.identifiers.map {
                                TerminalText.escape(record[layout.position(of: $0)!])
                            },
                            fields: fields))
                })
        }
        guard !found.isEmpty else {
            switch options.selection {
            case .row(let number):
                throw Failure.usage("\(options.input) has \(records) records; there is no record \(number)")
            case .learner(let learner, let aim):
                throw Failure.usage(
                    "\(options.input) has no record with LEARNREFNUMBER \(learner)"
                        + (aim.map { " and AIMSEQNUMBER \($0)" } ?? ""))
            }
        }
        return found
    }

    private static func matches(_ record: RawRecord, row: Int, _ selection: RecordSelection, _ layout: Layout) -> Bool {
        switch selection {
        case .row(let number):
            return row == number
        case .learner(let learner, let aim):
            // As codes are compared: letters in any case.
            let reference = record.text(layout.position(of: .learnrefnumber)!)
            guard reference.uppercased() == learner.trimmingSpaces().uppercased() else { return false }
            guard let aim else { return true }
            var text = aim.trimmingSpaces()
            let wanted = text.withUTF8 { FieldParsing.numericCode($0) }
            let found = FieldParsing.numericCode(record[layout.position(of: .aimseqnumber)!])
            return Value.isKnown(wanted) ? found == wanted : record.text(layout.position(of: .aimseqnumber)!) == text
        }
    }
}

/// Explanations as text for people: aligned, one block per field, within 80 columns.
public enum ExplanationText {
    static let width = 80

    public static func render(_ records: [RecordExplanation], file: String) -> String {
        records.map { render($0, file: file) }.joined(separator: "\n")
    }

    static func render(_ record: RecordExplanation, file: String) -> String {
        var lines = ["Record \(record.row) (line \(record.line)) of \(file)"]
        let names = Column.identifiers.map(\.name)
        lines += wrap(zip(names, record.identifiers).map { "\($0) \($1)" }.joined(separator: "  "), indent: 2)
        for field in record.fields {
            lines.append("")
            let value = "\(field.field.name) = \(shown(field.value))"
            switch (field.hefce, field.reason) {
            case (nil, _):
                lines.append(value)
            case (let hefce?, nil):
                lines.append(value + "   HEFCE's value \(shown(hefce)): the same")
            case (let hefce?, let reason?):
                lines.append(value + "   HEFCE's value \(shown(hefce)): ✘ differs")
                lines += wrap("cause: " + reason.causeText, indent: 2, hanging: 9)
                lines += wrap("HEFCE's value needs: " + reason.hefceNeeds.text, indent: 2, hanging: 6)
            }
            lines += wrap("by " + field.clause, indent: 2, hanging: 5)
            lines += outcome(field.because, indent: 4)
            for rejected in field.rejected {
                lines += wrap("not " + rejected.clause, indent: 2, hanging: 6)
                lines += wrap(line(rejected.failure), indent: 6, hanging: 8)
            }
        }
        return TerminalText.lines(lines) + "\n"
    }

    static func shown(_ value: String) -> String { value.isEmpty ? "(empty)" : value }

    /// The lines of a condition's outcome: one per condition, composites
    /// with their parts indented beneath.
    static func outcome(_ outcome: ConditionOutcome, indent: Int) -> [String] {
        switch outcome.kind {
        case .test, .not:
            return wrap(line(outcome), indent: indent, hanging: indent + 2)
        case .all, .any:
            if outcome.parts.isEmpty { return wrap("otherwise", indent: indent) }
            return [String(repeating: " ", count: indent) + (outcome.kind == .all ? "all of " : "one of ") + mark(outcome)]
                + outcome.parts.flatMap { Self.outcome($0, indent: indent + 2) }
        }
    }

    /// `HEFCOMP = 4 ✔ (4)`: the condition, whether it held, the values it read.
    static func line(_ outcome: ConditionOutcome) -> String {
        let values = outcome.inputs.map { $0.value.isEmpty ? "empty" : $0.value }
        let shown =
            outcome.inputs.count == 1 ? values[0] : zip(outcome.inputs, values).map { "\($0.name) \($1)" }.joined(separator: ", ")
        return "\(outcome.text) \(mark(outcome))" + (outcome.inputs.isEmpty ? "" : " (\(shown))")
    }

    static func mark(_ outcome: ConditionOutcome) -> String { outcome.holds ? "✔" : "✘" }

    /// Words wrapped to the width, the first line at `indent`, the rest at `hanging`.
    static func wrap(_ text: String, indent: Int, hanging: Int? = nil) -> [String] {
        var lines: [String] = []
        var current = String(repeating: " ", count: indent)
        var empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !empty && current.count + 1 + word.count > width {
                lines.append(current)
                current = String(repeating: " ", count: hanging ?? indent) + word
            } else {
                current += (empty ? "" : " ") + word
            }
            empty = false
        }
        lines.append(current)
        return lines
    }
}

/// Explanations as JSON for programs: an array of records, each with `row`,
/// its identifiers, and `fields` mapping each field to its value, clause and
/// the conditions behind it.
public enum ExplanationJSON {
    struct Record: Encodable {
        var row: Int
        var ukprn: String
        var learnrefnumber: String
        var aimseqnumber: String
        var stubid: String
        var fields: [String: Field]
    }

    struct Field: Encodable {
        var value: String
        var clause: String
        var because: [Because]
        /// HEFCE's value in the file; absent when the file has no such column.
        var hefce: String?
        var differs: Bool?
        var cause: String?
        var hefceNeeds: String?

        enum CodingKeys: String, CodingKey {
            case value, clause, because, hefce, differs, cause
            case hefceNeeds = "hefce_needs"
        }
    }

    struct Because: Encodable {
        var condition: String
        var holds: Bool
        var inputs: [String: String]
    }

    public static func render(_ records: [RecordExplanation]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let values = records.map { record in
            Record(
                row: record.row, ukprn: record.identifiers[0], learnrefnumber: record.identifiers[1],
                aimseqnumber: record.identifiers[2], stubid: record.identifiers[3],
                fields: Dictionary(uniqueKeysWithValues: record.fields.map { ($0.field.name, field($0)) }))
        }
        return String(decoding: try encoder.encode(values), as: UTF8.self) + "\n"
    }

    /// The first failure of each clause above the deciding one, then every
    /// condition the deciding clause tested.
    static func field(_ explanation: FieldExplanation) -> Field {
        let rejected = explanation.rejected.map { rejected in
            Because(
                condition: "\(rejected.clause) needs \(rejected.failure.text)", holds: false,
                inputs: inputs(rejected.failure))
        }
        let tested = leaves(explanation.because).map {
            Because(condition: $0.text, holds: $0.holds, inputs: inputs($0))
        }
        return Field(
            value: explanation.value, clause: explanation.clause, because: rejected + tested, hefce: explanation.hefce,
            differs: explanation.hefce.map { _ in explanation.reason != nil }, cause: explanation.reason?.causeText,
            hefceNeeds: explanation.reason?.hefceNeeds.text)
    }

    static func leaves(_ outcome: ConditionOutcome) -> [ConditionOutcome] {
        switch outcome.kind {
        case .test, .not: [outcome]
        case .all, .any: outcome.parts.flatMap(leaves)
        }
    }

    static func inputs(_ outcome: ConditionOutcome) -> [String: String] {
        Dictionary(outcome.inputs.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}

extension Explainer {
    /// Explains a record read by `layout`: the file's text of each input as
    /// the record has it, escaped for the terminal.
    func explain(_ record: RawRecord, _ layout: Layout, _ facts: inout Facts) -> [FieldExplanation] {
        explain(&facts) { column in layout.position(of: column).map { TerminalText.escape(record[$0]) } }
    }
}
