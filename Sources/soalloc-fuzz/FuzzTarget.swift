// The fuzz target: `scripts/fuzz` builds it with `-sanitize=fuzzer,address
// -DFUZZING`, and libFuzzer calls `LLVMFuzzerTestOneInput` with each input.
// Built normally, it replays inputs given as files, to reproduce a crash
// under the debugger: `swift run soalloc-fuzz crash-file`. It reaches the
// core's internal types, which only a debug build exposes (`@testable`): a
// release build of it says so and exits.
import Foundation

#if DEBUG
@testable import SOAllocCore
import SOAllocRules

/// Feeds one input through everything a run does to a record: the strict
/// reader, layout detection, loading, every derivation, the comparison with
/// HEFCE's values, the findings, the cell tables and the exclusion reasons.
/// It also explains each record and checks that the explanation agrees with
/// the fast path, so a disagreement is a crash the fuzzer reports.
/// An input starting with `#` is read as a method file instead.
func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    if bytes.first == UInt8(ascii: "#") {
        _ = try? Method(yaml: String(decoding: bytes, as: UTF8.self), origin: "fuzz")
        return
    }
    var layout: Layout?
    var deriver: RecordDeriver?
    var findings: Findings?
    var comparison: Comparison?
    var exclusions: Exclusions?
    let reconciler = Reconciler()
    var cells = CellTable()
    var scratch: [UInt8] = []
    let sink = try! CSVOutput(path: "/dev/null")
    do {
        try RecordStream(file: "fuzz", reader: CSVReader(bytes: Array(bytes))).forEach(
            layout: { found, _ in
                layout = found
                deriver = RecordDeriver(layout: found, sideFiles: SideFiles())
                findings = Findings(layout: found)
                comparison = Comparison(layout: found)
                exclusions = Exclusions(derivation: .standard, layout: found)
            }
        ) { record, row, _ in
            var facts = Facts()
            deriver!.derive(record, into: &facts)
            cells.count(facts)
            var theirs = Facts()
            var differing = comparison!.compare(record, facts, into: &theirs)
            while differing != 0 {
                let index = differing.trailingZeroBitCount
                differing &= differing - 1
                let reason = reconciler.reason(rule: index, ours: facts, theirs: theirs) { column in
                    layout!.position(of: column).map { FieldParsing.displayText(record[$0]) }
                }
                _ = (reason.causeText, reason.hefceNeeds.text, reason.hefceNeeds.pattern)
            }
            try findings!.report(record, row: row, facts) { check, _, detail in
                _ = check.message(field: "F", value: "v", detail: detail)
            }
            try exclusions!.write(record, facts, to: sink, scratch: &scratch)

            var explained = Facts()
            deriver!.load(record, into: &explained)
            let fields = Explainer().explain(record, layout!, &explained)
            for (index, field) in fields.enumerated() {
                let fast = field.field.domain.format(facts[field.field])
                precondition(field.value == fast, "\(field.field.name): explained \(field.value), fast \(fast)")
                let rule = Derivation.rules[index]
                let clause = rule.label(of: rule.clauses[Int(facts.decidedBy[index])])
                precondition(field.clause == clause, "\(field.field.name): explained \(field.clause), fast \(clause)")
            }
            _ = ExplanationText.render(
                [RecordExplanation(row: row, line: record.line, identifiers: ["", "", "", ""], fields: fields)], file: "f")
        }
    } catch {
        _ = "\(error)"
    }
    _ = AllocationTables.cellRows(cells)
}

#if FUZZING
/// libFuzzer's driver, from the runtime `-sanitize=fuzzer` links in.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
#endif

#endif

@main
struct FuzzTarget {
    static func main() throws {
        #if !DEBUG
        FileHandle.standardError.write(Data("soalloc-fuzz: build it in debug, as scripts/fuzz does\n".utf8))
        exit(64)
        #elseif FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            fuzzOne(UnsafeBufferPointer(start: data, count: size))
            return 0
        })
        #else
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes.withUnsafeBufferPointer(fuzzOne)
            print("\(path): ok")
        }
        #endif
    }
}
