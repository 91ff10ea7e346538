import Crypto
import Foundation
import Yams
import SOAllocRules

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
    /// The least allocation, in pounds, when the rate is set; nil for none.
    public var minimum: Sourced<Decimal?> = Sourced(value: nil, source: nil)
    /// For an element laid out as a proportion: the bands of the proportion,
    /// each with the weight of the element's weighted volume; empty for none.
    public var bands: [ProportionBand] = []

    public func weight(_ cell: Cell) -> Decimal { weights[cell.index]?.value ?? 0 }

    /// The band of `bands` that `numerator / denominator` falls in, if any.
    public func band(numerator: Decimal, denominator: Decimal) -> Int? {
        bands.firstIndex { $0.holds(numerator: numerator, denominator: denominator) }
    }

    /// The cells of `element` that can carry a weight and that the method
    /// does not name: they weigh 0 without saying so.
    public func unweighted(_ element: Element) -> [Cell] {
        element.weighable.filter { weights[$0.index] == nil }
    }

    /// The warning the element earns when the method sets its rate but
    /// leaves cells without a weight, or nil.
    func warning(_ element: Element) -> String? {
        guard rate.value != nil else { return nil }
        let cells = unweighted(element)
        guard !cells.isEmpty else { return nil }
        return "the method sets \(element.methodKey)'s rate but gives no weight to "
            + "\(cells.map(\.name).joined(separator: ", ")), which therefore weigh 0"
    }
}

/// A band of an element's proportion: `from ≤ proportion < to` (no upper
/// bound when `to` is nil), and the weight it gives the element.
public struct ProportionBand: Sendable, Equatable {
    public var from: Decimal
    public var to: Decimal?
    public var weight: Decimal
    public var source: String?

    /// Whether `numerator / denominator` lies in the band, compared exactly
    /// (`from × denominator ≤ numerator`), with no division.
    func holds(numerator: Decimal, denominator: Decimal) -> Bool {
        guard denominator > 0 else { return false }
        guard from * denominator <= numerator else { return false }
        guard let to else { return true }
        return numerator < to * denominator
    }
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

    public subscript(element: Element) -> ElementMethod { elements[element.index] }

    /// Every warning about the method, one per element that earns one.
    public var warnings: [String] { Element.all.compactMap { self[$0].warning($0) } }

    /// The method shipped with soalloc.
    public static func standard() -> Method {
        try! Method(yaml: defaultMethodText, origin: "default")
    }

