/// The records of two runs matched by (UKPRN, LEARNREFNUMBER, AIMSEQNUMBER).
///
/// A key that both sides have once pairs its two records. Where a key
/// repeats, a STUBID that the key's records have once on each side pairs
/// those two; what is left of the key on one side only is added or removed,
/// and what is left on both sides is ambiguous: never paired by guess, it
/// counts as removed from OLD and added to NEW, and is marked so.
///
/// The records are held in memory, keyed by their identifiers: a known limit
/// (docs/performance.md): a join on a sorted spill would keep memory flat.
struct RecordJoin: Sendable {
    /// Matched records: indices into OLD's and NEW's records, in OLD's order.
    var pairs: [(old: Int, new: Int)] = []
    /// OLD's records not matched, in row order, and whether each is ambiguous.
    var removed: [(index: Int, ambiguous: Bool)] = []
    /// NEW's records not matched, in row order, and whether each is ambiguous.
    var added: [(index: Int, ambiguous: Bool)] = []

    var ambiguousCount: Int { removed.filter(\.ambiguous).count + added.filter(\.ambiguous).count }

    init(old: [ComparedRecord], new: [ComparedRecord]) {
        var oldByKey: [String: [Int]] = [:]
        var newByKey: [String: [Int]] = [:]
        var keys: [String] = []
        for (index, record) in old.enumerated() {
            let key = record.key
            if oldByKey[key] == nil { keys.append(key) }
            oldByKey[key, default: []].append(index)
        }
        for (index, record) in new.enumerated() {
            let key = record.key
            if oldByKey[key] == nil && newByKey[key] == nil { keys.append(key) }
            newByKey[key, default: []].append(index)
        }
        for key in keys {
            let olds = oldByKey[key] ?? []
            let news = newByKey[key] ?? []
            if olds.count == 1 && news.count == 1 {
                pairs.append((olds[0], news[0]))
                continue
            }
            if news.isEmpty || olds.isEmpty {
                removed += olds.map { ($0, false) }
                added += news.map { ($0, false) }
                continue
            }
            // The key repeats: a STUBID found once on each side settles a pair.
            func once(_ indices: [Int], _ records: [ComparedRecord]) -> [String: Int] {
                var count: [String: Int] = [:]
                for index in indices { count[records[index].stubid, default: 0] += 1 }
                var single: [String: Int] = [:]
                for index in indices where count[records[index].stubid] == 1 { single[records[index].stubid] = index }
                return single
            }
            let oldOnce = once(olds, old)
            let newOnce = once(news, new)
            var pairedOld = Set<Int>()
            var pairedNew = Set<Int>()
            for index in olds {
                let stubid = old[index].stubid
                if !stubid.isEmpty, let mine = oldOnce[stubid], mine == index, let theirs = newOnce[stubid] {
                    pairs.append((index, theirs))
                    pairedOld.insert(index)
                    pairedNew.insert(theirs)
                }
            }
            let leftOld = olds.filter { !pairedOld.contains($0) }
            let leftNew = news.filter { !pairedNew.contains($0) }
            let ambiguous = !leftOld.isEmpty && !leftNew.isEmpty
            removed += leftOld.map { ($0, ambiguous) }
            added += leftNew.map { ($0, ambiguous) }
        }
        pairs.sort { $0.old < $1.old }
        removed.sort { $0.index < $1.index }
        added.sort { $0.index < $1.index }
    }
}
