import Foundation
import Logging
import ServiceLifecycle

extension HealthEngine {
    /// Runs the schedule until the task is cancelled or graceful shutdown is signalled.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.drive()
        }
    }

    private func drive() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = clock.now
                let due = schedule.withLock { state in
                    let due = state.popDue(now: now, maxInFlight: configuration.maxConcurrentRuns)
                    state.loopDeadline = due.nextDeadline
                    state.loopSleeping = true
                    return due
                }
                for (key, total, metrics) in due.skipped {
                    metrics?.skipped.increment()
                    broadcaster.publish(.skipped(key, totalSkipped: total))
                }
                for ticket in due.tickets {
                    group.addTask { await self.execute(ticket) }
                }
                await wakeup.wait(until: due.nextDeadline, clock: clock)
                schedule.withLock { $0.loopSleeping = false }
            }
            group.cancelAll()
        }
    }

    /// One run: races the check against its timeout, records whichever finishes first,
    /// and keeps the check marked in flight until the check itself returns (no self-overlap).
    private func execute(_ ticket: RunTicket) async {
        let start = clock.now
        broadcaster.publish(.started(ticket.key, at: start))
        let clock = self.clock
        let releasedEarly = await withTaskGroup(of: (RunOutcome, fromCheck: Bool)?.self) { group -> Bool in
            group.addTask { (await Self.perform(ticket.check), fromCheck: true) }
            group.addTask {
                do {
                    try await clock.sleep(until: start + ticket.timeout)
                    return (.failure("timed out after \(DurationFormat.short(ticket.timeout))"), fromCheck: false)
                } catch {
                    return nil
                }
            }
            var first: (RunOutcome, fromCheck: Bool)?
            while first == nil, let next = await group.next() {
                first = next
            }
            group.cancelAll()
            guard let (outcome, fromCheck) = first, !Task.isCancelled else { return false }
            // When the check itself finished, it leaves flight in the same step that records its result,
            // so observers of the result never see it still running.
            record(ticket, outcome: outcome, duration: clock.now - start, finished: fromCheck)
            return fromCheck
        }
        if !releasedEarly {
            let pokeLoop = schedule.withLock { state in Self.leaveFlight(ticket, &state) }
            if pokeLoop { wakeup.poke() }
        }
    }

    /// Marks a run finished; returns whether the loop waits for a free slot and must be woken.
    private static func leaveFlight(_ ticket: RunTicket, _ state: inout Schedule) -> Bool {
        state.inFlight -= 1
        state.registrations[ticket.id]?.running = false
        return state.blockedAtCapacity
    }

    private static func perform(_ check: any Check) async -> RunOutcome {
        do {
            return .success(try await check.run())
        } catch {
            return .failure(String(describing: error))
        }
    }

    private func record(_ ticket: RunTicket, outcome: RunOutcome, duration: Duration, finished: Bool) {
        let completedAt = clock.wallNow
        let (update, pokeLoop) = schedule.withLock { state -> ((CheckResult, CheckResult, CheckMetrics?)?, Bool) in
            let pokeLoop = finished ? Self.leaveFlight(ticket, &state) : false
            guard let registration = state.registrations[ticket.id] else { return (nil, pokeLoop) }
            let old = registration.result
            let new = old.applying(
                outcome, completedAt: completedAt, duration: duration, thresholds: registration.options.thresholds)
            state.registrations[ticket.id]?.result = new
            if ticket.key.kind == .readiness, new.status == .passing {
                state.registrations[ticket.id]?.settled = true
            }
            return ((old, new, registration.metrics), pokeLoop)
        }
        if pokeLoop { wakeup.poke() }
        guard let (old, new, metrics) = update else { return }
        metrics?.record(new, failed: !outcome.succeeded)
        broadcaster.publish(.completed(ticket.key, new))
        if old.status != new.status {
            logTransition(ticket.key, from: old.status, to: new)
            broadcaster.publish(.statusChanged(ticket.key, from: old.status, to: new))
        }
    }

    private func logTransition(_ key: CheckKey, from old: CheckStatus, to new: CheckResult) {
        var metadata: Logger.Metadata = [
            "check": "\(key.name)", "kind": "\(key.kind.rawValue)", "from": "\(old.rawValue)",
            "to": "\(new.status.rawValue)",
        ]
        if let error = new.error { metadata["error"] = "\(error)" }
        if new.isHealthy {
            logger.info("check started passing", metadata: metadata)
        } else if key.kind == .readiness, old == .notYetRun {
            // Readiness checks are expected to fail until startup completes.
            logger.debug("check not ready yet", metadata: metadata)
        } else {
            logger.warning("check started failing", metadata: metadata)
        }
    }
}

/// Compact durations for messages: `5s`, `1.5s`, `250ms`.
public enum DurationFormat {
    public static func short(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds >= 1000 {
            return "\(Double(milliseconds) / 1000)s"
        }
        return "\(milliseconds)ms"
    }
}
