import HeapModule

/// Where a registration lives: its slot, and the slot's generation so stale references
/// (heap entries of a deregistered check whose slot was reused) are recognised.
struct SlotHandle: Hashable, Sendable {
    let slot: Int32
    let generation: UInt32
}

/// One registered check and its live state.
struct Registration: Sendable {
    let handle: SlotHandle
    let key: CheckKey
    let check: any Check
    /// Shared with every registration of equal options (see ``ScheduledOptions``).
    let options: ScheduledOptions
    let metrics: CheckMetrics?
    var result: CheckResult
    var running = false
    /// Increases with each run, so a timeout entry matches only the run it was set for.
    var runSerial: UInt32 = 0
    var gate: RunGate?
    var skipped = 0
    /// A readiness check that has passed: it keeps its result and never runs again.
    var settled = false
}

/// A due time for a registration: its next run, or the timeout of the run in flight (`serial`).
struct Deadline: Comparable, Sendable {
    let at: Duration
    let handle: SlotHandle
    let serial: UInt32

    static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        (lhs.at, lhs.handle.slot) < (rhs.at, rhs.handle.slot)
    }

    static func == (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.at == rhs.at && lhs.handle == rhs.handle && lhs.serial == rhs.serial
    }
}

/// What the scheduler loop hands to a run task.
struct RunTicket: Sendable {
    let handle: SlotHandle
    let key: CheckKey
    let check: any Check
    let timeout: Duration
    let startedAt: Duration
    let gate: RunGate
}

/// All of the engine's mutable state, guarded by one mutex.
///
/// Two deadline heaps drive every check: one for next runs, one for the timeouts of runs in
/// flight. Memory is a slot and a heap entry per check, not a sleeping task or timer.
/// Entries of deregistered checks or finished runs are dropped when popped.
struct Schedule {
    private(set) var slots: [Registration?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int32] = []
    private var index: [CheckKey: Int32] = [:]
    private var sharedOptions = ScheduledOptions.Pool()
    var runs = Heap<Deadline>()
    var timeouts = Heap<Deadline>()
    var inFlight = 0
    var runsStarted = 0
    var runsSkipped = 0
    var lateness = LatenessRecorder()
    /// The deadline the loop sleeps until (`nil`: indefinitely).
    var loopDeadline: Duration?
    var loopSleeping = false
    var blockedAtCapacity = false

    var count: Int { index.count }

    var registrations: some Sequence<Registration> { slots.lazy.compactMap { $0 } }

    func registration(for key: CheckKey) -> Registration? {
        index[key].flatMap { slots[Int($0)] }
    }

    func contains(_ key: CheckKey) -> Bool { index[key] != nil }

    /// Runs `body` on the live registration `handle` refers to, if it still exists.
    mutating func update<T>(_ handle: SlotHandle, _ body: (inout Registration) -> T) -> T? {
        let slot = Int(handle.slot)
        guard slot < slots.count, generations[slot] == handle.generation, var registration = slots[slot] else {
            return nil
        }
        slots[slot] = nil  // keep the copy unique while it is modified
        defer { slots[slot] = registration }
        return body(&registration)
    }

    mutating func add(
        key: CheckKey, check: any Check, options: CheckOptions, metrics: CheckMetrics?, initial: CheckResult,
        firstRun: Duration
    ) {
        let handle = place(key: key, check: check, options: options, metrics: metrics, initial: initial)
        runs.insert(Deadline(at: firstRun, handle: handle, serial: 0))
    }

    /// Puts a registration in a slot without scheduling it: bulk registration schedules many
    /// at once (see `HealthEngine.register(contentsOf:)`).
    mutating func place(
        key: CheckKey, check: any Check, options: CheckOptions, metrics: CheckMetrics?, initial: CheckResult
    ) -> SlotHandle {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(slots.count)
            slots.append(nil)
            generations.append(0)
        }
        let handle = SlotHandle(slot: slot, generation: generations[Int(slot)])
        slots[Int(slot)] = Registration(
            handle: handle, key: key, check: check, options: sharedOptions.record(for: options), metrics: metrics,
            result: initial)
        index[key] = slot
        return handle
    }

    mutating func remove(_ key: CheckKey) -> Registration? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        let removed = slots[Int(slot)]
        slots[Int(slot)] = nil
        generations[Int(slot)] &+= 1
        freeSlots.append(slot)
        return removed
    }

    struct DueWork {
        var tickets: [RunTicket] = []
        var timedOut: [RunGate] = []
        var skipped: [(CheckKey, Int, CheckMetrics?)] = []
        var nextDeadline: Duration?
    }

    /// Pops every run and timeout due at `now`, schedules each check's next run,
    /// and marks started runs in flight.
    mutating func popDue(now: Duration, maxInFlight: Int) -> DueWork {
        var due = DueWork()
        while let top = timeouts.min, top.at <= now {
            timeouts.removeMin()
            let gate = update(top.handle) { registration -> RunGate? in
                guard registration.running, registration.runSerial == top.serial else { return nil }
                return registration.gate
            }
            if let gate = gate ?? nil { due.timedOut.append(gate) }
        }
        while let top = runs.min, top.at <= now {
            if inFlight >= maxInFlight {
                blockedAtCapacity = true
                due.nextDeadline = timeouts.min?.at
                return due
            }
            runs.removeMin()
            let slot = Int(top.handle.slot)
            guard slot < slots.count, generations[slot] == top.handle.generation, var registration = slots[slot],
                !registration.settled
            else { continue }
            let interval = registration.options.interval
            var next = top.at + interval
            if next <= now { next = now + interval }
            runs.insert(Deadline(at: next, handle: top.handle, serial: 0))
            if registration.running {
                registration.skipped += 1
                runsSkipped += 1
                due.skipped.append((registration.key, registration.skipped, registration.metrics))
                slots[slot] = registration
                continue
            }
            registration.running = true
            registration.runSerial &+= 1
            let gate = RunGate()
            registration.gate = gate
            timeouts.insert(
                Deadline(at: now + registration.options.timeout, handle: top.handle, serial: registration.runSerial))
            let ticket = RunTicket(
                handle: top.handle, key: registration.key, check: registration.check,
                timeout: registration.options.timeout, startedAt: now, gate: gate)
            slots[slot] = registration
            inFlight += 1
            runsStarted += 1
            lateness.record(now - top.at)
            due.tickets.append(ticket)
        }
        blockedAtCapacity = false
        switch (runs.min?.at, timeouts.min?.at) {
        case (let run?, let timeout?): due.nextDeadline = min(run, timeout)
        case (let run?, nil): due.nextDeadline = run
        case (nil, let timeout): due.nextDeadline = timeout
        }
        return due
    }

    /// The gates of every run in flight (to stop them when the engine stops).
    func runningGates() -> [RunGate] {
        slots.compactMap { $0?.running == true ? $0?.gate : nil }
    }

    /// Marks a run finished; returns whether the loop waits for a free slot and must be woken.
    mutating func leaveFlight(_ handle: SlotHandle) -> Bool {
        inFlight -= 1
        _ = update(handle) { registration in
            registration.running = false
            registration.gate = nil
        }
        return blockedAtCapacity
    }
}