    /// The method file the user named, or the default.
    static func load(_ path: String?) throws -> Method {
        guard let path else { return .standard() }
        // Read at most one byte past the limit: a larger file (or /dev/zero) is refused unread.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Failure.noInput("\(path): cannot read the method file")
        }
        defer { try? handle.close() }
        var data = Data()
        do {
            while data.count <= maximumSize,
                let chunk = try handle.read(upToCount: maximumSize + 1 - data.count), !chunk.isEmpty
            {
                data.append(chunk)
            }
        } catch {
            throw Failure.noInput("\(path): cannot read the method file")
        }
        guard data.count <= maximumSize else {
            throw Failure.usage("\(path): the method file is larger than 1 MiB; a method file is a few kilobytes of YAML")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure.data(DataError(Location(file: path), "the method file is not UTF-8 text"))
        }
        return try Method(yaml: text, origin: path)
    }

    /// What is wrong with a number's text.
    struct NumberProblem: Error {
        let message: String
    }

    /// The most significant digits a number may have: `Decimal` holds 38.
    static let maximumDigits = 38

    /// An exact decimal from its text: digits with an optional sign and
    /// point, of at most 38 significant digits, so that the value is the
    /// text's exactly. Throws `NumberProblem` saying what is wrong.
    static func decimal(_ text: String) throws -> Decimal {
        let pattern = #/^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/#
        guard text.wholeMatch(of: pattern) != nil else {
            // "£1,234.56", "1,234.56": a figure copied as a spreadsheet shows it.
            let plain = text.filter { !"£$€, ".contains($0) }
            if plain != text, plain.wholeMatch(of: pattern) != nil {
                throw NumberProblem(
                    message: "'\(shown(text))' is not a plain number: write \(plain), without a currency sign or commas")
            }
            throw NumberProblem(message: "'\(shown(text))' is not a decimal number")
        }
        // The digits without leading or trailing zeros, and the power of ten of the last one.
        let point = text.firstIndex(of: ".")
        let integer = text[..<(point ?? text.endIndex)].filter(\.isNumber)
        let fraction = point.map { text[text.index(after: $0)...] } ?? ""
        var digits = Substring(integer + fraction).drop { $0 == "0" }
        var exponent = -fraction.count
        while digits.last == "0" {
            digits.removeLast()
            exponent += 1
        }
        guard digits.count <= maximumDigits else {
            throw NumberProblem(
                message: "'\(shown(text))' has \(digits.count) significant digits; at most \(maximumDigits) can be held exactly")
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), value.isFinite,
            digits.isEmpty ? value.isZero : (Exact.parts(value).map { "\($0.significand)" == digits && $0.exponent == exponent } ?? false)
        else {
            throw NumberProblem(message: "'\(shown(text))' cannot be held exactly (too large or too small)")
        }
        return value
    }

    /// The method with the rates of `--rate ELEMENT=POUNDS` (element by its
    /// method key or name, in any case) in place of its own.
    public func applying(rates: [String]) throws -> Method {
        var method = self
        for given in rates {
            let parts = given.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let keys = Element.all.map(\.methodKey).joined(separator: ", ")
            guard parts.count == 2,
                let element = Element.all.first(where: { $0.methodKey == parts[0].lowercased() || $0.name == parts[0].uppercased() })
            else {
                throw Failure.usage("--rate \(Self.shown(given)): write ELEMENT=POUNDS, with ELEMENT one of \(keys)")
            }
            let rate: Decimal
            do {
                rate = try Self.decimal(parts[1])
            } catch let problem as NumberProblem {
                throw Failure.usage("--rate \(Self.shown(given)): \(problem.message)")
            }
            guard rate >= 0 else { throw Failure.usage("--rate \(Self.shown(given)): a rate cannot be negative") }
            method.elements[element.index].rate = Sourced(value: rate, source: "--rate \(element.methodKey)=\(parts[1])")
        }
        return method
    }

    /// The largest method file read: 1 MiB, far more than any method needs.
    /// A larger file is refused before it is read.
    public static let maximumSize = 1 << 20

    /// Reads a method file.
    ///
    /// Throws `Failure.data` when the file is not YAML, and `Failure.usage`
    /// naming the line and the key when a key, cell name, basis or number is
    /// wrong, or a key is given twice. Every message is one line.
    public init(yaml text: String, origin: String) throws {
        self.text = text
        self.origin = origin
        if let line = Self.aliasKeyLine(in: text) {
            throw Failure.usage(
                "\(Location(file: origin, line: line).description): an alias (*name) used as a key; a method file needs no aliases")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw Failure.usage("\(origin): the method file is empty") }
            root = node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            let key = duplicates.first ?? ""
            let line = Self.repeatLine(of: key, in: text, after: context.mark) ?? context.mark.line
            throw Failure.usage("\(Location(file: origin, line: line).description): duplicate key \(Self.shown(key))")
        } catch let error as YamlError {
            throw Failure.data(DataError(Location(file: origin, line: Self.line(of: error)), "not a YAML method file: \(Self.problem(of: error))"))
        }
        let reader = MethodReader(origin: origin)
        let top = try reader.mapping(root, "the method", keys: ["name", "applies_to", "source", "elements", "tariff"])
        name = try reader.string(top["name"], "name", required: true, in: root)!
        appliesTo = try reader.string(top["applies_to"], "applies_to", in: root)
        source = try reader.string(top["source"], "source", in: root)
        let elementsNode = top["elements"]
        let elementNodes = try reader.mapping(
            elementsNode, "elements", keys: Element.all.map(\.methodKey), required: true, in: root)
        elements = try Element.all.map { element in
            try reader.element(elementNodes[element.methodKey], element, in: elementsNode)
        }
        tariff = try top["tariff"].map { try reader.tariff($0) }
    }

    /// The first line where an alias (`*name`) is a mapping key, if any.
    /// The YAML reader compares keys by their whole content, and an alias of
    /// aliases stands for exponentially much: a few lines of them take it
    /// hours. A method file has no use for them, so they are refused unread.
    static func aliasKeyLine(in text: String) -> Int? {
        let key = #/(^|[\s\[\{,])\*[^\s,\[\]\{\}]+\s*:(\s|$)|(^|[\s\[\{,])\?\s+\*/#
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            guard line.contains("*") else { continue }
            if line.firstMatch(of: key) != nil { return number }
        }
        return nil
    }

    /// A key or value as a message shows it: at most 60 characters, on one
    /// line, with every control character escaped (`\x1b`), so that a method
    /// file can neither flood nor drive the user's terminal.
    static func shown(_ text: String) -> String {
        var shown = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == 60 { return shown + "…" }
            count += 1
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                shown += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// The line where `key` is written again, at the column of its first
    /// occurrence (`first`): the line to correct. Nil when it is not found so
    /// (a key in a flow mapping on one line, or quoted).
    private static func repeatLine(of key: String, in text: String, after first: Mark) -> Int? {
        guard !key.isEmpty, !key.contains(where: \.isNewline) else { return nil }
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            guard number > first.line else { continue }
            let indent = line.prefix { $0 == " " }.count
            if indent + 1 < first.column { return nil }  // the mapping has ended
            guard indent + 1 == first.column else { continue }
            let rest = line.dropFirst(indent)
            if rest.hasPrefix(key) && rest.dropFirst(key.count).drop(while: { $0 == " " }).hasPrefix(":") { return number }
        }
        return nil
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
        default: shown("\(error)")
        }
    }
}

