import Crypto
import Foundation
import Yams

/// What an element's weighted volume counts: students, or their FTE.
public enum Basis: String, Sendable, CaseIterable {
    case headcount
    case fte

    /// Decimal places shown for values on this basis: FTE has two.
    public var places: Int { self == .fte ? 2 : 0 }
}

/// A number of the method file with the source it was taken from.
public struct Sourced<Value: Sendable>: Sendable {
    public var value: Value
    public var source: String?
}

/// How one element's cells become money.
public struct ElementMethod: Sendable {
    public var basis: Basis
    /// Pounds per weighted unit, or nil when the method does not set it.
    public var rate: Sourced<Decimal?>
    /// Each cell's weight, by `Cell.index`; a cell the method does not name weighs 0.
    public var weights: [Int: Sourced<Decimal>]
    public var source: String?

    public func weight(_ cell: Cell) -> Decimal { weights[cell.index]?.value ?? 0 }
}

/// The method file: the unit rates and weights that turn cell tables into
/// allocations. HEFCE's "Detailed 2016-17 SO allocation method" is not public,
/// so these figures come from a YAML file: the default shipped in the package,
/// or the user's own (`--method FILE`). Numbers are read as exact decimals
/// from their text, never through `Double`.
public struct Method: Sendable {
    public var name: String
    public var appliesTo: String?
    public var source: String?
    public var elements: [ElementMethod]
    /// Points for grades (`tariff:`), for `--quals`; nil when the file has none.
    public var tariff: TariffTable?
    /// The file's exact text, copied to `method-used.yaml`.
    public var text: String
    /// Where the method came from: `default`, or the path the user gave.
    public var origin: String

    public var sha256: String { SHA256.hash(data: Data(text.utf8)).hexadecimal }

    public subscript(element: Element) -> ElementMethod { elements[element.rawValue] }

    /// The method shipped with soalloc.
    public static func standard() -> Method {
        try! Method(yaml: defaultMethodText, origin: "default")
    }

    /// Reads a method file.
    ///
    /// Throws `Failure.data` when the file is not YAML, and `Failure.usage`
    /// naming the key when a key, cell name, basis or number is wrong.
    public init(yaml text: String, origin: String) throws {
        self.text = text
        self.origin = origin
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw Failure.usage("\(origin): the method file is empty") }
            root = node
        } catch let error as YamlError {
            throw Failure.data(DataError(Location(file: origin, line: Self.line(of: error)), "not a YAML method file: \(Self.problem(of: error))"))
        }
        let reader = MethodReader(origin: origin)
        let top = try reader.mapping(root, "the method", keys: ["name", "applies_to", "source", "elements", "tariff"])
        name = try reader.string(top["name"], "name", required: true)!
        appliesTo = try reader.string(top["applies_to"], "applies_to")
        source = try reader.string(top["source"], "source")
        let elementNodes = try reader.mapping(
            top["elements"], "elements", keys: Element.allCases.map(\.methodKey), required: true)
        elements = try Element.allCases.map { element in
            try reader.element(elementNodes[element.methodKey], element)
        }
        tariff = try top["tariff"].map { try reader.tariff($0) }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            problem + (context.map { " (\($0.text) that starts on line \($0.mark.line))" } ?? "")
        default: "\(error)"
        }
    }
}

/// Reads the method file's YAML nodes, naming the key of anything wrong.
private struct MethodReader {
    let origin: String

    func fail(_ key: String, _ message: String) -> Failure {
        .usage("\(origin): \(key): \(message)")
    }

    func mapping(
        _ node: Node?, _ key: String, keys allowed: [String], required: Bool = true, unknown: String? = nil
    ) throws -> [String: Node] {
        guard let node else {
            if required { throw fail(key, "missing") }
            return [:]
        }
        guard let mapping = node.mapping else { throw fail(key, "must be a mapping of keys to values") }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { throw fail(key, "has a key that is not text") }
            guard allowed.contains(name) else {
                throw fail(
                    key == "the method" ? name : "\(key).\(name)",
                    unknown ?? "unknown key (expected one of \(allowed.joined(separator: ", ")))")
            }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node?, _ key: String, required: Bool = false) throws -> String? {
        guard let node, node.null == nil else {
            if required { throw fail(key, "missing") }
            return nil
        }
        guard let text = node.scalar?.string else { throw fail(key, "must be text") }
        return text
    }

