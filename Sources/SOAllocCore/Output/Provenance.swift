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
        /// The SHA-256 of the file's own bytes (compressed, for a `.gz`).
        public var sha256: String
        /// `csv`, `gzip` (CSV text compressed) or `xlsx` (a workbook's first worksheet).
        public var format: String?
        /// The text's encoding: `UTF-8`, `Windows-1252`, `UTF-16LE` or `UTF-16BE`; none for a workbook.
        public var encoding: String?
        /// `comma`, `semicolon` or `tab`; none for a workbook.
        public var delimiter: String?
        /// For a compressed file, the size and SHA-256 of the text it holds.
        public var textSize: Int?
        public var textSha256: String?
        /// The line that told the user how the file was read, if one did.
        public var notice: String?

        public init(name: String, path: String, size: Int, sha256: String, form: InputForm? = nil) {
            self.name = name
            self.path = path
            self.size = size
            self.sha256 = sha256
            guard let form else { return }
            format = form.container.rawValue
            encoding = form.encoding?.rawValue
            delimiter = form.delimiter?.rawValue
            textSize = form.textSize
            textSha256 = form.textSHA256
            notice = form.notice
        }

        /// How the file was read, when the user was told: `FILE: read as …`.
        public var noticeLine: String? { notice.map { "\(path): \($0)" } }

        /// What the command line must force to read the file again as it was read.
        public var reading: InputReading {
            InputReading(
                encoding: encoding.flatMap { TextEncoding(rawValue: $0) }.map {
                    switch $0 {
                    case .utf8: .utf8
                    case .windows1252: .windows1252
                    case .utf16BE, .utf16LE: .utf16
                    }
                }, delimiter: delimiter.flatMap { Delimiter(rawValue: $0) })
        }
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
