import DequeModule
import HeapModule

/// The queue's rows by FIFO group, kept in memory by the process that receives, so that finding the
/// deliverable heads needs no index over groups in the file.
///
/// An index on `(group_id, seq)` cost every webhook a B-tree insert at a random place (updates
/// arrive spread over chats), and so a dirty page per chat per commit; without it the ingress alone
/// measured about 30% more requests/s. The table stays the truth: every delivery is claimed with a
/// conditional `UPDATE`, rows other connections add (a `dlq redrive` beside `serve`) are read by
/// `seq`, which only grows, and any failure makes the next receive rebuild this from the table.
///
/// Used only on the writer thread, inside units of work, so it sees the transaction's own changes.
struct GroupHeads {
    /// A row as the queue's order needs it.
    private struct Row {
        var seq: Int64
        var visibleAt: Int64
    }

    /// A head that becomes deliverable at `visibleAt`: ordered by that time, then by `seq`.
    private struct Waiting: Comparable {
        var visibleAt: Int64
        var seq: Int64
        static func < (lhs: Waiting, rhs: Waiting) -> Bool { (lhs.visibleAt, lhs.seq) < (rhs.visibleAt, rhs.seq) }
    }

    /// False until built from the table, and again after any failure: the next receive rebuilds.
    private(set) var isCurrent = false
    /// Rows up to this `seq` have been read from the table.
    private(set) var readThrough: Int64 = 0
    /// Rows read and not yet removed: the queue's depth as of the last read, for `/metrics`.
    private(set) var rowCount = 0
    /// Rows this process inserted since the last read; the next read counts them in ``rowCount``.
    private(set) var unreadInserts = 0
    /// Each group's rows in `seq` order; the first is the head. Empty groups are removed.
    private var groups: [String: Deque<Row>] = [:]
    /// The group of each head.
    private var groupOfHead: [Int64: String] = [:]
    /// Heads visible now, lowest `seq` first. Entries go stale (a head delivered, removed); popping checks.
    private var ready = Heap<Int64>()
    /// Heads invisible until a time (in flight, or released with a delay). Entries go stale too.
    private var waiting = Heap<Waiting>()

    /// Forgets everything; the next receive reads the table again.
    mutating func invalidate() {
        self = GroupHeads()
    }

    /// Starts a rebuild: empty, and current once the caller has read every row with ``append``.
    mutating func startRebuild() {
        self = GroupHeads()
        isCurrent = true
    }

    /// A row read from the table, in `seq` order, above ``readThrough``.
    mutating func append(seq: Int64, group: String, visibleAt: Int64) {
        readThrough = max(readThrough, seq)
        rowCount += 1
        let row = Row(seq: seq, visibleAt: visibleAt)
        let startsGroup = groups[group] == nil
        groups[group, default: []].append(row)
        if startsGroup { becameHead(row, of: group) }
    }

    /// Rows this process inserted, to be read with the next rows; counted meanwhile by ``depth``.
    mutating func noteInserted(_ count: Int) { unreadInserts += count }

    /// Every row up to the table's end has been read (``append``).
    mutating func finishedReading() { unreadInserts = 0 }

    /// Updates waiting or in flight, from memory; nil when this copy is not current. Rows that another
    /// process added (a redrive) count from the next read on.
    var depth: Int? { isCurrent ? rowCount + unreadInserts : nil }

    /// The lowest-`seq` head visible at `now`, taken out of the ready set; nil when there is none.
    /// The caller claims it in the table and reports the claim with ``setVisibleAt``.
    mutating func popDeliverable(now: Int64) -> Int64? {
        while let next = waiting.min, next.visibleAt <= now {
            waiting.removeMin()
            if headVisibleAt(next.seq) == next.visibleAt { ready.insert(next.seq) }
        }
        while let seq = ready.popMin() {
            if let visibleAt = headVisibleAt(seq), visibleAt <= now { return seq }
        }
        return nil
    }

    /// A head's new visibility: delivered (`now` + visibility timeout) or released (`now` + delay).
    /// Returns false when `seq` is not a head here, which means this copy is out of date.
    mutating func setVisibleAt(_ visibleAt: Int64, ofHead seq: Int64) -> Bool {
        guard let group = group(ofHead: seq) else { return false }
        groups[group]![0].visibleAt = visibleAt
        waiting.insert(Waiting(visibleAt: visibleAt, seq: seq))
        compactIfStale()
        return true
    }

    /// A head deleted from the table (acknowledged or dead-lettered): the next row of its group, if
    /// any, becomes the head. Returns false when `seq` is not a head here.
    mutating func removeHead(_ seq: Int64) -> Bool {
        guard let group = group(ofHead: seq) else { return false }
        rowCount -= 1
        groupOfHead[seq] = nil
        groups[group]!.removeFirst()
        if let next = groups[group]!.first {
            becameHead(next, of: group)
        } else {
            groups[group] = nil
        }
        return true
    }

    /// Every delivery leaves an entry that goes stale once its update is acknowledged; they would
    /// otherwise pile up for a visibility timeout. Rebuilt from the heads when mostly stale.
    private mutating func compactIfStale() {
        guard waiting.count + ready.count > 2 * groupOfHead.count + 1024 else { return }
        var entries: [Waiting] = []
        entries.reserveCapacity(groupOfHead.count)
        for seq in groupOfHead.keys {
            if let visibleAt = headVisibleAt(seq) { entries.append(Waiting(visibleAt: visibleAt, seq: seq)) }
        }
        waiting = Heap(entries)
        ready = Heap()
    }

    private mutating func becameHead(_ row: Row, of group: String) {
        groupOfHead[row.seq] = group
        // Every head is in one of the two sets; `popDeliverable` moves the waiting ones when due.
        waiting.insert(Waiting(visibleAt: row.visibleAt, seq: row.seq))
    }

    private func headVisibleAt(_ seq: Int64) -> Int64? {
        group(ofHead: seq).flatMap { groups[$0]?.first?.visibleAt }
    }

    /// The group `seq` heads, if it is a head here.
    private func group(ofHead seq: Int64) -> String? {
        guard let group = groupOfHead[seq], groups[group]?.first?.seq == seq else { return nil }
        return group
    }
}