/// Reads the method file's YAML nodes, naming the line and the key of anything wrong.
private struct MethodReader {
    let origin: String

    /// The usage error `FILE: line L: KEY: MESSAGE`, at `node`'s line.
    func fail(_ key: String, _ message: String, at node: Node?) -> Failure {
        .usage("\(Location(file: origin, line: node?.mark?.line).description): \(key): \(message)")
    }

    func mapping(
        _ node: Node?, _ key: String, keys allowed: [String], required: Bool = true, unknown: String? = nil,
        in parent: Node? = nil
    ) throws -> [String: Node] {
        guard let node else {
            if required { throw fail(key, "missing", at: parent) }
            return [:]
        }
        guard let mapping = node.mapping else { throw fail(key, "must be a mapping of keys to values", at: node) }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { throw fail(key, "has a key that is not text", at: keyNode) }
            guard allowed.contains(name) else {
                throw fail(
                    key == "the method" ? Method.shown(name) : "\(key).\(Method.shown(name))",
                    unknown ?? "unknown key (expected one of \(allowed.joined(separator: ", ")))", at: keyNode)
            }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node?, _ key: String, required: Bool = false, in parent: Node?) throws -> String? {
        guard let node, node.null == nil else {
            if required { throw fail(key, "missing", at: node ?? parent) }
            return nil
        }
        guard let text = node.scalar?.string else { throw fail(key, "must be text", at: node) }
        return text
    }

    /// An exact decimal from a scalar's text (`Method.decimal`), or null.
    func decimal(_ node: Node, _ key: String) throws -> Decimal? {
        if node.null != nil { return nil }
        guard let text = node.scalar?.string else { throw fail(key, "must be a number or null", at: node) }
        do {
            return try Method.decimal(text)
        } catch let problem as Method.NumberProblem {
            throw fail(key, problem.message, at: node)
        }
    }

