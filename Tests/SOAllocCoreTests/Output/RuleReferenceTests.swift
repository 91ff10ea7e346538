import Foundation
import Testing

@testable import SOAllocCore

@Suite("The README's rule reference")
struct RuleReferenceTests {
    @Test("the README's rule section is what the rule declarations print")
    func readmeIsCurrent() throws {
        let readme = repository.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- rules:begin -->\n"))
        let end = try #require(text.range(of: "<!-- rules:end -->"))
        let section = String(text[begin.upperBound..<end.lowerBound])
        #expect(
            section == RuleReference.markdown(),
            "README.md is out of date: replace the rules section with the output of `soalloc rules`")
    }

    @Test("every rule and every clause appears")
    func complete() {
        let text = RuleReference.markdown()
        for rule in Derivation.rules {
            #expect(text.contains("#### \(rule.field.name): \(rule.title)"))
            for clause in rule.clauses { #expect(text.contains(clause.condition.text)) }
        }
    }

    @Test("every parameter appears with its value and paragraph")
    func parameters() {
        let text = RuleReference.markdown()
        for parameter in Parameter.all {
            #expect(text.contains("| \(parameter.name) | \(parameter.text) | \(parameter.paragraph) |"))
        }
        #expect(Set(Parameter.all.map(\.name)).count == Parameter.all.count, "parameter names are unique")
    }
}