    /// An exact decimal from a scalar's text: digits with an optional sign and point.
    func decimal(_ node: Node, _ key: String) throws -> Decimal? {
        if node.null != nil { return nil }
        guard let text = node.scalar?.string else { throw fail(key, "must be a number or null") }
        let pattern = #/^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/#
        guard text.wholeMatch(of: pattern) != nil, let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else {
            throw fail(key, "'\(text)' is not a decimal number")
        }
        return value
    }

    /// A number written plainly (`1.5`) or with its source (`{ value: 1.5, source: "…" }`).
    func sourced(_ node: Node?, _ key: String) throws -> Sourced<Decimal?> {
        guard let node else { throw fail(key, "missing") }
        if node.mapping != nil {
            let parts = try mapping(node, key, keys: ["value", "source"])
            guard let value = parts["value"] else { throw fail("\(key).value", "missing") }
            return Sourced(value: try decimal(value, "\(key).value"), source: try string(parts["source"], "\(key).source"))
        }
        return Sourced(value: try decimal(node, key), source: nil)
    }

    /// The tariff table: for each QUALTYPE, points (whole numbers) by grade.
    func tariff(_ node: Node) throws -> TariffTable {
        let types = TariffTable.types.map(\.rawValue)
        let parts = try mapping(node, "tariff", keys: ["source"] + types)
        var points: [String: [String: Int]] = [:]
        for type in types {
            guard let tableNode = parts[type] else { continue }
            guard let table = tableNode.mapping else { throw fail("tariff.\(type)", "must map grades to points") }
            var grades: [String: Int] = [:]
            for (gradeNode, pointsNode) in table {
                guard let grade = gradeNode.string, !grade.isEmpty else { throw fail("tariff.\(type)", "has an empty grade") }
                let key = "tariff.\(type).\(grade)"
                guard EntryQualifications.cleaned(grade) == grade else {
                    throw fail(key, "a grade is written in capitals, without '#' (lower-case letters and '#' are stripped from grades)")
                }
                guard let text = pointsNode.scalar?.string, text.wholeMatch(of: #/[0-9]{1,6}/#) != nil, let value = Int(text)
                else {
                    throw fail(key, "points must be a whole number of 0 or more")
                }
                grades[grade] = value
            }
            points[type] = grades
        }
        return TariffTable(points: points, source: try string(parts["source"], "tariff.source"))
    }

    func element(_ node: Node?, _ element: Element) throws -> ElementMethod {
        let key = "elements.\(element.methodKey)"
        let parts = try mapping(node, key, keys: ["basis", "rate", "weights", "source"])
        let basisText = try string(parts["basis"], "\(key).basis", required: true)!
        guard let basis = Basis(rawValue: basisText) else {
            throw fail("\(key).basis", "'\(basisText)' is not a basis (headcount or fte)")
        }
        let rate = try sourced(parts["rate"], "\(key).rate")
        if let value = rate.value, value < 0 { throw fail("\(key).rate", "a rate cannot be negative") }

        let cells = element.cells
        let weightNodes = try mapping(
            parts["weights"], "\(key).weights", keys: cells.map(\.name),
            unknown: "not a cell of \(element.name) (its cells: \(cells.map(\.name).joined(separator: ", ")))")
        var weights: [Int: Sourced<Decimal>] = [:]
        for cell in cells {
            guard let node = weightNodes[cell.name] else { continue }
            let weightKey = "\(key).weights.\(cell.name)"
            let weight = try sourced(node, weightKey)
            guard let value = weight.value else { throw fail(weightKey, "a weight must be a number") }
            if value < 0 { throw fail(weightKey, "a weight cannot be negative") }
            weights[cell.index] = Sourced(value: value, source: weight.source)
        }
        return ElementMethod(basis: basis, rate: rate, weights: weights, source: try string(parts["source"], "\(key).source"))
    }
}

extension Digest {
    /// The digest as lower-case hexadecimal.
    public var hexadecimal: String {
        map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}
