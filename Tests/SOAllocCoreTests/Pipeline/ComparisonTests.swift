import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Comparing the file's derived values with ours (rulings R3, R15)")
struct ComparisonTests {
    private func normalised(_ text: String, as slot: Slot) -> Int64 {
        Array(text.utf8).withUnsafeBufferPointer { Comparison.normalised($0, as: slot) }
    }

    /// Values of the slot's domain to try: every code, or a few numbers.
    private func values(of slot: Slot) -> [Int64] {
        switch slot.domain {
        case .code(let vocabulary): Array(0..<Int64(vocabulary.names.count))
        case .number: [0, 1, 2, 3, 5, 30, 291, 9998]
        case .date: [2014_08_01, 1996_02_29]
        case .decimal: [0, 25 * Value.decimalScale, 375 * Value.decimalScale / 10]
        }
    }

    @Test("every derived field reads back each value of its domain as derived.csv writes it", arguments: Slot.derived)
    func roundTrip(slot: Slot) {
        for value in values(of: slot) {
            let text = slot.domain.format(value)
            #expect(normalised(text, as: slot) == value, "\(slot.name) \(text)")
            #expect(normalised(text.lowercased(), as: slot) == value, "\(slot.name) \(text) in lower case")
        }
        #expect(normalised("", as: slot) == Value.missing, "\(slot.name): an empty value is missing")
    }

    @Test("text no domain can read differs from every value of ours", arguments: Slot.derived)
    func unreadable(slot: Slot) {
        let value = normalised("NOT A VALUE", as: slot)
        #expect(!Value.isKnown(value), "\(slot.name)")
        #expect(value != Value.missing, "\(slot.name): unreadable text is not an empty value")
    }

    @Test("numbers compare as numbers (ruling R3)")
    func numbers() {
        #expect(normalised("04", as: .waquin) == 4)
        #expect(normalised("1", as: .dispop) == normalised("01", as: .dispop))
    }
}
