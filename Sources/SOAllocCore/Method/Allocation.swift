import Foundation
import SOAllocRules

/// One element's money: its weighted volume, and the allocation when the
/// method sets a rate.
public struct ElementAllocation: Sendable, Equatable {
    public var element: Element
    public var basis: Basis
    /// Σ weight × basis over the element's cells (FTE as `cells.csv` gives it).
    public var cellVolume: Decimal
    /// The cell volume, times the proportion band's weight when the method
    /// has bands: what the rate is paid on.
    public var weightedVolume: Decimal
    public var rate: Decimal?
    /// The minimum the method sets, if any.
    public var minimum: Decimal?
    /// Weighted volume × rate, rounded half-up to whole pounds, and at least
    /// the minimum; nil when the rate is not set.
    public var allocation: Decimal?
    /// The element's proportion and its band, when the method has bands.
    public var proportion: ProportionOutcome?
    /// Whether the minimum, above volume × rate, is the allocation.
    public var raisedToMinimum = false

    /// How the allocation was made, when it was.
    var working = "weighted volume × rate, rounded half-up to whole pounds"

    public static let rateNotSet = "rate not set in method; take it from your SO14 workbook"

    /// Words for the summary: how the figure was made, or why it was not.
    public var note: String {
        guard allocation != nil else { return Self.rateNotSet }
        var words = [working]
        if let proportion { words.insert(proportion.note, at: 0) }
        if let minimumNote { words.append(minimumNote) }
        return words.joined(separator: "; ")
    }

    /// "raised to the minimum of £…", when the minimum binds.
    var minimumNote: String? {
        guard raisedToMinimum, let minimum else { return nil }
        return "raised to the minimum of \(minimum.grouped(prefix: "£"))"
    }
}

/// An element's proportion (its second group over its first, on its basis)
/// and the band of the method it falls in.
public struct ProportionOutcome: Sendable, Equatable {
    public var numerator: Decimal
    public var denominator: Decimal
    /// The band's position in the method's bands, or nil when none holds.
    public var band: Int?
    /// The band's weight; 0 when no band holds.
    public var weight: Decimal
    /// The method's bands.
    public var bands: [ProportionBand]

    /// The proportion, to 38 digits; nil with a denominator of 0.
    public var value: Decimal? { denominator == 0 ? nil : numerator / denominator }

    var note: String {
        guard let band else {
            return denominator == 0
                ? "no proportion band applies: the denominator is 0, so the weighted volume is 0"
                : "the proportion \(value!.fixed(4)) is in no band, so the weighted volume is 0"
        }
        let bounds = bands[band]
        return "proportion \(value!.fixed(4)) in band \(band + 1) (\(bounds.from) to "
            + "\(bounds.to.map { "\($0)" } ?? "no upper bound")), weight \(weight)"
    }
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

    /// The sum of `amounts`; nil if any is nil. The initialisers have checked
    /// that the sum of the allocations is exact (`checkTotal`).
    static func sum(_ amounts: [Decimal?]) -> Decimal? {
        amounts.reduce(Decimal(0) as Decimal?) { sum, amount in
            guard let sum, let amount else { return nil }
            return sum + amount
        }
    }

    /// The sector's: each element's weighted volumes summed, and its
    /// allocation as the sum of the providers' allocations, each already
    /// rounded to whole pounds, as HEFCE pays them: the sums of the figures
    /// the providers' `summary.csv` files write.
    public init(summing providers: [Allocations], method: Method) throws {
        elements = try Element.all.map { element in
            let each = providers.map { $0.elements[element.index] }
            let rate = method[element].rate.value
            var volume = Decimal(0)
            for provider in each { volume = try Self.exact(Exact.sum(volume, provider.weightedVolume), element, method) }
            var allocation: Decimal? = nil
            if rate != nil {
                var total = Decimal(0)
                for provider in each {
                    guard let amount = provider.allocation else { continue }
                    total = try Self.exact(Exact.sum(total, amount), element, method)
                }
                allocation = total
            }
            return ElementAllocation(
                element: element, basis: method[element].basis, cellVolume: volume, weightedVolume: volume, rate: rate,
                minimum: nil, allocation: allocation, working: "the sum of the providers' allocations")
        }
        try checkTotal(method)
    }

