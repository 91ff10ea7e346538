import Foundation
import SOAllocRules

/// `run.json`: what an auditor needs to reproduce a figure months later.
///
/// Everything in it follows from the inputs and options except `timestamp`.
public struct Provenance: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var size: Int
        public var sha256: String
    }

    public struct MethodUsed: Codable, Sendable, Equatable {
        public var name: String
        /// `default`, or the method file's path.
        public var origin: String
        public var sha256: String
    }

    public var soalloc: String
    public var timestamp: String
    /// The individualised files read: one, or several merged into one provider.
    public var inputs: [Input]
    public var records: Int
    public var method: MethodUsed
    /// Every option of the run, by its command-line name.
    public var options: [String: String]
    /// Every other output file, with its size and SHA-256.
    public var outputs: [OutputFile]
    /// The method's warnings (a rate set with cells left without a weight).
    public var warnings: [String] = []

    /// The JSON text: pretty-printed with sorted keys, so it diffs cleanly.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The current time as `yyyy-mm-ddThh:mm:ssZ`, in UTC whatever the locale.
    public static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
