import Foundation
import SOAllocRules

/// One provider's run as the workbook and the HTML report present it: what
/// was read, what was found and the money.
struct Presentation {
    /// The provider: `UKPRN 10001234`, or words saying the records name more than one.
    var provider: String
    var inputs: [Provenance.Input]
    var tally: Tally
    var cells: CellTable
    var method: Method
    var allocations: Allocations
    var hefce: HEFCESide
    /// The run's options by command-line name, but for the output folder and
    /// the number of jobs, so that the same run written elsewhere, or with
    /// more threads, presents the same.
    var options: [(String, String)]

    init(
        provider: String?, inputs: [Provenance.Input], tally: Tally, cells: CellTable, method: Method,
        allocations: Allocations, hefce: HEFCESide, options: [String: String]
    ) {
        self.provider = provider.map { "UKPRN \($0)" } ?? "records of more than one UKPRN"
        self.inputs = inputs
        self.tally = tally
        self.cells = cells
        self.method = method
        self.allocations = allocations
        self.hefce = hefce
        self.options = options.filter { $0.key != "out" && $0.key != "jobs" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// What to do when a rate is not set, in one sentence, as the workbook and the report say it.
    static let nextStep =
        "Type each rate and weight from your SO14 workbook on the Inputs sheet of summary.xlsx, and the allocations"
        + " follow; or save the method with `soalloc method show > my-method.yaml`, fill it in, and run"
        + " `soalloc FILE --method my-method.yaml` (or `--rate retention=POUNDS` to try a rate)."

    /// The derived fields with differences from HEFCE's values, most first.
    var differencesByField: [(field: String, count: Int)] {
        Slot.derived.indices.filter { tally.differences[$0] > 0 }
            .map { (Slot.derived[$0].name, tally.differences[$0]) }
            .sorted { $0.count > $1.count || ($0.count == $1.count && $0.field < $1.field) }
    }

    /// The data-quality checks that found something, most first.
    var findingsByCheck: [(check: Check, count: Int)] {
        Check.allCases.filter { tally.findings[$0.index] > 0 }
            .map { ($0, tally.findings[$0.index]) }
            .sorted { $0.count > $1.count || ($0.count == $1.count && $0.check.rawValue < $1.check.rawValue) }
    }

    /// The run's provenance as item and value pairs, without the time.
    var provenance: [(String, String)] {
        var items = [("soalloc", SOAlloc.version), ("provider", provider)]
        for input in inputs {
            items += [("input", input.name), ("input size (bytes)", String(input.size)), ("input SHA-256", input.sha256)]
        }
        items += [
            ("records", String(tally.records)), ("method", method.name), ("method origin", method.origin),
            ("method SHA-256", method.sha256),
        ]
        items += options.map { ("option --\($0.0)", $0.1) }
        return items
    }
}

extension Presentation {
    /// `text` as XML 1.0 allows it, for the report and the workbook: NUL as
    /// U+2400 (as the CSV files show it), and the other control characters
    /// but tab, line feed and carriage return as U+FFFD. Bytes that were not
    /// UTF-8 are U+FFFD already.
    static func markupText(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0xFFFE || $0.value == 0xFFFF })
        else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0: result.append("\u{2400}")
            case 0x09, 0x0A, 0x0D: result.append(scalar)
            case 0..<0x20, 0xFFFE, 0xFFFF: result.append("\u{FFFD}")
            default: result.append(scalar)
            }
        }
        return String(result)
    }
}
