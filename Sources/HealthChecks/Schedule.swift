import HeapModule

/// One registered check and its live state.
struct Registration: Sendable {
    let id: UInt64
    let key: CheckKey
    let check: any Check
    let options: CheckOptions
    let metrics: CheckMetrics?
    var result: CheckResult
    var running = false
    var skipped = 0
    /// A readiness check that has passed: it keeps its result and never runs again.
    var settled = false
}

/// A run due at `deadline` for the registration `id`. Ordered by deadline for the heap.
struct ScheduledRun: Comparable, Sendable {
    let deadline: Duration
    let id: UInt64

    static func < (lhs: ScheduledRun, rhs: ScheduledRun) -> Bool {
        (lhs.deadline, lhs.id) < (rhs.deadline, rhs.id)
    }
}

/// What the scheduler loop hands to a run task.
struct RunTicket: Sendable {
    let id: UInt64
    let key: CheckKey
    let check: any Check
    let timeout: Duration
}

/// All of the engine's mutable state, guarded by one mutex.
///
/// A single deadline heap drives every check: memory is one heap entry per check,
/// not one sleeping task. Deregistered checks leave stale heap entries that are dropped when popped.
struct Schedule {
    var registrations: [UInt64: Registration] = [:]
    var ids: [CheckKey: UInt64] = [:]
    var queue = Heap<ScheduledRun>()
    var nextID: UInt64 = 0
    var inFlight = 0
    var runsStarted = 0
    var runsSkipped = 0
    var lateness = LatenessRecorder()
    /// The deadline the loop sleeps until (`nil`: indefinitely or not sleeping).
    var loopDeadline: Duration?
    var loopSleeping = false
    var blockedAtCapacity = false

    struct DueRuns {
        var tickets: [RunTicket] = []
        var skipped: [(CheckKey, Int, CheckMetrics?)] = []
        var nextDeadline: Duration?
    }

    /// Pops every run due at `now`, schedules each check's next run, and marks runs in flight.
    mutating func popDue(now: Duration, maxInFlight: Int) -> DueRuns {
        var due = DueRuns()
        while let top = queue.min, top.deadline <= now {
            if inFlight >= maxInFlight {
                blockedAtCapacity = true
                due.nextDeadline = nil
                return due
            }
            queue.removeMin()
            guard var registration = registrations[top.id], !registration.settled else { continue }
            var next = top.deadline + registration.options.interval
            if next <= now { next = now + registration.options.interval }
            queue.insert(ScheduledRun(deadline: next, id: top.id))
            if registration.running {
                registration.skipped += 1
                runsSkipped += 1
                due.skipped.append((registration.key, registration.skipped, registration.metrics))
                registrations[top.id] = registration
                continue
            }
            registrations[top.id]?.running = true
            inFlight += 1
            runsStarted += 1
            lateness.record(now - top.deadline)
            due.tickets.append(
                RunTicket(
                    id: top.id,
                    key: registration.key,
                    check: registration.check,
                    timeout: registration.options.timeout
                )
            )
        }
        blockedAtCapacity = false
        due.nextDeadline = queue.min?.deadline
        return due
    }
}
