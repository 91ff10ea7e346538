import Foundation
import SOAllocRules

/// Progress of a long run, for a terminal: how much of the input has been
/// read, records a second, and the time left. At most four updates a
/// second, each rewriting one line; the line is cleared at the end.
public final class RunProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let show: @Sendable (String) -> Void
    private var total = 0
    private var read = 0
    private var records = 0
    private var started = DispatchTime.now()
    private var shown = DispatchTime(uptimeNanoseconds: 0)
    private var showing = false

    /// `show` puts a line on the terminal (it starts with a carriage return).
    public init(show: @escaping @Sendable (String) -> Void) {
        self.show = show
    }

    /// Starts counting for these input files.
    func start(files: [String]) {
        lock.lock()
        defer { lock.unlock() }
        total = files.reduce(0) { sum, file in
            sum + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
        started = DispatchTime.now()
    }

    /// `bytes` more of the input have been read.
    func read(_ bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        read += bytes
        update()
    }

    /// `count` more records have been derived.
    func recorded(_ count: Int) {
        lock.lock()
        defer { lock.unlock() }
        records += count
    }

    /// Clears the progress line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if showing { show("\r\u{1B}[K") }
        showing = false
    }

    private func update() {
        let now = DispatchTime.now()
        guard now.uptimeNanoseconds - shown.uptimeNanoseconds >= 250_000_000 else { return }
        shown = now
        let seconds = Double(now.uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        show("\r\u{1B}[K" + Self.line(read: read, total: total, records: records, seconds: seconds))
        showing = true
    }

    /// How long the rate is measured before it is shown.
    static let measuring = 1.0

    /// The progress line after `seconds`, with `read` of `total` bytes read
    /// and `records` derived. The rate and the time left are shown only once
    /// they are known: after a second, with records derived (they are counted
    /// in batches of 8,192); before that the line holds the percentage, and
    /// the records when there are some. Never "0 records/s, about 0 s left".
    static func line(read: Int, total: Int, records: Int, seconds: Double) -> String {
        let fraction = total > 0 ? min(Double(read) / Double(total), 1) : nil
        var parts = fraction.map { ["\(Int($0 * 100))%"] } ?? []
        guard records > 0 else { return parts.joined(separator: "  ") }
        let rate = seconds >= measuring ? Int(Double(records) / seconds) : 0
        guard rate > 0 else { return (parts + ["\(Decimal(records).grouped()) records"]).joined(separator: "  ") }
        parts.append("\(Decimal(rate).grouped()) records/s")
        if let fraction, fraction > 0, fraction < 1 {
            let left = seconds * (1 - fraction) / fraction
            parts.append(left < 1 ? "less than 1 s left" : "about \(Decimal(Int(left.rounded(.up))).grouped()) s left")
        }
        return parts.joined(separator: "  ")
    }
}
