import Crypto
import Foundation
import Glibc
import SOAllocRules

/// The secret behind the pseudonyms: 256 bits from the system's secure random
/// source, used once and forgotten, or kept in a key file so that files from
/// two returns get the same pseudonyms. A key file that does not exist is
/// written with a new key when the anonymised files are.
public struct PseudonymKey: Sendable {
    let key: SymmetricKey

    /// A new key from the system's secure random source.
    public static func random() -> PseudonymKey {
        PseudonymKey(key: SymmetricKey(size: .bits256))
    }

    /// The key in the key file at `path` (64 hexadecimal digits, optionally
    /// followed by a line end), or nil when there is no such file.
    public static func read(_ path: String) throws -> PseudonymKey? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.noInput("\(path): cannot read the key file")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 64, let bytes = hexadecimalBytes(text) else {
            throw Failure.data(DataError(Location(file: path), "the key file must hold 64 hexadecimal digits (256 bits)"))
        }
        return PseudonymKey(key: SymmetricKey(data: bytes))
    }

    /// Fails unless a key file can be created at `path`: its folder exists.
    public static func checkCreatable(_ path: String) throws {
        let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure.cannotCreate("\(path): cannot create the key file: no folder \(folder)")
        }
    }

    /// Writes the key as a new key file at `path`, readable by its owner only.
    public func write(to path: String) throws {
        let digits = Array("0123456789abcdef")
        let text = key.withUnsafeBytes { bytes in
            String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
        } + "\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure.cannotCreate("\(path): cannot create the key file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = text.utf8CString.withUnsafeBufferPointer { Glibc.write(descriptor, $0.baseAddress!, $0.count - 1) }
        guard written == text.utf8.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw Failure.output("\(path): cannot write the key file: \(String(cString: strerror(errno)))")
        }
    }

    private static func hexadecimalBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text.utf8 {
            let nibble: UInt8
            switch character {
            case 0x30...0x39: nibble = character - 0x30
            case 0x41...0x46: nibble = character - 0x41 + 10
            case 0x61...0x66: nibble = character - 0x61 + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

/// Keyed pseudonyms: HMAC-SHA256 under the key of a field's name and its
/// value, rendered in the field's own format. The same key and value always
/// give the same pseudonym, so records of one learner stay linked, in the
/// individualised file and the side files alike.
struct Pseudonyms {
    let key: SymmetricKey

    init(_ key: PseudonymKey) {
        self.key = key.key
    }

    /// The HMAC-SHA256 of `field`, a NUL, and `value`.
    func digest(_ field: String, _ value: some Sequence<UInt8>) -> [UInt8] {
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: Array(field.utf8) + [0])
        mac.update(data: Array(value))
        return Array(mac.finalize())
    }

    /// A whole number below `count` chosen by `field` and `value`.
    func choice(_ field: String, _ value: some Sequence<UInt8>, below count: Int) -> Int {
        let word = digest(field, value).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(word % UInt64(count))
    }

    private static let alphanumerics = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    /// Upper-case letters and digits, as long as `value` but at least 12 and at
    /// most 32 characters: 12 give 62 bits, so two learners of a sector's
    /// files share a pseudonym with a chance of about one in ten million.
    /// Empty stays empty.
    func identifier(_ field: String, _ value: some Collection<UInt8>) -> [UInt8] {
        guard !value.isEmpty else { return [] }
        let digest = digest(field, value)
        return (0..<min(max(value.count, 12), 32)).map { Self.alphanumerics[Int(digest[$0]) % 36] }
    }

    /// A STUBID's pseudonym: as `identifier`, of the STUBID as the duplicate
    /// check compares it (a number when it is digits: `0900001` is `900001`),
    /// so that duplicates stay duplicates.
    func stubid(_ value: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let number = FieldParsing.numericCode(value)
        guard Value.isKnown(number) else { return identifier(Column.stubid.name, value) }
        return identifier(Column.stubid.name, Array(String(number).utf8))
    }

    /// A postcode's pseudonym: `ZZ` and fourteen letters or digits, of the
    /// postcode as the lookup compares it (upper-cased, without spaces).
    /// Fourteen carry 72 bits, so the 2.6 million postcodes of a national
    /// lookup share none with a chance of about one in a billion. Empty stays empty.
    func postcode(_ value: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        PostcodeLookup.normalised(value) { postcode in
            guard !postcode.isEmpty else { return [] }
            let digest = digest("POSTCODE", postcode)
            return Array("ZZ".utf8) + (0..<14).map { Self.alphanumerics[Int(digest[$0]) % 36] }
        }
    }

    /// A ULN's pseudonym: another ten-digit number from 1000000000, by a keyed
    /// permutation (an eight-round Feistel network over two five-digit halves,
    /// with HMAC-SHA256 as its round function), so that no two learners ever
    /// share one; truncated digests would collide about fifty times among a
    /// million learners. A value that is not ten digits from 1000000000 gets
    /// ten digits from its digest. Empty stays empty.
    func uln(_ value: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard !value.isEmpty else { return [] }
        guard value.count == 10, value.allSatisfy({ (0x30...0x39).contains($0) }), value[0] != 0x30 else {
            return Array(String(1_000_000_000 + choice("ULN", value, below: 9_000_000_000)).utf8)
        }
        var number = value.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        repeat { number = permuted(number) } while number < 1_000_000_000
        return Array(String(number).utf8)
    }

    /// The Feistel permutation of the numbers below 10¹⁰.
    private func permuted(_ number: Int) -> Int {
        let half = 100_000
        var (left, right) = (number / half, number % half)
        for round in 0..<8 {
            let mixed = choice("ULN round \(round)", Array(String(right).utf8), below: half)
            (left, right) = (right, (left + mixed) % half)
        }
        return left * half + right
    }
}