    /// Each element's weighted volume Σ weight × cell (FTE as `cells.csv`
    /// gives it), times its proportion band's weight when the method has
    /// bands, and its allocation: volume × rate rounded to whole pounds, and
    /// at least the minimum. Every product and sum is exact: one that
    /// `Decimal` cannot hold in its 38 significant digits is a data error,
    /// never a rounded figure.
    public init(cells: CellTable, method: Method) throws {
        elements = try Element.all.map { element in
            let rules = method[element]
            var cellVolume = Decimal(0)
            for cell in element.cells {
                let product = Exact.product(rules.weight(cell), cells.value(cell, basis: rules.basis))
                cellVolume = try Self.exact(product.flatMap { Exact.sum(cellVolume, $0) }, element, method)
            }
            var volume = cellVolume
            var proportion: ProportionOutcome?
            if !rules.bands.isEmpty, case .proportion = element.layout {
                func sum(_ group: Element.Group) throws -> Decimal {
                    var total = Decimal(0)
                    for cell in group.cells {
                        total = try Self.exact(Exact.sum(total, cells.value(cell, basis: rules.basis)), element, method)
                    }
                    return total
                }
                let numerator = try sum(element.groups[1])
                let denominator = try sum(element.groups[0])
                let band = rules.band(numerator: numerator, denominator: denominator)
                let weight = band.map { rules.bands[$0].weight } ?? 0
                proportion = ProportionOutcome(
                    numerator: numerator, denominator: denominator, band: band, weight: weight, bands: rules.bands)
                volume = try Self.exact(Exact.product(weight, cellVolume), element, method)
            }
            let rate = rules.rate.value
            let minimum = rules.minimum.value
            let amount = try rate.map { try Self.exact(Exact.product(volume, $0), element, method).rounded(0) }
            let raised = amount.map { $0 < (minimum ?? 0) } ?? false
            return ElementAllocation(
                element: element, basis: rules.basis, cellVolume: cellVolume, weightedVolume: volume, rate: rate,
                minimum: minimum, allocation: raised ? minimum : amount, proportion: proportion,
                raisedToMinimum: raised)
        }
        try checkTotal(method)
    }


    /// Fails unless the total, when every element has an allocation, is exact.
    private func checkTotal(_ method: Method) throws {
        var total = Decimal(0)
        for amount in elements.compactMap(\.allocation) { total = try Self.exact(Exact.sum(total, amount), nil, method) }
    }

    /// `value`, or the usage error of a figure that cannot be held exactly:
    /// the method's weights and rates have more digits than money can carry.
    private static func exact(_ value: Decimal?, _ element: Element?, _ method: Method) throws -> Decimal {
        if let value { return value }
        let figure = element.map { "the \($0.methodKey) element's weighted volume or allocation" } ?? "the total allocation"
        throw Failure.usage(
            "\(method.origin): \(figure) needs more than 38 significant digits to be exact;"
                + " write the method's weights and rates with fewer digits; nothing was written")
    }
}

/// Decimal arithmetic that is exact or fails: Foundation's `Decimal` keeps 38
/// significant digits and rounds the rest away without a word, which money
/// must never do.
public enum Exact {
    /// The largest significand kept: 38 digits, all of which `Decimal` holds.
    static let limit: UInt128 = {
        var value: UInt128 = 1
        for _ in 0..<38 { value *= 10 }
        return value
    }()

    /// `a` × `b` exactly, or nil when the product has more than 38
    /// significant digits or an exponent `Decimal` cannot hold.
    public static func product(_ a: Decimal, _ b: Decimal) -> Decimal? {
        guard a.isFinite, b.isFinite else { return nil }
        if a.isZero || b.isZero { return 0 }
        guard let left = parts(a), let right = parts(b) else { return nil }
        let (significand, overflow) = left.significand.multipliedReportingOverflow(by: right.significand)
        guard !overflow, significand < limit else { return nil }
        let negative = (a.sign == .minus) != (b.sign == .minus)
        return make(negative: negative, significand: significand, exponent: left.exponent + right.exponent)
    }

    /// `a` + `b` exactly, or nil when the sum cannot be held in 38 significant digits.
    public static func sum(_ a: Decimal, _ b: Decimal) -> Decimal? {
        var left = a
        var right = b
        var result = Decimal()
        guard NSDecimalAdd(&result, &left, &right, .plain) == .noError, result.isFinite else { return nil }
        return result
    }

    /// A decimal's significand without trailing zeros, and its exponent.
    static func parts(_ value: Decimal) -> (significand: UInt128, exponent: Int)? {
        guard var significand = UInt128(value.significand.magnitude.description) else { return nil }
        var exponent = value.exponent
        while significand != 0 && significand % 10 == 0 {
            significand /= 10
            exponent += 1
        }
        return (significand, exponent)
    }

    private static func make(negative: Bool, significand: UInt128, exponent: Int) -> Decimal? {
        guard (-128...127).contains(exponent) else { return nil }
        guard let value = Decimal(string: "\(negative ? "-" : "")\(significand)e\(exponent)", locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        return value
    }
}
