/// The records of two sides matched by (UKPRN, LEARNREFNUMBER, AIMSEQNUMBER).
///
/// A key that both sides have once pairs its two records. Where a key
/// repeats, a STUBID that the key's records have once on each side pairs
/// those two; what is left of the key on one side only is added or removed,
/// and what is left on both sides is ambiguous: never paired by guess, it
/// counts as removed from OLD and added to NEW, and is marked so.
///
/// Both sides' key entries are read in key order from their spill sorts and
/// merged, one key at a time, so memory holds only the records of one key.
/// The pairs, the removed and the added records go on spill sorts of their
/// own, to be read in row order: pairs and removed records in OLD's order,
/// added records in NEW's.
struct RecordJoin {
    /// A record matched or not, by its row on the side whose order it is read in.
    struct Match: Comparable {
        var row: UInt32
        var ambiguous: Bool
        var length: UInt32
        var otherLength: UInt32
        var offset: UInt64
        /// The matched record's place on the other side (pairs only).
        var otherOffset: UInt64

        static func < (lhs: Match, rhs: Match) -> Bool { lhs.row < rhs.row }
    }

    /// Matched records, by OLD's row: `offset` in OLD's file, `otherOffset` in NEW's.
    let pairs = SpillSort<Match>(name: "compare-pairs", capacity: 1 << 16)
    /// OLD's records not matched, by row.
    let removed = SpillSort<Match>(name: "compare-removed", capacity: 1 << 14)
    /// NEW's records not matched, by row.
    let added = SpillSort<Match>(name: "compare-added", capacity: 1 << 14)
    private(set) var ambiguousCount = 0

    init(old: SideRecords, new: SideRecords) throws {
        var olds = try old.keys.sorted()
        var news = try new.keys.sorted()
        var groupOld: [SideRecords.KeyEntry] = []
        var groupNew: [SideRecords.KeyEntry] = []
        while olds.current != nil || news.current != nil {
            let key = [olds.current?.key, news.current?.key].compactMap { $0 }.min()!
            groupOld.removeAll(keepingCapacity: true)
            groupNew.removeAll(keepingCapacity: true)
            while let entry = olds.current, entry.key == key {
                groupOld.append(entry)
                try olds.advance()
            }
            while let entry = news.current, entry.key == key {
                groupNew.append(entry)
                try news.advance()
            }
            try match(groupOld, groupNew)
        }
    }

    /// Matches the records of one key, each side's in (STUBID, row) order.
    private mutating func match(_ olds: [SideRecords.KeyEntry], _ news: [SideRecords.KeyEntry]) throws {
        if olds.count == 1 && news.count == 1 {
            try pair(olds[0], news[0])
            return
        }
        if olds.isEmpty || news.isEmpty {
            for entry in olds { try removed.append(Self.single(entry, ambiguous: false)) }
            for entry in news { try added.append(Self.single(entry, ambiguous: false)) }
            return
        }
        // The key repeats: a STUBID found once on each side settles a pair.
        var leftOld: [SideRecords.KeyEntry] = []
        var leftNew: [SideRecords.KeyEntry] = []
        var (i, j) = (0, 0)
        while i < olds.count || j < news.count {
            let stubid = [i < olds.count ? olds[i].stubid : nil, j < news.count ? news[j].stubid : nil].compactMap { $0 }.min()!
            let oldEnd = olds[i...].firstIndex { $0.stubid != stubid } ?? olds.count
            let newEnd = news[j...].firstIndex { $0.stubid != stubid } ?? news.count
            if stubid != 0 && oldEnd - i == 1 && newEnd - j == 1 {
                try pair(olds[i], news[j])
            } else {
                leftOld += olds[i..<oldEnd]
                leftNew += news[j..<newEnd]
            }
            (i, j) = (oldEnd, newEnd)
        }
        let ambiguous = !leftOld.isEmpty && !leftNew.isEmpty
        if ambiguous { ambiguousCount += leftOld.count + leftNew.count }
        for entry in leftOld { try removed.append(Self.single(entry, ambiguous: ambiguous)) }
        for entry in leftNew { try added.append(Self.single(entry, ambiguous: ambiguous)) }
    }

    private func pair(_ old: SideRecords.KeyEntry, _ new: SideRecords.KeyEntry) throws {
        try pairs.append(
            Match(
                row: old.row, ambiguous: false, length: old.length, otherLength: new.length, offset: old.offset,
                otherOffset: new.offset))
    }

    private static func single(_ entry: SideRecords.KeyEntry, ambiguous: Bool) -> Match {
        Match(row: entry.row, ambiguous: ambiguous, length: entry.length, otherLength: 0, offset: entry.offset, otherOffset: 0)
    }
}
