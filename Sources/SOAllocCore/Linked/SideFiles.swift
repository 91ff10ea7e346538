import Foundation
import SOAllocRules

/// The side files of a run, read before the individualised file.
struct SideFiles {
    var quals: QualsFile?
    var postcodes: PostcodeLookup?
    var tariff: TariffTable

    init(quals: QualsFile? = nil, postcodes: PostcodeLookup? = nil, tariff: TariffTable = TariffTable(points: [:])) {
        self.quals = quals
        self.postcodes = postcodes
        self.tariff = tariff
    }

    /// Reads the `--quals` and `--postcodes` files named, with the method's tariff.
    init(quals: String?, postcodes: String?, method: Method) throws {
        tariff = method.tariff ?? TariffTable(points: [:])
        if let path = quals {
            guard method.tariff != nil else {
                throw Failure.usage("\(method.origin): tariff: missing, and --quals needs it to score qualifications")
            }
            self.quals = try QualsFile(path: path, table: tariff)
        }
        self.postcodes = try postcodes.map { try PostcodeLookup(path: $0) }
    }
}
