import ArgumentParser
import SOAllocCore

extension Delimiter: ExpressibleByArgument {
    public init?(argument: String) { self.init(named: argument) }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension EncodingChoice: ExpressibleByArgument {
    public init?(argument: String) { self.init(named: argument) }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// Tells the user, on standard error, how each input was read when soalloc
/// chose something they may not expect (Windows-1252 text, semicolons or tabs).
func printNotices(_ inputs: [Provenance.Input]) {
    for line in inputs.compactMap(\.noticeLine) { printLine("soalloc: \(line)") }
}
