import Foundation

/// One element's money: its weighted volume, and the allocation when the
/// method sets a rate.
public struct ElementAllocation: Sendable, Equatable {
    public var element: Element
    public var basis: Basis
    /// Σ weight × basis over the element's cells (FTE as `cells.csv` gives it).
    public var weightedVolume: Decimal
    public var rate: Decimal?
    /// Weighted volume × rate, rounded half-up to whole pounds; nil when the rate is not set.
    public var allocation: Decimal?

    /// How the allocation was made, when it was.
    var working = "weighted volume × rate, rounded half-up to whole pounds"

    public static let rateNotSet = "rate not set in method; take it from your SO14 workbook"

    /// Words for the summary: how the figure was made, or why it was not.
    public var note: String { allocation == nil ? Self.rateNotSet : working }
}

/// The three elements' allocations and their total.
public struct Allocations: Sendable, Equatable {
    public var elements: [ElementAllocation]

    /// The sum of the allocations; nil unless every element was computed.
    public var total: Decimal? { Self.sum(elements.map(\.allocation)) }

    /// Words for the total: how it was made, or why it was not.
    public var totalNote: String {
        total == nil ? "not computed: an element's rate is not set in the method" : "sum of the elements"
    }

    /// The sum of `amounts`; nil if any is nil.
    static func sum(_ amounts: [Decimal?]) -> Decimal? {
        amounts.reduce(Decimal(0) as Decimal?) { sum, amount in
            guard let sum, let amount else { return nil }
            return sum + amount
        }
    }

    /// The sector's: each element's weighted volumes summed, and its
    /// allocation as the sum of the providers' allocations, each already
    /// rounded to whole pounds, as HEFCE pays them.
    public init(summing providers: [Allocations], method: Method) {
        elements = Element.allCases.map { element in
            let each = providers.map { $0.elements[element.rawValue] }
            let rate = method[element].rate.value
            return ElementAllocation(
                element: element, basis: method[element].basis,
                weightedVolume: each.reduce(Decimal(0)) { $0 + $1.weightedVolume }, rate: rate,
                allocation: rate == nil ? nil : Self.sum(each.map(\.allocation)),
                working: "the sum of the providers' allocations")
        }
    }

    public init(cells: CellTable, method: Method) {
        elements = Element.allCases.map { element in
            let rules = method[element]
            let volume = element.cells.reduce(Decimal(0)) { sum, cell in
                sum + rules.weight(cell) * cells.value(cell, basis: rules.basis)
            }
            let rate = rules.rate.value
            return ElementAllocation(
                element: element, basis: rules.basis, weightedVolume: volume, rate: rate,
                allocation: rate.map { (volume * $0).rounded(0) })
        }
    }
}