    /// A number written plainly (`1.5`) or with its source (`{ value: 1.5, source: "…" }`).
    func sourced(_ node: Node?, _ key: String, in parent: Node?) throws -> Sourced<Decimal?> {
        guard let node else { throw fail(key, "missing", at: parent) }
        if node.mapping != nil {
            let parts = try mapping(node, key, keys: ["value", "source"])
            guard let value = parts["value"] else { throw fail("\(key).value", "missing", at: node) }
            return Sourced(
                value: try decimal(value, "\(key).value"), source: try string(parts["source"], "\(key).source", in: node))
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
            guard let table = tableNode.mapping else { throw fail("tariff.\(type)", "must map grades to points", at: tableNode) }
            var grades: [String: Int] = [:]
            for (gradeNode, pointsNode) in table {
                guard let grade = gradeNode.string, !grade.isEmpty else {
                    throw fail("tariff.\(type)", "has an empty grade", at: gradeNode)
                }
                let key = "tariff.\(type).\(Method.shown(grade))"
                guard EntryQualifications.cleaned(grade) == grade else {
                    throw fail(
                        key,
                        "a grade is written in capitals, without '#' (lower-case letters and '#' are stripped from grades)",
                        at: gradeNode)
                }
                guard let text = pointsNode.scalar?.string, text.wholeMatch(of: #/[0-9]{1,6}/#) != nil, let value = Int(text)
                else {
                    throw fail(key, "points must be a whole number of 0 or more", at: pointsNode)
                }
                grades[grade] = value
            }
            points[type] = grades
        }
        return TariffTable(points: points, source: try string(parts["source"], "tariff.source", in: node))
    }

    func element(_ node: Node?, _ element: Element, in parent: Node?) throws -> ElementMethod {
        let key = "elements.\(element.methodKey)"
        var keys = ["basis", "rate", "weights", "source", "minimum"]
        if case .proportion = element.layout { keys.append("proportion_bands") }
        let parts = try mapping(node, key, keys: keys, in: parent)
        let basisText = try string(parts["basis"], "\(key).basis", required: true, in: node)!
        guard let basis = Basis(rawValue: basisText.lowercased()) else {
            throw fail("\(key).basis", "'\(Method.shown(basisText))' is not a basis (headcount or fte)", at: parts["basis"])
        }
        let rate = try sourced(parts["rate"], "\(key).rate", in: node)
        if let value = rate.value, value < 0 { throw fail("\(key).rate", "a rate cannot be negative", at: parts["rate"]) }

        let cells = element.cells
        let weightNodes = try mapping(
            parts["weights"], "\(key).weights", keys: cells.map(\.name),
            unknown: "not a cell of \(element.name) (its cells: \(cells.map(\.name).joined(separator: ", ")))", in: node)
        var weights: [Int: Sourced<Decimal>] = [:]
        for cell in cells {
            guard let node = weightNodes[cell.name] else { continue }
            let weightKey = "\(key).weights.\(cell.name)"
            let weight = try sourced(node, weightKey, in: node)
            guard let value = weight.value else { throw fail(weightKey, "a weight must be a number", at: node) }
            if value < 0 { throw fail(weightKey, "a weight cannot be negative", at: node) }
            weights[cell.index] = Sourced(value: value, source: weight.source)
        }
        let minimum = try parts["minimum"].map { try sourced($0, "\(key).minimum", in: node) } ?? Sourced(value: nil, source: nil)
        if let value = minimum.value, value < 0 {
            throw fail("\(key).minimum", "a minimum cannot be negative", at: parts["minimum"])
        }
        return ElementMethod(
            basis: basis, rate: rate, weights: weights, source: try string(parts["source"], "\(key).source", in: node),
            minimum: minimum, bands: try bands(parts["proportion_bands"], "\(key).proportion_bands"))
    }

    /// `proportion_bands`: a list of `{ from, to, weight, source }`, null or
    /// absent for none. Each band holds `from ≤ proportion < to`; the bands,
    /// in order of `from`, must meet end to start, with no gap and no
    /// overlap, and only the last may leave `to` null.
    func bands(_ node: Node?, _ key: String) throws -> [ProportionBand] {
        guard let node, node.null == nil else { return [] }
        guard let list = node.sequence else { throw fail(key, "must be a list of { from, to, weight } bands", at: node) }
        var bands: [(band: ProportionBand, node: Node)] = []
        for (index, item) in list.enumerated() {
            let itemKey = "\(key)[\(index + 1)]"
            let parts = try mapping(item, itemKey, keys: ["from", "to", "weight", "source"])
            func number(_ name: String, required: Bool) throws -> Decimal? {
                guard let part = parts[name] else {
                    if required { throw fail("\(itemKey).\(name)", "missing", at: item) }
                    return nil
                }
                let value = try decimal(part, "\(itemKey).\(name)")
                if required && value == nil { throw fail("\(itemKey).\(name)", "must be a number", at: part) }
                if let value, value < 0 { throw fail("\(itemKey).\(name)", "cannot be negative", at: part) }
                return value
            }
            let band = ProportionBand(
                from: try number("from", required: true)!, to: try number("to", required: false),
                weight: try number("weight", required: true)!, source: try string(parts["source"], "\(itemKey).source", in: item))
            if let to = band.to, to <= band.from {
                throw fail(itemKey, "'to' (\(to)) must be above 'from' (\(band.from))", at: item)
            }
            bands.append((band, item))
        }
        bands.sort { $0.band.from < $1.band.from }
        for (this, next) in zip(bands, bands.dropFirst()) {
            func name(_ band: ProportionBand) -> String { "\(band.from)" + (band.to.map { "–\($0)" } ?? " and above") }
            guard let to = this.band.to else {
                throw fail(key, "the band \(name(this.band)) has no upper bound but is not the last", at: this.node)
            }
            if to > next.band.from {
                throw fail(key, "the bands \(name(this.band)) and \(name(next.band)) overlap", at: next.node)
            }
            if to < next.band.from {
                throw fail(key, "the bands \(name(this.band)) and \(name(next.band)) leave a gap", at: next.node)
            }
        }
        return bands.map(\.band)
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
