import NIOCore

/// Request deadlines of every probe on one event loop, kept in one list with one timer.
///
/// A NIO timer per request costs a scheduled-task allocation and a cancel that searches the
/// loop's timer heap; at thousands of probes a second that was 4% of a check. Here a request
/// joins a list when it is written and leaves it when answered (O(1) each); one timer, set for
/// the earliest deadline, sweeps the list. Only ever touched on its event loop.
final class DeadlineSweeper {
    /// Something with a deadline that must be told when it passes.
    protocol Entry: AnyObject {
        /// Position in the sweeper's list, maintained by the sweeper.
        var sweeperSlot: Int { get set }
        func deadlinePassed()
    }

    private let eventLoop: any EventLoop
    private var entries: [(entry: any Entry, deadline: NIODeadline)] = []
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func add(_ entry: any Entry, deadline: NIODeadline) {
        eventLoop.assertInEventLoop()
        entry.sweeperSlot = entries.count
        entries.append((entry, deadline))
        if timerDeadline.map({ deadline < $0 }) ?? true { arm(at: deadline) }
    }

    func remove(_ entry: any Entry) {
        eventLoop.assertInEventLoop()
        let slot = entry.sweeperSlot
        guard slot >= 0, slot < entries.count, entries[slot].entry === entry else { return }
        entry.sweeperSlot = -1
        let last = entries.removeLast()
        if slot < entries.count {
            entries[slot] = last
            last.entry.sweeperSlot = slot
        }
        // The timer stays armed: a sweep of an emptied list is cheaper than a cancel per request.
    }

    private func arm(at deadline: NIODeadline) {
        timer?.cancel()
        timerDeadline = deadline
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleTask(deadline: deadline) { bound.value.sweep() }
    }

    private func sweep() {
        timer = nil
        timerDeadline = nil
        let now = NIODeadline.now()
        var expired: [any Entry] = []
        var next: NIODeadline?
        var index = 0
        while index < entries.count {
            let (entry, deadline) = entries[index]
            if deadline <= now {
                expired.append(entry)
                remove(entry)  // moves the last entry into `index`
            } else {
                next = next.map { min($0, deadline) } ?? deadline
                index += 1
            }
        }
        if let next { arm(at: next) }
        for entry in expired { entry.deadlinePassed() }
    }
}
