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

    public static let rateNotSet = "rate not set in method; take it from your SO14 workbook"

    /// Words for the summary: how the figure was made, or why it was not.
    public var note: String {
        allocation == nil ? Self.rateNotSet : "weighted volume × rate, rounded half-up to whole pounds"
    }
}

/// The three elements' allocations and their total.
public struct Allocations: Sendable, Equatable {
    public var elements: [ElementAllocation]

    /// The sum of the allocations; nil unless every element was computed.
    public var total: Decimal? {
        elements.reduce(Decimal(0) as Decimal?) { sum, element in
            guard let sum, let allocation = element.allocation else { return nil }
            return sum + allocation
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
