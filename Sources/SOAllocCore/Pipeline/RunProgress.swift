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
        let seconds = max(Double(now.uptimeNanoseconds - started.uptimeNanoseconds) / 1e9, 0.001)
        let fraction = total > 0 ? min(Double(read) / Double(total), 1) : 0
        let left = fraction > 0 ? seconds * (1 - fraction) / fraction : 0
        let rate = Int(Double(records) / seconds)
        show("\r\u{1B}[K\(Int(fraction * 100))%  \(rate) records/s  about \(Int(left.rounded(.up))) s left")
        showing = true
    }
}
