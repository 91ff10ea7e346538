import SOAllocRules

/// The method shipped with soalloc, printed by `soalloc method show`.
///
/// Every rate is null and every weight is a placeholder of 1, so that a
/// weighted volume is a plain count or FTE until the college copies its own
/// figures from its SO14 workbook. The public facts are kept as sources: the
/// 2016-17 sector totals, and the 2014-15 UCAS tariff for `--quals`.
let defaultMethodText = defaultMethodHead + "\n" + defaultMethodElements + defaultMethodTariff

private let defaultMethodHead = #"""
# soalloc method file: how the cell tables become money.
#
# HEFCE's "Detailed 2016-17 SO allocation method" is not public. The unit
# rates and weights it applies to a college are shown in that college's
# SO14_F<UKPRN>.xlsx workbook. Copy them here:
#   - rate: pounds per weighted unit, or null while unknown;
#   - weights: one per cell of cells.csv; a cell left out weighs 0.
#   - minimum: the least allocation in pounds, or null;
# A number may be written plainly (1.5) or with its source
# ({ value: 1.5, source: "SO14 workbook, sheet WA, cell D12" }).
# Save your copy with `soalloc method show > method.yaml`, edit it, and pass
# it back with `soalloc FILE --method method.yaml`.
# The tariff table scores the qualifications of `--quals` files that have no
# TARIFF of their own: points by QUALTYPE and grade.
name: "2016-17 targeted allocations, from 2014-15 ILR R14"
applies_to: "2016-17"
source: "HEFCE, 'Detailed 2016-17 SO allocation method' (www.hefce.ac.uk/data/famd/indicative/so/), not public; the rates and weights appear in each college's SO14 workbook"
elements:
"""#

/// Each element of `Element.all` as the default method states it: its basis,
/// its source, a null rate, and a placeholder weight of 1 for each cell it weighs.
private let defaultMethodElements = Element.all.map { element in
    let defaults = element.defaults
    let weighted = defaults.weighted ?? element.cells.map(\.name)
    let width = weighted.map(\.count).max() ?? 0
    var lines = [
        "  \(element.methodKey):",
        "    basis: \(defaults.basis.rawValue)",
        "    source: \"\(defaults.source)\"",
        "    rate: { value: null, source: \"not public: take the rate from your SO14 workbook; \(defaults.rateSource)\" }",
        "    minimum: { value: null, source: \"not public: HEFCE's 2016-17 minimum allocation, if any\" }",
    ]
    if case .proportion = element.layout {
        lines += [
            "    # Bands of the proportion (\(element.groups[1].column) / \(element.groups[0].column)): a list of",
            "    # { from: 0.0, to: 0.05, weight: 1 }, each holding from ≤ proportion < to; the last `to` may be null.",
            "    proportion_bands: null  # not public: HEFCE's 2016-17 band edges and weights",
        ]
    }
    lines.append("    weights:")
    for name in weighted {
        let padding = String(repeating: " ", count: width - name.count + 1)
        lines.append(
            "      \(name):\(padding){ value: 1, source: \"placeholder: replace with the weight in your SO14 workbook\" }")
    }
    return lines.joined(separator: "\n") + "\n"
}.joined()

private let defaultMethodTariff = #"""
tariff:
  source: "UCAS tariff for 2014-15 (the tariff in use before 2017 entry)"
  A_LEVEL: { "A*": 140, A: 120, B: 100, C: 80, D: 60, E: 40 }
  AS_LEVEL: { A: 60, B: 50, C: 40, D: 30, E: 20 }

"""#
